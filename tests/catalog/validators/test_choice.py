import pytest
from hypothesis import given
from hypothesis import strategies as st

from bhxh_catalog.validators import InvalidValue, parse_choice, parse_yes_no
from bhxh_catalog.validators.choice import AmbiguousChoice
from bhxh_catalog.vntext import fold, tokens

OPTIONS = {
    "options": [
        {"value": "du_tuoi", "label": "Đủ tuổi nghỉ hưu, chưa đủ 15 năm đóng"},
        {"value": "dinh_cu", "label": "Ra nước ngoài định cư"},
        {"value": "benh_hiem_ngheo", "label": "Mắc bệnh hiểm nghèo"},
    ]
}


@pytest.mark.parametrize(
    "typed",
    [
        "dinh_cu",
        "Ra nước ngoài định cư",
        "ra nuoc ngoai dinh cu",
        "RA NƯỚC NGOÀI ĐỊNH CƯ",
        "2",
        "số 2",
        "thứ hai",
        "2.",
        "định cư",
        "tôi ra nước ngoài định cư ạ",
        "ra nuoc ngoai dinh cuu",
    ],
)
def test_choice_by_value_label_number_or_part(typed):
    assert parse_choice(typed, OPTIONS) == "dinh_cu"


def test_choice_out_of_range_lists_the_options():
    with pytest.raises(InvalidValue) as error:
        parse_choice("5", OPTIONS)
    assert "3 lựa chọn" in error.value.message
    assert "2. Ra nước ngoài định cư" in error.value.message


def test_unknown_choice_lists_the_options_with_an_example():
    with pytest.raises(InvalidValue) as error:
        parse_choice("xyz", OPTIONS)
    assert "1. Đủ tuổi nghỉ hưu" in error.value.message
    assert "Ví dụ: 1." in error.value.message


def test_numeric_option_values_win_over_positions():
    months = {
        "options": [{"value": "3", "label": "3 tháng"}, {"value": "12", "label": "12 tháng"}]
    }
    assert parse_choice("12", months) == "12"
    assert parse_choice("12 thang", months) == "12"
    assert parse_choice("1", months) == "3"


def test_plain_string_options_and_aliases():
    assert parse_choice("tien mat", {"options": ["Tiền mặt", "Tài khoản"]}) == "Tiền mặt"
    options = {"options": [{"value": "tk", "label": "Qua tài khoản", "aliases": ["ck"]}]}
    assert parse_choice("ck", options) == "tk"


def test_choice_without_options_is_a_programming_error():
    with pytest.raises(ValueError, match="options"):
        parse_choice("1", {})


_labels = st.lists(
    st.text(alphabet="aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạềếểễệ ", min_size=3, max_size=25).filter(
        tokens
    ),
    min_size=1,
    max_size=5,
    unique_by=lambda label: " ".join(tokens(label)),
)


@given(labels=_labels, data=st.data())
def test_label_folded_or_upper_cased_picks_its_option(labels, data):
    options = {"options": [{"value": f"v{i}", "label": label} for i, label in enumerate(labels)]}
    index = data.draw(st.integers(min_value=0, max_value=len(labels) - 1))
    assert parse_choice(labels[index], options) == f"v{index}"
    assert parse_choice(fold(labels[index]), options) == f"v{index}"
    assert parse_choice(labels[index].upper(), options) == f"v{index}"


@pytest.mark.parametrize(
    "typed",
    ["có", "co", "Có ạ", "ok", "oke", "đúng", "đúng rồi", "vâng", "dạ vâng", "uh", "ừ", "dc",
     "đc", "được", "yes", "đồng ý", "rồi", "cóooo"],
)
def test_yes(typed):
    assert parse_yes_no(typed) is True


@pytest.mark.parametrize(
    "typed",
    ["không", "khong", "ko", "k", "kh", "khum", "sai", "no", "chưa", "dạ không", "ko có",
     "không phải", "khônggggg", "hông"],
)
def test_no(typed):
    assert parse_yes_no(typed) is False


@pytest.mark.parametrize("typed", ["", "hmm", "để tôi xem"])
def test_unclear_yes_no(typed):
    with pytest.raises(InvalidValue) as error:
        parse_yes_no(typed)
    assert "“có” hoặc “không”" in error.value.message
    assert "Ví dụ: có." in error.value.message


@pytest.mark.parametrize("typed", ["có", "nam", "²"])
def test_one_short_word_does_not_pick_an_option_by_a_part_of_its_label(typed):
    options = {"options": [{"value": "ho_chieu", "label": "Hộ chiếu nước ngoài"},
                           {"value": "khac", "label": "Giấy tờ khác / chưa có"},
                           {"value": "nam_khac", "label": "Năm khác"}]}
    with pytest.raises(InvalidValue):
        parse_choice(typed, options)


@pytest.mark.parametrize("raw", ["không biết", "toi ko biet", "chưa rõ lắm", "khong nho nua"])
def test_not_knowing_is_not_read_as_no(raw):
    with pytest.raises(InvalidValue) as caught:
        parse_yes_no(raw)
    assert "1900 9068" in caught.value.message


PHRASE_OPTIONS = {"options": [
    {"value": "da_dung", "label": "Đã dừng đóng BHXH", "aliases": ["không đóng nữa", "nghỉ rồi"]},
    {"value": "bat_buoc", "label": "Đang đóng BHXH bắt buộc", "aliases": ["bắt buộc"]},
    {"value": "tu_nguyen", "label": "Đang đóng BHXH tự nguyện", "aliases": ["tự nguyện"]},
]}


def test_an_alias_inside_a_sentence_picks_its_option():
    assert parse_choice("tôi nghỉ rồi, không đóng nữa", PHRASE_OPTIONS) == "da_dung"


def test_a_negated_phrase_does_not_pick_its_option():
    assert parse_choice("không đóng bắt buộc, chỉ tự nguyện", PHRASE_OPTIONS) == "tu_nguyen"


def test_two_options_said_equally_are_asked_back_with_both():
    with pytest.raises(AmbiguousChoice) as error:
        parse_choice("lúc bắt buộc lúc tự nguyện", PHRASE_OPTIONS)
    assert error.value.candidates == ("bat_buoc", "tu_nguyen")
    assert "“Đang đóng BHXH bắt buộc” hay “Đang đóng BHXH tự nguyện”" in error.value.message
    assert isinstance(error.value, InvalidValue)
