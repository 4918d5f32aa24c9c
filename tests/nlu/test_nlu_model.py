"""The trained model understands the citizens' messages quoted in the brief.

Needs a trained model: bin/test sets BHXH_MODEL (bin/train); skipped otherwise. Accuracy on the
whole held-out set is measured by bench/nlu_accuracy.py, not here.
"""

from __future__ import annotations

import os
from typing import Any

import pytest

pytestmark = pytest.mark.skipif(
    not os.environ.get("BHXH_MODEL"), reason="needs a trained model in BHXH_MODEL (bin/train)"
)


@pytest.fixture(scope="module")
async def parse():
    from rasa.core.agent import Agent

    agent = Agent.load(os.environ["BHXH_MODEL"])

    async def run(text: str) -> dict[str, Any]:
        return await agent.parse_message(text)

    return run


def entity_values(parsed: dict[str, Any], name: str) -> list[object]:
    return [e["value"] for e in parsed["entities"] if e["entity"] == name]


async def test_question_about_documents_for_a_named_procedure(parse):
    parsed = await parse("cho minh hoi thu tuc rut bhxh 1 lan can giay to gi a")
    assert parsed["intent"]["name"] == "ask_documents"
    assert entity_values(parsed, "procedure") == ["huong_bhxh_mot_lan"]


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("Bố tôi mất tháng trước, gia đình được hưởng gì?", "proc_che_do_tu_tuat"),
        (
            "e muon chuyen luong huu sang nhan qua atm thi lam ntn",
            "proc_doi_hinh_thuc_nhan_luong_huu",
        ),
        ("tôi nghỉ việc lâu rồi muốn lấy tiền bảo hiểm", "proc_huong_bhxh_mot_lan"),
        (
            "mẹ tôi lãnh lương hưu ở bưu điện muốn chuyển qua thẻ",
            "proc_doi_hinh_thuc_nhan_luong_huu",
        ),
    ],
)
async def test_described_procedures(parse, text, intent):
    assert (await parse(text))["intent"]["name"] == intent


async def test_bare_answer_with_identifiers(parse):
    parsed = await parse("sđt 0912 345 678, cccd 001089012345")
    assert parsed["intent"]["name"] == "inform"
    assert entity_values(parsed, "phone") == ["0912345678"]
    assert entity_values(parsed, "cccd") == ["001089012345"]
