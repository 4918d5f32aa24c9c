"""Procedures named in a message are found by catalog alias, with offsets into the typed text."""

from __future__ import annotations

import unicodedata

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.procedure_extractor import (
    AliasIndex,
    CatalogUnavailable,
    ProcedureExtractor,
    aliases_from_catalog,
)
from bot.nlu.vietnamese_tokenizer import VietnameseTokenizer

FAKE_ALIASES = {
    "huong_bhxh_mot_lan": ["Hưởng bảo hiểm xã hội một lần", "rút bhxh 1 lần", "BHXH một lần"],
    "cap_lai_the_bhyt": ["Cấp lại thẻ BHYT", "mất thẻ bảo hiểm y tế"],
    "gia_han_bhyt_ho_gia_dinh": ["thẻ bhyt hết hạn", "BHYT hộ gia đình"],
    "dang_ky_vssid": ["đăng ký VssID", "đăng ký VssID cho con"],
}


@pytest.fixture(scope="module")
def tokenizer() -> VietnameseTokenizer:
    return VietnameseTokenizer(VietnameseTokenizer.get_default_config())


@pytest.fixture(scope="module")
def fake_index(table) -> AliasIndex:
    return AliasIndex(FAKE_ALIASES, table)


def found(index: AliasIndex, tokenizer: VietnameseTokenizer, text: str) -> list[tuple[str, str]]:
    tokens = tokenizer.tokenize(Message.build(text=text), "text")
    return [(m.procedure_id, text[m.start : m.end]) for m in index.find(tokens)]


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("toi muon rut bhxh 1 lan", "rut bhxh 1 lan"),
        ("Tôi muốn rút BHXH một lần ạ", "rút BHXH một lần"),
        ("rút bảo hiểm xã hội 1 lần cần gì", "rút bảo hiểm xã hội 1 lần"),
        ("hưởng bhxh 1 lần", "hưởng bhxh 1 lần"),
        ("hỏi về bhxh 1 lần", "bhxh 1 lần"),
    ],
)
def test_alias_found_with_or_without_diacritics_and_acronyms(fake_index, tokenizer, text, span):
    assert found(fake_index, tokenizer, text) == [("huong_bhxh_mot_lan", span)]


def test_longest_alias_wins(fake_index, tokenizer):
    assert found(fake_index, tokenizer, "dang ky vssid cho con toi") == [
        ("dang_ky_vssid", "dang ky vssid cho con")
    ]


def test_several_procedures_in_one_message(fake_index, tokenizer):
    text = "mất thẻ bảo hiểm y tế, còn thẻ BHYT hết hạn thì sao"
    assert found(fake_index, tokenizer, text) == [
        ("cap_lai_the_bhyt", "mất thẻ bảo hiểm y tế"),
        ("gia_han_bhyt_ho_gia_dinh", "thẻ BHYT hết hạn"),
    ]


def test_alias_must_match_whole_words(fake_index, tokenizer):
    assert found(fake_index, tokenizer, "đăng ký vssidx") == []
    assert found(fake_index, tokenizer, "bhxh mot lanh") == []


def test_offsets_point_into_nfd_text(fake_index, tokenizer):
    text = unicodedata.normalize("NFD", "Cho hỏi cấp lại thẻ BHYT")
    [(procedure_id, span)] = found(fake_index, tokenizer, text)
    assert procedure_id == "cap_lai_the_bhyt"
    assert unicodedata.normalize("NFC", span) == "cấp lại thẻ BHYT"


def test_alias_shared_by_two_procedures_is_ignored(table, tokenizer):
    index = AliasIndex({"a": ["lương hưu", "chuyển lương hưu"], "b": ["luong huu"]}, table)
    assert found(index, tokenizer, "chuyen luong huu") == [("a", "chuyen luong huu")]
    assert found(index, tokenizer, "lương hưu") == []


def test_component_adds_procedure_entities(fake_index, tokenizer):
    message = Message.build(text="cho minh hoi thu tuc rut bhxh 1 lan can giay to gi a")
    tokenizer.process([message])
    ProcedureExtractor(fake_index).process([message])
    assert message.get("entities") == [
        {
            "entity": "procedure",
            "value": "huong_bhxh_mot_lan",
            "start": 21,
            "end": 35,
            "confidence_entity": 1.0,
            "extractor": "ProcedureExtractor",
        }
    ]


def test_component_works_without_tokens(fake_index):
    message = Message.build(text="Cấp lại thẻ BHYT")
    ProcedureExtractor(fake_index).process([message])
    assert [e["value"] for e in message.get("entities")] == ["cap_lai_the_bhyt"]


def test_unloadable_catalog_is_a_clear_error(tmp_path, monkeypatch):
    from bhxh_catalog.loader import clear_cache

    monkeypatch.setenv("BHXH_CATALOG_DIR", str(tmp_path / "absent"))
    clear_cache()
    try:
        with pytest.raises(CatalogUnavailable, match="cannot load the procedure catalog"):
            aliases_from_catalog()
    finally:
        clear_cache()


# With the real catalog (catalog/data/procedures).


@pytest.fixture(scope="module")
def catalog_index(table) -> AliasIndex:
    return AliasIndex(aliases_from_catalog(), table)


def test_every_catalog_procedure_is_found_by_its_short_name(catalog_index, tokenizer):
    from bhxh_catalog import load_catalog

    for pid, procedure in load_catalog().procedures.items():
        assert found(catalog_index, tokenizer, procedure.short_name)[0][0] == pid


@pytest.mark.parametrize(
    ("text", "procedure_id", "span"),
    [
        ("toi muon rut bhxh 1 lan", "huong_bhxh_mot_lan", "rut bhxh 1 lan"),
        (
            "cho minh hoi thu tuc rut bhxh 1 lan can giay to gi a",
            "huong_bhxh_mot_lan",
            "rut bhxh 1 lan",
        ),
        ("the bhyt het han roi", "gia_han_bhyt_ho_gia_dinh", "the bhyt het han"),
        (
            "gia hạn bhyt hộ gia đình hết bao nhiêu",
            "gia_han_bhyt_ho_gia_dinh",
            "gia hạn bhyt hộ gia đình",
        ),
        (
            "Mẹ tôi lãnh lương hưu qua ATM được không",
            "doi_hinh_thuc_nhan_luong_huu",
            "lãnh lương hưu qua ATM",
        ),
        ("quyết định 613 là gì", "tro_cap_qd91_qd613", "quyết định 613"),
    ],
)
def test_real_catalog_aliases(catalog_index, tokenizer, text, procedure_id, span):
    assert (procedure_id, span) in found(catalog_index, tokenizer, text)


def test_a_procedure_the_citizen_says_they_do_not_use_is_not_named(fake_index, tokenizer):
    """"tôi không dùng VssID, nhờ bạn nộp giúp" opened VssID registration, twice."""
    assert found(fake_index, tokenizer, "tôi không dùng VssID, nhờ bạn nộp giúp") == []
    assert found(fake_index, tokenizer, "toi ko biet dung vssid") == []
    assert found(fake_index, tokenizer, "tôi muốn đăng ký VssID") == [
        ("dang_ky_vssid", "đăng ký VssID")
    ]
