"""What the citizen reads in the question loops: questions, verdicts and estimates."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date

from bhxh_catalog.validators import describe_months, find_duration
from bhxh_catalog.vntext import fold
from bot.actions import catalog_access
from bot.actions.catalog_access import AmountDef, Estimate, Procedure, Question, Verdict
from bot.actions.render_procedure import (
    aspect_button,
    confirm_line,
    human_button,
    legal_basis_button,
    legal_line,
    procedure_button,
)
from bot.actions.replies import Button, Reply, payload, with_buttons
from bot.actions.texts import HOTLINE_SENTENCE

__all__ = [
    "NO", "SKIP", "YES",
    "amount_intro",
    "answer_buttons",
    "choose_amount",
    "eligibility_intro",
    "estimate",
    "estimate_failed",
    "no_amount",
    "question_prompt",
    "verdict",
]

YES, NO, SKIP = "co", "khong", "bo_qua"
MORE_OPTIONS = "Lựa chọn khác:"
PRELIMINARY = (
    "Đây là kết quả sơ bộ theo thông tin ông/bà cung cấp; cơ quan BHXH sẽ xét duyệt chính thức."
)
_HINTS = {
    "date": "Ví dụ: 01/07/2025.",
    "money": "Ví dụ: 8 triệu hoặc 8.000.000.",
    "integer": "Ví dụ: 3.",
}


def eligibility_intro(proc: Procedure) -> Reply:
    """The sentence before the first eligibility question."""
    return Reply(
        f"Tôi sẽ hỏi ông/bà vài câu ngắn để kiểm tra điều kiện thủ tục {proc.short_name}. "
        "Ông/bà có thể gõ “hủy” để dừng bất cứ lúc nào."
    )


def amount_intro(proc: Procedure) -> Reply:
    """The sentence before the first input of an estimate."""
    return Reply(
        f"Tôi sẽ hỏi vài thông tin để ước tính số tiền của thủ tục {proc.short_name}. "
        "Kết quả chỉ là ước tính."
    )


def answer_buttons(question: Question, optional: bool = False) -> list[Button]:
    """Buttons for a yes/no or choice question (``/inform{"answer": …}``), plus "Bỏ qua"."""
    buttons: list[Button] = []
    if question.kind == "yes_no":
        buttons = [
            Button("Có", payload("inform", answer=YES)),
            Button("Không", payload("inform", answer=NO)),
        ]
    elif question.kind == "choice":
        buttons = [
            Button(option.label, payload("inform", answer=option.value))
            for option in question.options
        ]
    if optional:
        buttons.append(Button("Bỏ qua", payload("inform", answer=SKIP)))
    return buttons


def read_back(question: Question, typed: str, value: object) -> list[Reply]:
    """One line saying how a typed answer was read, when reading it took more than a glance.

    "10 năm 8 tháng" → "Tôi ghi: 10 năm 8 tháng (128 tháng)."; "t8/2024" → "Tôi ghi: tháng
    08/2024."; "tôi nghỉ rồi, không đóng nữa" → "Tôi hiểu là: Đã dừng đóng BHXH." A plain
    number, a full date or an option's own name needs no read-back.
    """
    line = _read_back_line(question, typed, value)
    return [Reply(line)] if line else []


def _read_back_line(question: Question, typed: str, value: object) -> str | None:
    folded = fold(typed).strip(" .!")
    if question.kind == "choice":
        label = question.option_label(value)
        if label is None or folded in (fold(label), fold(str(value))) or folded.isdigit():
            return None
        return f"Tôi hiểu là: {label}."
    if question.kind in ("number", "integer") and isinstance(value, (int, float)):
        duration = find_duration(typed)
        if duration is None or fold(question.unit or "") not in ("nam", "thang"):
            return None
        return f"Tôi ghi: {describe_months(duration.months)}."
    if question.kind == "date" and isinstance(value, date):
        digits = re.findall(r"\d+", folded)
        if len(digits) >= 3:
            return None
        if digits == [str(value.year)]:
            return f"Tôi ghi: năm {value.year}."
        return f"Tôi ghi: tháng {value.month:02d}/{value.year}."
    return None


def told_in_story(proc: Procedure, told: Mapping[str, object]) -> list[Reply]:
    """The answers taken from the citizen's own message, so they are not asked again."""
    lines = ["Tôi ghi nhận từ tin nhắn của ông/bà (nếu sai, ông/bà gõ “hủy” rồi hỏi lại):"]
    for qid, value in told.items():
        question = proc.question(qid)
        if question is not None:
            lines.append(f"• {catalog_access.shown(question.text)} {_in_words(question, value)}")
    return [Reply("\n".join(lines))] if len(lines) > 1 else []


def _in_words(question: Question, value: object) -> str:
    """A value found in a story, as it is read back: "năm 2008", "10 năm 8 tháng (128 tháng)"."""
    if isinstance(value, date):
        if (value.month, value.day) == (1, 1):
            return f"năm {value.year}"
        if value.day == 1:
            return f"tháng {value.month:02d}/{value.year}"
        return f"{value.day:02d}/{value.month:02d}/{value.year}"
    if isinstance(value, (int, float)) and fold(question.unit or "") in ("nam", "thang"):
        months = round(value * 12) if fold(question.unit or "") == "nam" else round(value)
        return describe_months(months)
    label = question.option_label(value)
    return label if label is not None else str(value)


def question_prompt(question: Question, optional: bool = False) -> list[Reply]:
    """One question: its text, its help line or an example, and buttons when it has options."""
    lines = [catalog_access.shown(question.text)]
    if question.help:
        lines.append(catalog_access.shown(question.help))
    hint = _hint(question)
    if hint and "ví dụ" not in (question.help or "").lower():
        lines.append(hint)
    return with_buttons("\n".join(lines), answer_buttons(question, optional), MORE_OPTIONS)


def _hint(question: Question) -> str | None:
    if question.kind == "number":
        return f"Ví dụ: 12 {question.unit}." if question.unit else "Ví dụ: 12."
    if question.kind == "integer" and question.unit:
        return f"Ví dụ: 3 {question.unit}."
    return _HINTS.get(question.kind)


def verdict(proc: Procedure, result: Verdict) -> list[Reply]:
    """The verdict with its reason and legal basis, then what the citizen can do next."""
    if not result.is_final:
        return [
            Reply(
                f"Ông/bà đã dừng kiểm tra điều kiện thủ tục {proc.short_name}. "
                "Khi cần, ông/bà bấm “Điều kiện” để kiểm tra lại.",
                (
                    aspect_button("ask_eligibility", proc.id),
                    aspect_button("ask_documents", proc.id),
                    human_button(),
                ),
            )
        ]
    lines = [f"Kết quả kiểm tra ({proc.short_name}): {result.outcome_label}.", result.reason]
    lines.append(legal_line(result.legal_basis))
    if result.outcome != "needs_staff":
        lines.append(PRELIMINARY)
    lines.append(confirm_line(result.needs_confirmation))
    text = "\n".join(line for line in lines if line)
    return [Reply(text, tuple(_verdict_buttons(proc, result)))]


def _verdict_buttons(proc: Procedure, result: Verdict) -> list[Button]:
    if result.outcome == "eligible":
        buttons = [
            aspect_button("ask_documents", proc.id),
            aspect_button("ask_where_to_submit", proc.id),
            *([aspect_button("ask_amount", proc.id)] if proc.amounts else []),
            aspect_button("start_submission", proc.id),
        ]
        return [*buttons, human_button()][:5]
    if result.outcome == "not_eligible":
        alternatives = [
            procedure_button(alternative)
            for alternative_id in result.alternatives
            if (alternative := catalog_access.procedure(alternative_id)) is not None
        ]
        return [*alternatives[:4], human_button()]
    return [aspect_button("ask_documents", proc.id)]


def choose_amount(proc: Procedure) -> list[Reply]:
    """Asks which of the procedure's amounts to estimate."""
    buttons = [
        Button(amount.label, payload("inform", answer=amount.id)) for amount in proc.amounts
    ]
    return with_buttons("Ông/bà muốn ước tính khoản nào?", buttons, MORE_OPTIONS)


def no_amount(proc: Procedure, stopped: bool) -> list[Reply]:
    """No estimate: the procedure has no formula, or the citizen stopped."""
    if stopped:
        text = (
            "Ông/bà đã dừng ước tính số tiền. "
            "Khi cần, ông/bà bấm “Ước tính số tiền” để làm lại."
        )
    else:
        text = f"Thủ tục {proc.short_name} không có khoản tiền nào để tôi ước tính."
    buttons = (
        *((aspect_button("ask_amount", proc.id),) if stopped else ()),
        aspect_button("ask_documents", proc.id),
        aspect_button("ask_where_to_submit", proc.id),
        human_button(),
    )
    return [Reply(text, buttons)]


def estimate(proc: Procedure, amount: AmountDef, result: Estimate) -> list[Reply]:
    """The estimate, always labelled "ước tính", with its breakdown, note and legal basis."""
    label = result.label or amount.label
    if "uoc tinh" not in fold(label):
        label = f"Ước tính – {label}"
    lines = [f"{label}: khoảng {catalog_access.format_money(result.amount)}."]
    lines.extend(_breakdown(result.breakdown))
    if result.note:
        lines.append(result.note)
    lines.append(legal_line(result.legal_basis))
    lines.append(confirm_line(result.needs_confirmation))
    buttons = (
        aspect_button("ask_documents", proc.id),
        aspect_button("start_submission", proc.id),
        human_button(),
        legal_basis_button(proc.id),
    )
    return [Reply("\n".join(line for line in lines if line), buttons)]


def _breakdown(lines: Sequence[tuple[str, int]]) -> list[str]:
    if len(lines) < 2:
        return [f"Cách tính: {text}." for text, _ in lines]
    money = catalog_access.format_money
    return ["Cách tính:", *(f"• {text}: {money(value)}" for text, value in lines)]


def estimate_failed(proc: Procedure, message: str) -> list[Reply]:
    """An estimate the catalog could not compute (an input outside the legal range, …)."""
    text = (
        f"Tôi chưa ước tính được: {message} "
        f"Ông/bà có thể gọi {HOTLINE_SENTENCE} để được hướng dẫn."
    )
    return [Reply(text, (aspect_button("ask_amount", proc.id), human_button()))]
