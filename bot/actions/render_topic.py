"""What the citizen reads when a question is answered from the knowledge base (pure functions).

One bubble per answer, in order: the fact first, then one line of legal basis. A message about a
death starts with one line of condolence. One set of follow-up buttons closes the reply (at most
five: Zalo's limit). When the assistant is unsure it offers the two or three best topics as
buttons, and a person.
"""

from __future__ import annotations

from collections.abc import Callable

from bhxh_catalog.models import Procedure
from bhxh_catalog.topics import Topic
from bhxh_catalog.topics_answer import CONDOLENCE, MessageAnswer
from bot.actions.render_procedure import human_button
from bot.actions.replies import MAX_BUTTONS, Button, Reply, payload
from bot.actions.texts import CONFIRM_WITH_BHXH

__all__ = [
    "ASK_QUESTION",
    "FOLLOW_UP_LABELS",
    "UNSURE",
    "follow_up_button",
    "render_answer",
    "topic_button",
]

ASK_QUESTION = "ask_question"
UNSURE = "Ông/bà muốn hỏi điều nào dưới đây?"
FOLLOW_UP_LABELS = {
    "tinh_chi_tiet": "Tính chi tiết",
    "kiem_tra_dieu_kien": "Kiểm tra điều kiện",
    "giay_to": "Giấy tờ cần có",
    "nop_ho_so": "Nộp hồ sơ",
    "xem_thu_tuc": "Xem thủ tục",
    "gap_nhan_vien": "Gặp nhân viên",
}
"""Button labels of the follow-ups (``FOLLOW_UPS`` of the topic format)."""

ProcedureLookup = Callable[[str], "Procedure | None"]


def topic_button(topic: Topic) -> Button:
    """A button asking a topic: its title (≤ 70 characters), payload ``/ask_question{topic}``."""
    return Button(topic.title, payload(ASK_QUESTION, topic=topic.id))


def follow_up_button(name: str, topic: Topic, lookup: ProcedureLookup) -> Button | None:
    """The button of one follow-up of a topic, or None when it cannot apply.

    ``tinh_chi_tiet`` needs a linked procedure with an amount estimate; ``kiem_tra_dieu_kien``,
    ``giay_to``, ``nop_ho_so`` and ``xem_thu_tuc`` a linked procedure; ``gap_nhan_vien`` nothing.
    """
    if name == "gap_nhan_vien":
        return human_button()
    proc = next((p for p in map(lookup, topic.procedures) if p is not None), None)
    if proc is None:
        return None
    label = FOLLOW_UP_LABELS.get(name)
    if label is None:
        return None
    if name == "tinh_chi_tiet":
        return Button(label, payload("ask_amount", procedure=proc.id)) if proc.amounts else None
    if name == "kiem_tra_dieu_kien":
        return Button(label, payload("ask_eligibility", procedure=proc.id))
    if name == "giay_to":
        return Button(label, payload("ask_documents", procedure=proc.id))
    if name == "nop_ho_so":
        return Button(label, payload("start_submission", procedure=proc.id))
    return Button(label, payload(f"proc_{proc.id}"))  # xem_thu_tuc


def render_answer(reply: MessageAnswer, lookup: ProcedureLookup) -> list[Reply]:
    """The bubbles of a reply: condolence, each answer with its legal line, one set of buttons.

    Returns an empty list when there is nothing to say (no answer and no suggestion).
    """
    if not reply.answers:
        if not reply.suggestions:
            return []
        offered = tuple(topic_button(topic) for topic in reply.suggestions[: MAX_BUTTONS - 1])
        text = f"{CONDOLENCE}\n{UNSURE}" if reply.condolence else UNSURE
        return [Reply(text, (*offered, human_button()))]
    bubbles: list[str] = []
    for answer in reply.answers:
        bubbles.append(f"{answer.text}\n{answer.legal}" if answer.legal else answer.text)
    if reply.condolence:
        bubbles[0] = f"{CONDOLENCE}\n{bubbles[0]}"
    if any(answer.unsure for answer in reply.answers):  # once, at the end
        bubbles[-1] = f"{bubbles[-1]}\n{CONFIRM_WITH_BHXH}"
    buttons: list[Button] = []
    for name, topic in reply.follow_ups:
        button = follow_up_button(name, topic, lookup)
        if button is not None and button not in buttons:
            buttons.append(button)
    for topic in reply.also:  # a close second topic, before the person
        buttons.insert(min(len(buttons), MAX_BUTTONS - 2), topic_button(topic))
    if human_button() in buttons:  # the person last
        buttons.remove(human_button())
        buttons = [*buttons[: MAX_BUTTONS - 1], human_button()]
    replies = [Reply(text) for text in bubbles[:-1]]
    replies.append(Reply(bubbles[-1], tuple(buttons[:MAX_BUTTONS])))
    return replies
