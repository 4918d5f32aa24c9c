"""Receipt codes: readable over the phone, with a check character."""

from __future__ import annotations

import re

from intake_service import receipt

AMBIGUOUS = set("01OIL")


def test_codes_have_the_phone_friendly_shape() -> None:
    codes = {receipt.new_code() for _ in range(500)}
    assert len(codes) == 500
    for code in codes:
        assert re.fullmatch(r"HS-[2-9A-Z]{4}-[2-9A-Z]{4}", code)
        assert not AMBIGUOUS & set(code[3:])
        assert receipt.is_valid(code)


def test_any_single_wrong_character_is_detected() -> None:
    code = receipt.new_code()
    body = code.replace("HS-", "").replace("-", "")
    for position in range(len(body)):
        for other in receipt.ALPHABET:
            if other == body[position]:
                continue
            wrong = body[:position] + other + body[position + 1 :]
            assert not receipt.is_valid(wrong), wrong


def test_swapped_neighbours_are_detected() -> None:
    for _ in range(50):
        body = receipt.new_code().replace("HS-", "").replace("-", "")
        for i in range(len(body) - 1):
            if body[i] != body[i + 1]:
                swapped = body[:i] + body[i + 1] + body[i] + body[i + 2 :]
                assert not receipt.is_valid(swapped)


def test_dictated_forms_are_normalised() -> None:
    code = receipt.new_code()
    compact = code.replace("-", "")
    for typed in (code.lower(), compact, f" {code[3:7]} {code[8:]} ", code.replace("-", ".")):
        assert receipt.normalize(typed) == code
    assert receipt.normalize("HS-0000-0000") is None
    assert receipt.normalize("") is None
