from datetime import date

from bhxh_catalog.validators import (
    mask,
    mask_account,
    mask_bhxh,
    mask_bhyt_card,
    mask_cccd,
    mask_email,
    mask_field,
    mask_phone,
)


def test_masks_keep_only_the_ends():
    assert mask_cccd("056160001234") == "056******234"
    assert mask_cccd("056 160 001 234") == "056******234"
    assert mask_cccd("225123456") == "22*****56"
    assert mask_phone("0912345678") == "09******78"
    assert mask_phone("0912.345.678") == "09******78"
    assert mask_account("0071001234567") == "*********4567"
    assert mask_bhxh("7912345678") == "79******78"
    assert mask_bhyt_card("GD4797912345678") == "GD4**********78"
    assert mask_email("nguyenvanan@gmail.com") == "n**********@gmail.com"


def test_short_values_are_hidden_entirely():
    assert mask("1234", 2, 2) == "****"
    assert mask_account("123") == "***"


def test_mask_field_by_type():
    assert mask_field("cccd", "056160001234") == "056******234"
    assert mask_field("date", date(1960, 8, 20)) == "**/**/1960"
    assert mask_field("date", "1960-08-20") == "**/**/1960"
    assert mask_field("full_name", "Nguyễn Văn An") == "N************"
