"""The teencode table: how a typed word becomes a lemma, and clear errors for a broken table."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.nlu.teencode import DEFAULT_TEENCODE_PATH, TeencodeError, load_teencode


@pytest.mark.parametrize(
    ("word", "lemma"),
    [
        ("ko", "khong"),
        ("kô", "khong"),
        ("đc", "duoc"),
        ("dc", "duoc"),
        ("hông", "khong"),
        ("hỏng", "hong"),  # "hỏng" (broken) is not "không"
        ("sđt", "so dien thoai"),
        ("sdt", "so dien thoai"),
        ("BHYT", "bao hiem y te"),
        ("đki", "dang ky"),
        ("dky", "dang ky"),
        ("bnhiu", "bao nhieu"),
        ("vssid", "vssid"),
        ("bhxh/bhyt", "bao hiem xa hoi bao hiem y te"),
        ("12/05/1963", "12/05/1963"),
    ],
)
def test_lemma(table, word, lemma):
    assert table.lemma(word) == lemma


def test_k_after_a_number_is_not_khong(table):
    assert table.lemma("k", previous="500") == "k"
    assert table.lemma("k", previous="tôi") == "khong"


def test_table_lives_outside_the_training_data():
    assert "data" not in DEFAULT_TEENCODE_PATH.relative_to(Path(__file__).parents[2]).parts


def test_missing_table_is_a_clear_error(tmp_path: Path):
    with pytest.raises(TeencodeError, match="cannot read"):
        load_teencode(tmp_path / "absent.yml")


def test_multi_word_key_is_rejected(tmp_path: Path):
    path = tmp_path / "t.yml"
    path.write_text("folded: {'nhu nao': như thế nào}\n", encoding="utf-8")
    with pytest.raises(TeencodeError, match="single word"):
        load_teencode(path)


def test_empty_expansion_is_rejected(tmp_path: Path):
    path = tmp_path / "t.yml"
    path.write_text("folded: {ko: ''}\n", encoding="utf-8")
    with pytest.raises(TeencodeError, match="non-empty"):
        load_teencode(path)
