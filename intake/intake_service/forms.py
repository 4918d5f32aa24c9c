"""What the console's forms and lists share: typed values, their errors, masked people.

The dossier list and the handoff queue show a person the same way (masked name and identifier);
the dossier page gives the phone number to call when a notification did not reach the citizen;
the paper dossier form, the caller-code form and the handoff data form read the values staff
typed in boxes named ``f_<field id>`` / ``q_<question id>`` and show the validators' messages
next to them.
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.datastructures import FormData

from intake_service.catalog_fields import CatalogFields
from intake_service.dossiers import SubmissionRejected

__all__ = [
    "IDENTIFIER_TYPES",
    "MAX_VALUE_LENGTH",
    "chosen_procedure",
    "field_errors",
    "full_name",
    "masked_person",
    "phone_number",
    "typed_values",
]

IDENTIFIER_TYPES = frozenset({"cccd", "bhxh_code", "cmnd", "bhyt_card"})
MAX_VALUE_LENGTH = 500


def masked_person(
    catalog: CatalogFields, procedure_id: str, values: Mapping[str, object]
) -> tuple[str, str]:
    """A name and an identifier ("Số CCCD: 056******234") for lists, masked like everywhere.

    Args:
        catalog: the catalog seam (field definitions, masking).
        procedure_id: the procedure the values belong to.
        values: the dossier's fields or the handoff's collected data.
    """
    name, identifier = "", ""
    for info in catalog.field_infos(procedure_id):
        value = values.get(info.id)
        if value in (None, ""):
            continue
        if info.type == "full_name" and not name:
            name = catalog.mask(info.type, value) if info.sensitive else str(value)
        elif info.type in IDENTIFIER_TYPES and not identifier:
            identifier = f"{info.label}: {catalog.mask(info.type, value)}"
    return name, identifier


def phone_number(
    catalog: CatalogFields, procedure_id: str, values: Mapping[str, object]
) -> str | None:
    """The citizen's phone number (the procedure's first phone field), or None when not given.

    Args:
        catalog: the catalog seam (field definitions).
        procedure_id: the procedure the values belong to.
        values: the dossier's fields.
    """
    for info in catalog.field_infos(procedure_id):
        value = values.get(info.id)
        if info.type == "phone" and value not in (None, ""):
            return str(value)
    return None


def full_name(catalog: CatalogFields, procedure_id: str, values: Mapping[str, object]) -> str:
    """The citizen's full name (the procedure's first name field), or "" when not given."""
    for info in catalog.field_infos(procedure_id):
        value = values.get(info.id)
        if info.type == "full_name" and value not in (None, ""):
            return str(value)
    return ""


def chosen_procedure(catalog: CatalogFields, procedure: str) -> str:
    """The procedure picked in a form, or "" when it is not in the catalog."""
    return procedure if procedure in dict(catalog.procedures()) else ""


def typed_values(form: FormData, prefix: str) -> dict[str, str]:
    """What staff typed in the boxes named ``<prefix><id>``, by id (each value shortened)."""
    return {
        str(key)[len(prefix) :]: str(value)[:MAX_VALUE_LENGTH]
        for key, value in form.multi_items()
        if str(key).startswith(prefix) and isinstance(value, str)
    }


def field_errors(rejected: SubmissionRejected) -> dict[str, str]:
    """The validators' messages by field or question id (``fields.`` / ``answers.`` dropped)."""
    return {
        name.removeprefix("fields.").removeprefix("answers."): message
        for name, message in rejected.errors
    }
