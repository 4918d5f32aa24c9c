"""The condition language of the catalog (``when``, ``ask_if``, ``required_if``).

A condition is parsed once from YAML into a small tree of frozen dataclasses and evaluated with
three-valued logic: ``True``, ``False`` or ``None`` (unknown, because a question is not answered
yet). See docs/catalog-format.md, section "Conditions".

Example::

    cond = parse_condition({"all": [{"q": "ly_do", "eq": "nghi_viec"},
                                    {"q": "ngay_dung_dong", "months_before_as_of": {"ge": 12}}]})
    evaluate(cond, Context(answers, as_of=date(2026, 1, 1)))   # True / False / None

The retirement-age leaf ``{q: ngay_sinh, reached_retirement_age: {gender: gioi_tinh}}`` reads the
table of ``retirement_ages.yaml``; the loader hands it to :func:`parse_condition`.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from bhxh_catalog._fmt import dmy
from bhxh_catalog.errors import CatalogError
from bhxh_catalog.retirement import GENDER_LABELS, GENDERS, RetirementAges
from bhxh_catalog.validators.dates import YearAlone

__all__ = [
    "ANSWER_OPS",
    "AllOf",
    "AnyOf",
    "AsOf",
    "Condition",
    "Context",
    "Leaf",
    "MonthsBeforeAsOf",
    "Not",
    "Operand",
    "ReachedRetirementAge",
    "Truth",
    "as_date",
    "check_condition",
    "describe",
    "evaluate",
    "months_between",
    "parse_condition",
    "referenced_ids",
]

Truth = bool | None
"""Three-valued truth: ``None`` means unknown."""

EQUALITY_OPS = ("eq", "ne", "in", "not_in")
NUMBER_OPS = ("lt", "le", "gt", "ge")
DATE_OPS = ("before", "on_or_after")
RETIREMENT_OP = "reached_retirement_age"
ANSWER_OPS = (*EQUALITY_OPS, *NUMBER_OPS, *DATE_OPS, "answered", "months_before_as_of",
              RETIREMENT_OP)
MONTH_OPS = ("eq", "ne", *NUMBER_OPS)
NUMERIC_KINDS = ("number", "integer", "money")


@dataclass(frozen=True, slots=True)
class AllOf:
    """True when every item is true; false when one is false; unknown otherwise."""

    items: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class AnyOf:
    """True when one item is true; false when every item is false; unknown otherwise."""

    items: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class Not:
    """Negation; unknown stays unknown."""

    item: Condition


@dataclass(frozen=True, slots=True)
class Leaf:
    """A test on one answer: ``{q: so_nam_dong, lt: 20}``."""

    q: str
    op: str
    value: object


@dataclass(frozen=True, slots=True)
class AsOf:
    """A test on the evaluation date: ``{as_of: {before: 2025-07-01}}``."""

    op: str
    value: date


@dataclass(frozen=True, slots=True)
class MonthsBeforeAsOf:
    """Whole months from a date answer to the evaluation date, compared with a number."""

    q: str
    op: str
    value: int


@dataclass(frozen=True, slots=True)
class ReachedRetirementAge:
    """``{q: ngay_sinh, reached_retirement_age: {gender: gioi_tinh}}``.

    True when the person born on the date answer ``q`` has reached the retirement age on the
    evaluation date (see :mod:`bhxh_catalog.retirement`).

    Attributes:
        q: the birth-date question.
        gender: ``nam`` or ``nu``, or the id of the choice question that answers it.
        ages: the tables of ``retirement_ages.yaml`` (None when parsed without a catalog).
    """

    q: str
    gender: str
    ages: RetirementAges | None = field(default=None, repr=False)

    @property
    def gender_question(self) -> str | None:
        """The question answering the gender; None when the gender is fixed."""
        return None if self.gender in GENDERS else self.gender


Condition = AllOf | AnyOf | Not | Leaf | AsOf | MonthsBeforeAsOf | ReachedRetirementAge


@dataclass(frozen=True, slots=True)
class Context:
    """What a condition is evaluated against.

    Attributes:
        answers: answer values by question or field id, already read for their kind.
        as_of: the evaluation date.
        skipped: ids of questions/fields whose ``ask_if`` is false; leaves on them are false.
    """

    answers: Mapping[str, object]
    as_of: date
    skipped: frozenset[str] = field(default_factory=frozenset)

    def has_answer(self, qid: str) -> bool:
        """Tells whether ``qid`` has a usable answer (present, not None, not skipped)."""
        return qid not in self.skipped and self.answers.get(qid) is not None


@dataclass(frozen=True, slots=True)
class Operand:
    """What a condition may compare a question or field with (for checking the data files).

    Attributes:
        kind: ``yes_no``, ``choice``, ``number``, ``integer``, ``money``, ``date`` or ``text``.
        options: the option values of a choice.
    """

    kind: str
    options: tuple[str, ...] = ()


# --------------------------------------------------------------------------------- evaluation


def evaluate(cond: Condition, ctx: Context) -> Truth:
    """Evaluates a condition with three-valued logic.

    Args:
        cond: a parsed condition.
        ctx: the answers, the evaluation date and the skipped ids.

    Returns:
        True, False, or None when the answer depends on a question not answered yet.

    Raises:
        CatalogError: an answer has the wrong type for the operator (answers must be read with
            ``bhxh_catalog.answers`` first).
    """
    if isinstance(cond, AllOf):
        return _combine((evaluate(item, ctx) for item in cond.items), decisive=False)
    if isinstance(cond, AnyOf):
        return _combine((evaluate(item, ctx) for item in cond.items), decisive=True)
    if isinstance(cond, Not):
        inner = evaluate(cond.item, ctx)
        return None if inner is None else not inner
    if isinstance(cond, AsOf):
        return _compare_dates(cond.op, ctx.as_of, cond.value)
    if isinstance(cond, MonthsBeforeAsOf):
        return _months_leaf(cond, ctx)
    if isinstance(cond, ReachedRetirementAge):
        return _retirement_leaf(cond, ctx)
    return _answer_leaf(cond, ctx)


def _combine(results: Iterator[Truth], decisive: bool) -> Truth:
    """Three-valued ``all`` (*decisive* False) or ``any`` (*decisive* True).

    The first decisive result wins; otherwise an unknown result makes the whole unknown.
    """
    unknown = False
    for result in results:
        if result is decisive:
            return decisive
        unknown = unknown or result is None
    return None if unknown else not decisive


def _answer_leaf(leaf: Leaf, ctx: Context) -> Truth:
    if leaf.op == "answered":
        return ctx.has_answer(leaf.q) == leaf.value
    if leaf.q in ctx.skipped:
        return False
    answer = ctx.answers.get(leaf.q)
    if answer is None:
        return None
    return _compare(leaf, answer)


def _months_leaf(leaf: MonthsBeforeAsOf, ctx: Context) -> Truth:
    if leaf.q in ctx.skipped:
        return False
    answer = ctx.answers.get(leaf.q)
    if answer is None:
        return None
    if not isinstance(answer, date):
        raise CatalogError(f"Câu trả lời cho '{leaf.q}' phải là một ngày để đếm số tháng.")
    return _compare_numbers(leaf.op, months_between(answer, ctx.as_of), leaf.value)


def _retirement_leaf(leaf: ReachedRetirementAge, ctx: Context) -> Truth:
    """False when the birth date or the gender question is skipped, unknown when unanswered."""
    gender_question = leaf.gender_question
    asked = (leaf.q,) if gender_question is None else (leaf.q, gender_question)
    if any(qid in ctx.skipped for qid in asked):
        return False
    birth = ctx.answers.get(leaf.q)
    gender = leaf.gender if gender_question is None else ctx.answers.get(gender_question)
    if birth is None or gender is None:
        return None
    if not isinstance(birth, date):
        raise CatalogError(f"Câu trả lời cho '{leaf.q}' phải là một ngày sinh.")
    if leaf.ages is None:
        raise CatalogError("Điều kiện reached_retirement_age cần bảng tuổi nghỉ hưu "
                           "(retirement_ages.yaml); hãy nạp điều kiện qua load_catalog.")
    return leaf.ages.get(str(gender)).has_reached(birth, ctx.as_of)


def months_between(start: date, end: date) -> int:
    """Counts whole months from ``start`` to ``end`` (negative when ``end`` is earlier).

    Example: 2025-01-15 → 2026-01-14 is 11 months; → 2026-01-15 is 12 months.
    """
    months = (end.year - start.year) * 12 + (end.month - start.month)
    if months > 0 and end.day < start.day:
        months -= 1
    elif months < 0 and end.day > start.day:
        months += 1
    return months


def _compare(leaf: Leaf, answer: object) -> bool:
    if leaf.op == "eq":
        return answer == leaf.value
    if leaf.op == "ne":
        return answer != leaf.value
    if leaf.op in ("in", "not_in"):
        assert isinstance(leaf.value, tuple)
        return (answer in leaf.value) == (leaf.op == "in")
    if leaf.op in DATE_OPS:
        if not isinstance(answer, date) or not isinstance(leaf.value, date):
            raise CatalogError(f"Câu trả lời cho '{leaf.q}' phải là một ngày.")
        return _compare_dates(leaf.op, answer, leaf.value)
    if not _is_number(answer) or not _is_number(leaf.value):
        raise CatalogError(f"Câu trả lời cho '{leaf.q}' phải là một số.")
    assert isinstance(answer, (int, float)) and isinstance(leaf.value, (int, float))
    return _compare_numbers(leaf.op, answer, leaf.value)


def _compare_dates(op: str, left: date, right: date) -> bool:
    return left < right if op == "before" else left >= right


def _compare_numbers(op: str, left: float, right: float) -> bool:
    results = {
        "eq": left == right,
        "ne": left != right,
        "lt": left < right,
        "le": left <= right,
        "gt": left > right,
        "ge": left >= right,
    }
    return results[op]


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def referenced_ids(cond: Condition) -> list[str]:
    """Lists the question/field ids a condition reads, in order of appearance, without repeats."""
    found: list[str] = []
    stack: list[Condition] = [cond]
    while stack:
        node = stack.pop(0)
        if isinstance(node, (AllOf, AnyOf)):
            stack[:0] = list(node.items)
        elif isinstance(node, Not):
            stack.insert(0, node.item)
        elif isinstance(node, (Leaf, MonthsBeforeAsOf, ReachedRetirementAge)):
            ids = [node.q]
            if isinstance(node, ReachedRetirementAge) and node.gender_question is not None:
                ids.append(node.gender_question)
            found.extend(qid for qid in ids if qid not in found)
    return found


_OLDEST_RETIREMENT_AGE = 63
_YOUNGEST_RETIREMENT_AGE = 50
"""Around the retirement ages of BLLĐ 2019 Điều 169 (60–62 men, 55–60 women, earlier for
reduced ages): a birth year outside this span decides "reached the age?" on its own."""


def year_alone_rule(conditions: Iterable[Condition], qid: str) -> YearAlone | None:
    """When a year alone is enough to answer date question ``qid`` in these conditions.

    A year is enough when ``qid`` is only compared with dates (``before`` / ``on_or_after``),
    counted in months to the evaluation date, or checked for the retirement age; any other use
    (an amount from the date, an equality) needs the full date, and None is returned.
    """
    cutoffs: list[date] = []
    months: list[int] = []
    ages: tuple[int, int] | None = None
    used = False
    for node in _leaves(conditions):
        if getattr(node, "q", None) != qid:
            continue
        used = True
        if isinstance(node, Leaf) and node.op in DATE_OPS and isinstance(node.value, date):
            cutoffs.append(node.value)
        elif isinstance(node, Leaf) and node.op == "answered":
            continue
        elif isinstance(node, MonthsBeforeAsOf):
            months.append(node.value)
        elif isinstance(node, ReachedRetirementAge):
            ages = (_YOUNGEST_RETIREMENT_AGE, _OLDEST_RETIREMENT_AGE)
        else:
            return None
    if not used:
        return None
    return YearAlone(tuple(sorted(set(cutoffs))), tuple(sorted(set(months))), ages)


def _leaves(conditions: Iterable[Condition]) -> Iterator[Condition]:
    stack: list[Condition] = list(conditions)
    while stack:
        node = stack.pop()
        if isinstance(node, (AllOf, AnyOf)):
            stack.extend(node.items)
        elif isinstance(node, Not):
            stack.append(node.item)
        else:
            yield node


# ------------------------------------------------------------------------------------ parsing


def parse_condition(
    raw: object,
    known: Mapping[str, Operand] | None = None,
    retirement_ages: RetirementAges | None = None,
) -> Condition:
    """Parses a condition from its YAML form.

    Args:
        raw: the YAML value, e.g. ``{"q": "ly_do", "eq": "dinh_cu"}``.
        known: the questions/fields it may refer to; when given, references are checked and
            values of date questions written as strings become dates.
        retirement_ages: the tables ``reached_retirement_age`` leaves read; when given, the
            genders they name are checked against them.

    Raises:
        CatalogError: the condition is malformed (the message lists every problem).
    """
    issues: list[tuple[str, str]] = []
    genders = None if retirement_ages is None else retirement_ages.genders
    cond = _Parser(issues, known, genders, retirement_ages).parse(raw, "")
    if issues or cond is None:
        details = "; ".join(f"{path or 'điều kiện'}: {problem}" for path, problem in issues)
        raise CatalogError(f"Điều kiện không hợp lệ: {details}")
    return cond


def check_condition(
    raw: object,
    path: str,
    known: Mapping[str, Operand] | None = None,
    genders: tuple[str, ...] | None = None,
) -> list[tuple[str, str]]:
    """Checks a condition as written in a data file.

    Args:
        raw: the YAML value.
        path: the field path of the condition, used as prefix of every reported path.
        known: the questions/fields the condition may refer to, with their kinds; None skips the
            reference checks.
        genders: the genders ``retirement_ages.yaml`` has a table for; None skips that check.

    Returns:
        ``(path, problem)`` pairs, problems in Vietnamese; empty when the condition is valid.
    """
    issues: list[tuple[str, str]] = []
    _Parser(issues, known, genders).parse(raw, path)
    return issues


@dataclass
class _Parser:
    issues: list[tuple[str, str]]
    known: Mapping[str, Operand] | None
    genders: tuple[str, ...] | None = None
    ages: RetirementAges | None = None

    def fail(self, path: str, problem: str) -> None:
        self.issues.append((path, problem))

    def parse(self, raw: object, path: str) -> Condition | None:
        if not isinstance(raw, Mapping):
            self.fail(path, "điều kiện phải có dạng {q: <mã câu hỏi>, eq: <giá trị>}")
            return None
        heads = [key for key in ("all", "any", "not", "q", "as_of") if key in raw]
        if len(heads) != 1:
            self.fail(path, "điều kiện phải có đúng một trong các khóa all, any, not, q, as_of")
            return None
        head = heads[0]
        if head in ("all", "any"):
            return self._group(raw, head, path)
        if head == "not":
            return self._not(raw, path)
        if head == "as_of":
            return self._as_of(raw, path)
        return self._leaf(raw, path)

    def _only_keys(
        self, raw: Mapping[object, object], allowed: tuple[str, ...], path: str
    ) -> bool:
        extra = [str(key) for key in raw if key not in allowed]
        for key in extra:
            hint = _suggest(key, allowed)
            self.fail(_join(path, key), f"khóa không hợp lệ trong điều kiện{hint}")
        return not extra

    def _group(self, raw: Mapping[object, object], head: str, path: str) -> Condition | None:
        self._only_keys(raw, (head,), path)
        items = raw[head]
        sub = _join(path, head)
        if not isinstance(items, list) or not items:
            self.fail(sub, f"'{head}' cần một danh sách điều kiện, không rỗng")
            return None
        parsed = [self.parse(item, f"{sub}[{index}]") for index, item in enumerate(items)]
        children = tuple(item for item in parsed if item is not None)
        if len(children) != len(parsed):
            return None
        return AllOf(children) if head == "all" else AnyOf(children)

    def _not(self, raw: Mapping[object, object], path: str) -> Condition | None:
        self._only_keys(raw, ("not",), path)
        inner = self.parse(raw["not"], _join(path, "not"))
        return None if inner is None else Not(inner)

    def _as_of(self, raw: Mapping[object, object], path: str) -> Condition | None:
        self._only_keys(raw, ("as_of",), path)
        sub = _join(path, "as_of")
        body = raw["as_of"]
        if not isinstance(body, Mapping) or len(body) != 1:
            self.fail(sub, "cần đúng một phép so sánh, ví dụ {before: 2025-07-01}")
            return None
        op, value = next(iter(body.items()))
        if op not in DATE_OPS:
            hint = _suggest(op, DATE_OPS)
            self.fail(_join(sub, str(op)), f"chỉ dùng before hoặc on_or_after{hint}")
            return None
        day = self._date(value, _join(sub, str(op)))
        return None if day is None else AsOf(str(op), day)

    def _leaf(self, raw: Mapping[object, object], path: str) -> Condition | None:
        qid = raw["q"]
        ops = [key for key in raw if key != "q"]
        if not isinstance(qid, str) or not qid:
            self.fail(_join(path, "q"), "phải là mã của một câu hỏi hoặc trường")
            return None
        if len(ops) != 1:
            problem = "thiếu toán tử" if not ops else "mỗi điều kiện chỉ có một toán tử; dùng all"
            self.fail(path, f"{problem} ({', '.join(ANSWER_OPS)})")
            return None
        op = str(ops[0])
        sub = _join(path, op)
        if op not in ANSWER_OPS:
            self.fail(sub, f"toán tử không hợp lệ{_suggest(op, ANSWER_OPS)}")
            return None
        operand = self._operand(qid, _join(path, "q"))
        if op == "months_before_as_of":
            return self._months(qid, raw[op], sub, operand)
        if op == RETIREMENT_OP:
            return self._retirement(qid, raw[op], sub, operand)
        value = self._value(op, raw[op], sub, qid, operand)
        if value is _INVALID:
            return None
        return Leaf(qid, op, value)

    def _operand(self, qid: str, path: str) -> Operand | None:
        if self.known is None:
            return None
        operand = self.known.get(qid)
        if operand is None:
            self.fail(path, f"'{qid}' không phải câu hỏi/trường được phép dùng ở đây"
                            f"{_suggest(qid, tuple(self.known))}")
        return operand

    def _months(
        self, qid: str, body: object, path: str, operand: Operand | None
    ) -> Condition | None:
        if operand is not None and operand.kind != "date":
            self.fail(path, f"chỉ dùng cho câu hỏi dạng ngày; '{qid}' là {operand.kind}")
        if not isinstance(body, Mapping) or len(body) != 1:
            self.fail(path, "cần đúng một phép so sánh, ví dụ {ge: 12}")
            return None
        op, value = next(iter(body.items()))
        if op not in MONTH_OPS:
            self.fail(_join(path, str(op)), f"toán tử không hợp lệ{_suggest(op, MONTH_OPS)}")
            return None
        if not isinstance(value, int) or isinstance(value, bool):
            self.fail(_join(path, str(op)), "số tháng phải là số nguyên")
            return None
        return MonthsBeforeAsOf(qid, str(op), value)

    def _retirement(
        self, qid: str, body: object, path: str, operand: Operand | None
    ) -> Condition | None:
        if operand is not None and operand.kind != "date":
            self.fail(path, "chỉ dùng cho câu hỏi ngày sinh (dạng date); "
                            f"'{qid}' là {operand.kind}")
        if not isinstance(body, Mapping) or list(body) != ["gender"]:
            self.fail(path, "cần đúng khóa gender: mã câu hỏi giới tính (ví dụ "
                            "{gender: gioi_tinh}) hoặc giới tính cố định ({gender: nam} / "
                            "{gender: nu})")
            return None
        gender = body["gender"]
        sub = _join(path, "gender")
        if not isinstance(gender, str) or not gender:
            self.fail(sub, "phải là nam, nu hoặc mã câu hỏi giới tính")
            return None
        if gender in GENDERS:
            self._check_genders((gender,), sub)
        else:
            self._check_gender_question(gender, sub)
        return ReachedRetirementAge(qid, gender, self.ages)

    def _check_gender_question(self, qid: str, path: str) -> None:
        operand = self._operand(qid, path)
        if operand is None:
            return
        if operand.kind != "choice" or not set(operand.options) <= set(GENDERS):
            self.fail(path, f"'{qid}' phải là câu hỏi dạng choice với các giá trị "
                            f"{', '.join(GENDERS)}")
            return
        self._check_genders(operand.options, path)

    def _check_genders(self, genders: tuple[str, ...], path: str) -> None:
        if self.genders is None:
            return
        for gender in genders:
            if gender not in self.genders:
                self.fail(path, f"retirement_ages.yaml chưa có bảng tuổi nghỉ hưu của "
                                f"{GENDER_LABELS[gender]} ('{gender}')")

    def _value(
        self, op: str, raw: object, path: str, qid: str, operand: Operand | None
    ) -> object:
        if op == "answered":
            if not isinstance(raw, bool):
                self.fail(path, "phải là true hoặc false")
                return _INVALID
            return raw
        if operand is not None and not _op_fits(op, operand.kind):
            self.fail(path, f"toán tử '{op}' không dùng được cho '{qid}' (dạng {operand.kind})")
            return _INVALID
        if op in DATE_OPS:
            day = self._date(raw, path)
            return _INVALID if day is None else day
        if op in NUMBER_OPS:
            if not _is_number(raw):
                self.fail(path, "phải là một số")
                return _INVALID
            return raw
        if op in ("in", "not_in"):
            return self._list(raw, path, qid, operand)
        return self._scalar(raw, path, qid, operand)

    def _list(self, raw: object, path: str, qid: str, operand: Operand | None) -> object:
        if not isinstance(raw, list) or not raw:
            self.fail(path, "phải là một danh sách giá trị, không rỗng")
            return _INVALID
        values = [self._scalar(item, f"{path}[{index}]", qid, operand)
                  for index, item in enumerate(raw)]
        return _INVALID if _INVALID in values else tuple(values)

    def _scalar(self, raw: object, path: str, qid: str, operand: Operand | None) -> object:
        if isinstance(raw, (list, dict)) or raw is None:
            self.fail(path, "phải là một giá trị đơn")
            return _INVALID
        if operand is None:
            return raw
        problem = _scalar_problem(raw, qid, operand)
        if problem:
            self.fail(path, problem)
            return _INVALID
        return as_date(raw) if operand.kind == "date" else raw

    def _date(self, raw: object, path: str) -> date | None:
        day = as_date(raw)
        if day is None:
            self.fail(path, "phải là một ngày dạng YYYY-MM-DD, ví dụ 2025-07-01")
        return day


_INVALID = object()


def _scalar_problem(raw: object, qid: str, operand: Operand) -> str:
    kind = operand.kind
    if kind == "choice":
        if operand.options and raw not in operand.options:
            shown = ", ".join(operand.options)
            return f"'{raw}' không phải giá trị lựa chọn của '{qid}' (các giá trị: {shown})"
        return ""
    if kind == "yes_no":
        return "" if isinstance(raw, bool) else "phải là true hoặc false"
    if kind in NUMERIC_KINDS:
        return "" if _is_number(raw) else "phải là một số"
    if kind == "date":
        return "" if as_date(raw) is not None else "phải là một ngày dạng YYYY-MM-DD"
    return "" if isinstance(raw, str) else "phải là một chuỗi chữ"


def _op_fits(op: str, kind: str) -> bool:
    if op in NUMBER_OPS:
        return kind in NUMERIC_KINDS
    if op in DATE_OPS:
        return kind == "date"
    return True


def as_date(value: object) -> date | None:
    """Reads a date of the data files: a YAML date or an ISO string (``2025-07-01``).

    Returns:
        The date, or None for anything else (a date with a time included).
    """
    if isinstance(value, datetime):
        return None
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _suggest(word: object, choices: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(str(word), choices, n=1)
    return f" (có phải ý là '{close[0]}'?)" if close else ""


# ----------------------------------------------------------------------------------- describe

_OP_WORDS = {
    "eq": "là",
    "ne": "không là",
    "in": "thuộc",
    "not_in": "không thuộc",
    "lt": "<",
    "le": "≤",
    "gt": ">",
    "ge": "≥",
    "before": "trước ngày",
    "on_or_after": "từ ngày",
}


def describe(cond: Condition, labels: Mapping[str, Mapping[object, str]] | None = None) -> str:
    """Renders a condition as short Vietnamese text for office staff.

    Args:
        cond: the condition.
        labels: optional option labels by question id, used instead of raw option values.

    Returns:
        e.g. ``ly_do là "Ra nước ngoài định cư" và so_nam_dong < 20``.
    """
    names = labels or {}
    if isinstance(cond, (AllOf, AnyOf)):
        joiner = " và " if isinstance(cond, AllOf) else " hoặc "
        return joiner.join(_describe_part(item, names) for item in cond.items)
    if isinstance(cond, Not):
        return f"không phải ({describe(cond.item, names)})"
    if isinstance(cond, AsOf):
        return f"ngày xét {_OP_WORDS[cond.op]} {dmy(cond.value)}"
    if isinstance(cond, MonthsBeforeAsOf):
        return f"từ {cond.q} đến ngày xét {_OP_WORDS[cond.op]} {cond.value} tháng"
    if isinstance(cond, ReachedRetirementAge):
        gender = GENDER_LABELS.get(cond.gender) or f"giới tính theo {cond.gender}"
        return f"người sinh ngày {cond.q} đã đủ tuổi nghỉ hưu ({gender})"
    if cond.op == "answered":
        return f"{cond.q} {'đã' if cond.value else 'chưa'} được trả lời"
    return f"{cond.q} {_OP_WORDS[cond.op]} {_describe_value(cond.value, names.get(cond.q, {}))}"


def _describe_part(cond: Condition, names: Mapping[str, Mapping[object, str]]) -> str:
    text = describe(cond, names)
    return f"({text})" if isinstance(cond, (AllOf, AnyOf)) else text


def _describe_value(value: object, options: Mapping[object, str]) -> str:
    if isinstance(value, tuple):
        return "{" + ", ".join(_describe_value(item, options) for item in value) + "}"
    if isinstance(value, bool):
        return "có" if value else "không"
    if isinstance(value, date):
        return dmy(value)
    if value in options:
        return f'"{options[value]}"'
    return str(value)
