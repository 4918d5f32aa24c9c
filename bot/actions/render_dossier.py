"""What the citizen reads while submitting a dossier: questions, errors, summary, receipt.

Pure functions from catalog objects and collected values to
:class:`~bot.actions.replies.Reply` lists. Field questions, examples and help come from the
catalog; the generic help below only explains a field type when the catalog has no help.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from bot.actions import catalog_access
from bot.actions.catalog_access import Document, FieldDef, Procedure, Question
from bot.actions.dossier import display, province_note
from bot.actions.render_loop import NO, SKIP, YES, answer_buttons, question_prompt
from bot.actions.render_procedure import human_button
from bot.actions.replies import Button, Reply, payload, with_buttons
from bot.actions.texts import HOTLINE_SENTENCE

__all__ = [
    "DOCUMENT_PREFIX",
    "EDIT_PREFIX",
    "EXPLAIN",
    "OTHER_DOCUMENT",
    "SEND",
    "accepted_note",
    "attachment_note",
    "choose_document",
    "corrected",
    "edit_menu",
    "field_error",
    "field_help",
    "field_prompt",
    "intro",
    "not_sent",
    "queued",
    "receipt",
    "refused",
    "resume",
    "short_title",
    "step_prompt",
    "summary",
]

SEND = "gui_ho_so"
EXPLAIN = "giai_thich"
EDIT_PREFIX = "sua:"
DOCUMENT_PREFIX = "giay_to:"
OTHER_DOCUMENT = "khac"
MAX_ERRORS = 3
CHOOSE_OPTION = "Ông/bà vui lòng chọn một mục dưới đây."
_TYPE_HELP = {
    "cccd": (
        "Số CCCD (căn cước công dân) gồm 12 chữ số, in ở mặt trước thẻ căn cước; "
        "ông/bà cũng xem được trên ứng dụng VNeID."
    ),
    "cmnd": "Số CMND cũ gồm 9 hoặc 12 chữ số, in ở mặt trước giấy chứng minh nhân dân.",
    "bhxh_code": "Mã số BHXH gồm 10 chữ số, in trên sổ BHXH và trên ứng dụng VssID.",
    "bhyt_card": "Mã thẻ BHYT gồm 2 chữ cái và 13 chữ số, in ở mặt trước thẻ BHYT.",
    "phone": "Số điện thoại di động gồm 10 chữ số, bắt đầu bằng số 0.",
    "date": "Ông/bà ghi ngày, tháng, năm, ví dụ 20/08/1960.",
    "bank": "Tên ngân hàng nơi ông/bà mở tài khoản, ví dụ Vietcombank, Agribank, BIDV.",
    "bank_account": (
        "Số tài khoản in trên thẻ ngân hàng hoặc sổ tài khoản, chỉ gồm chữ số; "
        "tài khoản phải đứng tên chính ông/bà."
    ),
    "province": "Tên tỉnh, thành phố; tên tỉnh cũ trước ngày 01/7/2025 cũng được.",
    "address": "Số nhà, tên đường, xã/phường, tỉnh/thành phố.",
    "full_name": "Họ và tên đầy đủ, có dấu, như trên căn cước công dân.",
    "email": "Địa chỉ thư điện tử, ví dụ tenongba@gmail.com.",
    "money": "Số tiền, ví dụ 8 triệu hoặc 8.000.000.",
    "yes_no": "Ông/bà bấm “Có” hoặc “Không”.",
    "choice": "Ông/bà bấm một mục bên dưới.",
}
_DEFAULT_HELP = "Ông/bà trả lời ngắn gọn bằng lời của mình."


def intro(proc: Procedure, reused: Sequence[tuple[FieldDef, object]]) -> list[Reply]:
    """The sentence before the first question; names the values taken from earlier messages."""
    lines = [
        f"Tôi sẽ hỏi lần lượt các thông tin cần cho hồ sơ {proc.short_name}, mỗi lần một câu. "
        "Thông tin chỉ dùng để giải quyết hồ sơ của ông/bà. "
        "Ông/bà có thể gõ “hủy” để dừng bất cứ lúc nào."
    ]
    if reused:
        known = ", ".join(f"{item.display_label} {display(item, value)}" for item, value in reused)
        lines.append(f"Tôi dùng lại thông tin ông/bà đã cho: {known}.")
    return [Reply("\n".join(lines))]


def sent_before(proc: Procedure, sent: Mapping[str, str]) -> list[Reply]:
    """A dossier of the same procedure sent in the last 30 days: its receipt, and a way out."""
    on = catalog_access.format_date(date.fromisoformat(sent["on"]))
    text = (
        f"Ông/bà đã gửi hồ sơ {proc.short_name} ngày {on}, mã biên nhận {sent['receipt']}. "
        "Nếu đây là một hồ sơ khác (ví dụ cho người khác), ông/bà làm tiếp bên dưới; nếu "
        "không, ông/bà bấm “Xem hồ sơ đã gửi” hoặc gõ “hủy”."
    )
    return [Reply(text, (Button("Xem hồ sơ đã gửi", payload("check_status")),))]


def resume(proc: Procedure) -> list[Reply]:
    """Back to a dossier left in the middle."""
    return [Reply(f"Chúng ta tiếp tục hồ sơ {proc.short_name} nhé.")]


def _field_buttons(item: FieldDef, optional: bool) -> list[Button]:
    buttons: list[Button] = []
    if item.type == "yes_no":
        buttons = [
            Button("Có", payload("inform", answer=YES)),
            Button("Không", payload("inform", answer=NO)),
        ]
    elif item.options:
        buttons = [Button(o.label, payload("inform", answer=o.value)) for o in item.options]
    if optional:
        buttons.append(Button("Bỏ qua", payload("inform", answer=SKIP)))
    return buttons


def field_prompt(item: FieldDef, optional: bool, current: object = None) -> list[Reply]:
    """One field: the catalog's question with its example (and the value being corrected)."""
    lines = [catalog_access.shown(item.question)]
    if item.example and item.type not in ("yes_no", "choice"):
        lines.append(f"Ví dụ: {item.example}")
    if current is not None:
        lines.append(f"Hiện đang ghi: {display(item, current)}.")
    return with_buttons("\n".join(lines), _field_buttons(item, optional), "Lựa chọn khác:")


def step_prompt(
    question: Question | None, item: FieldDef | None, optional: bool, current: object = None
) -> list[Reply]:
    """The prompt of the form's current step (an eligibility question or a field)."""
    if item is not None:
        return field_prompt(item, optional, current)
    return question_prompt(question) if question is not None else []


def _more_help_buttons(explain: bool, optional: bool) -> list[Button]:
    buttons = [Button("Giải thích thêm", payload("inform", answer=EXPLAIN))] if explain else []
    if optional:
        buttons.append(Button("Bỏ qua", payload("inform", answer=SKIP)))
    return [*buttons, human_button()]


def field_error(
    message: str,
    item: FieldDef | None,
    question: Question | None,
    optional: bool,
    failures: int,
) -> list[Reply]:
    """What is wrong with the answer (one message, with one example); more help after three.

    Args:
        message: the validator's Vietnamese message (it ends with an example).
        item: the field asked, if the step is a field.
        question: the eligibility question asked, if the step is a question.
        optional: the step may be skipped.
        failures: how many answers in a row were wrong for this step, this one included.
    """
    buttons: list[Button] = []
    kind = item.type if item is not None else question.kind if question is not None else ""
    if kind in ("yes_no", "choice"):
        message = CHOOSE_OPTION
        if item is not None:
            buttons = _field_buttons(item, optional=False)
        elif question is not None:
            buttons = answer_buttons(question)
    if failures >= MAX_ERRORS:
        message += "\nNếu cần, ông/bà có thể xem giải thích, hoặc gặp nhân viên để được hỗ trợ."
        buttons.extend(_more_help_buttons(explain=True, optional=optional))
    elif optional and not buttons:
        buttons.append(Button("Bỏ qua", payload("inform", answer=SKIP)))
    return with_buttons(message, buttons, "Lựa chọn khác:")


def field_help(item: FieldDef | None, question: Question | None, optional: bool) -> list[Reply]:
    """The help behind "Giải thích thêm": the catalog's, else the field type's; one example."""
    if item is not None:
        lines = [catalog_access.shown(item.help or _TYPE_HELP.get(item.type, _DEFAULT_HELP))]
        if item.example and item.type not in ("yes_no", "choice"):
            lines.append(f"Ví dụ: {item.example}")
        lines.append(catalog_access.shown(item.question))
        return with_buttons("\n".join(lines), _field_buttons(item, optional), "Lựa chọn khác:")
    if question is not None:
        help_text = question.help or _TYPE_HELP.get(question.kind, _DEFAULT_HELP)
        help_text = catalog_access.shown(help_text)
        return [Reply(help_text), *question_prompt(question)]
    return []


def accepted_note(item: FieldDef, typed: object) -> list[Reply]:
    """A short note after an accepted value, when there is something to say (old province)."""
    note = province_note(item, typed)
    return [Reply(note)] if note else []


def corrected(item: FieldDef) -> list[Reply]:
    """A value corrected from the summary in one sentence ("sửa số điện thoại thành …")."""
    return [Reply(f"Tôi đã sửa {item.display_label[0].lower()}{item.display_label[1:]}.")]


def short_title(text: str, limit: int = 40) -> str:
    """A button title of at most ``limit`` characters, cut between words."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:")
    return f"{cut}…"


def _attachments_lines(
    attachments: Sequence[Mapping[str, object]], docs: Sequence[Document]
) -> list[str]:
    counts: dict[str, int] = {}
    for attachment in attachments:
        key = str(attachment.get("document") or OTHER_DOCUMENT)
        counts[key] = counts.get(key, 0) + 1
    lines: list[str] = []
    attached = [doc for doc in docs if doc.id in counts]
    if attached or counts.get(OTHER_DOCUMENT):
        lines.append("Ảnh, tệp đã gửi:")
        lines.extend(f"• {doc.name} ({counts[doc.id]} tệp)" for doc in attached)
        if counts.get(OTHER_DOCUMENT):
            lines.append(f"• Giấy tờ khác ({counts[OTHER_DOCUMENT]} tệp)")
    missing = [doc for doc in docs if doc.id not in counts]
    if missing:
        lines.append("Giấy tờ chưa có ảnh (ông/bà có thể gửi ảnh ngay tại đây):")
        lines.extend(f"• {doc.name} ({doc.copy_label.lower()})" for doc in missing)
    return lines


def summary(
    proc: Procedure,
    rows: Sequence[tuple[FieldDef, object]],
    attachments: Sequence[Mapping[str, object]],
    docs: Sequence[Document],
) -> list[Reply]:
    """Every value (sensitive numbers masked), attachments and missing documents; one "Sửa …"
    button per field (five per message); last "Hủy" / "Gửi hồ sơ", the main action being the
    last button the citizen sees (issue 16)."""
    lines = [f"Ông/bà kiểm tra lại hồ sơ {proc.short_name}:"]
    lines.extend(f"• {item.display_label}: {display(item, value)}" for item, value in rows)
    lines.extend(_attachments_lines(attachments, docs))
    send = Reply(
        "Nếu thông tin đã đúng, ông/bà bấm “Gửi hồ sơ”.",
        (Button("Hủy", payload("cancel")), Button("Gửi hồ sơ", payload("inform", answer=SEND))),
    )
    return [Reply("\n".join(lines)), *edit_menu(rows), send]


def edit_menu(rows: Sequence[tuple[FieldDef, object]]) -> list[Reply]:
    """One "Sửa <field>" button per field, five per message."""
    buttons = [
        Button(f"Sửa {item.display_label}", payload("inform", answer=EDIT_PREFIX + item.id))
        for item, _ in rows
    ]
    return with_buttons("Cần sửa mục nào, ông/bà bấm vào mục đó:", buttons, "Sửa mục khác:")


def choose_document(count: int, docs: Sequence[Document]) -> list[Reply]:
    """After a photo or file: which document it shows (one button per document)."""
    what = "ảnh/tệp" if count == 1 else f"{count} ảnh/tệp"
    buttons = [
        Button(short_title(doc.name), payload("inform", answer=DOCUMENT_PREFIX + doc.id))
        for doc in docs
    ]
    buttons.append(
        Button("Giấy tờ khác", payload("inform", answer=DOCUMENT_PREFIX + OTHER_DOCUMENT))
    )
    return with_buttons(
        f"Tôi đã nhận {what}. Đây là giấy tờ nào trong hồ sơ?", buttons, "Giấy tờ khác:"
    )


def attachment_note(doc: Document | None) -> list[Reply]:
    """The photo was filed under a document."""
    name = doc.name if doc is not None else "giấy tờ khác"
    return [Reply(f"Tôi đã ghi nhận ảnh/tệp là: {name}.")]


def receipt(
    proc: Procedure,
    receipt_code: str,
    processing_time: str,
    paper: Sequence[Document],
) -> list[Reply]:
    """After a successful submission: the code, the time limit, the papers still due, tracking."""
    lines = [
        f"Hồ sơ {proc.short_name} của ông/bà đã được tiếp nhận.",
        f"Mã hồ sơ: {receipt_code} (ông/bà vui lòng ghi lại mã này).",
        f"Thời gian giải quyết: {processing_time}.",
    ]
    if paper:
        lines.append("Ông/bà cần gửi qua bưu điện hoặc nộp trực tiếp các giấy tờ sau:")
        lines.extend(f"• {doc.name} ({doc.copy_label.lower()})" for doc in paper)
        lines.append(f"Nơi nhận: {proc.submission.where}.")
    lines.append(
        "Để xem hồ sơ đến đâu, ông/bà nhắn “Hồ sơ của tôi đến đâu rồi?” hoặc gửi mã hồ sơ cho "
        "tôi. Khi hồ sơ có kết quả, tôi sẽ báo ngay tại đây."
    )
    return [Reply("\n".join(lines), (Button("Tra cứu hồ sơ", payload("check_status")),))]


def queued(proc: Procedure) -> list[Reply]:
    """The intake is down: the dossier is kept and sent later; the code will come here."""
    return [
        Reply(
            f"Hệ thống tiếp nhận đang tạm gián đoạn. Hồ sơ {proc.short_name} của ông/bà đã được "
            "lưu và sẽ gửi ngay khi hệ thống tiếp nhận hoạt động lại. Tôi sẽ nhắn mã hồ sơ cho "
            "ông/bà tại đây; ông/bà không cần nộp lại."
        )
    ]


def refused(messages: Sequence[tuple[str, str]]) -> list[Reply]:
    """The intake refused some values: which, and why (its Vietnamese messages)."""
    lines = ["Hệ thống tiếp nhận chưa nhận hồ sơ vì một số thông tin cần sửa:"]
    lines.extend(f"• {label}: {message}" for label, message in messages)
    lines.append("Tôi sẽ hỏi lại các mục này.")
    return [Reply("\n".join(lines))]


def not_sent(proc: Procedure) -> list[Reply]:
    """The intake refused the dossier and nothing can be asked again: a person helps."""
    return [
        Reply(
            f"Xin lỗi, hồ sơ {proc.short_name} chưa gửi được. Ông/bà vui lòng gọi "
            f"{HOTLINE_SENTENCE} hoặc gặp nhân viên để được hỗ trợ.",
            (human_button(),),
        )
    ]
