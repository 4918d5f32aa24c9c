import re

import pytest

from bhxh_catalog.validators import (
    Bank,
    InvalidValue,
    all_banks,
    bank_by_bin,
    bank_by_id,
    parse_bank,
    parse_bank_account,
)


@pytest.mark.parametrize(
    ("typed", "bank_id"),
    [
        ("vcb", "vietcombank"),
        ("Vietcombank", "vietcombank"),
        ("ngân hàng ngoại thương", "vietcombank"),
        ("ngan hang ngoai thuong", "vietcombank"),
        ("Ngân hàng TMCP Ngoại thương Việt Nam", "vietcombank"),
        ("Vietcombank chi nhánh Sài Gòn", "vietcombank"),
        ("vietcombak", "vietcombank"),
        ("970436", "vietcombank"),
        ("agribank", "agribank"),
        ("nông nghiệp", "agribank"),
        ("NH Nông nghiệp và PTNT", "agribank"),
        ("BIDV", "bidv"),
        ("vietinbank", "vietinbank"),
        ("công thương", "vietinbank"),
        ("techcombank", "techcombank"),
        ("tcb", "techcombank"),
        ("techcom bank", "techcombank"),
        ("mb", "mbbank"),
        ("MB Bank", "mbbank"),
        ("mbbank", "mbbank"),
        ("quân đội", "mbbank"),
        ("Ngan hang Quan Doi chi nhanh Ha Noi", "mbbank"),
        ("acb", "acb"),
        ("á châu", "acb"),
        ("vpbank", "vpbank"),
        ("sacombank", "sacombank"),
        ("tpbank", "tpbank"),
        ("lienvietpostbank", "lpbank"),
        ("ngân hàng Sài Gòn", "scb"),
        ("Sài Gòn Thương Tín", "sacombank"),
    ],
)
def test_bank_names_aliases_and_bins(typed, bank_id):
    bank = parse_bank(typed)
    assert isinstance(bank, Bank)
    assert bank.id == bank_id


def test_unknown_bank_gets_an_example():
    with pytest.raises(InvalidValue) as error:
        parse_bank("ngân hàng xyz")
    assert "Ví dụ: Vietcombank." in error.value.message


def test_bank_data_is_consistent():
    banks = all_banks()
    assert len({bank.id for bank in banks}) == len(banks)
    bins = [bank.bin for bank in banks if bank.bin is not None]
    assert len(set(bins)) == len(bins)
    for bank in banks:
        if bank.bin is None:
            assert bank.verified is False
        else:
            assert re.fullmatch(r"9704\d\d", bank.bin), bank
        assert str(bank) == bank.short_name
    assert bank_by_bin("970436") == bank_by_id("vietcombank")


def test_every_bank_is_found_by_its_short_name_and_id():
    for bank in all_banks():
        assert parse_bank(bank.short_name) == bank
        assert parse_bank(bank.id) == bank


@pytest.mark.parametrize("typed", ["0071001234567", "0071 0012 34567", "0071-001-234-567"])
def test_account_numbers_are_digits_only(typed):
    assert parse_bank_account(typed) == "0071001234567"


@pytest.mark.parametrize(
    ("typed", "hint"),
    [("12345", "5 chữ số"), ("1" * 20, "20 chữ số"), ("0071abc", "chỉ gồm chữ số"), ("", "chưa")],
)
def test_bad_account_numbers_remind_the_own_name_rule(typed, hint):
    with pytest.raises(InvalidValue) as error:
        parse_bank_account(typed)
    assert hint in error.value.message
    assert "đứng tên chính người hưởng" in error.value.message
    assert "Ví dụ" in error.value.message


def test_account_message_names_the_chosen_bank():
    with pytest.raises(InvalidValue, match="Số tài khoản Agribank"):
        parse_bank_account("123", {"bank": bank_by_id("agribank")})
    with pytest.raises(InvalidValue, match="Số tài khoản Vietcombank"):
        parse_bank_account("123", {"bank": "vcb"})
