"""Long answers are cut where a reader expects a break, never above the platform's limit."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from connectors.common.splitting import split_message, utf16_length


def test_short_text_is_one_piece():
    assert split_message("  Xin chào!  ", 2000) == ["Xin chào!"]


def test_blank_text_gives_nothing():
    assert split_message(" \n ", 2000) == []


def test_paragraphs_are_kept_whole_when_they_fit():
    text = "Đoạn một.\n\nĐoạn hai dài hơn một chút.\n\nĐoạn ba."
    assert split_message(text, 30) == ["Đoạn một.", "Đoạn hai dài hơn một chút.", "Đoạn ba."]


def test_sentences_are_not_cut_in_the_middle():
    text = "Câu thứ nhất. Câu thứ hai! Câu thứ ba? Câu thứ tư."
    assert split_message(text, 27) == ["Câu thứ nhất. Câu thứ hai!", "Câu thứ ba? Câu thứ tư."]


def test_amounts_with_dots_are_not_sentence_ends():
    text = "Mức hưởng là 1.500.000 đồng mỗi tháng theo quy định hiện hành"
    pieces = split_message(text, 40)
    assert "1.500.000" in " ".join(pieces)
    assert all("1.500" not in p or "1.500.000" in p for p in pieces)


def test_a_single_overlong_word_is_cut_hard():
    assert split_message("a" * 25, 10) == ["a" * 10, "a" * 10, "a" * 5]


def test_telegram_counts_utf16_units():
    text = "📄" * 5  # each emoji is 2 UTF-16 units
    assert split_message(text, 4, utf16_length) == ["📄📄", "📄📄", "📄"]


@given(st.text(alphabet=st.sampled_from(list("ab cđ.\n!?ế📄")), max_size=400), st.integers(2, 60))
def test_pieces_fit_and_keep_every_word(text, limit):
    pieces = split_message(text, limit, utf16_length)
    assert all(utf16_length(p) <= limit for p in pieces)
    assert "".join("".join(p.split()) for p in pieces) == "".join(text.split())
