from datetime import date

from bhxh_catalog.persons import person_context, person_of


def test_the_person_is_the_suffix_after_the_kind():
    assert person_of("so_cccd") == ""
    assert person_of("ngay_sinh") == ""
    assert person_of("so_cccd_nguoi_mat") == "nguoi_mat"
    assert person_of("ngay_sinh_vo_chong") == "vo_chong"
    assert person_of("hinh_thuc_nhan") is None


def test_a_field_is_checked_against_its_own_person_only():
    values = {"ngay_sinh_vo_chong": date(1950, 3, 2), "gioi_tinh_vo_chong": "nam",
              "ngay_sinh_nguoi_mat": date(1948, 1, 1)}
    assert person_context(values, "so_cccd") == {}
    assert person_context(values, "so_cccd_vo_chong") == {
        "birth_date": date(1950, 3, 2), "gender": "nam"
    }
    assert person_context({"ngay_sinh": date(1960, 8, 20)}, "so_cccd") == {
        "birth_date": date(1960, 8, 20)
    }
