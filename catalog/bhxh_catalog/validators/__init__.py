"""Shared validators: check and normalise what citizens type, and find values in sentences.

Used by the bot (forms, NLU entity extraction) and by the intake service (server-side checks)::

    from bhxh_catalog.validators import validate, InvalidValue

    validate("cccd", "056 160 001 234")          # "056160001234"
    validate("money", "2 triệu rưỡi")             # 2500000
    validate("date", "20 tháng 8 năm 1960")       # date(1960, 8, 20)
    validate("choice", "2", {"options": [...]})   # the option's value
    try:
        validate("phone", "0123")
    except InvalidValue as error:
        print(error.message)   # Vietnamese, polite, ends with "Ví dụ: 0912345678."

One module per concept: identity (CCCD/CMND), insurance (BHXH/BHYT codes), phone, dates, durations,
money, numbers, text (text, names, addresses, e-mail), choice (choice, yes/no), banks,
provinces, extract (values in free sentences), masking, registry (``FIELD_TYPES``, ``validate``).
"""

from bhxh_catalog.validators import masking
from bhxh_catalog.validators.banks import (
    Bank,
    all_banks,
    bank_by_bin,
    bank_by_id,
    find_bank,
    parse_bank,
    parse_bank_account,
)
from bhxh_catalog.validators.choice import Option, parse_choice, parse_yes_no
from bhxh_catalog.validators.dates import parse_date
from bhxh_catalog.validators.durations import Duration, describe_months, find_duration
from bhxh_catalog.validators.errors import InvalidValue
from bhxh_catalog.validators.extract import EXTRACT_KINDS, FoundValue, extract_values
from bhxh_catalog.validators.identity import (
    CMND_NOTICE,
    CccdInfo,
    describe_cccd,
    parse_cccd,
    parse_cmnd,
)
from bhxh_catalog.validators.insurance import bhxh_code_of_card, parse_bhxh_code, parse_bhyt_card
from bhxh_catalog.validators.masking import *  # noqa: F403  (public whole: masking.__all__)
from bhxh_catalog.validators.money import parse_money
from bhxh_catalog.validators.numbers import parse_integer, parse_number
from bhxh_catalog.validators.phone import carrier_of, parse_phone
from bhxh_catalog.validators.provinces import (
    LegacyProvince,
    Province,
    ProvinceMatch,
    current_provinces,
    find_provinces,
    get_province,
    legacy_province_by_code,
    legacy_provinces,
    parse_province,
    province_for_cccd,
)
from bhxh_catalog.validators.registry import (
    FIELD_TYPES,
    PlainValue,
    Validator,
    as_text,
    plain_value,
    validate,
)
from bhxh_catalog.validators.text import parse_address, parse_email, parse_full_name, parse_text

__all__ = [
    "CMND_NOTICE",
    "EXTRACT_KINDS",
    "FIELD_TYPES",
    "Bank",
    "CccdInfo",
    "Duration",
    "FoundValue",
    "InvalidValue",
    "LegacyProvince",
    "Option",
    "PlainValue",
    "Province",
    "ProvinceMatch",
    "Validator",
    "all_banks",
    "as_text",
    "bank_by_bin",
    "bank_by_id",
    "bhxh_code_of_card",
    "carrier_of",
    "current_provinces",
    "describe_cccd",
    "describe_months",
    "extract_values",
    "find_bank",
    "find_duration",
    "find_provinces",
    "get_province",
    "legacy_province_by_code",
    "legacy_provinces",
    "parse_address",
    "parse_bank",
    "parse_bank_account",
    "parse_bhxh_code",
    "parse_bhyt_card",
    "parse_cccd",
    "parse_choice",
    "parse_cmnd",
    "parse_date",
    "parse_email",
    "parse_full_name",
    "parse_integer",
    "parse_money",
    "parse_number",
    "parse_phone",
    "parse_province",
    "parse_text",
    "parse_yes_no",
    "plain_value",
    "province_for_cccd",
    "validate",
]
__all__ += masking.__all__
