"""The dossier being collected, as the catalog defines it: what to ask next and how to read it.

Pure functions over a :class:`DossierState` (the procedure, the eligibility answers given in the
conversation and the field values collected so far). The submission form
(:mod:`bot.actions.submission_form`) keeps the state in slots; this module decides:

* the next step (:func:`next_step`): first the eligibility questions not answered yet, until
  the verdict is decided (the dossier needs them and the conditional fields follow them), then
  the catalog's fields whose ``ask_if`` holds (``Procedure.fields_for``), in order;
* how to read what the citizen typed for a field (:func:`read_field`): the shared validators,
  on the whole message, then on the values found inside it ("cccd của tôi là 056 160 001 234");
* values already known from earlier in the conversation (:func:`prefill`), so nothing is asked
  twice;
* how values are shown back (:func:`display`): sensitive numbers partly masked.

Field values are kept as JSON values (``plain_value``: dates as ISO text, a bank by its short
name, a province by its current label); ``None`` marks an optional field the citizen skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from bhxh_catalog.persons import person_context
from bhxh_catalog.vntext import fold, tokens
from bot.actions import catalog_access
from bot.actions.catalog_access import (
    Document,
    FieldDef,
    InvalidValue,
    Procedure,
    ProvinceMatch,
    Question,
    Verdict,
    evaluate_condition,
    extract_values,
    mask_field,
    plain_value,
    validate,
)

__all__ = [
    "IDENTIFIER_TYPES",
    "MASKED_TYPES",
    "PAPER_COPIES",
    "TEXT_TYPES",
    "DossierState",
    "Step",
    "active_fields",
    "display",
    "documents",
    "field_named",
    "grouped",
    "masked",
    "next_step",
    "paper_documents",
    "prefill",
    "read_field",
    "read_field_candidates",
    "submitted_fields",
    "verdict",
]

# Field types any sentence passes: only an answer-like message counts as an answer for them.
TEXT_TYPES = frozenset({"text", "full_name", "address", "email"})
# Field types recognisable in any earlier message: a value typed once is not asked again.
IDENTIFIER_TYPES = frozenset(
    {"cccd", "cmnd", "bhxh_code", "bhyt_card", "phone", "bank_account", "bank"}
)
# Sensitive values shown partly hidden (numbers); other sensitive values (an address) are shown
# to the citizen who typed them.
MASKED_TYPES = frozenset({"cccd", "cmnd", "bhxh_code", "bhyt_card", "phone", "bank_account"})
# Documents the office needs on paper (sent by post or brought in), whatever was photographed.
PAPER_COPIES = frozenset({"original", "original_or_copy", "certified_copy"})
# Extract kinds that may hold another identifier's digits (a 10-digit number is a phone number
# or a mã số BHXH depending on the words around it).
_DIGIT_KINDS = frozenset({"cccd", "cmnd", "bhxh_code", "phone", "bank_account", "number"})
_LEAD_INS = {
    "full_name": re.compile(
        r"^(?:(?:ho va ten|ho ten|ten)(?: day du)?(?: cua)?(?: toi| em| minh| chau| ong| ba)?"
        r"(?: la)?|(?:toi|em|minh|chau) (?:ten(?: la)?|la))(?= )"
    ),
    "address": re.compile(
        r"^(?:(?:dia chi|nha)(?: cua)?(?: toi| em| minh)?(?: o| la)?"
        r"|(?:toi|em|minh) (?:o|song o|dang o))(?= )"
    ),
}


@dataclass(frozen=True)
class Step:
    """One thing the form asks: an eligibility question or a field of the dossier."""

    question: Question | None = None
    field: FieldDef | None = None

    @property
    def key(self) -> str:
        """A key unique within the procedure (``q:<question id>`` or ``f:<field id>``)."""
        if self.field is not None:
            return f"f:{self.field.id}"
        return f"q:{self.question.id}" if self.question is not None else ""

    @property
    def optional(self) -> bool:
        """The citizen may skip this step ("Bỏ qua")."""
        return self.field is not None and not self.field.required


@dataclass(frozen=True)
class DossierState:
    """What is known of the dossier.

    Attributes:
        proc: the procedure.
        answers: the eligibility answers given for it (JSON values).
        fields: the field values collected (JSON values; ``None`` = skipped).
        editing: the field the citizen chose to correct, if any.
    """

    proc: Procedure
    answers: Mapping[str, object] = field(default_factory=dict)
    fields: Mapping[str, object] = field(default_factory=dict)
    editing: str | None = None

    def values(self) -> dict[str, object]:
        """Answers and given field values, read for the conditions (skipped fields left out)."""
        given = {key: value for key, value in self.fields.items() if value is not None}
        return self.proc.read_answers({**self.answers, **given})


def verdict(state: DossierState, as_of: date) -> Verdict:
    """The eligibility verdict for the answers given so far."""
    return catalog_access.verdict(state.proc, state.answers, as_of)


def active_fields(state: DossierState, as_of: date) -> list[FieldDef]:
    """The fields of the dossier for these answers, in order (``ask_if`` false left out)."""
    return state.proc.fields_for(state.values(), as_of)


def next_step(state: DossierState, as_of: date) -> Step | None:
    """What to ask next, or None when the dossier is complete.

    The field being corrected comes first; then the eligibility questions until the verdict is
    decided; then the first field not collected yet. A field whose ``ask_if`` still depends on an
    unanswered question brings that question first.
    """
    fields = {item.id: item for item in active_fields(state, as_of)}
    if state.editing in fields:
        return Step(field=fields[str(state.editing)])
    question = catalog_access.next_question(state.proc, state.answers, as_of)
    if question is not None:
        return Step(question=question)
    context = state.proc.context(state.values(), as_of, include_fields=True)
    for item in fields.values():
        if item.id in state.fields:
            continue
        if item.ask_if is not None and evaluate_condition(item.ask_if, context) is None:
            pending = state.proc.next_question(state.answers, as_of)
            if pending is not None:
                return Step(question=pending)
        return Step(field=item)
    return None


def _known_context(state: DossierState, field_id: str) -> dict[str, object]:
    """What the validators may check a value against: the birth date and gender of the field's
    own person (:mod:`bhxh_catalog.persons`), and the bank."""
    known = person_context(state.values(), field_id)
    for item in state.proc.fields:
        stored = state.fields.get(item.id)
        if item.type == "bank" and stored is not None:
            try:
                known["bank"] = validate("bank", stored)
            except InvalidValue:
                continue
    return known


def validation_context(state: DossierState, item: FieldDef) -> dict[str, object]:
    """The validators' context for one field (the intake service checks with the same)."""
    context = _known_context(state, item.id)
    if item.example:
        context["example"] = item.example
    if item.options:
        context["options"] = [o.choice for o in item.options]
    return context


def _without_lead_in(field_type: str, text: str) -> str:
    """``"tên tôi là Nguyễn Văn Bình"`` → ``"Nguyễn Văn Bình"`` (names and addresses only)."""
    pattern = _LEAD_INS.get(field_type)
    words = text.split()
    if pattern is None or len(words) < 3:
        return text
    folded = " ".join(fold(word).strip(",.:;") for word in words)
    match = pattern.match(folded)
    if match is None:
        return text
    dropped = len(match.group(0).split())
    rest = " ".join(words[dropped:]).lstrip(",.:; ")
    return rest if len(rest.split()) >= 2 else text


def read_field(state: DossierState, item: FieldDef, raw: object) -> object:
    """Reads one value for a field with the shared validators.

    Args:
        state: the dossier (its known birth date and bank are checked against).
        item: the field.
        raw: what the citizen typed, or a button's value.

    Returns:
        The JSON value to keep (``plain_value`` of the validator's result).

    Raises:
        InvalidValue: the value is wrong; the Vietnamese message says why, with an example.
    """
    text = _without_lead_in(item.type, raw) if isinstance(raw, str) else raw
    return plain_value(validate(item.type, text, validation_context(state, item)))


def read_field_candidates(
    state: DossierState, item: FieldDef, text: str, entities: Iterable[tuple[str, object]]
) -> tuple[object | None, str | None]:
    """The field's value found inside a longer message.

    Values found by the shared extractor (and the NLU's entities) are tried with the field's
    validator: ``"cccd cua toi la 056 160 001 234"`` gives ``"056160001234"``. Two different
    valid values make the message ambiguous.

    Returns:
        ``(value, None)``; or ``(None, message)`` when a candidate was found but is wrong (the
        validator's message about it: "cần đủ 12 chữ số"); or ``(None, None)``.
    """
    candidates: list[object] = []
    for found in extract_values(text):
        if found.kind == item.type or (item.type in _DIGIT_KINDS and found.kind in _DIGIT_KINDS):
            candidates.append(found.raw)
    candidates.extend(value for name, value in entities if name == item.type)
    read: list[object] = []
    first_error: str | None = None
    for candidate in candidates:
        try:
            value = read_field(state, item, candidate)
        except InvalidValue as error:
            first_error = first_error or error.message
            continue
        if value not in read:
            read.append(value)
    if len(read) == 1:
        return read[0], None
    return None, None if read else first_error


def prefill(
    state: DossierState, known: Mapping[str, Sequence[object]], as_of: date
) -> dict[str, object]:
    """Field values the conversation already holds, for fields not collected yet.

    * a field with the id of an answered eligibility question takes that answer;
    * an identifier (CCCD, phone, bank account, …) the citizen typed earlier fills the only
      field of its type, when it was one value only.

    Args:
        state: the dossier.
        known: values found in the citizen's earlier messages, by kind (``"phone"`` → [...]).
        as_of: the evaluation date.

    Returns:
        The new field values (JSON), by field id.
    """
    filled: dict[str, object] = {}
    fields = active_fields(state, as_of)
    by_type: dict[str, list[FieldDef]] = {}
    for item in state.proc.fields:
        by_type.setdefault(item.type, []).append(item)
    for item in fields:
        if item.id in state.fields:
            continue
        raw: object = None
        if item.id in state.answers:
            raw = state.answers[item.id]
        elif item.type in IDENTIFIER_TYPES and len(by_type.get(item.type, [])) == 1:
            values = list(dict.fromkeys(str(value) for value in known.get(item.type, ())))
            raw = values[0] if len(values) == 1 else None
        if raw is None:
            continue
        try:
            filled[item.id] = read_field(state, item, raw)
        except InvalidValue:
            continue
    return filled


_GROUPS = {"cccd": (3, 3, 3, 3), "cmnd": (3, 3, 3), "phone": (4, 3, 3), "bhxh_code": (2, 4, 4)}
"""How a number is grouped when read back to its owner (``0905 123 456``)."""


def grouped(kind: str, value: str) -> str:
    """A number in groups the eye can check: CCCD ``056 152 004 567``, phone ``0905 123 456``."""
    sizes = _GROUPS.get(kind)
    if sizes is None or not value.isdigit() or len(value) != sum(sizes):
        return value
    parts, start = [], 0
    for size in sizes:
        parts.append(value[start : start + size])
        start += size
    return " ".join(parts)


def display(item: FieldDef, value: object) -> str:
    """A collected value as its owner reads it in their own conversation: numbers in full and
    grouped so they can be checked (the citizen typed them), dates, option labels.

    Masking (:func:`masked`) is for everything else: logs, lists, staff queues.
    """
    if value is None:
        return "(bỏ qua)"
    if item.type in MASKED_TYPES and isinstance(value, str):
        return grouped(item.type, value)
    if item.type == "yes_no" and isinstance(value, bool):
        return "Có" if value else "Không"
    if item.options:
        return next((o.label for o in item.options if o.value == value), str(value))
    if item.type == "date" and isinstance(value, str):
        try:
            return catalog_access.format_date(date.fromisoformat(value[:10]))
        except ValueError:
            return value
    if item.type == "money" and isinstance(value, int):
        return catalog_access.format_money(value)
    return str(value)


def masked(item: FieldDef, value: object) -> str:
    """A value as anyone but its owner sees it: sensitive numbers masked."""
    if item.sensitive and item.type in MASKED_TYPES:
        return mask_field(item.type, value)
    return display(item, value)


def province_note(item: FieldDef, value: object) -> str | None:
    """The note on an old province typed ("… nay thuộc TP Hồ Chí Minh"), else None."""
    if item.type != "province" or not isinstance(value, str):
        return None
    try:
        match = validate("province", value)
    except InvalidValue:
        return None
    return match.note() if isinstance(match, ProvinceMatch) else None


def submitted_fields(state: DossierState, as_of: date) -> dict[str, object]:
    """The field values to send: the active fields that were given (skipped ones left out)."""
    return {
        item.id: state.fields[item.id]
        for item in active_fields(state, as_of)
        if state.fields.get(item.id) is not None
    }


def documents(state: DossierState, as_of: date) -> list[Document]:
    """The documents of this dossier (``required_if`` read on answers and fields)."""
    return state.proc.documents_for(state.values(), as_of)


def paper_documents(state: DossierState, as_of: date) -> list[Document]:
    """Documents the office needs on paper: originals and certified copies."""
    return [doc for doc in documents(state, as_of) if doc.copy in PAPER_COPIES]


_TYPE_WORDS: Mapping[str, tuple[str, ...]] = {
    "phone": ("so dien thoai", "sdt", "dien thoai", "so dt", "dt"),
    "cccd": ("cccd", "can cuoc", "cmnd", "so can cuoc"),
    "bank_account": ("so tai khoan", "stk", "tai khoan", "so tk", "tk"),
    "bhxh_code": ("ma so bhxh", "ma bhxh", "so bhxh", "so so bhxh"),
    "full_name": ("ho ten", "ten"),
    "email": ("email", "thu dien tu", "mail"),
    "address": ("dia chi",),
    "bank": ("ngan hang",),
}
"""Folded words citizens use for a field's kind ("sđt" for a phone number)."""


def field_named(fields: Sequence[FieldDef], text: str) -> FieldDef | None:
    """The field a typed correction names ("sửa số điện thoại", "sđt đúng là …"), or None."""
    words = f" {' '.join(tokens(text))} "
    named = [item for item in fields if f" {' '.join(tokens(item.display_label))} " in words]
    if not named:
        by_kind = [
            item for item in fields
            if any(f" {word} " in words for word in _TYPE_WORDS.get(item.type, ()))
        ]
        named = by_kind if len({item.type for item in by_kind}) == 1 else []
    named.sort(key=lambda item: len(item.display_label), reverse=True)
    return named[0] if named else None
