"""The field-type registry: one validator per field type named in the catalog."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal
from types import MappingProxyType

from bhxh_catalog.validators._common import Context
from bhxh_catalog.validators.banks import Bank, parse_bank, parse_bank_account
from bhxh_catalog.validators.choice import parse_choice, parse_yes_no
from bhxh_catalog.validators.dates import parse_date
from bhxh_catalog.validators.identity import parse_cccd, parse_cmnd
from bhxh_catalog.validators.insurance import parse_bhxh_code, parse_bhyt_card
from bhxh_catalog.validators.money import check_money, parse_money
from bhxh_catalog.validators.numbers import (
    check_integer,
    check_number,
    parse_integer,
    parse_number,
)
from bhxh_catalog.validators.phone import parse_phone
from bhxh_catalog.validators.provinces import ProvinceMatch, parse_province
from bhxh_catalog.validators.text import parse_address, parse_email, parse_full_name, parse_text

__all__ = ["FIELD_TYPES", "PlainValue", "Validator", "as_text", "plain_value", "validate"]

Validator = Callable[[str, Context | None], object]
"""A validator: ``(raw_text, context) -> normalised value``; raises ``InvalidValue``."""

PlainValue = str | int | float | bool | None
"""A value that JSON, a Rasa slot or a database column can hold."""

FIELD_TYPES: Mapping[str, Validator] = MappingProxyType(
    {
        "text": parse_text,
        "full_name": parse_full_name,
        "cccd": parse_cccd,
        "cmnd": parse_cmnd,
        "bhxh_code": parse_bhxh_code,
        "bhyt_card": parse_bhyt_card,
        "phone": parse_phone,
        "email": parse_email,
        "date": parse_date,
        "money": parse_money,
        "integer": parse_integer,
        "number": parse_number,
        "bank": parse_bank,
        "bank_account": parse_bank_account,
        "province": parse_province,
        "address": parse_address,
        "choice": parse_choice,
        "yes_no": parse_yes_no,
    }
)
"""Field type name → validator. Returns: text/full_name/cccd/cmnd/bhxh_code/bhyt_card/phone/
email/bank_account/address → str; date → datetime.date; money/integer → int; number → int or
float; bank → Bank; province → ProvinceMatch; choice → the option value (str); yes_no → bool."""

_NUMBER_CHECKS: Mapping[str, Callable[[Decimal, Context | None], object]] = MappingProxyType(
    {"money": check_money, "integer": check_integer, "number": check_number}
)
"""Field types whose stored values (numbers) are checked as numbers, not read back as text."""


def as_text(value: object) -> str:
    """Turns a stored or already-typed value back into text a validator reads.

    Lets the intake service re-check JSON values (numbers, booleans, ISO dates) and lets
    :func:`validate` accept values it produced itself (a ``Bank``, a ``ProvinceMatch``).
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "có" if value else "không"
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float | Decimal):
        return str(value)
    if isinstance(value, Bank):
        return value.short_name
    if isinstance(value, ProvinceMatch):
        return value.legacy.name if value.legacy is not None else value.province.label
    return str(value)


def validate(field_type: str, raw_text: object, context: Context | None = None) -> object:
    """Checks and normalises one value typed for a field of type *field_type*.

    Args:
        field_type: a key of :data:`FIELD_TYPES` (``"cccd"``, ``"date"``, …).
        raw_text: what the person typed; stored values (int, bool, date, ``Bank``, …) are
            accepted too (see :func:`as_text`); a stored number for ``money``, ``integer``
            or ``number`` is checked as it is (sign, whole, limits), not read as text.
        context: what is known besides the text: ``birth_date``, ``gender``, ``bank``,
            ``options``, ``min``/``max``, ``unit``, ``min_date``/``max_date``,
            ``day_optional``, ``example``, ``today``.

    Returns:
        The normalised value (type per :data:`FIELD_TYPES`).

    Raises:
        InvalidValue: the value is wrong; the Vietnamese message says why, with an example.
        ValueError: *field_type* is unknown (a catalog or programming error).
    """
    validator = FIELD_TYPES.get(field_type)
    if validator is None:
        known = ", ".join(sorted(FIELD_TYPES))
        raise ValueError(f"unknown field type {field_type!r}; known types: {known}")
    check = _NUMBER_CHECKS.get(field_type)
    number = _stored_number(raw_text)
    if check is not None and number is not None:
        return check(number, context)
    return validator(as_text(raw_text), context)


def _stored_number(value: object) -> Decimal | None:
    """The exact value of a stored number (2.125 stays 2.125; as text it would read 2125)."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return None
    number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    return number if number.is_finite() else None


def plain_value(value: object) -> PlainValue:
    """Returns a JSON-friendly form of a validated value that :func:`validate` reads back.

    ``date`` → ISO string, ``Bank`` → its short name, ``ProvinceMatch`` → the current
    province's label; str, int, float, bool and None are returned as they are.
    """
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Bank):
        return value.short_name
    if isinstance(value, ProvinceMatch):
        return value.province.label
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return str(value)
