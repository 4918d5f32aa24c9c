"""Reads and checks the topic files (``topics/*.yaml``), reporting problems in plain Vietnamese.

The checks follow ``docs/topics-format.md``: ids unique across all files; procedures, legal
bases and related topics exist; title ≤ 70 and button ≤ 30 characters; 8–15 phrasings;
``review_by`` present and not after 2027-12-31; follow-ups from the fixed list; the answer ≤ 600
characters, citing only known placeholders and writing no figure that changes by decree
literally (a figure of ``parameters.yaml``, or one computed from it, must be a placeholder); NFC
text. :func:`bhxh_catalog.loader.check_catalog_dir` (``bin/catalog check``) runs them too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from bhxh_catalog import config
from bhxh_catalog.conditions import as_date
from bhxh_catalog.errors import CatalogError
from bhxh_catalog.models import Catalog
from bhxh_catalog.parameters import PLACEHOLDER_PARTS, cited
from bhxh_catalog.schema import (
    Check,
    RawFile,
    SchemaIssue,
    _bool,
    _check_nfc,
    _Checker,
    _enum,
    _ident,
    _list,
    _nullable,
    _obj,
    _refs,
    _suggest,
    _text,
)
from bhxh_catalog.topics import (
    FOLLOW_UPS,
    MAX_ANSWER,
    MAX_BUTTON,
    MAX_PHRASINGS,
    MAX_REVIEW_BY,
    MAX_TITLE,
    MIN_PHRASINGS,
    NOT_AVAILABLE,
    PLACEHOLDERS,
    TONES,
    TOPICS_DIR,
    fill_answer,
)

__all__ = ["check_topic_file", "check_topics", "read_topic_files", "sample_days"]

_INTERNAL = re.compile(r"\[\d+\]|mã mẫu chưa kiểm chứng|verified|placeholder|\{\{|\}\}", re.I)
_FIGURE = re.compile(r"\d{1,3}(?:\.\d{3})+")


def read_topic_files(root: Path) -> tuple[list[RawFile], list[SchemaIssue]]:
    """Parses ``topics/*.yaml`` of a catalog folder (none: an empty list)."""
    from bhxh_catalog.loader import read_yaml_file

    issues: list[SchemaIssue] = []
    files: list[RawFile] = []
    folder = root / TOPICS_DIR
    for file in sorted(folder.iterdir()) if folder.is_dir() else []:
        name = f"{TOPICS_DIR}/{file.name}"
        if file.suffix == ".yml":
            issues.append(SchemaIssue(name, "", "đuôi tệp phải là .yaml"))
        elif file.suffix == ".yaml":
            raw = read_yaml_file(file, name, issues)
            if raw is not None:
                files.append(raw)
    return files, issues


def sample_days(catalog: Catalog) -> list[date]:
    """The days a parameter value takes effect: where a literal figure would be caught."""
    days = {value.effective_from for p in catalog.parameters.values() for value in p.values}
    return sorted(days)


def _literal_figures(catalog: Catalog) -> dict[str, str]:
    """Figure text (``2.340.000``) → the placeholder that should be written instead."""
    figures: dict[str, str] = {}
    for day in sample_days(catalog):
        for name, placeholder in PLACEHOLDERS.items():
            try:
                text = placeholder.read(catalog, day)
            except CatalogError:  # no value that day: nothing to compare
                continue
            for figure in _FIGURE.findall(text):
                figures.setdefault(figure, name)
        for parameter in catalog.parameters.values():
            for value in parameter.values:
                figures.setdefault(f"{value.value:,}".replace(",", "."), parameter.id)
    return figures


def check_topics(files: Iterable[RawFile], catalog: Catalog) -> list[SchemaIssue]:
    """Checks every topic file against the catalog; ids must be unique across files."""
    files = list(files)
    all_ids = [str(item.get("id")) for file in files for item in _topic_items(file)]
    figures = _literal_figures(catalog)
    issues: list[SchemaIssue] = []
    seen: dict[str, str] = {}
    for file in files:
        issues.extend(check_topic_file(file, catalog, all_ids, figures))
        c = _Checker(file)
        for index, item in enumerate(_topic_items(file)):
            topic_id = str(item.get("id"))
            if topic_id in seen:
                c.error(f"topics[{index}].id",
                        f"mã chủ đề '{topic_id}' đã dùng ở {seen[topic_id]}")
            seen.setdefault(topic_id, file.name)
        issues.extend(c.issues)
    return issues


def _topic_items(file: RawFile) -> list[dict[str, object]]:
    data = file.data
    items = data.get("topics") if isinstance(data, dict) else None
    return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []


def check_topic_file(
    raw: RawFile,
    catalog: Catalog,
    topic_ids: Iterable[str] = (),
    figures: dict[str, str] | None = None,
) -> list[SchemaIssue]:
    """Checks one topic file.

    Args:
        raw: the parsed file.
        catalog: the loaded catalog (procedures, legal bases, parameters).
        topic_ids: every topic id of every file (for ``related``).
        figures: literal figures to refuse in answers (default: computed from the catalog).
    """
    c = _Checker(raw)
    known_topics = tuple(topic_ids) or tuple(str(i.get("id")) for i in _topic_items(raw))
    citable = (*PLACEHOLDERS, *catalog.parameters)
    entry = _obj(
        {
            "id": _ident,
            "title": _short_text(MAX_TITLE),
            "button": _short_text(MAX_BUTTON),
            "phrasings": _list(_text),
            "answer": _text,
            "legal_basis": _refs(catalog.legal_bases, "legal_basis.yaml"),
            "review_by": _review_by,
            "follow_ups": _refs(FOLLOW_UPS, "danh sách nút tiếp theo"),
        },
        {
            "procedures": _refs(catalog.procedures, "catalog/data/procedures"),
            "tone": _enum(TONES),
            "keywords": _list(_text),
            "calculator": _nullable(_calculator),
            "verified": _bool,
            "related": _refs(known_topics, "các tệp chủ đề"),
        },
    )
    _obj({"topics": _list(entry, nonempty=True)})(c, raw.data, "")
    for index, item in enumerate(_topic_items(raw)):
        path = f"topics[{index}]"
        _check_phrasings(c, item.get("phrasings"), f"{path}.phrasings")
        _check_answer(c, item.get("answer"), f"{path}.answer", citable, catalog,
                      figures if figures is not None else _literal_figures(catalog))
        if item.get("id") in _strings(item.get("related")):
            c.error(f"{path}.related", "chủ đề không được liên quan đến chính nó")
        if not item.get("legal_basis") and item.get("tone") != "scam":
            c.warn(f"{path}.legal_basis", "chưa có căn cứ pháp lý")
        if "verified" not in item:
            c.warn(f"{path}.verified", "chưa ghi verified (coi là true)")
    _check_nfc(c, raw.data, "")
    return c.issues


def _strings(value: object) -> list[str]:
    return [str(item) for item in value] if isinstance(value, list) else []


def _short_text(limit: int) -> Check:
    def check(c: _Checker, value: object, path: str) -> bool:
        if not _text(c, value, path):
            return False
        if len(str(value)) > limit:
            c.error(path, f"dài {len(str(value))} ký tự; tối đa {limit}")
            return False
        return True

    return check


def _review_by(c: _Checker, value: object, path: str) -> bool:
    day = as_date(value)
    if day is None:
        c.error(path, f"'{value}' không phải ngày dạng YYYY-MM-DD (ví dụ 2027-06-30)")
        return False
    if day > MAX_REVIEW_BY:
        c.error(path, f"ngày rà soát phải trước hoặc bằng {MAX_REVIEW_BY.isoformat()}")
        return False
    if day < config.today():
        c.warn(path, "đã quá ngày rà soát: cần xem lại chủ đề")
    return True


def _calculator(c: _Checker, value: object, path: str) -> bool:
    from bhxh_catalog.topics_calc import CALCULATORS

    if value in CALCULATORS:
        return True
    c.error(path, f"'{value}' không phải máy tính của hệ thống; chọn một trong: "
                  f"{', '.join(CALCULATORS)}{_suggest(value, CALCULATORS)}")
    return False


def _check_phrasings(c: _Checker, value: object, path: str) -> None:
    if not isinstance(value, list):
        return
    if not MIN_PHRASINGS <= len(value) <= MAX_PHRASINGS:
        c.error(path, f"có {len(value)} câu hỏi mẫu; cần từ {MIN_PHRASINGS} đến {MAX_PHRASINGS}")
    seen: set[str] = set()
    for index, phrasing in enumerate(value):
        key = " ".join(str(phrasing).lower().split())
        if key in seen:
            c.warn(f"{path}[{index}]", "câu hỏi mẫu trùng với một câu ở trên")
        seen.add(key)


def _check_answer(
    c: _Checker,
    value: object,
    path: str,
    citable: tuple[str, ...],
    catalog: Catalog,
    figures: dict[str, str],
) -> None:
    if not isinstance(value, str):
        return
    text = " ".join(value.split())
    if len(text) > MAX_ANSWER:
        c.error(path, f"câu trả lời dài {len(text)} ký tự; tối đa {MAX_ANSWER}")
    for name, part in cited(text):
        if name not in citable:
            c.error(path, f"'{{{name}}}' không phải tên được phép{_suggest(name, citable)}")
        elif part is not None and (name in PLACEHOLDERS or part not in PLACEHOLDER_PARTS):
            c.error(path, f"'{{{name}|{part}}}': chỉ tham số của parameters.yaml mới viết được "
                          f"'|{'/'.join(PLACEHOLDER_PARTS)}'")
    if "{" in re_strip_placeholders(text) or "}" in re_strip_placeholders(text):
        c.error(path, "có dấu ngoặc nhọn không phải chỗ điền số liệu; viết {ten} (chữ thường)")
    for figure in _FIGURE.findall(re_strip_placeholders(text)):
        if figure in figures:
            c.error(path, f"không viết số '{figure}' trực tiếp (số này đổi theo quy định); dùng "
                          f"{{{figures[figure]}}}")
    internal = _INTERNAL.search(text)
    if internal:
        c.error(path, f"có từ nội bộ '{internal.group(0)}' trong câu trả lời cho người dân")
    filled = fill_answer(text, catalog, config.today())
    if NOT_AVAILABLE in filled:
        c.warn(path, "có số liệu chưa có giá trị cho ngày hôm nay")


def re_strip_placeholders(text: str) -> str:
    """The text with every valid ``{name}`` / ``{name|part}`` removed."""
    from bhxh_catalog.parameters import PLACEHOLDER

    return PLACEHOLDER.sub("", text)
