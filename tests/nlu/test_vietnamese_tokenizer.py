"""The tokenizer keeps what people typed in Token.text/offsets and folds it in Token.lemma."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.vietnamese_tokenizer import VietnameseTokenizer


def tokenize(text: str, **config: object):
    tokenizer = VietnameseTokenizer({**VietnameseTokenizer.get_default_config(), **config})
    return tokenizer.tokenize(Message.build(text=text), "text")


def lemmas(text: str) -> list[str]:
    return [t.lemma for t in tokenize(text)]


@pytest.mark.parametrize(
    "text",
    [
        "Cho mình hỏi thủ tục rút BHXH 1 lần cần giấy tờ gì ạ?",
        "cho minh hoi thu tuc rut bhxh 1 lan can giay to gi a",
        unicodedata.normalize("NFD", "Bố tôi mất tháng trước, gia đình được hưởng gì?"),
        "sđt: 0912.345.678; ngày 12/05/1963 😀 ok",
    ],
    ids=["accented", "unaccented", "nfd", "numbers"],
)
def test_offsets_point_at_the_typed_words(text):
    tokens = tokenize(text)
    assert tokens
    for token in tokens:
        typed = text[token.start : token.end]
        assert unicodedata.normalize("NFC", typed) == token.text
        assert unicodedata.is_normalized("NFC", token.text)


def test_nfd_input_gives_the_same_tokens_and_lemmas_as_nfc():
    nfc = "Bảo hiểm hoà thuỷ, được hưởng gì?"
    nfd = unicodedata.normalize("NFD", nfc)
    assert [(t.text, t.lemma) for t in tokenize(nfd)] == [(t.text, t.lemma) for t in tokenize(nfc)]


def test_accented_and_unaccented_messages_have_the_same_lemmas():
    assert lemmas("Tôi muốn rút bảo hiểm xã hội một lần") == lemmas(
        "toi muon rut bao hiem xa hoi mot lan"
    )


def test_lemma_is_folded_with_d_bar_and_lowercase():
    assert lemmas("Được Đà Nẵng") == ["duoc", "da", "nang"]


def test_lookalike_eth_is_repaired():
    assert lemmas("Ðược ðăng ký") == ["duoc", "dang", "ky"]


def test_letters_typed_many_times_are_collapsed():
    assert lemmas("nhiềuuuu quáaaa khônggggg") == ["nhieu", "qua", "khong"]


def test_teencode_is_expanded_in_the_lemma_only():
    tokens = tokenize("ko đc j, e mún rút bhxh ntn")
    assert [t.text for t in tokens] == ["ko", "đc", "j", "e", "mún", "rút", "bhxh", "ntn"]
    assert [t.lemma for t in tokens] == [
        "khong", "duoc", "gi", "e", "muon", "rut", "bao hiem xa hoi", "nhu the nao",
    ]  # fmt: skip


def test_ambiguous_short_forms_stay_as_typed():
    assert lemmas("a e c b dk ck") == ["a", "e", "c", "b", "dk", "ck"]


def test_amounts_in_thousands_are_untouched():
    assert lemmas("lương 500k") == ["luong", "500k"]
    assert lemmas("500 k") == ["500", "k"]
    assert lemmas("k biết") == ["khong", "biet"]


def test_fingerprint_follows_the_teencode_table(tmp_path: Path):
    first = tmp_path / "a.yml"
    first.write_text("folded: {ko: không}\n", encoding="utf-8")
    second = tmp_path / "b.yml"
    second.write_text("folded: {ko: không, dc: được}\n", encoding="utf-8")
    config = VietnameseTokenizer.get_default_config()
    assert VietnameseTokenizer.fingerprint_addon(
        {**config, "teencode_path": str(first)}
    ) != VietnameseTokenizer.fingerprint_addon({**config, "teencode_path": str(second)})


def test_custom_table_is_used(tmp_path: Path):
    path = tmp_path / "t.yml"
    path.write_text("folded: {btw: nhân tiện}\n", encoding="utf-8")
    assert [t.lemma for t in tokenize("btw ko", teencode_path=str(path))] == [
        "nhan tien",
        "ko",
    ]
