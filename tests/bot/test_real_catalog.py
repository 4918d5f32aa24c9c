"""Every procedure of the real catalog can be shown and checked through the dialogue."""

from __future__ import annotations

import unicodedata
from datetime import date

import pytest

from bot.actions import catalog_access, render_loop, render_procedure
from bot.actions.catalog_access import Question
from bot.actions.replies import MAX_BUTTONS, Reply

TODAY = date(2026, 3, 1)


pytestmark = pytest.mark.usefixtures("real_catalog")


def procedure_ids() -> list[str]:
    return sorted(catalog_access.catalog().procedures)


def check(replies: list[Reply]) -> None:
    assert replies
    for reply in replies:
        assert reply.text.strip()
        assert unicodedata.is_normalized("NFC", reply.text)
        assert "{" not in reply.text, f"a parameter left uncited: {reply.text}"
        assert len(reply.buttons) <= MAX_BUTTONS
        for button in reply.buttons:
            assert button.title and button.payload.startswith("/")


def an_answer(question: Question) -> object:
    """A valid answer of the question's kind (first option, yes, a past date, a small number)."""
    if question.kind == "choice":
        return question.options[0].value
    if question.kind == "yes_no":
        return True
    if question.kind == "date":
        return "2020-01-15"
    low = int(question.minimum or 0)
    return max(low, 1) if question.maximum is None or question.maximum >= 1 else low


@pytest.mark.parametrize("procedure_id", procedure_ids())
def test_every_answer_about_the_procedure_renders(procedure_id):
    proc = catalog_access.procedure(procedure_id)
    assert proc is not None
    check(render_procedure.overview(proc))
    assert render_procedure.overview(proc)[0].text.startswith(proc.name)
    check(render_procedure.documents(proc, catalog_access.checklist(proc, {}, TODAY), False))
    check(render_procedure.submission_overview(proc))
    for channel in proc.submission.channels:
        check(render_procedure.submission_channel(proc, channel))
    check(render_procedure.processing_time(proc))
    check(render_procedure.legal_basis(proc))
    check(render_procedure.submission_soon(proc))


@pytest.mark.parametrize("procedure_id", procedure_ids())
def test_the_eligibility_check_reaches_a_verdict(procedure_id):
    proc = catalog_access.procedure(procedure_id)
    assert proc is not None
    answers: dict[str, object] = {}
    for _ in range(len(proc.questions) + 1):
        question = catalog_access.next_question(proc, answers, TODAY)
        if question is None:
            break
        check(render_loop.question_prompt(question))
        answers[question.id] = catalog_access.stored(
            catalog_access.read_answer(question, an_answer(question))
        )
    result = catalog_access.verdict(proc, answers, TODAY)
    assert result.is_final
    check(render_loop.verdict(proc, result))
    check(render_procedure.documents(proc, catalog_access.checklist(proc, answers, TODAY), True))


@pytest.mark.parametrize("procedure_id", procedure_ids())
def test_amount_inputs_can_be_asked(procedure_id):
    proc = catalog_access.procedure(procedure_id)
    assert proc is not None
    for amount in proc.amounts:
        for question in amount.inputs:
            check(
                render_loop.question_prompt(
                    question, catalog_access.input_is_optional(amount, question)
                )
            )


def test_a_help_line_cites_the_reference_level_in_force(monkeypatch):
    proc = catalog_access.procedure("che_do_tu_tuat")
    assert proc is not None
    question = proc.question("vo_chong_co_thu_nhap")
    assert question is not None
    monkeypatch.setattr(catalog_access.clock, "today", lambda: date(2026, 11, 22))
    text = render_loop.question_prompt(question)[0].text
    # NĐ 161/2026/NĐ-CP: 2.530.000 đ from 01/7/2026 (2.340.000 đ until 30/6/2026).
    assert "Mức tham chiếu hiện là 2.530.000 đồng/tháng (áp dụng từ 01/07/2026)." in text


CONFIRM = "Thông tin này ông/bà nên hỏi lại cơ quan BHXH để chắc chắn (1900 9068)."


def test_a_funeral_grant_for_a_death_in_november_2026_reads_25_300_000():
    # Luật 41/2024 Điều 85 khoản 2 × mức tham chiếu 2.530.000 đ (NĐ 161/2026/NĐ-CP, from
    # 01/7/2026; not read in its official text yet, so the answer asks to confirm once).
    proc = catalog_access.procedure("che_do_tu_tuat")
    assert proc is not None
    amount = proc.amount("tro_cap_mai_tang")
    result = catalog_access.estimate_amount(proc, amount, {"ngay_mat": "05/11/2026"},
                                            date(2026, 11, 22))
    text = render_loop.estimate(proc, amount, result)[0].text
    assert "25.300.000 ₫" in text
    assert "chưa được xác minh" not in text and text.count(CONFIRM) == 1
    before = catalog_access.estimate_amount(proc, amount, {"ngay_mat": "20/06/2026"},
                                            date(2026, 6, 30))
    assert "23.400.000 ₫" in render_loop.estimate(proc, amount, before)[0].text


@pytest.mark.parametrize("procedure_id", procedure_ids())
def test_no_internal_note_reaches_a_citizen(procedure_id):
    proc = catalog_access.procedure(procedure_id)
    assert proc is not None
    items = catalog_access.checklist(proc, {}, TODAY)
    replies = [*render_procedure.overview(proc), *render_procedure.documents(proc, items, False),
               *render_procedure.legal_basis(proc), *render_procedure.processing_time(proc),
               *render_procedure.submission_overview(proc)]
    for reply in replies:
        assert "chưa được xác minh" not in reply.text
        assert "kiểm chứng" not in reply.text
        assert reply.text.count(CONFIRM) <= 1
    for document in proc.documents:
        if document.staff_note:
            assert all(document.staff_note not in reply.text for reply in replies)
