"""The catalog's data model: frozen dataclasses built from the YAML files by the loader.

References are resolved at load time: a rule's ``legal_basis`` holds :class:`LegalBasis` objects,
not ids, and ``verified`` already carries the procedure's default where an object had none.
Collections are tuples; results handed to callers (verdicts, document lists) are lists.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from bhxh_catalog import config, validators
from bhxh_catalog import parameters as _parameters
from bhxh_catalog.answers import KINDS, AnswerSpec, read_answer
from bhxh_catalog.conditions import Condition, Context, evaluate
from bhxh_catalog.errors import CatalogError
from bhxh_catalog.retirement import RetirementAges
from bhxh_catalog.search import MIN_SCORE, SearchIndex
from bhxh_catalog.validators.dates import YearAlone

__all__ = [
    "CATEGORY_LABELS",
    "CHANNEL_LABELS",
    "COPY_LABELS",
    "FIELD_TYPES",
    "OUTCOME_LABELS",
    "QUESTION_KINDS",
    "RULE_OUTCOMES",
    "TYPED_FIELDS",
    "AmountDef",
    "Catalog",
    "DefaultOutcome",
    "Document",
    "Eligibility",
    "FieldDef",
    "LegalBasis",
    "Option",
    "Parameter",
    "ParameterValue",
    "Procedure",
    "ProcessingTime",
    "Question",
    "Rule",
    "Source",
    "Submission",
    "SubmissionChannel",
    "Verdict",
]

QUESTION_KINDS = KINDS
CATEGORY_LABELS = {
    "che_do_bhxh": "Chế độ bảo hiểm xã hội",
    "luong_huu": "Lương hưu, trợ cấp hằng tháng",
    "bhyt": "Bảo hiểm y tế",
    "tu_nguyen": "Bảo hiểm xã hội tự nguyện",
    "giao_dich_dien_tu": "Giao dịch điện tử",
}
OUTCOME_LABELS = {
    "eligible": "Đủ điều kiện",
    "not_eligible": "Chưa đủ điều kiện",
    "needs_staff": "Cần cán bộ BHXH xem xét",
    "incomplete": "Cần thêm thông tin",
}
RULE_OUTCOMES = ("eligible", "not_eligible", "needs_staff")
COPY_LABELS = {
    "original": "Bản chính",
    "copy": "Bản sao",
    "certified_copy": "Bản sao có chứng thực",
    "original_or_copy": "Bản chính hoặc bản sao",
    "electronic": "Bản điện tử",
}
CHANNEL_LABELS = {
    "vssid": "Ứng dụng VssID",
    "online_portal": "Cổng Dịch vụ công",
    "post": "Qua bưu điện",
    "in_person": "Nộp trực tiếp",
    "employer": "Qua đơn vị sử dụng lao động",
}
FIELD_TYPES = tuple(name for name in validators.FIELD_TYPES if name != "number")
"""Field types of ``fields``: one per validator (``number`` is a question kind only)."""
TYPED_FIELDS = tuple(name for name in FIELD_TYPES if name in QUESTION_KINDS)
"""Field types read like the question kind of the same name (the others are text)."""


# ------------------------------------------------------------------------------ registries


@dataclass(frozen=True, slots=True)
class Source:
    """Where a fact was read (``sources.yaml``)."""

    id: str
    title: str
    url: str | None = None
    publisher: str | None = None
    accessed: date | None = None


@dataclass(frozen=True, slots=True)
class LegalBasis:
    """One legal reference (``legal_basis.yaml``): an article of an instrument, dated."""

    id: str
    instrument: str
    effective_from: date
    article: str | None = None
    effective_to: date | None = None
    source: str | None = None
    verified: bool = True
    note: str | None = None

    @property
    def citation(self) -> str:
        """Short citation: ``Điều 70 khoản 1, Luật Bảo hiểm xã hội số 41/2024/QH15``."""
        return f"{self.article}, {self.instrument}" if self.article else self.instrument

    def in_force(self, on: date) -> bool:
        """Tells whether the reference is in force on ``on``."""
        return _covers(self.effective_from, self.effective_to, on)


@dataclass(frozen=True, slots=True)
class ParameterValue:
    """One dated value of a parameter."""

    value: int
    effective_from: date
    effective_to: date | None = None
    legal_basis: tuple[LegalBasis, ...] = ()
    verified: bool = True
    note: str | None = None
    review_by: date | None = None
    """Until when the value is known to hold; past it the bot asks to confirm with BHXH."""

    def covers(self, on: date) -> bool:
        """Tells whether this value applies on ``on``."""
        return _covers(self.effective_from, self.effective_to, on)

    def stale_on(self, as_of: date) -> bool:
        """True when ``as_of`` is past the value's review date (it must be confirmed)."""
        return self.review_by is not None and as_of > self.review_by


@dataclass(frozen=True, slots=True)
class Parameter:
    """A dated amount such as ``muc_tham_chieu`` (``parameters.yaml``)."""

    id: str
    label: str
    values: tuple[ParameterValue, ...]
    unit: str = "VND"
    note: str | None = None

    def value_at(self, as_of: date) -> ParameterValue:
        """Returns the value in force on ``as_of`` (raises ``ParameterError`` if none)."""
        return _parameters.value_at(self, as_of)


# ----------------------------------------------------------------------------- procedures


@dataclass(frozen=True, slots=True)
class Option:
    """One choice of a ``choice`` question or field."""

    value: str
    label: str
    aliases: tuple[str, ...] = ()
    """Other words citizens type for this option ("nghỉ rồi", "không đóng nữa")."""

    @property
    def choice(self) -> validators.Option:
        """The option as the choice validator reads it."""
        return validators.Option(self.value, self.label, self.aliases)


@dataclass(frozen=True, slots=True)
class Question:
    """An eligibility question or an estimate input."""

    id: str
    text: str
    kind: str
    options: tuple[Option, ...] = ()
    help: str | None = None
    ask_if: Condition | None = None
    unit: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    verified: bool = True
    year_alone: YearAlone | None = None
    cues: tuple[str, ...] = ()
    """Words citizens put before this answer in a story ("đóng từ"): :mod:`bhxh_catalog.story`."""

    @property
    def spec(self) -> AnswerSpec:
        """What :func:`bhxh_catalog.answers.read_answer` needs to read an answer."""
        return AnswerSpec(
            self.id, self.kind, tuple(o.choice for o in self.options),
            self.unit, self.minimum, self.maximum, self.year_alone,
        )

    def read(self, raw: object) -> object:
        """Reads an answer typed in a chat ("co", "12", "01/07/2025") for this question.

        Raises:
            AnswerError: the answer cannot be read (Vietnamese message with an example).
        """
        return read_answer(self.spec, raw)

    def option_label(self, value: object) -> str | None:
        """Returns the label of option ``value``, or None."""
        return next((o.label for o in self.options if o.value == value), None)


@dataclass(frozen=True, slots=True)
class Rule:
    """An eligibility rule: when ``when`` holds, ``outcome`` decides."""

    id: str
    when: Condition
    outcome: str
    reason: str
    legal_basis: tuple[LegalBasis, ...]
    alternatives: tuple[str, ...] = ()
    effective_from: date | None = None
    effective_to: date | None = None
    verified: bool = True
    note: str | None = None
    review_by: date | None = None
    """Until when the rule is known to hold (the procedure's ``review_by`` when not its own)."""

    def applies_on(self, as_of: date) -> bool:
        """Tells whether the rule is in force for an evaluation on ``as_of``."""
        return _covers(self.effective_from, self.effective_to, as_of)

    def stale_on(self, as_of: date) -> bool:
        """True when ``as_of`` is past the rule's review date (it must be confirmed)."""
        return self.review_by is not None and as_of > self.review_by


@dataclass(frozen=True, slots=True)
class DefaultOutcome:
    """What decides when no rule matches and every question is answered."""

    outcome: str
    reason: str
    legal_basis: tuple[LegalBasis, ...] = ()
    alternatives: tuple[str, ...] = ()
    verified: bool = True


@dataclass(frozen=True, slots=True)
class Eligibility:
    """Questions asked in order, rules evaluated in order, and the default."""

    questions: tuple[Question, ...]
    rules: tuple[Rule, ...]
    default: DefaultOutcome


@dataclass(frozen=True, slots=True)
class Document:
    """A paper of the dossier.

    ``note`` is shown to citizens; ``staff_note`` (sources, doubts, former form codes) is for
    office staff and is never shown to citizens.
    """

    id: str
    name: str
    copy: str
    legal_basis: tuple[LegalBasis, ...]
    form_code: str | None = None
    required_if: Condition | None = None
    note: str | None = None
    verified: bool = True
    staff_note: str | None = None

    @property
    def copy_label(self) -> str:
        """``Bản chính``, ``Bản sao``, …"""
        return COPY_LABELS.get(self.copy, self.copy)


@dataclass(frozen=True, slots=True)
class SubmissionChannel:
    """One way to hand in the dossier."""

    kind: str
    title: str
    steps: tuple[str, ...] = ()
    conditions: str | None = None
    envelope: str | None = None
    url: str | None = None
    verified: bool = True

    @property
    def kind_label(self) -> str:
        """``Ứng dụng VssID``, ``Qua bưu điện``, …"""
        return CHANNEL_LABELS.get(self.kind, self.kind)


@dataclass(frozen=True, slots=True)
class ProcessingTime:
    """The legal time limit; exactly one of ``working_days``, ``days``, ``text`` is set."""

    legal_basis: tuple[LegalBasis, ...]
    working_days: int | None = None
    days: int | None = None
    text: str | None = None
    counted_from: str | None = None
    verified: bool = True

    def describe(self) -> str:
        """``07 ngày làm việc kể từ ngày nhận đủ hồ sơ``."""
        if self.working_days is not None:
            base = f"{self.working_days:02d} ngày làm việc"
        elif self.days is not None:
            base = f"{self.days:02d} ngày"
        else:
            base = self.text or ""
        return f"{base} {self.counted_from}" if self.counted_from else base


@dataclass(frozen=True, slots=True)
class Submission:
    """Where and how to submit, and how long it takes."""

    where: str
    channels: tuple[SubmissionChannel, ...]
    processing_time: ProcessingTime
    verified: bool = True


@dataclass(frozen=True, slots=True)
class AmountDef:
    """An amount estimate computed by a named formula of ``bhxh_catalog.amounts``."""

    id: str
    label: str
    formula: str
    inputs: tuple[Question, ...]
    legal_basis: tuple[LegalBasis, ...]
    note: str | None = None
    verified: bool = True

    def input(self, input_id: str) -> Question | None:
        """Returns the input with ``input_id``, or None."""
        return next((q for q in self.inputs if q.id == input_id), None)


@dataclass(frozen=True, slots=True)
class FieldDef:
    """A datum collected for a submission (validated by ``bhxh_catalog.validators``)."""

    id: str
    type: str
    question: str
    label: str | None = None
    example: str | None = None
    required: bool = True
    sensitive: bool = False
    ask_if: Condition | None = None
    options: tuple[Option, ...] = ()
    help: str | None = None
    verified: bool = True

    @property
    def display_label(self) -> str:
        """The short label for summaries, or the id when none is written."""
        return self.label or self.id

    @property
    def answer_kind(self) -> str:
        """The answer kind conditions compare with (``text`` for identifiers, names, …)."""
        return self.type if self.type in TYPED_FIELDS else "text"

    @property
    def spec(self) -> AnswerSpec | None:
        """How to read a chat answer for typed fields; None for text-like fields."""
        if self.type not in TYPED_FIELDS:
            return None
        return AnswerSpec(self.id, self.type, tuple(o.choice for o in self.options))


@dataclass(frozen=True, slots=True)
class Procedure:
    """One administrative procedure (``procedures/<id>.yaml``)."""

    id: str
    name: str
    short_name: str
    aliases: tuple[str, ...]
    category: str
    summary: str
    audience: str
    legal_basis: tuple[LegalBasis, ...]
    sources: tuple[Source, ...]
    updated: date
    eligibility: Eligibility
    documents: tuple[Document, ...]
    submission: Submission
    amounts: tuple[AmountDef, ...] = ()
    fields: tuple[FieldDef, ...] = ()
    verified: bool = True
    review_by: date | None = None

    @property
    def questions(self) -> tuple[Question, ...]:
        """The eligibility questions, in asking order."""
        return self.eligibility.questions

    @property
    def rules(self) -> tuple[Rule, ...]:
        """The eligibility rules, in evaluation order."""
        return self.eligibility.rules

    @property
    def category_label(self) -> str:
        """The category in Vietnamese."""
        return CATEGORY_LABELS.get(self.category, self.category)

    def question(self, question_id: str) -> Question | None:
        """Returns the eligibility question ``question_id``, or None."""
        return next((q for q in self.questions if q.id == question_id), None)

    def field(self, field_id: str) -> FieldDef | None:
        """Returns the field ``field_id``, or None."""
        return next((f for f in self.fields if f.id == field_id), None)

    def amount(self, amount_id: str) -> AmountDef:
        """Returns the amount estimate ``amount_id``.

        Raises:
            CatalogError: the procedure has no such amount.
        """
        found = next((a for a in self.amounts if a.id == amount_id), None)
        if found is None:
            known = ", ".join(a.id for a in self.amounts) or "không có"
            raise CatalogError(
                f"Thủ tục '{self.id}' không có ước tính '{amount_id}' (hiện có: {known})."
            )
        return found

    def option_labels(self) -> dict[str, dict[object, str]]:
        """Option labels by question/field id (to render conditions for people)."""
        items: list[Question | FieldDef] = [*self.questions, *self.fields]
        return {item.id: {o.value: o.label for o in item.options} for item in items}

    def read_answers(self, answers: Mapping[str, object]) -> dict[str, object]:
        """Reads chat answers for questions and typed fields; other keys pass unchanged.

        Empty answers (None, "") are dropped.

        Raises:
            AnswerError: an answer cannot be read for its question kind.
        """
        specs: dict[str, AnswerSpec] = {q.id: q.spec for q in self.questions}
        specs.update({f.id: s for f in self.fields if (s := f.spec) is not None})
        values: dict[str, object] = {}
        for key, raw in answers.items():
            if raw is None or (isinstance(raw, str) and not raw.strip()):
                continue
            spec = specs.get(key)
            values[key] = read_answer(spec, raw) if spec is not None else raw
        return values

    def context(
        self, values: Mapping[str, object], as_of: date, include_fields: bool = False
    ) -> Context:
        """Builds the evaluation context: marks questions (and fields) whose ``ask_if`` is false.

        Args:
            values: answers already read (see :meth:`read_answers`).
            as_of: the evaluation date.
            include_fields: also walk the submission fields.
        """
        skipped: set[str] = set()
        items: list[Question | FieldDef] = [*self.questions]
        if include_fields:
            items.extend(self.fields)
        for item in items:
            if item.ask_if is not None:
                ctx = Context(values, as_of, frozenset(skipped))
                if evaluate(item.ask_if, ctx) is False:
                    skipped.add(item.id)
        return Context(values, as_of, frozenset(skipped))

    def questions_to_ask(
        self, answers: Mapping[str, object], as_of: date | None = None
    ) -> list[Question]:
        """The eligibility questions still to ask, in order (skipped and answered ones left out).

        A question whose ``ask_if`` is still unknown is included; the first one returned is
        always askable now.
        """
        ctx = self.context(self.read_answers(answers), as_of or config.today())
        return [q for q in self.questions if q.id not in ctx.skipped and not ctx.has_answer(q.id)]

    def next_question(
        self, answers: Mapping[str, object], as_of: date | None = None
    ) -> Question | None:
        """The next eligibility question to ask, or None when all are answered or skipped."""
        remaining = self.questions_to_ask(answers, as_of)
        return remaining[0] if remaining else None

    def documents_for(
        self, answers: Mapping[str, object], as_of: date | None = None
    ) -> list[Document]:
        """The documents needed for these answers (eligibility answers and fields).

        A document whose ``required_if`` is still unknown is kept.
        """
        values = self.read_answers(answers)
        ctx = self.context(values, as_of or config.today(), include_fields=True)
        return [
            d for d in self.documents
            if d.required_if is None or evaluate(d.required_if, ctx) is not False
        ]

    def fields_for(
        self, answers: Mapping[str, object], as_of: date | None = None
    ) -> list[FieldDef]:
        """The submission fields to collect, in order; fields whose ``ask_if`` is false are out.

        A field whose ``ask_if`` is still unknown (it depends on a later answer) is kept.
        """
        day = as_of or config.today()
        ctx = self.context(self.read_answers(answers), day, include_fields=True)
        return [f for f in self.fields if f.id not in ctx.skipped]

    def next_field(
        self, answers: Mapping[str, object], as_of: date | None = None
    ) -> FieldDef | None:
        """The first field of :meth:`fields_for` that has no answer yet, or None."""
        values = self.read_answers(answers)
        return next((f for f in self.fields_for(values, as_of) if f.id not in values), None)


# ----------------------------------------------------------------------------- results


@dataclass(frozen=True, slots=True)
class Verdict:
    """The result of :func:`bhxh_catalog.rules.evaluate`.

    Attributes:
        outcome: ``eligible``, ``not_eligible``, ``needs_staff`` or ``incomplete``.
        reason: one or two Vietnamese sentences for the citizen.
        rule_id: the deciding rule (None for the default and for ``incomplete``).
        legal_basis: the references of the deciding rule.
        alternatives: ids of other procedures worth offering.
        next_question: the question to ask next when ``incomplete``.
        unverified: a fact behind the verdict is marked unverified in the catalog.
        answers: the answers as read (typed values).
        stale: the deciding rule is past its ``review_by`` on the evaluation date.
    """

    outcome: str
    reason: str
    rule_id: str | None = None
    legal_basis: list[LegalBasis] = field(default_factory=list)
    alternatives: list[str] = field(default_factory=list)
    next_question: Question | None = None
    unverified: bool = False
    answers: dict[str, object] = field(default_factory=dict)
    stale: bool = False

    @property
    def needs_confirmation(self) -> bool:
        """True when the citizen should confirm with BHXH (unverified or past review)."""
        return self.unverified or self.stale

    @property
    def outcome_label(self) -> str:
        """The outcome in Vietnamese (``Đủ điều kiện``, …)."""
        return OUTCOME_LABELS.get(self.outcome, self.outcome)

    @property
    def is_final(self) -> bool:
        """True unless more answers are needed."""
        return self.outcome != "incomplete"


# ------------------------------------------------------------------------------- catalog


@dataclass(frozen=True, slots=True, eq=False)
class Catalog:
    """The whole catalog: procedures and the shared registries.

    Build it with :func:`bhxh_catalog.load_catalog`; the dictionaries must not be changed.
    """

    procedures: dict[str, Procedure]
    legal_bases: dict[str, LegalBasis] = field(default_factory=dict)
    sources: dict[str, Source] = field(default_factory=dict)
    parameters: dict[str, Parameter] = field(default_factory=dict)
    path: Path | None = None
    retirement_ages: RetirementAges = field(default_factory=RetirementAges)
    _index: SearchIndex = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", SearchIndex.build(self.procedures.values()))

    def get(self, procedure_id: str) -> Procedure:
        """Returns the procedure ``procedure_id``.

        Raises:
            CatalogError: no such procedure (the message suggests the closest id).
        """
        proc = self.procedures.get(procedure_id)
        if proc is None:
            raise CatalogError(
                f"Không có thủ tục '{procedure_id}' trong danh mục"
                f"{_suggest(procedure_id, self.procedures)}."
            )
        return proc

    def find(self, text: str) -> list[Procedure]:
        """Procedures whose name or aliases match free text, best first (may be empty)."""
        return [proc for proc, _ in self.find_scored(text)]

    def find_scored(
        self, text: str, min_score: float = MIN_SCORE
    ) -> list[tuple[Procedure, float]]:
        """Like :meth:`find` with the scores (an exact alias scores 2, a weak match ~0.6)."""
        hits = self._index.search(text, min_score)
        return [(self.procedures[pid], score) for pid, score in hits]

    def by_category(self, category: str) -> list[Procedure]:
        """The procedures of one category, in catalog order."""
        return [p for p in self.procedures.values() if p.category == category]

    def legal_basis(self, ref_id: str) -> LegalBasis:
        """Returns the legal reference ``ref_id``.

        Raises:
            CatalogError: no such reference.
        """
        ref = self.legal_bases.get(ref_id)
        if ref is None:
            raise CatalogError(
                f"Không có căn cứ pháp lý '{ref_id}'{_suggest(ref_id, self.legal_bases)}."
            )
        return ref

    def source(self, source_id: str) -> Source:
        """Returns the source ``source_id``.

        Raises:
            CatalogError: no such source.
        """
        found = self.sources.get(source_id)
        if found is None:
            raise CatalogError(f"Không có nguồn '{source_id}'{_suggest(source_id, self.sources)}.")
        return found

    def parameter(self, name: str, as_of: date) -> int:
        """The value of a dated parameter on ``as_of`` (VND).

        Raises:
            ParameterError: unknown parameter, or no value covers the date.
        """
        return self.parameter_value(name, as_of).value

    def parameter_value(self, name: str, as_of: date) -> ParameterValue:
        """Like :meth:`parameter` with the value's dates, legal basis and ``verified`` flag."""
        return _parameters.lookup(self.parameters, name, as_of)

    def text(self, text: str, as_of: date) -> str:
        """A catalog text with the parameters it cites (``{muc_tham_chieu}``) filled in.

        ``{tuoi_nghi_huu_nam}`` / ``{tuoi_nghi_huu_nu}`` read the retirement age of that year.
        """
        return _parameters.fill(text, self.parameters, as_of, self.retirement_ages)


def _covers(start: date | None, end: date | None, on: date) -> bool:
    return (start is None or start <= on) and (end is None or on <= end)


def _suggest(word: str, known: Mapping[str, object]) -> str:
    close = difflib.get_close_matches(word, list(known), n=1)
    return f" (có phải ý là '{close[0]}'?)" if close else ""
