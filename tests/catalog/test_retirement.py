"""Retirement age by year: the table of retirement_ages.yaml and the reached_retirement_age leaf.

The leaf replaced a year-by-year condition written out in two procedure files; that condition is
kept in ``fixtures/retirement_age_by_year_2025.yaml`` as the oracle the new one must match on
every evaluation date from 2025 to 2037.
"""

import random
from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml

from bhxh_catalog import ParameterError, load_catalog
from bhxh_catalog.conditions import Context, evaluate, parse_condition
from bhxh_catalog.errors import CatalogError
from bhxh_catalog.retirement import (
    RetirementAge,
    RetirementAges,
    RetirementSchedule,
    add_months,
)
from tests.catalog.fixtures import FIXTURES

REAL = Path(__file__).resolve().parents[2] / "catalog" / "data"
OLD_CONDITION = FIXTURES / "retirement_age_by_year_2025.yaml"
NEW_CONDITION = {"q": "ngay_sinh", "reached_retirement_age": {"gender": "gioi_tinh"}}
FIRST_DAY, LAST_DAY = date(2025, 1, 1), date(2037, 12, 31)
D = date


@pytest.fixture(scope="module")
def ages() -> RetirementAges:
    return load_catalog(REAL).retirement_ages


def reached(ages, gender, born, as_of):
    cond = parse_condition(NEW_CONDITION, retirement_ages=ages)
    return evaluate(cond, Context({"ngay_sinh": born, "gioi_tinh": gender}, as_of))


# ----------------------------------------------------------------------- hand-checked cases


@pytest.mark.parametrize(
    ("gender", "born", "as_of", "expected", "why"),
    [
        ("nam", D(1964, 9, 15), D(2026, 3, 20), True, "61t3th năm 2025 → đủ từ 15/12/2025"),
        ("nam", D(1964, 9, 15), D(2025, 12, 14), False, "một ngày trước 15/12/2025"),
        ("nam", D(1964, 9, 15), D(2025, 12, 15), True, "đúng ngày đủ tuổi"),
        ("nam", D(1964, 10, 15), D(2026, 4, 14), False, "2025 chưa kịp; 61t6th → 15/4/2026"),
        ("nam", D(1964, 10, 15), D(2026, 4, 15), True, "đủ 61 tuổi 6 tháng"),
        ("nam", D(1965, 6, 30), D(2026, 12, 30), True, "61t6th rơi đúng năm 2026"),
        ("nam", D(1965, 7, 1), D(2027, 1, 1), False, "61t6th sang năm 2027; 61t9th → 1/4/2027"),
        ("nam", D(1965, 7, 1), D(2027, 4, 1), True, "đủ 61 tuổi 9 tháng"),
        ("nam", D(1966, 3, 31), D(2027, 12, 31), True, "61t9th rơi đúng 31/12/2027"),
        ("nam", D(1966, 4, 1), D(2028, 3, 31), False, "từ 2028: 62 tuổi → 1/4/2028"),
        ("nam", D(1966, 4, 1), D(2028, 4, 1), True, "đủ 62 tuổi"),
        ("nam", D(1970, 2, 10), D(2032, 2, 9), False, "sau 2028 luôn 62 tuổi"),
        ("nam", D(1970, 2, 10), D(2032, 2, 10), True, "đủ 62 tuổi"),
        ("nam", D(1964, 8, 31), D(2025, 11, 30), False, "tháng 11 không có ngày 31"),
        ("nam", D(1964, 8, 31), D(2025, 12, 1), True, "… nên đủ tuổi từ 01/12/2025"),
        ("nam", D(1963, 5, 20), D(2025, 1, 1), True, "đã đủ 61 tuổi năm 2024"),
        ("nam", D(1968, 2, 29), D(2030, 3, 1), True, "29/02/2030 không có → 01/03/2030"),
        ("nam", D(1968, 2, 29), D(2030, 2, 28), False, "chưa đủ 62 tuổi"),
        ("nu", D(1969, 6, 1), D(2026, 5, 31), False, "2025: 56t8th → 1/2/2026, sang năm"),
        ("nu", D(1969, 6, 1), D(2026, 6, 1), True, "2026: đủ 57 tuổi"),
        ("nu", D(1968, 8, 31), D(2025, 1, 1), True, "56t4th rơi đúng 31/12/2024"),
        ("nu", D(1969, 1, 31), D(2025, 9, 30), False, "56t8th: tháng 9 không có ngày 31"),
        ("nu", D(1969, 1, 31), D(2025, 10, 1), True, "… nên đủ tuổi từ 01/10/2025"),
        ("nu", D(1970, 1, 1), D(2027, 4, 30), False, "2026: 57t → 1/1/2027, sang năm"),
        ("nu", D(1970, 1, 1), D(2027, 5, 1), True, "2027: đủ 57 tuổi 4 tháng"),
        ("nu", D(1975, 4, 30), D(2034, 12, 30), True, "59t8th rơi đúng năm 2034"),
        ("nu", D(1975, 5, 1), D(2035, 4, 30), False, "2034 chưa kịp; 2035: 60 tuổi"),
        ("nu", D(1975, 5, 1), D(2035, 5, 1), True, "đủ 60 tuổi"),
        ("nu", D(1980, 2, 29), D(2040, 2, 29), True, "sau 2035 luôn 60 tuổi"),
        ("nu", D(1990, 1, 1), D(2026, 1, 1), False, "còn trẻ"),
    ],
)
def test_hand_checked_cases(ages, gender, born, as_of, expected, why):
    assert reached(ages, gender, born, as_of) is expected, why


def test_the_table_matches_the_law(ages):
    """BLLĐ 2019 Điều 169 khoản 2: nam 60t3th năm 2021 +3 tháng/năm đến 62 tuổi (2028); nữ
    55t4th +4 tháng/năm đến 60 tuổi (2035)."""
    nam, nu = ages.get("nam"), ages.get("nu")
    assert [nam.age_in(year).describe() for year in (2025, 2026, 2028, 2040)] == [
        "61 tuổi 3 tháng", "61 tuổi 6 tháng", "62 tuổi", "62 tuổi"]
    assert [nu.age_in(year).describe() for year in (2025, 2026, 2035, 2040)] == [
        "56 tuổi 8 tháng", "57 tuổi", "60 tuổi", "60 tuổi"]
    for year in range(2021, 2041):
        assert nam.age_in(year).total_months == min(723 + 3 * (year - 2021), 744)
        assert nu.age_in(year).total_months == min(664 + 4 * (year - 2021), 720)
    assert [ref.id for ref in nam.legal_basis] == ["blld2019_art169"]
    assert nam.effective_from == D(2021, 1, 1)


def test_before_the_table_the_first_row_holds(ages):
    nam = ages.get("nam")
    assert nam.age_in(1990).describe() == "60 tuổi"
    assert nam.retirement_date(D(1960, 12, 31)) == D(2020, 12, 31)  # 60 tuổi, trước lộ trình
    assert nam.retirement_date(D(1961, 1, 1)) == D(2021, 4, 1)  # 60 tuổi 3 tháng


def test_a_date_outside_the_table_is_an_explicit_error(ages):
    with pytest.raises(ParameterError, match="không áp dụng cho ngày 31/12/2020"):
        reached(ages, "nam", D(1950, 1, 1), D(2020, 12, 31))


def test_add_months_lands_on_the_first_day_months_between_counts():
    assert add_months(D(1964, 8, 31), 735) == D(2025, 12, 1)
    assert add_months(D(1964, 1, 31), 1) == D(1964, 3, 1)
    assert add_months(D(1964, 12, 15), 1) == D(1965, 1, 15)


# ----------------------------------------------------------------- three-valued and fixed


def truth(ages, answers, skipped=(), raw=NEW_CONDITION):
    cond = parse_condition(raw, retirement_ages=ages)
    return evaluate(cond, Context(answers, D(2026, 6, 1), frozenset(skipped)))


def test_unanswered_is_unknown_and_skipped_is_false(ages):
    old = D(1950, 1, 1)
    assert truth(ages, {}) is None
    assert truth(ages, {"gioi_tinh": "nam"}) is None
    assert truth(ages, {"ngay_sinh": old}) is None
    assert truth(ages, {"ngay_sinh": old, "gioi_tinh": "nu"}, skipped={"ngay_sinh"}) is False
    assert truth(ages, {"ngay_sinh": old}, skipped={"gioi_tinh"}) is False
    assert truth(ages, {"ngay_sinh": old}, raw={"not": NEW_CONDITION},
                 skipped={"ngay_sinh"}) is True


def test_a_fixed_gender_needs_no_question(ages):
    raw = {"q": "ngay_sinh", "reached_retirement_age": {"gender": "nu"}}
    assert truth(ages, {"ngay_sinh": D(1969, 6, 1)}, raw=raw) is True
    raw["reached_retirement_age"]["gender"] = "nam"
    assert truth(ages, {"ngay_sinh": D(1969, 6, 1)}, raw=raw) is False


def test_parsed_without_the_table_it_says_so():
    cond = parse_condition(NEW_CONDITION)
    with pytest.raises(CatalogError, match=r"retirement_ages\.yaml"):
        evaluate(cond, Context({"ngay_sinh": D(1950, 1, 1), "gioi_tinh": "nam"}, D(2026, 1, 1)))


def test_a_text_cites_the_age_of_the_year_it_is_shown():
    cat = load_catalog(REAL)
    text = "Năm nay nam đủ {tuoi_nghi_huu_nam}, nữ đủ {tuoi_nghi_huu_nu}."
    assert cat.text(text, D(2026, 3, 1)) == "Năm nay nam đủ 61 tuổi 6 tháng, nữ đủ 57 tuổi."
    assert cat.text(text, D(2036, 1, 1)) == "Năm nay nam đủ 62 tuổi, nữ đủ 60 tuổi."
    assert cat.text("{tuoi_nghi_huu_nam}", D(2020, 1, 1)) == (
        "(chưa có số liệu áp dụng cho ngày này)")


def test_plain_models():
    rows = (RetirementAge(2030, 50, 0), RetirementAge(2031, 50, 6))
    table = RetirementSchedule("nu", "Nữ", rows, effective_from=D(2000, 1, 1))
    assert table.retirement_date(D(1980, 3, 1)) == D(2030, 3, 1)
    assert table.retirement_date(D(1981, 3, 1)) == D(2031, 9, 1)
    assert RetirementAges((table,)).genders == ("nu",)
    with pytest.raises(CatalogError, match="giới tính 'nam'"):
        RetirementAges((table,)).get("nam")


# ------------------------------------------------- equivalence with the year-by-year condition


def _days(first, last, step=1):
    day = first
    while day <= last:
        yield day
        day += timedelta(days=step)


def _year_bounds():
    for year in range(FIRST_DAY.year, LAST_DAY.year + 1):
        yield D(year, 1, 1)
        yield D(year, 12, 31)


def _cases(ages):
    """(gender, birth, as_of) triples where the two conditions must agree.

    Every birth date of 1955–1981 at the day its owner reaches the retirement age and the day
    before; every 31st birth date on each first and last day of 2025–2037; 5 000 random pairs.
    """
    for gender in ("nam", "nu"):
        schedule = ages.get(gender)
        for index, born in enumerate(_days(D(1955, 1, 1), D(1981, 12, 31))):
            day = schedule.retirement_date(born)
            yield from ((gender, born, as_of) for as_of in (day - timedelta(days=1), day)
                        if FIRST_DAY <= as_of <= LAST_DAY)
            if index % 31 == 0:
                yield from ((gender, born, as_of) for as_of in _year_bounds())
    pick = random.Random(20250701)
    span = (LAST_DAY - FIRST_DAY).days
    for _ in range(5_000):
        born = D(1950, 1, 1) + timedelta(days=pick.randrange(36 * 365))
        yield pick.choice(("nam", "nu")), born, FIRST_DAY + timedelta(days=pick.randrange(span))


def test_same_decisions_as_the_year_by_year_condition_2025_to_2037(ages):
    old = parse_condition(yaml.safe_load(OLD_CONDITION.read_text(encoding="utf-8")))
    new = parse_condition(NEW_CONDITION, retirement_ages=ages)
    compared, differ = 0, []
    for gender, born, as_of in _cases(ages):
        ctx = Context({"ngay_sinh": born, "gioi_tinh": gender}, as_of)
        compared += 1
        if evaluate(old, ctx) is not evaluate(new, ctx):
            differ.append((gender, born, as_of))
    assert not differ, differ[:10]
    assert compared > 35_000


@pytest.mark.parametrize("born", [D(1950, 1, 1), D(1966, 4, 1), D(2000, 1, 1)])
def test_same_three_valued_answers_when_something_is_missing(ages, born):
    """Identical, except one case: birth date answered but not the gender. The old condition
    said False when the person was too young for both genders; the new one waits (unknown)."""
    old = parse_condition(yaml.safe_load(OLD_CONDITION.read_text(encoding="utf-8")))
    new = parse_condition(NEW_CONDITION, retirement_ages=ages)
    as_of = D(2028, 4, 1)
    for answers, skipped in [
        ({}, ()), ({"gioi_tinh": "nam"}, ()), ({"gioi_tinh": "nu"}, ()),
        ({"ngay_sinh": born, "gioi_tinh": "nam"}, {"ngay_sinh"}),
        ({"ngay_sinh": born, "gioi_tinh": "nu"}, {"gioi_tinh"}),
        ({"ngay_sinh": born}, {"gioi_tinh"}),
    ]:
        ctx = Context(answers, as_of, frozenset(skipped))
        assert evaluate(old, ctx) is evaluate(new, ctx), (answers, skipped)
    gender_missing = Context({"ngay_sinh": born}, as_of)
    assert evaluate(new, gender_missing) is None
    assert evaluate(old, gender_missing) in (None, False)
