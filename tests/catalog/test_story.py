from datetime import date

import pytest

from bhxh_catalog import load_catalog
from bhxh_catalog.story import answers_in_story


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def test_two_facts_in_one_sentence_answer_two_questions(catalog):
    questions = catalog.get("huong_bhxh_mot_lan").questions
    assert answers_in_story(questions, "tôi nghỉ việc từ 2019, đóng từ 2008") == {
        "ngay_dung_dong": date(2019, 1, 1), "ngay_bat_dau_dong": date(2008, 1, 1)
    }


def test_a_duration_and_a_birth_year_in_a_story(catalog):
    questions = catalog.get("huong_bhxh_mot_lan").questions
    told = answers_in_story(questions, "tôi sinh năm 1962, đóng được 10 năm 8 tháng")
    assert told["ngay_sinh"] == date(1962, 1, 1)
    assert told["so_nam_dong"] == pytest.approx(128 / 12)


def test_a_date_of_death_told_in_passing(catalog):
    questions = catalog.get("che_do_tu_tuat").questions
    told = answers_in_story(questions, "bố tôi mất ngày 20/11/2026, ông đóng được 25 năm")
    assert told == {"ngay_mat": date(2026, 11, 20), "so_nam_dong_bb": 25}


def test_nothing_is_guessed_without_a_cue(catalog):
    questions = catalog.get("huong_bhxh_mot_lan").questions
    assert answers_in_story(questions, "tôi bị mất sổ bhxh năm 2019") == {}
