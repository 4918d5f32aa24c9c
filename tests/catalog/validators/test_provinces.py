import pytest

from bhxh_catalog.validators import (
    InvalidValue,
    current_provinces,
    find_provinces,
    get_province,
    legacy_province_by_code,
    legacy_provinces,
    parse_province,
    province_for_cccd,
)

# bhxh-domain.md §3.1 (TT 07/2016/TT-BCA Phụ lục 1)
LEGACY_CODES = [
    "001", "002", "004", "006", "008", "010", "011", "012", "014", "015", "017", "019", "020",
    "022", "024", "025", "026", "027", "030", "031", "033", "034", "035", "036", "037", "038",
    "040", "042", "044", "045", "046", "048", "049", "051", "052", "054", "056", "058", "060",
    "062", "064", "066", "067", "068", "070", "072", "074", "075", "077", "079", "080", "082",
    "083", "084", "086", "087", "089", "091", "092", "093", "094", "095", "096",
]
UNCHANGED = {"ha_noi", "hue", "lai_chau", "dien_bien", "son_la", "lang_son", "quang_ninh",
             "thanh_hoa", "nghe_an", "ha_tinh", "cao_bang"}
UNVERIFIED = {"quang_ngai", "gia_lai", "khanh_hoa", "lam_dong", "dak_lak", "ho_chi_minh",
              "dong_nai", "tay_ninh", "can_tho", "vinh_long", "dong_thap", "ca_mau", "an_giang"}


def test_63_legacy_provinces_with_the_cccd_codes():
    assert [old.code for old in legacy_provinces()] == LEGACY_CODES
    hcm = legacy_province_by_code("079")
    binh_duong = legacy_province_by_code("74")
    assert hcm is not None and hcm.name == "Hồ Chí Minh"
    assert binh_duong is not None and binh_duong.name == "Bình Dương"
    assert legacy_province_by_code("003") is None


def test_34_current_provinces_each_legacy_province_in_exactly_one():
    provinces = current_provinces()
    assert len(provinces) == 34
    # 2025: 28 tỉnh + 6 thành phố (NQ 202/2025/QH15); 2026: Đồng Nai (NQ 30/2026/QH16, từ
    # 30/4/2026), Quảng Ninh (NQ 36/2026/QH16, từ 01/9/2026), Bắc Ninh (từ 20/9/2026) thành thành
    # phố trực thuộc Trung ương → 25 tỉnh + 9 thành phố.
    assert sum(p.kind == "thành phố" for p in provinces) == 9
    assert sum(p.kind == "tỉnh" for p in provinces) == 25
    codes = [code for p in provinces for code in p.legacy_codes]
    assert sorted(codes) == LEGACY_CODES
    assert {p.id for p in provinces if len(p.legacy_codes) == 1} == UNCHANGED


@pytest.mark.parametrize(
    ("typed", "label"),
    [("TP Đồng Nai", "TP Đồng Nai"), ("tỉnh Đồng Nai", "TP Đồng Nai"),
     ("Thành phố Quảng Ninh", "TP Quảng Ninh"), ("quang ninh", "TP Quảng Ninh"),
     ("TP Bắc Ninh", "TP Bắc Ninh"), ("Bắc Giang", "TP Bắc Ninh"),
     ("Khánh Hoà", "Khánh Hòa"), ("khanh hoa", "Khánh Hòa")],
)
def test_provinces_that_became_cities_in_2026_and_spellings(typed, label):
    matches = find_provinces(typed)
    assert [m.name for m in matches] == [label]


def test_components_of_merged_items_11_to_23_are_flagged_unverified():
    assert {p.id for p in current_provinces() if not p.verified} == UNVERIFIED


@pytest.mark.parametrize(
    ("typed", "province_id"),
    [
        ("Hà Nội", "ha_noi"),
        ("ha noi", "ha_noi"),
        ("HN", "ha_noi"),
        ("hcm", "ho_chi_minh"),
        ("tphcm", "ho_chi_minh"),
        ("TP. HCM", "ho_chi_minh"),
        ("Sài Gòn", "ho_chi_minh"),
        ("sg", "ho_chi_minh"),
        ("Thành phố Hồ Chí Minh", "ho_chi_minh"),
        ("Huế", "hue"),
        ("TT Huế", "hue"),
        ("Thừa Thiên Huế", "hue"),
        ("brvt", "ho_chi_minh"),
        ("Vũng Tàu", "ho_chi_minh"),
        ("tỉnh Bình Dương ạ", "ho_chi_minh"),
        ("Bình Dươg", "ho_chi_minh"),
        ("dak lak", "dak_lak"),
        ("Đắc Lắc", "dak_lak"),
        ("Thanh Hoá", "thanh_hoa"),
        ("hà giang", "tuyen_quang"),
    ],
)
def test_province_names_aliases_and_typos(typed, province_id):
    assert parse_province(typed).province.id == province_id


def test_old_province_name_is_remembered_and_explained():
    match = parse_province("Bình Dương")
    assert match.province.label == "TP Hồ Chí Minh"
    assert match.legacy is not None and match.legacy.code == "074"
    assert match.note() == "Từ ngày 01/7/2025, tỉnh Bình Dương thuộc TP Hồ Chí Minh."
    assert str(match) == "TP Hồ Chí Minh"
    assert match.verified is False


def test_current_name_has_no_legacy_part():
    match = parse_province("Hà Nội")
    assert match.legacy is None and match.note() is None


def test_renamed_unit_note():
    assert parse_province("Thừa Thiên Huế").note() == "Tỉnh Thừa Thiên Huế nay là TP Huế."


def test_province_of_a_cccd_number():
    match = province_for_cccd("074205001234")
    assert match is not None
    assert match.province == get_province("ho_chi_minh")
    assert match.legacy is not None and match.legacy.name == "Bình Dương"


def test_several_provinces_are_refused():
    with pytest.raises(InvalidValue, match="nhiều tỉnh"):
        parse_province("Hà Nội hoặc Đồng Nai")
    assert len(find_provinces("Bình Dương và TP HCM")) == 1


@pytest.mark.parametrize("typed", ["", "abc xyz"])
def test_unknown_province_gets_an_example(typed):
    with pytest.raises(InvalidValue, match=r"Ví dụ: Nghệ An\."):
        parse_province(typed)


def test_labels():
    hcm = get_province("ho_chi_minh")
    nghe_an = get_province("nghe_an")
    assert hcm is not None and nghe_an is not None
    assert (hcm.label, hcm.full_name, hcm.phrase) == (
        "TP Hồ Chí Minh", "Thành phố Hồ Chí Minh", "TP Hồ Chí Minh")
    assert (nghe_an.label, nghe_an.full_name, nghe_an.phrase) == (
        "Nghệ An", "Tỉnh Nghệ An", "tỉnh Nghệ An")
