"""Command line for office staff: ``python -m bhxh_catalog`` (or ``bin/catalog``).

Commands::

    list                                   the procedures, by category
    show <id> [documents|eligibility|fields|submission|legal]
    check                                  schema check of every file (exit 1 on errors)
    eligibility <id> key=value … [--as-of YYYY-MM-DD]
    estimate <id> <amount_id> key=value … [--as-of YYYY-MM-DD]
    find "free text"

``--dir PATH`` (before the command) reads another catalog folder. Exit codes: 0 done, 1 the
check found errors, 2 wrong usage or the catalog cannot answer.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from datetime import date

from bhxh_catalog import config
from bhxh_catalog._fmt import dmy, vnd
from bhxh_catalog.amounts import Estimate, estimate
from bhxh_catalog.conditions import Condition, describe
from bhxh_catalog.errors import AnswerError, CatalogError
from bhxh_catalog.loader import check_catalog_dir, load_catalog
from bhxh_catalog.models import (
    CATEGORY_LABELS,
    OUTCOME_LABELS,
    Catalog,
    LegalBasis,
    Procedure,
    Question,
)
from bhxh_catalog.review import REVIEW_HORIZON_DAYS, due_for_review, missing_parameters
from bhxh_catalog.rules import evaluate
from bhxh_catalog.schema import errors_only
from bhxh_catalog.topics import load_topics

__all__ = ["main"]

SECTIONS = ("documents", "eligibility", "fields", "submission", "legal")
_KIND_HINTS = {
    "yes_no": "có / không",
    "choice": "chọn một mục",
    "number": "một số",
    "integer": "một số nguyên",
    "money": "số tiền, ví dụ 1.500.000",
    "date": "ngày, ví dụ 01/07/2025",
}
_UNVERIFIED = "(chưa xác minh)"

Handler = Callable[[argparse.Namespace], int]


def main(argv: Sequence[str] | None = None) -> int:
    """Runs the command line; returns the exit code."""
    args = _parser().parse_args(argv)
    handler: Handler = args.handler
    try:
        return handler(args)
    except CatalogError as error:
        where = f"[{error.question_id}] " if isinstance(error, AnswerError) else ""
        print(f"Lỗi: {where}{error}", file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bin/catalog", description="Danh mục thủ tục BHXH: xem, kiểm tra, thử điều kiện."
    )
    parser.add_argument("--dir", help="thư mục danh mục (mặc định: catalog/data)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="lệnh")
    commands.add_parser("list", help="liệt kê các thủ tục").set_defaults(handler=_cmd_list)
    show = commands.add_parser("show", help="xem một thủ tục")
    show.add_argument("procedure_id")
    show.add_argument("section", nargs="?", choices=SECTIONS)
    show.set_defaults(handler=_cmd_show)
    checking = commands.add_parser(
        "check", help="kiểm tra tất cả các tệp và liệt kê số liệu, quy tắc cần rà soát"
    )
    checking.add_argument("--today", type=_iso_date,
                          help="ngày kiểm tra (YYYY-MM-DD; mặc định hôm nay hoặc BHXH_TODAY)")
    checking.set_defaults(handler=_cmd_check)
    check = commands.add_parser("eligibility", help="thử xét điều kiện với các câu trả lời")
    check.add_argument("procedure_id")
    check.add_argument("answers", nargs="*", metavar="mã=giá_trị")
    check.add_argument("--as-of", type=_iso_date, help="ngày xét (YYYY-MM-DD)")
    check.set_defaults(handler=_cmd_eligibility)
    amount = commands.add_parser("estimate", help="ước tính số tiền")
    amount.add_argument("procedure_id")
    amount.add_argument("amount_id")
    amount.add_argument("inputs", nargs="*", metavar="mã=giá_trị")
    amount.add_argument("--as-of", type=_iso_date, help="ngày tính (YYYY-MM-DD)")
    amount.set_defaults(handler=_cmd_estimate)
    find = commands.add_parser("find", help="tìm thủ tục theo lời người dân")
    find.add_argument("text")
    find.set_defaults(handler=_cmd_find)
    return parser


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"ngày '{text}' phải có dạng YYYY-MM-DD") from error


def _pairs(items: Sequence[str]) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise CatalogError(f"'{item}' phải có dạng mã=giá_trị, ví dụ ly_do=dinh_cu")
        pairs[key.strip()] = value.strip()
    return pairs


def _load(args: argparse.Namespace) -> Catalog:
    return load_catalog(args.dir)


def _emit(lines: Sequence[str]) -> None:
    print("\n".join(lines))


def _flag(verified: bool) -> str:
    return "" if verified else f" {_UNVERIFIED}"


# ------------------------------------------------------------------------------ list, find


def _cmd_list(args: argparse.Namespace) -> int:
    cat = _load(args)
    lines = [f"{len(cat.procedures)} thủ tục (thư mục {cat.path})"]
    for category, label in CATEGORY_LABELS.items():
        procs = cat.by_category(category)
        if procs:
            lines.append(f"\n{label}")
            lines += [f"  {p.id:<34} {p.short_name}{_flag(p.verified)}" for p in procs]
    _emit(lines)
    return 0


def _cmd_find(args: argparse.Namespace) -> int:
    hits = _load(args).find_scored(args.text)
    if not hits:
        _emit([f"Không tìm thấy thủ tục nào khớp với “{args.text}”."])
        return 0
    lines = [f"Kết quả cho “{args.text}”:"]
    lines += [f"  {score:>5.2f}  {p.id:<34} {p.name}" for p, score in hits]
    _emit(lines)
    return 0


# ------------------------------------------------------------------------------------ show


def _cmd_show(args: argparse.Namespace) -> int:
    proc = _load(args).get(args.procedure_id)
    renderers: dict[str | None, Callable[[Procedure], list[str]]] = {
        None: _overview,
        "documents": _documents,
        "eligibility": _eligibility,
        "fields": _fields,
        "submission": _submission,
        "legal": _legal,
    }
    _emit(renderers[args.section](proc))
    return 0


def _overview(proc: Procedure) -> list[str]:
    timing = proc.submission.processing_time
    return [
        f"{proc.name}  [{proc.id}]{_flag(proc.verified)}",
        f"Nhóm: {proc.category_label} · Tên ngắn: {proc.short_name} · "
        f"Cập nhật: {dmy(proc.updated)}",
        f"Cách gọi khác: {', '.join(proc.aliases) or '—'}",
        "",
        proc.summary,
        f"Đối tượng: {proc.audience}",
        f"Nơi nộp: {proc.submission.where}",
        f"Thời hạn giải quyết: {timing.describe()}{_flag(timing.verified)}",
        f"Căn cứ pháp lý: {_citations(proc.legal_basis)}",
        "",
        f"Xem thêm: show {proc.id} {'|'.join(SECTIONS)}",
    ]


def _citations(refs: Sequence[LegalBasis]) -> str:
    return "; ".join(f"{ref.citation}{_flag(ref.verified)}" for ref in refs) or "—"


def _cond(proc: Procedure, cond: Condition | None) -> str:
    return describe(cond, proc.option_labels()) if cond is not None else ""


def _documents(proc: Procedure) -> list[str]:
    lines = [f"Giấy tờ — {proc.name}"]
    for number, doc in enumerate(proc.documents, 1):
        form = f" (mẫu {doc.form_code})" if doc.form_code else ""
        lines.append(f"{number}. {doc.name}{form} — {doc.copy_label}{_flag(doc.verified)}")
        if doc.required_if is not None:
            lines.append(f"   Chỉ khi: {_cond(proc, doc.required_if)}")
        if doc.note:
            lines.append(f"   Ghi chú: {doc.note}")
        lines.append(f"   Căn cứ: {_citations(doc.legal_basis)}")
    return lines


def _question_lines(proc: Procedure, question: Question, number: int) -> list[str]:
    unit = f", đơn vị {question.unit}" if question.unit else ""
    lines = [f"{number}. [{question.id}] {question.text} ({_KIND_HINTS[question.kind]}{unit})"]
    lines += [f"     - {o.value}: {o.label}" for o in question.options]
    if question.ask_if is not None:
        lines.append(f"   Chỉ hỏi khi: {_cond(proc, question.ask_if)}")
    return lines


def _eligibility(proc: Procedure) -> list[str]:
    lines = [f"Điều kiện — {proc.name}", "", "Câu hỏi (hỏi lần lượt):"]
    for number, question in enumerate(proc.questions, 1):
        lines += _question_lines(proc, question, number)
    lines += ["", "Quy tắc (quy tắc đầu tiên thỏa mãn sẽ quyết định):"]
    for number, rule in enumerate(proc.rules, 1):
        period = ""
        if rule.effective_from or rule.effective_to:
            start = dmy(rule.effective_from) if rule.effective_from else "…"
            end = dmy(rule.effective_to) if rule.effective_to else "nay"
            period = f" [áp dụng {start} – {end}]"
        lines.append(f"{number}. [{rule.id}] Khi {_cond(proc, rule.when)}{period}")
        lines.append(f"   → {_outcome_text(rule.outcome)}: {rule.reason}{_flag(rule.verified)}")
        if rule.alternatives:
            lines.append(f"   Gợi ý thủ tục khác: {', '.join(rule.alternatives)}")
        lines.append(f"   Căn cứ: {_citations(rule.legal_basis)}")
    default = proc.eligibility.default
    lines += ["", f"Mặc định → {_outcome_text(default.outcome)}: {default.reason}"]
    return lines


def _outcome_text(outcome: str) -> str:
    return OUTCOME_LABELS.get(outcome, outcome)


def _fields(proc: Procedure) -> list[str]:
    lines = [f"Thông tin cần thu thập khi nộp hồ sơ — {proc.name}"]
    for number, item in enumerate(proc.fields, 1):
        marks = [item.type, "bắt buộc" if item.required else "không bắt buộc"]
        if item.sensitive:
            marks.append("nhạy cảm, che khi hiển thị")
        lines.append(f"{number}. [{item.id}] {item.question} ({', '.join(marks)})")
        if item.example:
            lines.append(f"   Ví dụ: {item.example}")
        lines += [f"     - {o.value}: {o.label}" for o in item.options]
        if item.ask_if is not None:
            lines.append(f"   Chỉ hỏi khi: {_cond(proc, item.ask_if)}")
    if not proc.fields:
        lines.append("(thủ tục này chưa khai báo thông tin cần thu thập)")
    return lines


def _submission(proc: Procedure) -> list[str]:
    sub = proc.submission
    lines = [f"Cách nộp — {proc.name}", f"Nơi nộp: {sub.where}", ""]
    for channel in sub.channels:
        lines.append(f"• {channel.title} ({channel.kind_label}){_flag(channel.verified)}")
        lines += [f"    {number}. {step}" for number, step in enumerate(channel.steps, 1)]
        for label, text in (("Điều kiện", channel.conditions), ("Phong bì", channel.envelope),
                            ("Địa chỉ", channel.url)):
            if text:
                lines.append(f"    {label}: {text}")
    timing = sub.processing_time
    lines += ["", f"Thời hạn giải quyết: {timing.describe()}{_flag(timing.verified)}",
              f"Căn cứ: {_citations(timing.legal_basis)}"]
    return lines


def _legal(proc: Procedure) -> list[str]:
    lines = [f"Căn cứ pháp lý — {proc.name}"]
    for ref in proc.legal_basis:
        end = dmy(ref.effective_to) if ref.effective_to else "nay"
        lines.append(f"• {ref.citation} [{ref.id}] — hiệu lực {dmy(ref.effective_from)} – {end}"
                     f"{_flag(ref.verified)}")
        if ref.note:
            lines.append(f"    {ref.note}")
    lines += ["", "Nguồn:"]
    for source in proc.sources:
        url = f" — {source.url}" if source.url else ""
        lines.append(f"• {source.title}{url}")
    return lines


# ----------------------------------------------------------------------------------- check


def _cmd_check(args: argparse.Namespace) -> int:
    issues = check_catalog_dir(args.dir)
    errors = errors_only(issues)
    for issue in issues:
        print(issue)
    if errors:
        print(f"\nCó {len(errors)} lỗi, {len(issues) - len(errors)} cảnh báo. "
              "Sửa các lỗi trên rồi chạy lại: bin/catalog check")
        return 1
    cat = _load(args)
    today = args.today or config.today()
    missing = missing_parameters(cat, today)
    if missing:
        print(f"Thiếu số liệu áp dụng cho ngày {dmy(today)} (ước tính sẽ lỗi):")
        for line in missing:
            print(f"  ✗ {line}")
        print("Thêm giá trị vào parameters.yaml rồi chạy lại: bin/catalog check")
        return 1
    topics = load_topics(args.dir)
    print(f"Không có lỗi: {len(cat.procedures)} thủ tục, {len(cat.legal_bases)} căn cứ pháp lý, "
          f"{len(cat.sources)} nguồn, {len(cat.parameters)} tham số, "
          f"{len(cat.retirement_ages.schedules)} bảng tuổi nghỉ hưu"
          f"{f', {len(topics)} chủ đề hỏi đáp' if len(topics) else ''}"
          f"{f', {len(issues)} cảnh báo' if issues else ''}.")
    due = due_for_review(cat, today)
    print(f"Rà soát ngày {dmy(today)} (quá hạn hoặc trong {REVIEW_HORIZON_DAYS} ngày tới): "
          f"{len(due) or 'không có'}{' mục' if due else ''}.")
    for item in due:
        print(f"  ⚠ {item}")
    return 0


# ----------------------------------------------------------------------------- eligibility


def _cmd_eligibility(args: argparse.Namespace) -> int:
    cat = _load(args)
    proc = cat.get(args.procedure_id)
    as_of = args.as_of or config.today()
    verdict = evaluate(proc, _pairs(args.answers), as_of)
    lines = [f"Thủ tục: {proc.name}", f"Ngày xét: {dmy(as_of)}",
             f"Kết quả: {verdict.outcome_label.upper()}", f"Lý do: {verdict.reason}"]
    if verdict.rule_id:
        lines.append(f"Quy tắc: {verdict.rule_id}")
    if verdict.legal_basis:
        lines.append(f"Căn cứ: {_citations(verdict.legal_basis)}")
    for pid in verdict.alternatives:
        name = cat.procedures[pid].name if pid in cat.procedures else pid
        lines.append(f"Có thể tham khảo: {name} [{pid}]")
    if verdict.unverified:
        lines.append("Lưu ý: thông tin này chưa được xác minh đầy đủ; hãy đối chiếu văn bản gốc.")
    if verdict.next_question is not None:
        lines += ["", "Câu hỏi tiếp theo:", *_question_lines(proc, verdict.next_question, 1),
                  f"   Trả lời bằng: {verdict.next_question.id}=…"]
    elif verdict.outcome == "eligible":
        documents = proc.documents_for(verdict.answers, as_of)
        lines += ["", "Giấy tờ cần chuẩn bị:"]
        lines += [f"  {n}. {d.name} — {d.copy_label}" for n, d in enumerate(documents, 1)]
    _emit(lines)
    return 0


# -------------------------------------------------------------------------------- estimate


def _cmd_estimate(args: argparse.Namespace) -> int:
    cat = _load(args)
    as_of = args.as_of or config.today()
    result = estimate(cat, args.procedure_id, args.amount_id, _pairs(args.inputs), as_of)
    _emit(_estimate_lines(result, as_of))
    return 0


def _estimate_lines(result: Estimate, as_of: date) -> list[str]:
    amounts = [value for _, value in result.breakdown] + [result.amount]
    width = max(len(vnd(value)) for value in amounts)
    lines = [f"{result.label} (tính theo ngày {dmy(as_of)})"]
    lines += [f"  {vnd(value):>{width}}  {text}" for text, value in result.breakdown]
    lines.append(f"  {vnd(result.amount):>{width}}  TỔNG CỘNG")
    if result.note:
        lines.append(f"Ghi chú: {result.note}")
    lines.append(f"Căn cứ: {_citations(result.legal_basis)}")
    if result.unverified:
        lines.append("Lưu ý: có thông tin chưa được xác minh; hãy đối chiếu văn bản gốc.")
    return lines
