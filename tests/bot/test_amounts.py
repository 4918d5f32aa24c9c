"""Amount estimates: the formula's inputs one at a time, then an estimate labelled "ước tính"."""

from __future__ import annotations

from bot.actions.amounts import (
    ActionAmountResult,
    ActionAmountStart,
    ActionAskAmountInput,
    ValidateAmountForm,
)
from tests.bot.conftest import buttons, events_as_dict, form_turn, make_tracker, texts

FORM = "amount_form"


def state(inputs: dict[str, object], **extra: object) -> dict[str, object]:
    return {
        "amount_procedure": "thu_tuc_mau",
        "amount_id": "muc_huong",
        "amount_inputs": inputs,
        "requested_slot": "amount_input",
        **extra,
    }


async def test_start_picks_the_only_amount_and_says_it_is_an_estimate(dispatcher):
    tracker = make_tracker("được bao nhiêu tiền", "ask_amount", slots={"procedure": "thu_tuc_mau"})
    events = events_as_dict(await ActionAmountStart().run(dispatcher, tracker, {}))
    assert events["amount_procedure"] == "thu_tuc_mau"
    assert events["amount_id"] == "muc_huong"
    assert events["amount_inputs"] == {}
    assert "ước tính" in texts(dispatcher)[0]


async def test_inputs_are_asked_one_at_a_time(dispatcher):
    await ActionAskAmountInput().run(dispatcher, make_tracker(slots=state({})), {})
    assert texts(dispatcher) == ["Ông/bà đã đóng bao nhiêu tháng trước năm 2014?\nVí dụ: 3 tháng."]


async def test_an_optional_input_can_be_skipped(dispatcher):
    inputs = {"thang_truoc_2014": 0, "thang_tu_2014": 10, "luong_binh_quan": 5_000_000}
    await ActionAskAmountInput().run(dispatcher, make_tracker(slots=state(inputs)), {})
    assert buttons(dispatcher)[-1] == {"title": "Bỏ qua", "payload": '/inform{"answer":"bo_qua"}'}

    tracker = form_turn(
        FORM, "bỏ qua", "inform", slots=state(inputs), candidates={"amount_input": "bỏ qua"}
    )
    events = events_as_dict(await ValidateAmountForm().run(dispatcher, tracker, {}))
    assert events["amount_inputs"] == {**inputs, "so_tien_da_dong": None}
    assert events["requested_slot"] is None


async def test_money_is_read_as_typed(dispatcher):
    inputs = {"thang_truoc_2014": 0, "thang_tu_2014": 24}
    tracker = form_turn(
        FORM, "8 triệu", "inform", slots=state(inputs), candidates={"amount_input": "8 triệu"}
    )
    events = events_as_dict(await ValidateAmountForm().run(dispatcher, tracker, {}))
    assert events["amount_inputs"]["luong_binh_quan"] == 8_000_000


async def test_the_estimate_is_labelled_with_breakdown_note_and_legal_basis(dispatcher):
    inputs = {
        "thang_truoc_2014": 0,
        "thang_tu_2014": 24,
        "luong_binh_quan": 5_000_000,
        "so_tien_da_dong": None,
    }
    await ActionAmountResult().run(dispatcher, make_tracker(slots=state(inputs)), {})
    text = texts(dispatcher)[0]
    assert text.startswith("Ước tính mức hưởng: khoảng ")
    assert "₫" in text
    assert "Đây là ước tính." in text
    assert "Căn cứ: Điều 70 Luật Bảo hiểm xã hội số 41/2024/QH15" in text
    assert [b["title"] for b in buttons(dispatcher)] == [
        "Giấy tờ cần chuẩn bị",
        "Nộp hồ sơ ngay",
        "Gặp nhân viên",
        "Căn cứ pháp lý",
    ]


async def test_a_procedure_without_a_formula_says_there_is_nothing_to_estimate(dispatcher):
    slots = {"amount_procedure": "thu_tuc_khac", "amount_inputs": {}}
    assert ValidateAmountForm().next_slot(dict(slots)) is None
    await ActionAmountResult().run(dispatcher, make_tracker(slots=slots), {})
    assert "không có khoản tiền nào" in texts(dispatcher)[0]


async def test_a_stopped_estimate_says_so(dispatcher):
    await ActionAmountResult().run(dispatcher, make_tracker(slots=state({})), {})
    assert "đã dừng ước tính" in texts(dispatcher)[0]
