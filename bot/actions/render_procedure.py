"""What the citizen reads about a procedure: overview, documents, where and how, time, legal basis.

Pure functions from catalog objects to :class:`~bot.actions.replies.Reply` lists. Facts come
from the catalog only. When an answer rests on a fact the catalog marks unverified, it ends with
one plain line inviting the citizen to confirm with BHXH (:data:`CONFIRM_WITH_BHXH`), once per
answer; internal notes (``staff_note``, rule notes) are never shown. The legal-basis line names
at most two instruments; the "Căn cứ pháp lý" button lists them all.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from bot.actions import catalog_access
from bot.actions.catalog_access import (
    ChecklistItem,
    LegalBasis,
    Procedure,
    SubmissionChannel,
)
from bot.actions.replies import Button, Reply, payload, with_buttons
from bot.actions.texts import ASPECT_LABELS, CONFIRM_WITH_BHXH, MAIN_MENU

__all__ = [
    "aspect_button",
    "choose_procedure",
    "confirm_line",
    "documents",
    "featured",
    "human_button",
    "legal_basis",
    "legal_basis_button",
    "legal_line",
    "menu",
    "overview",
    "procedure_button",
    "processing_time",
    "short_summary",
    "submission_channel",
    "submission_overview",
    "submission_soon",
]

SUMMARY_MAX = 300
LEGAL_LINE_INSTRUMENTS = 2
MAX_BUTTONS = 5
MORE_CHANNELS = "Cách nộp khác:"
_ARTICLE = re.compile(r"Điều\s+(\d+[a-z]?)")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def aspect_button(intent: str, procedure_id: str, **extra: str) -> Button:
    """A button asking one aspect of a procedure (``/ask_documents{"procedure": …}``)."""
    return Button(ASPECT_LABELS[intent], payload(intent, procedure=procedure_id, **extra))


def human_button() -> Button:
    """The "Gặp nhân viên" button."""
    return Button(ASPECT_LABELS["request_human"], payload("request_human"))


def legal_basis_button(procedure_id: str) -> Button:
    """The "Căn cứ pháp lý" button: every legal reference of the procedure."""
    return aspect_button("ask_legal_basis", procedure_id)


def confirm_line(needed: bool) -> str:
    """The one line inviting the citizen to confirm with BHXH, or "" when not needed."""
    return CONFIRM_WITH_BHXH if needed else ""


def _with_legal_button(buttons: Sequence[Button], procedure_id: str) -> tuple[Button, ...]:
    """Adds the "Căn cứ pháp lý" button when there is room (Zalo shows five)."""
    if len(buttons) >= MAX_BUTTONS:
        return tuple(buttons)
    return (*buttons, legal_basis_button(procedure_id))


def procedure_button(proc: Procedure) -> Button:
    """A button opening a procedure's overview."""
    return Button(proc.short_name, payload(f"proc_{proc.id}"))


def short_summary(summary: str) -> str:
    """The first sentence of a summary, and the second when both stay short."""
    sentences = [part.strip() for part in _SENTENCE_END.split(summary.strip()) if part.strip()]
    if not sentences:
        return ""
    kept = sentences[0]
    if len(sentences) > 1 and len(kept) + 1 + len(sentences[1]) <= SUMMARY_MAX:
        kept = f"{kept} {sentences[1]}"
    return kept


def legal_line(references: Iterable[LegalBasis]) -> str:
    """One short line: ``Căn cứ: Điều 70, 78 Luật … (hiệu lực từ 01/07/2025).``

    Articles are grouped by instrument; at most two instruments are named, the others summed up
    as "và văn bản khác" (all are listed by "Căn cứ pháp lý"). Empty when there is no reference.
    """
    groups: dict[str, list[LegalBasis]] = {}
    for reference in references:
        groups.setdefault(reference.instrument, []).append(reference)
    if not groups:
        return ""
    parts = [_instrument_part(instrument, refs) for instrument, refs in groups.items()]
    shown = "; ".join(parts[:LEGAL_LINE_INSTRUMENTS])
    more = " và văn bản khác" if len(parts) > LEGAL_LINE_INSTRUMENTS else ""
    return f"Căn cứ: {shown}{more}."


def _instrument_part(instrument: str, references: Sequence[LegalBasis]) -> str:
    numbers: list[str] = []
    others: list[str] = []
    for reference in references:
        found = _ARTICLE.findall(reference.article or "")
        if found:
            numbers.extend(number for number in found if number not in numbers)
        elif reference.article and reference.article not in others:
            others.append(reference.article)
    numbers.sort(key=_article_order)
    articles = ", ".join([*([f"Điều {', '.join(numbers)}"] if numbers else []), *others])
    start = min(reference.effective_from for reference in references)
    text = f"{articles} {instrument}" if articles else instrument
    text += f" (hiệu lực từ {catalog_access.format_date(start)})"
    return text


def _article_order(number: str) -> tuple[int, str]:
    digits = "".join(ch for ch in number if ch.isdigit())
    return int(digits or 0), number


def overview(proc: Procedure) -> list[Reply]:
    """Name, short summary, legal basis; then the aspect buttons and, below, submit / person."""
    summary = short_summary(proc.summary)
    lines = [proc.name, summary, legal_line(proc.legal_basis), confirm_line(not proc.verified)]
    aspects = ["ask_eligibility", "ask_documents", "ask_where_to_submit", "ask_processing_time"]
    if proc.amounts:
        aspects.append("ask_amount")
    first = tuple(aspect_button(intent, proc.id) for intent in aspects)
    second = (aspect_button("start_submission", proc.id), human_button(),
              legal_basis_button(proc.id))
    return [
        Reply("\n".join(line for line in lines if line), first),
        Reply("Hoặc ông/bà có thể:", second),
    ]


def documents(proc: Procedure, items: Sequence[ChecklistItem], tailored: bool) -> list[Reply]:
    """The documents checklist, numbered; conditional documents say "tùy trường hợp"."""
    title = f"Giấy tờ cần chuẩn bị cho thủ tục {proc.short_name}"
    lines = [f"{title} (theo thông tin ông/bà đã trả lời):" if tailored else f"{title}:"]
    for number, item in enumerate(items, 1):
        lines.append(f"{number}. {_document_line(item)}")
        if item.document.note:
            lines.append(f"   {item.document.note}")
    conditional = any(item.conditional for item in items)
    if conditional:
        lines.append(
            "Giấy tờ ghi “tùy trường hợp” chỉ cần trong một số trường hợp; "
            "ông/bà bấm “Điều kiện” để tôi lọc đúng cho mình."
        )
    lines.append(legal_line(ref for item in items for ref in item.document.legal_basis))
    lines.append(confirm_line(any(not item.document.verified for item in items)))
    buttons = [
        *([aspect_button("ask_eligibility", proc.id)] if conditional else []),
        aspect_button("ask_where_to_submit", proc.id),
        aspect_button("start_submission", proc.id),
        human_button(),
    ]
    return [Reply("\n".join(line for line in lines if line),
                  _with_legal_button(buttons, proc.id))]


def _document_line(item: ChecklistItem) -> str:
    document = item.document
    text = f"{document.name} ({document.copy_label.lower()}"
    if document.form_code:
        text += f", mẫu {document.form_code}"
    text += ")"
    if item.conditional:
        text += " – tùy trường hợp"
    return text


def submission_overview(proc: Procedure) -> list[Reply]:
    """Where to submit and the ways to do it, one button per way."""
    submission = proc.submission
    lines = [f"Nơi nộp hồ sơ {proc.short_name}: {submission.where}."]
    if submission.channels:
        lines.append("Ông/bà có thể nộp theo các cách sau:")
        lines.extend(f"• {channel.title}" for channel in submission.channels)
        lines.append("Ông/bà chọn một cách để xem hướng dẫn từng bước.")
    if not submission.verified:
        lines.append(CONFIRM_WITH_BHXH)
    buttons = [_channel_button(proc, channel) for channel in submission.channels]
    buttons.append(aspect_button("start_submission", proc.id))
    return with_buttons("\n".join(lines), buttons)


def _channel_button(proc: Procedure, channel: SubmissionChannel) -> Button:
    return Button(
        channel.kind_label,
        payload("ask_where_to_submit", procedure=proc.id, answer=channel.kind),
    )


def submission_channel(proc: Procedure, channel: SubmissionChannel) -> list[Reply]:
    """The steps of one way to submit, then the other ways, submit now and a person."""
    lines = [f"{channel.title}:"]
    lines.extend(f"{number}. {step}" for number, step in enumerate(channel.steps, 1))
    if channel.conditions:
        lines.append(f"Điều kiện: {channel.conditions}")
    if channel.envelope:
        lines.append(channel.envelope)
    if channel.url:
        lines.append(f"Địa chỉ: {channel.url}")
    if not channel.verified:
        lines.append(CONFIRM_WITH_BHXH)
    others = [
        _channel_button(proc, other)
        for other in proc.submission.channels
        if other.kind != channel.kind
    ]
    buttons = [*others, aspect_button("start_submission", proc.id), human_button()]
    return with_buttons("\n".join(lines), buttons)


def submission_soon(proc: Procedure) -> list[Reply]:
    """"Nộp hồ sơ ngay" while the assistant cannot take a dossier yet: the ways to submit."""
    text = (
        f"Việc nộp hồ sơ ngay trong trợ lý (thủ tục {proc.short_name}) sẽ sớm có. "
        "Hiện ông/bà có thể nộp theo các cách dưới đây; tôi hướng dẫn từng bước."
    )
    buttons = [_channel_button(proc, channel) for channel in proc.submission.channels]
    return with_buttons(text, [*buttons[:4], human_button()], MORE_CHANNELS)


def processing_time(proc: Procedure) -> list[Reply]:
    """The legal time limit with its basis."""
    limit = proc.submission.processing_time
    line = f"Thời gian giải quyết thủ tục {proc.short_name}: {limit.describe()}."
    parts = (line, legal_line(limit.legal_basis), confirm_line(not limit.verified))
    text = "\n".join(part for part in parts if part)
    buttons = (
        aspect_button("ask_documents", proc.id),
        aspect_button("ask_where_to_submit", proc.id),
        aspect_button("start_submission", proc.id),
    )
    return [Reply(text, _with_legal_button(buttons, proc.id))]


def legal_basis(proc: Procedure) -> list[Reply]:
    """Every legal reference of the procedure, one per line, with its dates."""
    lines = [f"Căn cứ pháp lý của thủ tục {proc.name}:"]
    for reference in proc.legal_basis:
        start = catalog_access.format_date(reference.effective_from)
        line = f"• {reference.citation} (hiệu lực từ {start}"
        if reference.effective_to:
            line += f" đến {catalog_access.format_date(reference.effective_to)}"
        line += ")"
        lines.append(line)
    lines.append(confirm_line(any(not reference.verified for reference in proc.legal_basis)))
    buttons = (
        aspect_button("ask_eligibility", proc.id),
        aspect_button("ask_documents", proc.id),
        aspect_button("ask_where_to_submit", proc.id),
    )
    return [Reply("\n".join(line for line in lines if line), buttons)]


def choose_procedure(question: str, intent: str) -> list[Reply]:
    """Asks which procedure, one button per procedure (sent again as ``intent`` with the id)."""
    buttons = [
        Button(proc.short_name, payload(intent, procedure=proc.id))
        for proc in catalog_access.all_procedures()
    ]
    return with_buttons(question, buttons, "Thủ tục khác:")


def menu(category: str | None) -> list[Reply]:
    """What the assistant can do: the procedure groups, or the procedures of one group."""
    groups = dict(catalog_access.categories())
    if category in groups:
        procedures = catalog_access.procedures_in(str(category))
        text = f"Các thủ tục về {groups[str(category)].lower()} tôi có thể hướng dẫn:"
        return with_buttons(text, [procedure_button(proc) for proc in procedures], "Thủ tục khác:")
    text = (
        "Tôi có thể giúp ông/bà tìm hiểu điều kiện, giấy tờ, nơi nộp, thời gian giải quyết và "
        "ước tính số tiền của các thủ tục bảo hiểm xã hội, bảo hiểm y tế. "
        "Ông/bà chọn nhóm thủ tục:"
    )
    buttons = [
        Button(label, payload("ask_capabilities", answer=category_id))
        for category_id, label in groups.items()
    ]
    return with_buttons(text, buttons, "Nhóm khác:")


def featured(text: str, with_human: bool = False) -> list[Reply]:
    """``text`` with the menu of the most common needs (the greeting's buttons).

    With ``with_human``, "Thẻ BHYT" gives way to "Gặp nhân viên" (five buttons at most).
    """
    buttons = [Button(title, button_payload) for title, button_payload in MAIN_MENU]
    if with_human:
        buttons = [*buttons[:3], buttons[-1], human_button()]
    return [Reply(text, tuple(buttons))]
