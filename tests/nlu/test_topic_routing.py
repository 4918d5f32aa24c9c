"""The trained model routes the citizens' questions of the issue to ask_question, and answers them.

Needs a trained model: bin/test sets BHXH_MODEL (bin/train); skipped otherwise.
"""

from __future__ import annotations

import os
from datetime import date
from typing import Any

import pytest

from bhxh_catalog import load_catalog
from bhxh_catalog.config import catalog_dir
from bhxh_catalog.topics import load_topics
from bhxh_catalog.topics_answer import KnowledgeBase, answer_message
from bot.nlu.topic_tokens import default_tokenizer

pytestmark = pytest.mark.skipif(
    not os.environ.get("BHXH_MODEL"), reason="needs a trained model in BHXH_MODEL (bin/train)"
)
DAY = date(2026, 3, 1)


@pytest.fixture(scope="module")
async def parse():
    from rasa.core.agent import Agent

    agent = Agent.load(os.environ["BHXH_MODEL"])

    async def run(text: str) -> dict[str, Any]:
        return await agent.parse_message(text)

    return run


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return KnowledgeBase.build(load_topics(catalog_dir()), load_catalog(catalog_dir()),
                               default_tokenizer())


ROUTING_NOT_MET = (
    "issue 14, not met: with the full 158 topics the classifier keeps ask_amount / request_human "
    "for these; the router's thresholds need recalibrating on the final content"
)


@pytest.mark.parametrize(
    ("text", "first_words"),
    [
        # Luật 41/2024 Điều 85 khoản 2: 10 × 2.340.000
        ("Tiền mai táng phí bây giờ là bao nhiêu?", "Trợ cấp mai táng là 23.400.000 đồng"),
        # Điều 31 khoản 2: 22% × chuẩn nghèo nông thôn 1.500.000
        ("đóng tự nguyện ít nhất mỗi tháng bao nhiêu",
         "Mức đóng BHXH tự nguyện thấp nhất là 330.000 đồng"),
        # Điều 64: đủ 15 năm
        ("mấy năm thì có lương hưu", "Ông/bà cần đóng BHXH từ đủ 15 năm"),
        # Điều 70 khoản 3: 2 × 1,5 × 7 triệu + 11 × 2 × 7 triệu
        ("tôi đóng từ 2012 đến 2024, lương 7 triệu thì rút được bao nhiêu",
         "Ước tính ông/bà nhận BHXH một lần khoảng 175.000.000 đồng"),
        pytest.param(
            "có người gọi xưng bhxh bảo đọc mã otp để cập nhật vssid", "Đây rất có thể là lừa đảo",
            marks=pytest.mark.xfail(reason=ROUTING_NOT_MET, strict=False),
        ),
    ],
)
async def test_questions_of_fact_are_answered(parse, kb, text: str, first_words: str) -> None:
    parsed = await parse(text)
    assert parsed["intent"]["name"] == "ask_question", parsed["intent"]
    assert parsed["topics"]
    reply = answer_message(text, kb, DAY)
    assert reply.answers[0].text.startswith(first_words)


@pytest.mark.xfail(reason=ROUTING_NOT_MET, strict=False)
async def test_three_questions_in_one_message(parse, kb) -> None:
    text = ("đóng tự nguyện ít nhất bao nhiêu? mấy năm thì có lương hưu? tiền mai táng bây giờ "
            "là bao nhiêu?")
    assert (await parse(text))["intent"]["name"] == "ask_question"
    assert len(answer_message(text, kb, DAY).answers) == 3


@pytest.mark.xfail(reason=ROUTING_NOT_MET, strict=False)
async def test_a_death_message_gets_condolence(parse, kb) -> None:
    text = "Bố tôi vừa mất ngày 20/2/2026, gia đình được nhận tiền mai táng bao nhiêu ạ?"
    assert (await parse(text))["intent"]["name"] == "ask_question"
    reply = answer_message(text, kb, DAY)
    assert reply.condolence
    assert reply.answers[0].text.startswith("Người mất ngày 20/02/2026")


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("xin chào", "greet"),
        ("tôi muốn rút bhxh một lần", "proc_huong_bhxh_mot_lan"),
        ("gặp nhân viên", "request_human"),
    ],
)
async def test_other_messages_keep_their_intent(parse, text: str, intent: str) -> None:
    assert (await parse(text))["intent"]["name"] == intent
