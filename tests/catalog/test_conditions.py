from datetime import date

import pytest

from bhxh_catalog.conditions import (
    AllOf,
    Context,
    Leaf,
    Not,
    Operand,
    ReachedRetirementAge,
    check_condition,
    describe,
    evaluate,
    months_between,
    parse_condition,
    referenced_ids,
)
from bhxh_catalog.errors import CatalogError

DAY = date(2026, 1, 15)
KNOWN = {
    "ly_do": Operand("choice", ("dinh_cu", "nghi_viec")),
    "so_nam": Operand("number"),
    "ngay_dung": Operand("date"),
    "dang_dong": Operand("yes_no"),
    "ho_ten": Operand("text"),
}


def truth(raw, answers, as_of=DAY, skipped=()):
    return evaluate(parse_condition(raw), Context(answers, as_of, frozenset(skipped)))


@pytest.mark.parametrize(
    ("raw", "answers", "expected"),
    [
        ({"q": "ly_do", "eq": "dinh_cu"}, {"ly_do": "dinh_cu"}, True),
        ({"q": "ly_do", "ne": "dinh_cu"}, {"ly_do": "dinh_cu"}, False),
        ({"q": "ly_do", "in": ["a", "b"]}, {"ly_do": "b"}, True),
        ({"q": "ly_do", "not_in": ["a", "b"]}, {"ly_do": "b"}, False),
        ({"q": "so_nam", "lt": 20}, {"so_nam": 19.5}, True),
        ({"q": "so_nam", "le": 20}, {"so_nam": 20}, True),
        ({"q": "so_nam", "gt": 20}, {"so_nam": 20}, False),
        ({"q": "so_nam", "ge": 20}, {"so_nam": 20}, True),
        ({"q": "ngay", "before": date(2025, 7, 1)}, {"ngay": date(2025, 6, 30)}, True),
        ({"q": "ngay", "on_or_after": date(2025, 7, 1)}, {"ngay": date(2025, 7, 1)}, True),
        ({"q": "dang_dong", "eq": False}, {"dang_dong": False}, True),
    ],
)
def test_leaf_operators(raw, answers, expected):
    assert truth(raw, answers) is expected


def test_unanswered_leaf_is_unknown():
    assert truth({"q": "ly_do", "eq": "dinh_cu"}, {}) is None


def test_all_and_any_use_three_valued_logic():
    known_false = {"q": "a", "eq": 1}
    unknown = {"q": "b", "eq": 1}
    answers = {"a": 2}
    assert truth({"all": [known_false, unknown]}, answers) is False
    assert truth({"all": [{"q": "a", "eq": 2}, unknown]}, answers) is None
    assert truth({"any": [{"q": "a", "eq": 2}, unknown]}, answers) is True
    assert truth({"any": [known_false, unknown]}, answers) is None
    assert truth({"not": unknown}, answers) is None
    assert truth({"not": known_false}, answers) is True


def test_skipped_question_makes_leaves_false_but_answered_false_true():
    answers = {"so_nam": 5}
    assert truth({"q": "so_nam", "lt": 20}, answers, skipped={"so_nam"}) is False
    assert truth({"q": "so_nam", "answered": False}, answers, skipped={"so_nam"}) is True
    assert truth({"q": "so_nam", "answered": True}, {}) is False


def test_as_of_leaf_reads_the_evaluation_date():
    cond = {"as_of": {"before": date(2025, 7, 1)}}
    assert truth(cond, {}, as_of=date(2025, 6, 30)) is True
    assert truth(cond, {}, as_of=date(2025, 7, 1)) is False
    assert truth({"as_of": {"on_or_after": "2025-07-01"}}, {}, as_of=date(2025, 7, 1)) is True


def test_months_before_as_of_counts_whole_months():
    cond = {"q": "ngay_dung", "months_before_as_of": {"ge": 12}}
    assert truth(cond, {"ngay_dung": date(2025, 1, 15)}, as_of=date(2026, 1, 14)) is False
    assert truth(cond, {"ngay_dung": date(2025, 1, 15)}, as_of=date(2026, 1, 15)) is True
    assert truth(cond, {}) is None


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [
        (date(2025, 1, 15), date(2026, 1, 14), 11),
        (date(2025, 1, 15), date(2026, 1, 15), 12),
        (date(2025, 1, 31), date(2025, 2, 28), 0),
        (date(2026, 3, 1), date(2026, 1, 1), -2),
        (date(2026, 3, 10), date(2026, 1, 20), -1),
    ],
)
def test_months_between(start, end, months):
    assert months_between(start, end) == months


def test_wrong_answer_type_is_a_clear_error():
    with pytest.raises(CatalogError, match="phải là một số"):
        truth({"q": "so_nam", "lt": 20}, {"so_nam": "nhiều"})


def test_parse_builds_a_frozen_tree_and_lists_references():
    cond = parse_condition({"all": [{"q": "a", "eq": 1}, {"not": {"q": "b", "in": [1, 2]}}]})
    assert isinstance(cond, AllOf)
    assert cond.items[0] == Leaf("a", "eq", 1)
    assert referenced_ids(cond) == ["a", "b"]
    hash(cond)  # usable as a dict key / cache key


def test_parse_with_known_turns_date_strings_into_dates():
    cond = parse_condition({"q": "ngay_dung", "eq": "2025-07-01"}, KNOWN)
    assert cond == Leaf("ngay_dung", "eq", date(2025, 7, 1))


def test_parse_rejects_malformed_conditions():
    with pytest.raises(CatalogError, match="toán tử"):
        parse_condition({"q": "a"})


@pytest.mark.parametrize(
    ("raw", "path", "words"),
    [
        ({"q": "ly_doo", "eq": "dinh_cu"}, "when.q", "có phải ý là 'ly_do'"),
        ({"q": "ly_do", "eqq": "dinh_cu"}, "when.eqq", "có phải ý là 'eq'"),
        ({"q": "ly_do", "eq": "dinhcu"}, "when.eq", "không phải giá trị lựa chọn"),
        ({"q": "ly_do", "lt": 3}, "when.lt", "không dùng được"),
        ({"q": "so_nam", "before": "2025-07-01"}, "when.before", "không dùng được"),
        ({"q": "dang_dong", "eq": "co"}, "when.eq", "true hoặc false"),
        ({"q": "so_nam", "eq": 1, "lt": 2}, "when", "một toán tử"),
        ({"all": []}, "when.all", "không rỗng"),
        ({"all": [{"q": "ly_do", "eq": "x"}]}, "when.all[0].eq", "giá trị lựa chọn"),
        ({"q": "ngay_dung", "months_before_as_of": {"ge": "12"}}, "when.months_before_as_of.ge",
         "số nguyên"),
        ({"q": "so_nam", "months_before_as_of": {"ge": 12}}, "when.months_before_as_of",
         "dạng ngày"),
        ({"as_of": {"after": "2025-07-01"}}, "when.as_of.after", "before hoặc on_or_after"),
        ({"q": "ngay_dung", "on_or_after": "01/07/2025"}, "when.on_or_after", "YYYY-MM-DD"),
        ({"any": [{"q": "ly_do", "eq": "dinh_cu"}], "q": "x"}, "when", "đúng một"),
        (["ly_do"], "when", "điều kiện phải có dạng"),
    ],
)
def test_check_names_the_path_and_the_problem(raw, path, words):
    issues = check_condition(raw, "when", KNOWN)
    assert issues, raw
    assert issues[0][0] == path
    assert words in issues[0][1]


def test_check_accepts_valid_conditions():
    raw = {"all": [{"q": "ly_do", "in": ["dinh_cu"]}, {"q": "so_nam", "lt": 20},
                   {"q": "ngay_dung", "months_before_as_of": {"ge": 12}},
                   {"q": "ho_ten", "answered": True}, {"as_of": {"before": "2025-07-01"}}]}
    assert check_condition(raw, "when", KNOWN) == []


def test_describe_reads_like_a_sentence():
    cond = parse_condition({"all": [{"q": "ly_do", "eq": "dinh_cu"}, {"q": "so_nam", "lt": 20}]})
    text = describe(cond, {"ly_do": {"dinh_cu": "Ra nước ngoài định cư"}})
    assert text == 'ly_do là "Ra nước ngoài định cư" và so_nam < 20'


# ---------------------------------------------------------------------- retirement age leaf

RETIREMENT_KNOWN = {
    **KNOWN,
    "ngay_sinh": Operand("date"),
    "gioi_tinh": Operand("choice", ("nam", "nu")),
}


def test_retirement_leaf_parses_reads_its_questions_and_describes_itself():
    cond = parse_condition(
        {"q": "ngay_sinh", "reached_retirement_age": {"gender": "gioi_tinh"}}, RETIREMENT_KNOWN
    )
    assert cond == ReachedRetirementAge("ngay_sinh", "gioi_tinh")
    assert referenced_ids(cond) == ["ngay_sinh", "gioi_tinh"]
    assert describe(cond) == (
        "người sinh ngày ngay_sinh đã đủ tuổi nghỉ hưu (giới tính theo gioi_tinh)"
    )
    fixed = parse_condition({"q": "ngay_sinh", "reached_retirement_age": {"gender": "nu"}})
    assert fixed.gender_question is None
    assert referenced_ids(fixed) == ["ngay_sinh"]
    assert describe(Not(fixed)) == (
        "không phải (người sinh ngày ngay_sinh đã đủ tuổi nghỉ hưu (nữ))"
    )
    hash(cond)


@pytest.mark.parametrize(
    ("body", "q", "genders", "path", "words"),
    [
        ({"gender": "gioi_tinh"}, "so_nam", None, "when.reached_retirement_age", "ngày sinh"),
        ({"gender": "ly_do"}, "ngay_sinh", None, "when.reached_retirement_age.gender",
         "choice với các giá trị nam, nu"),
        ({"gender": "gioi_tin"}, "ngay_sinh", None, "when.reached_retirement_age.gender",
         "có phải ý là 'gioi_tinh'"),
        ({"gioi": "nam"}, "ngay_sinh", None, "when.reached_retirement_age", "khóa gender"),
        ("nam", "ngay_sinh", None, "when.reached_retirement_age", "khóa gender"),
        ({"gender": "nu"}, "ngay_sinh", ("nam",), "when.reached_retirement_age.gender",
         "chưa có bảng tuổi nghỉ hưu của nữ"),
        ({"gender": "gioi_tinh"}, "ngay_sinh", (), "when.reached_retirement_age.gender",
         "retirement_ages.yaml chưa có"),
    ],
)
def test_check_of_the_retirement_leaf(body, q, genders, path, words):
    raw = {"q": q, "reached_retirement_age": body}
    issues = check_condition(raw, "when", RETIREMENT_KNOWN, genders)
    assert issues, raw
    assert issues[0][0] == path
    assert words in issues[0][1], issues[0][1]


def test_check_accepts_the_retirement_leaf():
    for gender in ("gioi_tinh", "nam", "nu"):
        raw = {"q": "ngay_sinh", "reached_retirement_age": {"gender": gender}}
        assert check_condition(raw, "when", RETIREMENT_KNOWN, ("nam", "nu")) == []
