"""Checks the raw YAML of the catalog files and reports every problem in plain Vietnamese.

Each :class:`SchemaIssue` names the file, the field path (``eligibility.rules[2].when``), the line
when known, and the problem. The check runs in two passes per file: the shape (required and
unknown keys, types, allowed values, references to the registries), then the meaning (unique ids,
conditions against the questions they read, dates in order, formula inputs, NFC text).
"""

from __future__ import annotations

import difflib
import itertools
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from bhxh_catalog.amounts import FORMULAS
from bhxh_catalog.conditions import Operand, as_date, check_condition
from bhxh_catalog.models import (
    CATEGORY_LABELS,
    CHANNEL_LABELS,
    COPY_LABELS,
    FIELD_TYPES,
    QUESTION_KINDS,
    RULE_OUTCOMES,
    TYPED_FIELDS,
)
from bhxh_catalog.parameters import PLACEHOLDER_PARTS, cited
from bhxh_catalog.retirement import GENDERS, PLACEHOLDER_PREFIX, placeholder_gender

__all__ = [
    "ID_PATTERN",
    "MAX_BUTTON_OPTIONS",
    "MAX_SHORT_NAME",
    "RawCatalog",
    "RawFile",
    "SchemaIssue",
    "check_catalog",
    "check_legal_basis_file",
    "check_parameters_file",
    "check_procedure_file",
    "check_retirement_ages_file",
    "check_sources_file",
    "errors_only",
    "raw_operand",
]

ID_PATTERN = re.compile(r"[a-z][a-z0-9_]*")
_VALUE_PATTERN = re.compile(r"[a-z0-9][a-z0-9_]*")
_FORM_CODE = re.compile(r"[0-9A-ZĐ][0-9A-Za-zĐđ./-]{0,19}")
_URL = re.compile(r"https?://\S+")
MAX_SHORT_NAME = 30
MAX_BUTTON_OPTIONS = 5
RETIREMENT_YEARS = (40, 75)
"""Bounds of a retirement age in whole years (a guard against typos such as 620)."""


@dataclass(frozen=True, slots=True)
class SchemaIssue:
    """One problem in a data file.

    Attributes:
        file: the file, relative to the catalog folder (``procedures/x.yaml``).
        path: the field path inside the file (``eligibility.rules[2].when``); empty for the file.
        problem: what is wrong, in Vietnamese.
        line: the 1-based line of the field when known.
        severity: ``error`` (the catalog is refused) or ``warning`` (printed only).
    """

    file: str
    path: str
    problem: str
    line: int | None = None
    severity: Literal["error", "warning"] = "error"

    def __str__(self) -> str:
        where = f"{self.file} dòng {self.line}" if self.line else self.file
        mark = "⚠ " if self.severity == "warning" else ""
        return f"{where}: {mark}{self.path}: {self.problem}" if self.path else (
            f"{where}: {mark}{self.problem}"
        )


@dataclass(frozen=True, slots=True)
class RawFile:
    """A parsed YAML file: display name, data, and the line of each field path."""

    name: str
    data: object
    lines: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RawCatalog:
    """All raw files of a catalog folder (a missing registry file is None)."""

    legal_basis: RawFile | None
    sources: RawFile | None
    parameters: RawFile | None
    procedures: tuple[RawFile, ...]
    retirement_ages: RawFile | None = None


def errors_only(issues: Iterable[SchemaIssue]) -> list[SchemaIssue]:
    """Keeps the issues of severity ``error``."""
    return [issue for issue in issues if issue.severity == "error"]


# ------------------------------------------------------------------------------- checker


class _Checker:
    """Collects the issues of one file.

    Attributes:
        genders: the genders ``retirement_ages.yaml`` has a table for, which retirement-age
            conditions are checked against (None: not checked).
    """

    def __init__(self, raw: RawFile, genders: tuple[str, ...] | None = None) -> None:
        self.raw = raw
        self.genders = genders
        self.issues: list[SchemaIssue] = []

    def error(self, path: str, problem: str) -> None:
        self.issues.append(SchemaIssue(self.raw.name, path, problem, self._line(path)))

    def warn(self, path: str, problem: str) -> None:
        self.issues.append(
            SchemaIssue(self.raw.name, path, problem, self._line(path), severity="warning")
        )

    def _line(self, path: str) -> int | None:
        while path:
            if path in self.raw.lines:
                return self.raw.lines[path]
            path = _parent(path)
        return self.raw.lines.get("")


def _parent(path: str) -> str:
    cut = max(path.rfind("."), path.rfind("["))
    return path[:cut] if cut > 0 else ""


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _suggest(word: object, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(str(word), list(known), n=1)
    return f" (có phải ý là '{close[0]}'?)" if close else ""


# ------------------------------------------------------------------------ shape checks

Check = Callable[[_Checker, object, str], bool]


def _text(c: _Checker, value: object, path: str) -> bool:
    if isinstance(value, str) and value.strip():
        return True
    hint = ""
    if isinstance(value, (bool, int, float, date)):
        hint = f" (YAML đọc thành {type(value).__name__}; hãy đặt trong dấu ngoặc kép)"
    c.error(path, f"phải là một đoạn chữ, không rỗng{hint}")
    return False


def _cited_text(known_parameters: Iterable[str]) -> Check:
    """A text that may cite dated parameters: ``{muc_tham_chieu}``, ``{…|tu_ngay}``.

    *known_parameters* also holds the retirement ages a text may cite (``tuoi_nghi_huu_nam``).
    """
    names = tuple(known_parameters)

    def check(c: _Checker, value: object, path: str) -> bool:
        if not _text(c, value, path):
            return False
        good = True
        for name, part in cited(str(value)):
            if name not in names:
                c.error(path, f"tham số '{{{name}}}' không có trong parameters.yaml"
                              f"{_suggest(name, names)}")
                good = False
            if part is not None and placeholder_gender(name) is not None:
                c.error(path, f"'{{{name}|{part}}}': tuổi nghỉ hưu chỉ viết {{{name}}}")
                good = False
            elif part is not None and part not in PLACEHOLDER_PARTS:
                c.error(path, f"'{{{name}|{part}}}': sau dấu '|' chỉ được viết "
                              f"{', '.join(PLACEHOLDER_PARTS)}")
                good = False
        return good

    return check


def _ident(c: _Checker, value: object, path: str) -> bool:
    if isinstance(value, str) and ID_PATTERN.fullmatch(value):
        return True
    c.error(path, f"mã '{value}' phải viết thường không dấu, nối bằng '_' (ví dụ: ly_do)")
    return False


def _option_value(c: _Checker, value: object, path: str) -> bool:
    if isinstance(value, str) and _VALUE_PATTERN.fullmatch(value):
        return True
    hint = " — hãy đặt trong dấu ngoặc kép, ví dụ \"12\"" if not isinstance(value, str) else ""
    c.error(path, f"giá trị lựa chọn '{value}' phải là chuỗi chữ thường không dấu{hint}")
    return False


def _bool(c: _Checker, value: object, path: str) -> bool:
    if isinstance(value, bool):
        return True
    c.error(path, "phải là true hoặc false")
    return False


def _date(c: _Checker, value: object, path: str) -> bool:
    if as_date(value) is not None:
        return True
    c.error(path, f"'{value}' không phải ngày dạng YYYY-MM-DD (ví dụ 2025-07-01)")
    return False




def _int(c: _Checker, value: object, path: str) -> bool:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return True
    c.error(path, "phải là một số nguyên không âm")
    return False


def _number(c: _Checker, value: object, path: str) -> bool:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return True
    c.error(path, "phải là một số")
    return False


def _url(c: _Checker, value: object, path: str) -> bool:
    if isinstance(value, str) and _URL.fullmatch(value):
        return True
    c.error(path, "phải là một địa chỉ bắt đầu bằng http:// hoặc https://")
    return False


def _form_code(c: _Checker, value: object, path: str) -> bool:
    if isinstance(value, str) and _FORM_CODE.fullmatch(value):
        return True
    c.error(path, "chỉ ghi mã mẫu đã xác minh, ví dụ 14-HSB (không ghi chữ 'Mẫu', không khoảng "
                  "trắng); chưa chắc chắn thì để null")
    return False


def _condition(c: _Checker, value: object, path: str) -> bool:
    return True  # checked against the questions in the second pass


def _enum(values: Iterable[str]) -> Check:
    allowed = tuple(values)

    def check(c: _Checker, value: object, path: str) -> bool:
        if value in allowed:
            return True
        c.error(path, f"'{value}' không hợp lệ; chọn một trong: {', '.join(allowed)}"
                      f"{_suggest(value, allowed)}")
        return False

    return check


def _nullable(inner: Check) -> Check:
    def check(c: _Checker, value: object, path: str) -> bool:
        return value is None or inner(c, value, path)

    return check


def _list(inner: Check, nonempty: bool = False) -> Check:
    def check(c: _Checker, value: object, path: str) -> bool:
        if not isinstance(value, list):
            c.error(path, "phải là một danh sách")
            return False
        if nonempty and not value:
            c.error(path, "danh sách không được rỗng")
            return False
        results = [inner(c, item, f"{path}[{index}]") for index, item in enumerate(value)]
        return all(results)

    return check


def _refs(known: Iterable[str], registry: str, nonempty: bool = False) -> Check:
    ids = tuple(known)

    def ref(c: _Checker, value: object, path: str) -> bool:
        if isinstance(value, str) and value in ids:
            return True
        c.error(path, f"'{value}' không có trong {registry}{_suggest(value, ids)}")
        return False

    return _list(ref, nonempty)


def _obj(required: Mapping[str, Check], optional: Mapping[str, Check] | None = None) -> Check:
    extra = dict(optional or {})
    known = (*required, *extra)

    def check(c: _Checker, value: object, path: str) -> bool:
        if not isinstance(value, dict):
            c.error(path, "phải là một nhóm 'khóa: giá trị'")
            return False
        ok = _unknown_keys(c, value, known, path)
        misspelt = {close for key in value if key not in known
                    for close in difflib.get_close_matches(str(key), known, n=1)}
        for key, sub in required.items():
            if key not in value:
                if key not in misspelt:  # a typo of it is reported already
                    c.error(_join(path, key), "thiếu khóa bắt buộc")
                ok = False
            else:
                ok = sub(c, value[key], _join(path, key)) and ok
        for key, sub in extra.items():
            if key in value:
                ok = sub(c, value[key], _join(path, key)) and ok
        return ok

    return check


def _unknown_keys(
    c: _Checker, value: dict[object, object], known: tuple[str, ...], path: str
) -> bool:
    ok = True
    for key in value:
        if key not in known:
            c.error(_join(path, str(key)), f"khóa không được phép{_suggest(key, known)}")
            ok = False
    return ok


def _registry(entry: Check) -> Check:
    def check(c: _Checker, value: object, path: str) -> bool:
        if not isinstance(value, dict):
            c.error(path, "phải là một nhóm 'mã: nội dung'")
            return False
        results = [_ident(c, key, _join(path, str(key))) and entry(c, item, _join(path, str(key)))
                   for key, item in value.items()]
        return all(results)

    return check


# --------------------------------------------------------------------------- registries


@dataclass(frozen=True, slots=True)
class _Known:
    legal_basis: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    parameters: tuple[str, ...] = ()
    procedures: tuple[str, ...] = ()
    genders: tuple[str, ...] = ()

    @property
    def citable(self) -> tuple[str, ...]:
        """What a text may cite: the parameters and the retirement age of each gender."""
        return (*self.parameters, *(PLACEHOLDER_PREFIX + gender for gender in self.genders))


def _registry_keys(raw: RawFile | None, top: str) -> tuple[str, ...]:
    if raw is None or not isinstance(raw.data, dict):
        return ()
    entries = raw.data.get(top)
    return tuple(str(key) for key in entries) if isinstance(entries, dict) else ()


def check_sources_file(raw: RawFile) -> list[SchemaIssue]:
    """Checks ``sources.yaml``."""
    c = _Checker(raw)
    entry = _obj({"title": _text}, {"url": _url, "publisher": _nullable(_text),
                                    "accessed": _nullable(_date)})
    _obj({"sources": _registry(entry)})(c, raw.data, "")
    _check_nfc(c, raw.data, "")
    return c.issues


def check_legal_basis_file(raw: RawFile, sources: Iterable[str]) -> list[SchemaIssue]:
    """Checks ``legal_basis.yaml`` (``source`` must be an id of ``sources.yaml``)."""
    c = _Checker(raw)
    source_ids = tuple(sources)

    def source(c: _Checker, value: object, path: str) -> bool:
        if value in source_ids:
            return True
        c.error(path, f"'{value}' không có trong sources.yaml{_suggest(value, source_ids)}")
        return False

    entry = _obj(
        {"instrument": _text, "effective_from": _date},
        {"article": _nullable(_text), "effective_to": _nullable(_date),
         "source": _nullable(source), "verified": _bool, "note": _nullable(_text)},
    )
    _obj({"legal_basis": _registry(entry)})(c, raw.data, "")
    for key, item in _entries(raw.data, "legal_basis"):
        _check_range(c, item, _join("legal_basis", key))
    _check_nfc(c, raw.data, "")
    return c.issues


def check_parameters_file(raw: RawFile, legal_basis: Iterable[str]) -> list[SchemaIssue]:
    """Checks ``parameters.yaml``: integer values, dated ranges in order and not overlapping."""
    c = _Checker(raw)
    value = _obj(
        {"value": _int, "effective_from": _date, "legal_basis": _refs(legal_basis,
                                                                      "legal_basis.yaml", True),
         "review_by": _date},
        {"effective_to": _nullable(_date), "verified": _bool, "note": _nullable(_text)},
    )
    entry = _obj({"label": _text, "values": _list(value, nonempty=True)},
                 {"unit": _text, "note": _nullable(_text)})
    _obj({"parameters": _registry(entry)})(c, raw.data, "")
    for key, item in _entries(raw.data, "parameters"):
        _check_parameter_values(c, _items(item.get("values")), f"parameters.{key}.values")
    _check_nfc(c, raw.data, "")
    return c.issues


def check_retirement_ages_file(raw: RawFile, legal_basis: Iterable[str]) -> list[SchemaIssue]:
    """Checks ``retirement_ages.yaml``.

    One table per gender (``nam``, ``nu``); its rows are consecutive years and the age never
    falls, nor rises by a year or more, from one year to the next.
    """
    c = _Checker(raw)
    row = _obj({"year": _int, "years": _int, "months": _int}, {"note": _nullable(_text)})
    entry = _obj(
        {"label": _text, "effective_from": _date,
         "legal_basis": _refs(legal_basis, "legal_basis.yaml", nonempty=True),
         "ages": _list(row, nonempty=True)},
        {"effective_to": _nullable(_date), "verified": _bool, "note": _nullable(_text)},
    )
    _obj({"retirement_ages": _registry(entry)})(c, raw.data, "")
    for gender, item in _entries(raw.data, "retirement_ages"):
        path = _join("retirement_ages", gender)
        if gender not in GENDERS:
            c.error(path, f"giới tính '{gender}' không hợp lệ; chỉ dùng {', '.join(GENDERS)}"
                          f"{_suggest(gender, GENDERS)}")
        _check_range(c, item, path)
        _check_retirement_rows(c, _items(item.get("ages")), _join(path, "ages"))
    _check_nfc(c, raw.data, "")
    return c.issues


def _check_retirement_rows(
    c: _Checker, rows: list[tuple[int, dict[str, object]]], path: str
) -> None:
    first_year: int | None = None
    previous: tuple[int, int] | None = None  # (year, age in months) of the row before
    for index, row in rows:
        year, years, months = row.get("year"), row.get("years"), row.get("months")
        if not (_is_count(year) and _is_count(years) and _is_count(months)):
            previous = None
            continue
        assert isinstance(year, int) and isinstance(years, int) and isinstance(months, int)
        here = f"{path}[{index}]"
        first_year = year - index if first_year is None else first_year
        if year != first_year + index:
            c.error(_join(here, "year"), f"năm phải là {first_year + index}: các năm liền "
                                         "nhau, không bỏ năm, không lặp")
        if not _retirement_age_ok(c, here, years, months):
            previous = None
            continue
        age = years * 12 + months
        if previous is not None:
            _check_retirement_step(c, here, previous, age)
        previous = (year, age)


def _retirement_age_ok(c: _Checker, path: str, years: int, months: int) -> bool:
    low, high = RETIREMENT_YEARS
    if not low <= years <= high:
        c.error(_join(path, "years"), f"tuổi {years} không hợp lý (từ {low} đến {high})")
    if months > 11:
        c.error(_join(path, "months"), "số tháng phải từ 0 đến 11")
    return low <= years <= high and months <= 11


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _check_retirement_step(c: _Checker, path: str, previous: tuple[int, int], age: int) -> None:
    last_year, last_age = previous
    if age < last_age:
        c.error(path, f"tuổi nghỉ hưu không được thấp hơn năm {last_year}")
    elif age - last_age >= 12:
        c.error(path, f"tuổi nghỉ hưu tăng {age - last_age} tháng so với năm {last_year}; "
                      "mỗi năm chỉ được tăng dưới 12 tháng")


def _entries(data: object, top: str) -> list[tuple[str, dict[str, object]]]:
    entries = data.get(top) if isinstance(data, dict) else None
    if not isinstance(entries, dict):
        return []
    return [(str(key), item) for key, item in entries.items() if isinstance(item, dict)]


def _check_parameter_values(
    c: _Checker, values: list[tuple[int, dict[str, object]]], path: str
) -> None:
    spans: list[tuple[date, date, int]] = []
    for index, item in values:
        _check_range(c, item, f"{path}[{index}]")
        start = as_date(item.get("effective_from"))
        end = as_date(item.get("effective_to")) or date.max
        if start is not None:
            spans.append((start, end, index))
    spans.sort()
    for (_, end, first), (start, _, second) in itertools.pairwise(spans):
        if start <= end:
            c.error(f"{path}[{second}]", f"khoảng hiệu lực chồng lên giá trị {path}[{first}]")


def _check_range(c: _Checker, item: dict[str, object], path: str) -> None:
    start = as_date(item.get("effective_from"))
    end = as_date(item.get("effective_to"))
    if start is not None and end is not None and end < start:
        c.error(_join(path, "effective_to"), "effective_to phải sau hoặc bằng effective_from")


# --------------------------------------------------------------------------- procedures


_OPTION = _obj({"value": _option_value, "label": _text}, {"aliases": _list(_text)})
"""A choice option; ``aliases``: other words citizens type for it."""


def _question_spec(known: _Known) -> Check:
    option = _OPTION
    text = _cited_text(known.citable)
    return _obj(
        {"id": _ident, "text": text, "kind": _enum(QUESTION_KINDS)},
        {"options": _list(option, nonempty=True), "help": _nullable(text),
         "ask_if": _condition, "unit": _nullable(_text), "min": _number, "max": _number,
         "verified": _bool, "cues": _list(_text)},
    )


def _eligibility_spec(known: _Known) -> Check:
    refs = _refs(known.legal_basis, "legal_basis.yaml", nonempty=True)
    alternatives = _refs(known.procedures, "danh mục thủ tục")
    rule = _obj(
        {"id": _ident, "when": _condition, "outcome": _enum(RULE_OUTCOMES), "reason": _text,
         "legal_basis": refs},
        {"alternatives": alternatives, "effective_from": _nullable(_date),
         "effective_to": _nullable(_date), "verified": _bool, "note": _nullable(_text),
         "review_by": _date},
    )
    default = _obj(
        {"outcome": _enum(RULE_OUTCOMES), "reason": _text},
        {"legal_basis": _refs(known.legal_basis, "legal_basis.yaml"),
         "alternatives": alternatives, "verified": _bool},
    )
    return _obj(
        {"questions": _list(_question_spec(known)), "rules": _list(rule), "default": default}
    )


def _document_spec(known: _Known) -> Check:
    return _obj(
        {"id": _ident, "name": _text, "form_code": _nullable(_form_code),
         "copy": _enum(COPY_LABELS),
         "legal_basis": _refs(known.legal_basis, "legal_basis.yaml", nonempty=True)},
        {"required_if": _condition, "note": _nullable(_text),
         "staff_note": _nullable(_text), "verified": _bool},
    )


def _submission_spec(known: _Known) -> Check:
    channel = _obj(
        {"kind": _enum(CHANNEL_LABELS), "title": _text},
        {"steps": _list(_text), "conditions": _nullable(_text), "envelope": _nullable(_text),
         "url": _nullable(_url), "verified": _bool},
    )
    processing = _obj(
        {"legal_basis": _refs(known.legal_basis, "legal_basis.yaml", nonempty=True)},
        {"working_days": _int, "days": _int, "text": _text, "from": _nullable(_text),
         "verified": _bool},
    )
    return _obj({"where": _text, "channels": _list(channel, nonempty=True),
                 "processing_time": processing}, {"verified": _bool})


def _amount_spec(known: _Known) -> Check:
    return _obj(
        {"id": _ident, "label": _text, "formula": _enum(FORMULAS),
         "inputs": _list(_question_spec(known)),
         "legal_basis": _refs(known.legal_basis, "legal_basis.yaml", nonempty=True)},
        {"note": _nullable(_text), "verified": _bool},
    )


def _field_spec(known: _Known) -> Check:
    text = _cited_text(known.citable)
    return _obj(
        {"id": _ident, "type": _enum(FIELD_TYPES), "question": text},
        {"label": _nullable(_text), "example": _nullable(_text), "required": _bool,
         "sensitive": _bool, "ask_if": _condition,
         "options": _nullable(_list(_OPTION, True)),
         "help": _nullable(text), "verified": _bool},
    )


def _procedure_spec(known: _Known) -> Check:
    return _obj(
        {"id": _ident, "name": _text, "short_name": _text, "aliases": _list(_text),
         "category": _enum(CATEGORY_LABELS), "summary": _text, "audience": _text,
         "legal_basis": _refs(known.legal_basis, "legal_basis.yaml", nonempty=True),
         "sources": _refs(known.sources, "sources.yaml"), "updated": _date, "review_by": _date,
         "eligibility": _eligibility_spec(known), "documents": _list(_document_spec(known)),
         "submission": _submission_spec(known)},
        {"verified": _bool, "amounts": _list(_amount_spec(known)),
         "fields": _list(_field_spec(known))},
    )


def check_procedure_file(
    raw: RawFile,
    legal_basis: Iterable[str],
    sources: Iterable[str],
    procedures: Iterable[str],
    parameters: Iterable[str] = (),
    genders: Iterable[str] | None = None,
) -> list[SchemaIssue]:
    """Checks one ``procedures/<id>.yaml`` against the registries and the other procedure ids.

    *genders* are those ``retirement_ages.yaml`` has a table for (None: retirement-age
    conditions are not checked against the registry).
    """
    gender_tuple = None if genders is None else tuple(genders)
    known = _Known(tuple(legal_basis), tuple(sources), tuple(parameters), tuple(procedures),
                   gender_tuple or ())
    c = _Checker(raw, gender_tuple)
    _procedure_spec(known)(c, raw.data, "")
    if isinstance(raw.data, dict):
        _check_procedure_meaning(c, raw.data, known)
    _check_nfc(c, raw.data, "")
    return c.issues


def _check_procedure_meaning(c: _Checker, proc: dict[str, object], known: _Known) -> None:
    _check_file_name(c, proc)
    short = proc.get("short_name")
    if isinstance(short, str) and len(short) > MAX_SHORT_NAME:
        c.error("short_name", f"dài {len(short)} ký tự; tối đa {MAX_SHORT_NAME} (vừa một nút bấm)")
    raw_eligibility = proc.get("eligibility")
    eligibility = raw_eligibility if isinstance(raw_eligibility, dict) else {}
    questions = _items(eligibility.get("questions"))
    fields = _items(proc.get("fields"))
    _check_unique(c, questions, "eligibility.questions", "câu hỏi")
    _check_unique(c, _items(eligibility.get("rules")), "eligibility.rules", "quy tắc")
    _check_unique(c, _items(proc.get("documents")), "documents", "giấy tờ")
    _check_unique(c, fields, "fields", "trường")
    _check_unique(c, _items(proc.get("amounts")), "amounts", "ước tính")
    _check_shared_ids(c, questions, fields)
    for index, question in questions:
        _check_question(c, question, f"eligibility.questions[{index}]")
    for index, item in fields:
        _check_field(c, item, f"fields[{index}]")
    operands = _check_ask_ifs(c, questions, "eligibility.questions", "kind")
    _check_rules(c, eligibility, operands, str(proc.get("id")))
    all_operands = _check_ask_ifs(c, fields, "fields", "type", operands)
    for index, document in _items(proc.get("documents")):
        path = f"documents[{index}].required_if"
        _check_cond(c, document.get("required_if"), path, all_operands)
    _check_processing_time(c, proc.get("submission"))
    for index, amount in _items(proc.get("amounts")):
        _check_amount(c, amount, f"amounts[{index}]", known)


def _check_file_name(c: _Checker, proc: dict[str, object]) -> None:
    stem = c.raw.name.rsplit("/", 1)[-1].removesuffix(".yaml")
    if isinstance(proc.get("id"), str) and proc["id"] != stem:
        c.error("id", f"mã '{proc['id']}' phải trùng với tên tệp '{stem}.yaml'")


def _items(value: object) -> list[tuple[int, dict[str, object]]]:
    if not isinstance(value, list):
        return []
    return [(index, item) for index, item in enumerate(value) if isinstance(item, dict)]


def _check_unique(
    c: _Checker, items: list[tuple[int, dict[str, object]]], path: str, what: str
) -> None:
    seen: dict[str, int] = {}
    for index, item in items:
        key = item.get("id")
        if not isinstance(key, str):
            continue
        if key in seen:
            c.error(f"{path}[{index}].id", f"{what} '{key}' bị trùng với {path}[{seen[key]}]")
        else:
            seen[key] = index


def _check_shared_ids(
    c: _Checker,
    questions: list[tuple[int, dict[str, object]]],
    fields: list[tuple[int, dict[str, object]]],
) -> None:
    question_ids = {str(item.get("id")) for _, item in questions}
    for index, item in fields:
        key = item.get("id")
        if isinstance(key, str) and key in question_ids:
            c.error(f"fields[{index}].id",
                    f"'{key}' đã là mã một câu hỏi; câu hỏi và trường phải khác mã")


def _check_options(c: _Checker, item: dict[str, object], path: str, is_choice: bool) -> None:
    options = item.get("options")
    if is_choice and not options:
        c.error(_join(path, "options"), "câu hỏi dạng choice cần danh sách options")
    elif not is_choice and options:
        c.error(_join(path, "options"), "chỉ câu hỏi dạng choice mới có options")
    elif is_choice and isinstance(options, list):
        if len(options) > MAX_BUTTON_OPTIONS:
            c.warn(_join(path, "options"),
                   f"{len(options)} lựa chọn; Zalo chỉ hiện {MAX_BUTTON_OPTIONS} nút")
        _check_unique_values(c, options, _join(path, "options"))


def _check_unique_values(c: _Checker, options: list[object], path: str) -> None:
    seen: set[str] = set()
    for index, option in enumerate(options):
        value = option.get("value") if isinstance(option, dict) else None
        if not isinstance(value, str):
            continue
        if value in seen:
            c.error(f"{path}[{index}].value", f"giá trị '{value}' bị trùng")
        seen.add(value)


def _check_question(c: _Checker, question: dict[str, object], path: str) -> None:
    _check_options(c, question, path, question.get("kind") == "choice")
    low, high = question.get("min"), question.get("max")
    if isinstance(low, (int, float)) and isinstance(high, (int, float)) and low > high:
        c.error(_join(path, "max"), "max phải lớn hơn hoặc bằng min")


def _check_field(c: _Checker, item: dict[str, object], path: str) -> None:
    _check_options(c, item, path, item.get("type") == "choice")


def raw_operand(item: dict[str, object], kind_key: str) -> Operand:
    """What conditions may compare a raw question (kind_key "kind") or field ("type") with."""
    kind = str(item.get(kind_key))
    if kind_key == "type" and kind not in TYPED_FIELDS:
        kind = "text"
    options = item.get("options")
    values = tuple(
        str(option["value"]) for option in (options if isinstance(options, list) else [])
        if isinstance(option, dict) and isinstance(option.get("value"), str)
    )
    return Operand(kind, values)


def _check_cond(c: _Checker, raw: object, path: str, known: Mapping[str, Operand]) -> None:
    if raw is None:
        return
    for issue_path, problem in check_condition(raw, path, known, c.genders):
        c.error(issue_path, problem)


def _check_ask_ifs(
    c: _Checker,
    items: list[tuple[int, dict[str, object]]],
    path: str,
    kind_key: str,
    earlier: Mapping[str, Operand] | None = None,
) -> dict[str, Operand]:
    """Checks each item's ``ask_if`` against the items before it (and *earlier* ones).

    Args:
        c: the checker collecting issues.
        items: the questions, fields or inputs, with their index.
        path: where the list is (``eligibility.questions``, ``fields``, …).
        kind_key: the key holding an item's kind (``kind`` for questions, ``type`` for fields).
        earlier: operands an ``ask_if`` may already refer to.

    Returns:
        The operands of *earlier* and of every item, by id.
    """
    operands = dict(earlier or {})
    for index, item in items:
        _check_cond(c, item.get("ask_if"), f"{path}[{index}].ask_if", dict(operands))
        if isinstance(item.get("id"), str):
            operands[str(item["id"])] = raw_operand(item, kind_key)
    return operands


def _check_rules(
    c: _Checker, eligibility: dict[str, object], operands: dict[str, Operand], own_id: str
) -> None:
    for index, rule in _items(eligibility.get("rules")):
        path = f"eligibility.rules[{index}]"
        if "when" in rule and rule["when"] is None:
            c.error(_join(path, "when"), "cần một điều kiện, ví dụ {q: ly_do, eq: dinh_cu}")
        _check_cond(c, rule.get("when"), _join(path, "when"), operands)
        _check_range(c, rule, path)
        _check_not_self(c, rule, path, own_id)
    default = eligibility.get("default")
    if isinstance(default, dict):
        _check_not_self(c, default, "eligibility.default", own_id)


def _check_not_self(c: _Checker, item: dict[str, object], path: str, own_id: str) -> None:
    alternatives = item.get("alternatives")
    if isinstance(alternatives, list) and own_id in alternatives:
        c.error(_join(path, "alternatives"), "không gợi ý chính thủ tục này làm thủ tục thay thế")


def _check_processing_time(c: _Checker, submission: object) -> None:
    timing = submission.get("processing_time") if isinstance(submission, dict) else None
    if not isinstance(timing, dict):
        return
    given = [key for key in ("working_days", "days", "text") if key in timing]
    if len(given) != 1:
        c.error("submission.processing_time",
                "cần đúng một trong working_days, days, text" +
                (f" (đang có: {', '.join(given)})" if given else ""))


def _check_amount(c: _Checker, amount: dict[str, object], path: str, known: _Known) -> None:
    inputs = _items(amount.get("inputs"))
    _check_unique(c, inputs, _join(path, "inputs"), "thông tin")
    for index, question in inputs:
        _check_question(c, question, f"{path}.inputs[{index}]")
    _check_ask_ifs(c, inputs, _join(path, "inputs"), "kind")
    formula = FORMULAS.get(str(amount.get("formula")))
    if formula is None:
        return
    kinds = {str(q.get("id")): q.get("kind") for _, q in inputs}
    for name in formula.required:
        if name not in kinds:
            c.error(_join(path, "inputs"), f"công thức {formula.name} cần thông tin '{name}'")
    for name, kind in kinds.items():
        allowed = formula.kinds.get(name)
        if allowed is not None and kind not in allowed:
            c.error(_join(path, "inputs"),
                    f"'{name}' của công thức {formula.name} phải có dạng {' hoặc '.join(allowed)}")
    for name in formula.parameters:
        if name not in known.parameters:
            c.error(_join(path, "formula"),
                    f"công thức {formula.name} cần tham số '{name}' trong parameters.yaml")


# -------------------------------------------------------------------------------- text


def _check_nfc(c: _Checker, value: object, path: str) -> None:
    if isinstance(value, str):
        if not unicodedata.is_normalized("NFC", value):
            c.error(path, "chữ chưa ở dạng Unicode dựng sẵn (NFC); hãy lưu tệp ở dạng NFC")
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_nfc(c, key, path)
            _check_nfc(c, item, _join(path, str(key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_nfc(c, item, f"{path}[{index}]")


# ---------------------------------------------------------------------------- catalog


def check_catalog(raw: RawCatalog) -> list[SchemaIssue]:
    """Checks every file of a catalog; returns all issues (errors and warnings), files in order."""
    issues: list[SchemaIssue] = []
    for name, file in (("sources.yaml", raw.sources), ("legal_basis.yaml", raw.legal_basis),
                       ("parameters.yaml", raw.parameters)):
        if file is None:
            issues.append(SchemaIssue(name, "", "thiếu tệp này trong thư mục danh mục"))
    known = _Known(
        legal_basis=_registry_keys(raw.legal_basis, "legal_basis"),
        sources=_registry_keys(raw.sources, "sources"),
        parameters=_registry_keys(raw.parameters, "parameters"),
        procedures=tuple(_procedure_ids(raw.procedures)),
        genders=tuple(key for key in _registry_keys(raw.retirement_ages, "retirement_ages")
                      if key in GENDERS),
    )
    if raw.sources is not None:
        issues.extend(check_sources_file(raw.sources))
    if raw.legal_basis is not None:
        issues.extend(check_legal_basis_file(raw.legal_basis, known.sources))
    if raw.parameters is not None:
        issues.extend(check_parameters_file(raw.parameters, known.legal_basis))
    if raw.retirement_ages is not None:
        issues.extend(check_retirement_ages_file(raw.retirement_ages, known.legal_basis))
    for file in raw.procedures:
        issues.extend(check_procedure_file(
            file, known.legal_basis, known.sources, known.procedures, known.parameters,
            known.genders,
        ))
    return issues


def _procedure_ids(files: Iterable[RawFile]) -> list[str]:
    return [
        str(file.data["id"]) for file in files
        if isinstance(file.data, dict) and isinstance(file.data.get("id"), str)
    ]
