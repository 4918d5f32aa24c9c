"""Whose value is it: the person a field or an answer belongs to, from its id.

A dossier may describe several people: the subject of the procedure, the person filing (a
daughter for her mother), a spouse, the deceased. A CCCD is checked against the birth date and
gender of its own person only — the survivors' form once checked the daughter's CCCD against her
father's birth year and refused it.

The person is the suffix of the id after its kind: ``so_cccd_nguoi_mat`` and
``ngay_sinh_nguoi_mat`` are the deceased's; ``so_cccd`` and ``ngay_sinh`` belong to the
citizen the dossier is for (the person filing, when nobody else is named).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

__all__ = ["BIRTH_PREFIX", "GENDER_PREFIX", "person_context", "person_of"]

BIRTH_PREFIX = "ngay_sinh"
GENDER_PREFIX = "gioi_tinh"
_KIND_PREFIXES = (
    BIRTH_PREFIX, GENDER_PREFIX, "so_cccd", "so_cmnd", "cccd", "cmnd", "ho_ten", "ma_so_bhxh",
    "so_the_bhyt", "so_dien_thoai", "dia_chi", "email",
)


def person_of(key: str) -> str | None:
    """The person of an id ("" for the citizen), or None when the id names no known kind."""
    for prefix in _KIND_PREFIXES:
        if key == prefix:
            return ""
        if key.startswith(prefix + "_"):
            return key[len(prefix) + 1 :]
    return None


def person_context(values: Mapping[str, object], field_id: str) -> dict[str, object]:
    """The birth date and gender known for the person of ``field_id`` (validator context).

    Args:
        values: the dossier's values and eligibility answers by id.
        field_id: the field about to be checked.
    """
    person = person_of(field_id)
    known: dict[str, object] = {}
    if person is None:
        return known
    for key, value in values.items():
        if person_of(key) != person:
            continue
        if key.startswith(BIRTH_PREFIX) and isinstance(value, date):
            known["birth_date"] = value
        elif key.startswith(GENDER_PREFIX) and value in ("nam", "nu"):
            known["gender"] = value
    return known
