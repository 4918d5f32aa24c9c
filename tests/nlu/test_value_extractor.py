"""Identifiers and values typed in a message become entities with the right kind and offsets."""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.value_extractor import ValueExtractor, find_entities


@dataclass(frozen=True)
class FakeFound:
    kind: str
    value: object
    start: int
    end: int
    raw: str


def fake_extract(kind: str, value: object = None):
    """A value finder that reports every run of digits as *kind*."""
    import re

    def extract(text: str) -> list[FakeFound]:
        return [
            FakeFound(
                kind, value if value is not None else m.group(), m.start(), m.end(), m.group()
            )
            for m in re.finditer(r"\d[\d .]*\d", text)
        ]

    return extract


def kinds(text: str, extract, table) -> list[tuple[str, object, str]]:
    return [(e.kind, e.value, text[e.start : e.end]) for e in find_entities(text, extract, table)]


# Ten digits: phone number or mã số BHXH — decided by the words around them.


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("sdt 0912345678", "phone"),
        ("sđt của e là 0912345678", "phone"),
        ("số điện thoại: 0912345678", "phone"),
        ("mã số bhxh 0912345678", "bhxh_code"),
        ("ma so bao hiem xa hoi cua toi 0912345678", "bhxh_code"),
        ("0912345678 là mã số BHXH của tôi", "bhxh_code"),
        ("0912345678 là số điện thoại", "phone"),
        ("0912345678", "phone"),  # valid mobile prefix, no context
        ("7912345678", "bhxh_code"),  # not a mobile number
        ("0123456789", "bhxh_code"),
    ],
)
def test_ten_digits_decided_by_context_then_prefix(table, text, kind):
    for reported in ("phone", "bhxh_code"):
        [(found_kind, value, _)] = kinds(text, fake_extract(reported), table)
        assert found_kind == kind
        assert value == "".join(ch for ch in text if ch.isdigit())


def test_nearest_cue_wins(table):
    text = "mã số bhxh 7912345678, sđt 0987654321"
    assert [k for k, _, _ in kinds(text, fake_extract("phone"), table)] == ["bhxh_code", "phone"]


def test_overlapping_values_keep_the_most_specific(table):
    def extract(text: str) -> list[FakeFound]:
        return [
            FakeFound("number", 1234, 5, 17, text[5:17]),
            FakeFound("cccd", "001089012345", 5, 17, text[5:17]),
        ]

    assert kinds("cccd 001089012345", extract, table) == [("cccd", "001089012345", "001089012345")]


def test_values_are_json_friendly(table):
    def extract(text: str) -> list[FakeFound]:
        return [FakeFound("date", dt.date(1960, 8, 20), 0, 9, text[0:9])]

    assert kinds("20/8/1960", extract, table) == [("date", "1960-08-20", "20/8/1960")]


def test_unknown_kinds_are_dropped(table):
    assert kinds("12", fake_extract("email"), table) == []


# With the catalog's real value finder.


@pytest.fixture(scope="module")
def extractor(table) -> ValueExtractor:
    from bhxh_catalog.validators import extract_values

    return ValueExtractor(extract_values, table)


def entities(extractor: ValueExtractor, text: str) -> list[tuple[str, object, str]]:
    message = Message.build(text=text)
    extractor.process([message])
    return [
        (e["entity"], e["value"], text[e["start"] : e["end"]]) for e in message.get("entities")
    ]


def test_identifiers_in_a_sentence(extractor):
    text = "cccd 056 160 001 234, sđt 0912.345.678, mã số bhxh 7912345678"
    assert entities(extractor, text) == [
        ("cccd", "056160001234", "056 160 001 234"),
        ("phone", "0912345678", "0912.345.678"),
        ("bhxh_code", "7912345678", "7912345678"),
    ]


def test_values_in_a_long_message(extractor):
    text = "Tôi ở Hà Nội, ngân hàng Vietcombank, lương 6,5 triệu, sinh 20/8/1960, đóng 15 năm"
    assert entities(extractor, text) == [
        ("province", "TP Hà Nội", "Hà Nội"),
        ("bank", "Vietcombank", "Vietcombank"),
        ("money", 6500000, "6,5 triệu"),
        ("date", "1960-08-20", "20/8/1960"),
        ("number", 15, "15"),
    ]


def test_bhyt_card_and_bank_account(extractor):
    assert entities(extractor, "thẻ GD4797912345678, stk 19033445566 techcombank") == [
        ("bhyt_card", "GD4797912345678", "GD4797912345678"),
        ("bank_account", "19033445566", "19033445566"),
        ("bank", "Techcombank", "techcombank"),
    ]


def test_mobile_number_after_bhxh_keyword_is_the_bhxh_code(extractor):
    assert entities(extractor, "ma so bhxh cua toi la 0912345678") == [
        ("bhxh_code", "0912345678", "0912345678")
    ]


def test_offsets_point_into_nfd_text(extractor):
    text = unicodedata.normalize("NFD", "Tôi ở Đà Nẵng, sinh ngày 12/05/1963")
    found = entities(extractor, text)
    assert [(k, unicodedata.normalize("NFC", raw)) for k, _, raw in found] == [
        ("province", "Đà Nẵng"),
        ("date", "12/05/1963"),
    ]


def test_amount_in_thousands(extractor):
    assert entities(extractor, "lương 500k") == [("money", 500000, "500k")]


def test_entities_carry_the_extractor_name(extractor):
    message = Message.build(text="sdt 0912345678")
    extractor.process([message])
    assert message.get("entities")[0]["extractor"] == "ValueExtractor"
