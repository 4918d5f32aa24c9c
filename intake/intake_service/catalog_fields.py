"""The one seam between the intake service and the procedure catalog (``bhxh_catalog``).

Everything the service needs from the catalog goes through :class:`CatalogFields`: procedure
names and processing times, the field definitions of a procedure, checking submitted values
with the shared validators (Vietnamese messages), and the provinces (63 old → 34 current) used
for routing and statistics.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from bhxh_catalog import Catalog, FieldDef, Procedure, load_catalog
from bhxh_catalog.conditions import evaluate
from bhxh_catalog.errors import AnswerError
from bhxh_catalog.formatting import format_date, format_money
from bhxh_catalog.persons import person_context
from bhxh_catalog.validators import InvalidValue, validate
from bhxh_catalog.validators.masking import mask_field
from bhxh_catalog.validators.provinces import current_provinces, parse_province
from bhxh_catalog.validators.registry import plain_value

__all__ = ["CatalogFields", "CheckedSubmission", "FieldInfo", "QuestionInfo"]

_SEARCHABLE = frozenset({"cccd", "cmnd", "bhxh_code", "bhyt_card", "phone", "full_name"})
# Field types validated first because other fields' checks use them as context.
_CONTEXT_TYPES = ("date", "choice", "yes_no", "bank")
_TYPE_LABELS = {
    "full_name": "Họ và tên",
    "cccd": "Số CCCD",
    "cmnd": "Số CMND",
    "bhxh_code": "Mã số BHXH",
    "bhyt_card": "Mã thẻ BHYT",
    "phone": "Số điện thoại",
    "email": "Thư điện tử",
    "date": "Ngày",
    "money": "Số tiền",
    "bank": "Ngân hàng",
    "bank_account": "Số tài khoản",
    "province": "Tỉnh/thành phố",
    "address": "Địa chỉ",
}


@dataclass(frozen=True)
class FieldInfo:
    """What the console shows about one data field of a procedure."""

    id: str
    type: str
    label: str
    sensitive: bool
    required: bool
    example: str = ""
    options: tuple[tuple[str, str], ...] = ()
    conditional: bool = False


@dataclass(frozen=True)
class QuestionInfo:
    """What the console shows about one eligibility question of a procedure."""

    id: str
    text: str
    kind: str
    options: tuple[tuple[str, str], ...] = ()


@dataclass
class CheckedSubmission:
    """The result of checking a submission against the catalog.

    Attributes:
        fields: normalised values (JSON types; dates as ISO strings) by field id.
        answers: eligibility answers as given (JSON types).
        province: the current (34-province) name the dossier is routed to, if known.
        office: the BHXH office that handles it.
        searchable: ``(field type, value)`` of identifiers to index for search.
        errors: ``(field, Vietnamese message)`` pairs; empty when everything is right.
    """

    fields: dict[str, Any] = field(default_factory=dict)
    answers: dict[str, Any] = field(default_factory=dict)
    province: str | None = None
    office: str | None = None
    searchable: list[tuple[str, str]] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)


def _plain(value: object) -> Any:
    """A JSON value the validators read back (dates as ISO text, banks by short name…)."""
    return plain_value(value)


def _label(f: FieldDef) -> str:
    return str(f.label or _TYPE_LABELS.get(f.type) or f.id)


class CatalogFields:
    """Reads the procedure catalog for the intake service.

    Args:
        catalog: a loaded ``bhxh_catalog.Catalog``.
    """

    def __init__(self, catalog: Catalog) -> None:
        self._catalog = catalog

    @classmethod
    def load(cls) -> CatalogFields:
        """Loads the catalog from its default folder (``BHXH_CATALOG_DIR`` overrides)."""
        return cls(load_catalog())

    # ------------------------------------------------------------ procedures
    def _procedure(self, procedure_id: str) -> Procedure | None:
        return self._catalog.procedures.get(procedure_id)

    def procedures(self) -> list[tuple[str, str]]:
        """``(id, name)`` of every procedure, by name."""
        items = [(pid, str(proc.name)) for pid, proc in self._catalog.procedures.items()]
        return sorted(items, key=lambda item: item[1])

    def name(self, procedure_id: str) -> str:
        """The Vietnamese name of a procedure (its id when unknown)."""
        proc = self._procedure(procedure_id)
        return str(proc.name) if proc is not None else procedure_id

    def short_name(self, procedure_id: str) -> str:
        """The button-sized name of a procedure (its id when unknown)."""
        proc = self._procedure(procedure_id)
        return proc.short_name if proc is not None else procedure_id

    def processing_time(self, procedure_id: str) -> str:
        """The processing time told to the citizen: "07 ngày làm việc kể từ ngày nhận đủ hồ sơ"."""
        proc = self._procedure(procedure_id)
        if proc is None:
            return "Theo quy định của cơ quan BHXH."
        return proc.submission.processing_time.describe()

    def processing_limit(self, procedure_id: str) -> tuple[int | None, int | None]:
        """The processing time as ``(working days, calendar days)``; ``(None, None)`` when
        the catalog gives it as text or does not know the procedure."""
        proc = self._procedure(procedure_id)
        if proc is None:
            return None, None
        limit = proc.submission.processing_time
        return limit.working_days, limit.days

    def field_infos(self, procedure_id: str) -> list[FieldInfo]:
        """The data fields of a procedure, in the catalog's order."""
        proc = self._procedure(procedure_id)
        if proc is None:
            return []
        return [
            FieldInfo(
                id=f.id,
                type=f.type,
                label=_label(f),
                sensitive=bool(f.sensitive),
                required=bool(f.required),
                example=f.example or "",
                options=tuple((o.value, o.label) for o in f.options),
                conditional=f.ask_if is not None,
            )
            for f in proc.fields
        ]

    def question_infos(self, procedure_id: str) -> list[QuestionInfo]:
        """The eligibility questions of a procedure, in asking order."""
        proc = self._procedure(procedure_id)
        if proc is None:
            return []
        return [
            QuestionInfo(
                id=q.id,
                text=self._catalog.text(q.text, date.today()),
                kind=q.kind,
                options=tuple((o.value, o.label) for o in q.options),
            )
            for q in proc.questions
        ]

    # ----------------------------------------------------------- submission
    def check_values(
        self, procedure_id: str, fields: Mapping[str, object], answers: Mapping[str, object]
    ) -> CheckedSubmission:
        """Checks some of a procedure's values (data still being collected).

        Like :meth:`check_submission` with the same validators and messages, but nothing is
        required yet and the dossier is not routed: for the data a staff member corrects
        during a handoff or learns on the phone.

        Args:
            procedure_id: the procedure.
            fields: field values by field id (empty values are dropped).
            answers: eligibility answers by question id.
        """
        result = CheckedSubmission()
        proc = self._procedure(procedure_id)
        if proc is None:
            result.errors.append(
                ("procedure_id", f"Thủ tục “{procedure_id}” không có trong danh mục.")
            )
            return result
        read = self._read_answers(proc, answers, result)
        result.answers = {k: _plain(v) for k, v in read.items()}
        definitions = {f.id for f in proc.fields}
        for name in fields:
            if name not in definitions:
                result.errors.append(
                    (f"fields.{name}", "Thông tin này không thuộc hồ sơ của thủ tục đã chọn.")
                )
        values = self._validate_values(proc, fields, read, result)
        result.fields = {k: _plain(v) for k, v in values.items()}
        return result

    def check_submission(
        self,
        procedure_id: str,
        fields: Mapping[str, object],
        answers: Mapping[str, object],
        province: str | None,
        as_of: date | None = None,
    ) -> CheckedSubmission:
        """Checks submitted fields against the procedure's field definitions.

        Unknown fields, unreadable answers, invalid values and missing required fields are
        reported with Vietnamese messages (from the shared validators). A field whose
        ``ask_if`` is false is dropped; one whose ``ask_if`` is still unknown is optional.

        Args:
            procedure_id: the procedure.
            fields: submitted field values by field id.
            answers: eligibility answers by question id.
            province: the province named by the sender, if any (else the procedure's
                province field, if any, routes the dossier).
            as_of: the evaluation date of conditions (today by default).
        """
        result = CheckedSubmission()
        proc = self._procedure(procedure_id)
        if proc is None:
            result.errors.append(
                ("procedure_id", f"Thủ tục “{procedure_id}” không có trong danh mục.")
            )
            return result
        read = self._read_answers(proc, answers, result)
        result.answers = {k: _plain(v) for k, v in read.items()}
        definitions = {f.id: f for f in proc.fields}
        for name in fields:
            if name not in definitions:
                result.errors.append(
                    (f"fields.{name}", "Thông tin này không thuộc hồ sơ của thủ tục đã chọn.")
                )
        values = self._validate_values(proc, fields, read, result)
        context = proc.context({**read, **values}, as_of or date.today(), include_fields=True)
        invalid = {name for name, _ in result.errors}
        for f in proc.fields:
            if f.id in context.skipped:
                values.pop(f.id, None)
                continue
            applies = f.ask_if is None or evaluate(f.ask_if, context) is True
            if applies and f.required and f.id not in values and f"fields.{f.id}" not in invalid:
                result.errors.append(
                    (f"fields.{f.id}", f"Còn thiếu thông tin bắt buộc: {_label(f)}.")
                )
        result.fields = {k: _plain(v) for k, v in values.items()}
        result.searchable = [
            (definitions[k].type, str(v))
            for k, v in result.fields.items()
            if v is not None and definitions[k].type in _SEARCHABLE
        ]
        self._route(proc, province, values, result)
        return result

    @staticmethod
    def _read_answers(
        proc: Procedure, answers: Mapping[str, object], result: CheckedSubmission
    ) -> dict[str, object]:
        read: dict[str, object] = {}
        for key, raw in answers.items():
            try:
                read.update(proc.read_answers({key: raw}))
            except AnswerError as exc:
                result.errors.append((f"answers.{key}", exc.message))
        return read

    @staticmethod
    def _validate_values(
        proc: Procedure,
        fields: Mapping[str, object],
        answers: Mapping[str, object],
        result: CheckedSubmission,
    ) -> dict[str, object]:
        values: dict[str, object] = {}
        known: dict[str, object] = dict(answers)
        bank: object = None
        ordered = sorted(
            (f for f in proc.fields if f.id in fields),
            key=lambda f: 0 if f.type in _CONTEXT_TYPES else 1,
        )
        for f in ordered:
            raw = fields[f.id]
            if raw is None or (isinstance(raw, str) and not raw.strip()):
                continue
            local = person_context(known, f.id)
            if bank is not None:
                local["bank"] = bank
            if f.example:
                local["example"] = f.example
            if f.options:
                local["options"] = [{"value": o.value, "label": o.label} for o in f.options]
            try:
                value = validate(f.type, raw, local)
            except InvalidValue as exc:
                result.errors.append((f"fields.{f.id}", exc.message))
                continue
            values[f.id] = value
            known[f.id] = value
            if f.type == "bank":
                bank = value
        return values

    @staticmethod
    def read_value(field_type: str, raw: object) -> tuple[Any, str | None]:
        """One value read by the shared validators (a phone number for a call back, …).

        Returns:
            ``(plain value, None)``, or ``(None, Vietnamese message)`` when it is invalid.
        """
        try:
            return _plain(validate(field_type, raw)), None
        except InvalidValue as exc:
            return None, exc.message

    # ------------------------------------------------------------ provinces
    def _route(
        self,
        proc: Procedure,
        province: str | None,
        values: Mapping[str, object],
        result: CheckedSubmission,
    ) -> None:
        if province and province.strip():
            current = self.current_province(province)
            if current is None:
                result.errors.append(
                    ("province", "Chưa nhận ra tỉnh, thành phố này. Ví dụ: Khánh Hòa.")
                )
                return
        else:
            field_values = [
                values[f.id] for f in proc.fields if f.type == "province" and f.id in values
            ]
            if not field_values:
                return
            current = str(_plain(field_values[0]))
        result.province = current
        result.office = self.office(current)

    @staticmethod
    def current_province(name: str) -> str | None:
        """The current (34-province) label for an old or current name, or None if unknown.

        ``"Bình Dương"`` → ``"TP Hồ Chí Minh"``, ``"khanh hoa"`` → ``"Khánh Hòa"``.
        """
        try:
            return str(parse_province(name).name)
        except InvalidValue:
            return None

    @staticmethod
    def office(province: str) -> str:
        """The BHXH office that handles dossiers of a current province."""
        return f"BHXH {province}" if province.startswith("TP ") else f"BHXH tỉnh {province}"

    @staticmethod
    def provinces() -> list[str]:
        """The labels of the 34 current provinces, in the data file's order."""
        return [p.label for p in current_provinces()]

    def display(self, procedure_id: str, field_id: str, value: object) -> str:
        """A stored field value as staff read it: dates dd/mm/yyyy, option labels, amounts."""
        proc = self._procedure(procedure_id)
        definition = proc.field(field_id) if proc is not None else None
        if value is None or value == "":
            return "—"
        if definition is None:
            return str(value)
        if definition.type == "yes_no" and isinstance(value, bool):
            return "Có" if value else "Không"
        if definition.type == "choice":
            labels = {o.value: o.label for o in definition.options}
            return labels.get(str(value), str(value))
        if definition.type == "money" and isinstance(value, int | float):
            return format_money(value)
        if definition.type == "date" and isinstance(value, str):
            try:
                return format_date(date.fromisoformat(value[:10]))
            except ValueError:
                return value
        return str(value)

    def describe_answer(
        self, procedure_id: str, question_id: str, value: object
    ) -> tuple[str, str]:
        """An eligibility answer as ``(question text, answer)`` for staff."""
        proc = self._procedure(procedure_id)
        question = proc.question(question_id) if proc is not None else None
        if question is None:
            return question_id, str(value)
        text = self._catalog.text(question.text, date.today())
        label = question.option_label(value)
        if label is not None:
            return text, label
        if isinstance(value, bool):
            return text, "Có" if value else "Không"
        if question.kind == "date" and isinstance(value, str):
            try:
                return text, format_date(date.fromisoformat(value[:10]))
            except ValueError:
                return text, value
        return text, str(value)

    # -------------------------------------------------------------- masking
    @staticmethod
    def mask(field_type: str, value: object) -> str:
        """The partly hidden form of a sensitive value (the catalog's masking rules)."""
        return str(mask_field(field_type, value))
