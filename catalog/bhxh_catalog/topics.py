"""Knowledge-base topics (``catalog/data/topics/*.yaml``): the model, the loader and placeholders.

A topic answers one question citizens ask in their own words ("tiền mai táng bao nhiêu"). The
format is fixed in ``docs/topics-format.md``. Its ``answer`` is a template: figures that change
by decree are never written literally but cited as placeholders (``{mai_tang}``), which
:func:`fill_answer` fills from the catalog's dated parameters for the day of the question.
:data:`PLACEHOLDERS` is the list content authors may use; the schema check
(``bhxh_catalog.topics_schema``) refuses any other name.

Example::

    base = load_topics()                                  # catalog/data/topics, checked
    topic = base.get("mai_tang_phi_bao_nhieu")
    fill_answer(topic.answer, load_catalog(), date(2026, 7, 1))
    # "Trợ cấp mai táng là 25.300.000 đồng (10 lần mức tham chiếu 2.530.000 đồng) …"
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from bhxh_catalog import config
from bhxh_catalog._fmt import dmy, group_thousands
from bhxh_catalog.amounts import TN_MAX_MULTIPLE, compute
from bhxh_catalog.errors import CatalogError, ParameterError
from bhxh_catalog.models import Catalog, LegalBasis
from bhxh_catalog.parameters import PLACEHOLDER
from bhxh_catalog.schema import RawFile

__all__ = [
    "FOLLOW_UPS",
    "HOTLINE",
    "MAX_ANSWER",
    "MAX_BUTTON",
    "MAX_PHRASINGS",
    "MAX_REVIEW_BY",
    "MAX_TITLE",
    "MIN_PHRASINGS",
    "NOT_AVAILABLE",
    "PLACEHOLDERS",
    "TONES",
    "TOPICS_DIR",
    "Placeholder",
    "Topic",
    "TopicBase",
    "build_topics",
    "clear_topics_cache",
    "fill_answer",
    "load_topics",
]

TOPICS_DIR = "topics"
"""The folder of topic files inside the catalog folder."""
TONES = ("neutral", "bereavement", "scam")
FOLLOW_UPS = (
    "tinh_chi_tiet",
    "kiem_tra_dieu_kien",
    "giay_to",
    "nop_ho_so",
    "xem_thu_tuc",
    "gap_nhan_vien",
)
"""The follow-up buttons a topic may offer (the bot maps each to an action)."""
MAX_TITLE = 70
MAX_BUTTON = 30
MIN_PHRASINGS = 8
MAX_PHRASINGS = 15
MAX_ANSWER = 600
MAX_REVIEW_BY = date(2027, 12, 31)
HOTLINE = "1900 9068"
"""Tổng đài BHXH Việt Nam (the number the procedure files already give)."""
NOT_AVAILABLE = "(chưa có số liệu áp dụng cho ngày này)"
"""What a placeholder reads when no dated value covers the day: never a guess."""


@dataclass(frozen=True, slots=True)
class Topic:
    """One knowledge-base topic.

    Attributes:
        id: snake_case id, unique across all topic files.
        group: the file it comes from, without ``.yaml`` (``tu_tuat``).
        title: shown as a button when the assistant is unsure (≤ 70 characters).
        button: the short button text (≤ 30 characters).
        procedures: linked procedure ids.
        tone: ``neutral``, ``bereavement`` (a line of condolence first) or ``scam``.
        phrasings: 8–15 ways citizens ask it.
        keywords: distinctive words and aliases.
        answer: the answer template (placeholders filled by :func:`fill_answer`).
        calculator: the name of a calculator of ``bhxh_catalog.topics_calc`` or None.
        legal_basis: the references of the answer.
        verified: False when a fact could not be confirmed in a primary source.
        review_by: the day the topic must be reviewed again.
        follow_ups: follow-up buttons, from :data:`FOLLOW_UPS`.
        related: ids of related topics.
    """

    id: str
    group: str
    title: str
    button: str
    procedures: tuple[str, ...]
    tone: str
    phrasings: tuple[str, ...]
    keywords: tuple[str, ...]
    answer: str
    calculator: str | None
    legal_basis: tuple[LegalBasis, ...]
    verified: bool
    review_by: date
    follow_ups: tuple[str, ...]
    related: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class TopicBase:
    """All topics, in file order (files sorted by name)."""

    topics: tuple[Topic, ...]
    _by_id: dict[str, Topic] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {topic.id: topic for topic in self.topics})

    def __iter__(self) -> Iterator[Topic]:
        return iter(self.topics)

    def __len__(self) -> int:
        return len(self.topics)

    def get(self, topic_id: str) -> Topic:
        """Returns topic ``topic_id``.

        Raises:
            CatalogError: no such topic.
        """
        topic = self._by_id.get(topic_id)
        if topic is None:
            raise CatalogError(f"Không có chủ đề '{topic_id}' trong catalog/data/topics.")
        return topic

    def ids(self) -> tuple[str, ...]:
        """The topic ids in order."""
        return tuple(topic.id for topic in self.topics)


# --------------------------------------------------------------------------- placeholders


@dataclass(frozen=True, slots=True)
class Placeholder:
    """A figure or date an answer may cite as ``{name}``.

    Attributes:
        description: what it reads, for content authors (``docs/topics-format.md``).
        read: computes the text for a catalog and a day; raises ParameterError / EstimateError
            when the catalog has no value for that day.
    """

    description: str
    read: Callable[[Catalog, date], str]


def _money(amount: int) -> str:
    return f"{group_thousands(amount)} đồng"


def _parameter(name: str) -> Callable[[Catalog, date], str]:
    def read(catalog: Catalog, as_of: date) -> str:
        return _money(catalog.parameter(name, as_of))

    return read


def _parameter_from(name: str) -> Callable[[Catalog, date], str]:
    def read(catalog: Catalog, as_of: date) -> str:
        return dmy(catalog.parameter_value(name, as_of).effective_from)

    return read


def _next_reference_change(catalog: Catalog, as_of: date) -> str:
    """A sentence on the next known value of mức tham chiếu, or empty when none is known."""
    parameter = catalog.parameters.get("muc_tham_chieu")
    if parameter is None:
        return ""
    later = sorted((value for value in parameter.values if value.effective_from > as_of),
                   key=lambda value: value.effective_from)
    if not later:
        return ""
    nxt = later[0]
    return f"Từ ngày {dmy(nxt.effective_from)}, mức tham chiếu là {_money(nxt.value)}."


def _formula(
    formula: str, inputs: Callable[[date], Mapping[str, object]]
) -> Callable[[Catalog, date], str]:
    """Reads an amount of the catalog's own formulas (no rate is written twice)."""

    def read(catalog: Catalog, as_of: date) -> str:
        return _money(compute(formula, inputs(as_of), as_of, catalog).amount)

    return read


def _tn_ceiling(catalog: Catalog, as_of: date) -> str:
    return _money(TN_MAX_MULTIPLE * catalog.parameter("muc_tham_chieu", as_of))


def _tn_dong(income: str, group: str, gross: bool) -> Callable[[Catalog, date], str]:
    """Monthly BHXH tự nguyện contribution at the lowest or highest income."""

    def read(catalog: Catalog, as_of: date) -> str:
        if income == "min":
            base = catalog.parameter("chuan_ngheo_nong_thon", as_of)
        else:
            base = TN_MAX_MULTIPLE * catalog.parameter("muc_tham_chieu", as_of)
        inputs = {"thu_nhap": base, "dien_ho_tro": group, "so_thang": 1}
        result = compute("bhxh_tu_nguyen", inputs, as_of, catalog)
        return _money(result.lines[0][1] if gross else result.amount)

    return read


def _bhyt(position: int, months: int = 1) -> Callable[[Catalog, date], str]:
    """What household member number ``position`` pays for BHYT, per month or per 12 months."""

    def read(catalog: Catalog, as_of: date) -> str:
        inputs = {"so_thanh_vien": position, "so_thang": 12}
        result = compute("bhyt_ho_gia_dinh", inputs, as_of, catalog)
        member = result.lines[position - 1][1]  # one line per member up to the fifth
        return _money(member * months // 12)

    return read


def _retirement_age(gender: str) -> Callable[[Catalog, date], str]:
    def read(catalog: Catalog, as_of: date) -> str:
        schedule = catalog.retirement_ages.get(gender)
        if not schedule.covers(as_of):
            raise ParameterError("retirement table does not cover the day")
        return schedule.age_in(as_of.year).describe()

    return read


PLACEHOLDERS: dict[str, Placeholder] = {
    "muc_tham_chieu": Placeholder("mức tham chiếu hôm nay, 2.340.000 đồng",
                                  _parameter("muc_tham_chieu")),
    "muc_tham_chieu_from": Placeholder("ngày mức tham chiếu hôm nay bắt đầu áp dụng, 01/07/2024",
                                       _parameter_from("muc_tham_chieu")),
    "muc_tham_chieu_sap_toi": Placeholder(
        "một câu về mức tham chiếu mới đã công bố (\"Từ ngày 01/07/2026, mức tham chiếu là …\"), "
        "rỗng khi chưa có", _next_reference_change),
    "mai_tang": Placeholder("trợ cấp mai táng: 10 lần mức tham chiếu",
                            _formula("tro_cap_mai_tang", lambda day: {"ngay_mat": day})),
    "tuat_50": Placeholder("tuất hằng tháng mỗi thân nhân: 50% mức tham chiếu",
                           _formula("tuat_hang_thang", lambda day: {"so_than_nhan": 1})),
    "tuat_70": Placeholder(
        "tuất hằng tháng thân nhân không có người trực tiếp nuôi dưỡng: 70% mức tham chiếu",
        _formula("tuat_hang_thang",
                 lambda day: {"so_than_nhan": 1, "so_than_nhan_khong_nguoi_nuoi": 1})),
    "bhyt_nguoi_1": Placeholder(
        "BHYT hộ gia đình, người thứ nhất, mỗi tháng (4,5% mức tham chiếu)", _bhyt(1)),
    "bhyt_nguoi_2": Placeholder("BHYT hộ gia đình, người thứ hai, mỗi tháng (70% người thứ nhất)",
                                _bhyt(2)),
    "bhyt_nguoi_3": Placeholder("BHYT hộ gia đình, người thứ ba, mỗi tháng (60% người thứ nhất)",
                                _bhyt(3)),
    "bhyt_nguoi_4": Placeholder("BHYT hộ gia đình, người thứ tư, mỗi tháng (50% người thứ nhất)",
                                _bhyt(4)),
    "bhyt_nguoi_5": Placeholder(
        "BHYT hộ gia đình, từ người thứ năm, mỗi người mỗi tháng (40% người thứ nhất)", _bhyt(5)),
    "bhyt_nguoi_1_nam": Placeholder("BHYT hộ gia đình, người thứ nhất, cho 12 tháng",
                                    _bhyt(1, months=12)),
    "tn_min_thu_nhap": Placeholder(
        "BHXH tự nguyện: thu nhập thấp nhất để đóng (chuẩn nghèo khu vực nông thôn)",
        _parameter("chuan_ngheo_nong_thon")),
    "tn_max_thu_nhap": Placeholder(
        "BHXH tự nguyện: thu nhập cao nhất để đóng (20 lần mức tham chiếu)", _tn_ceiling),
    "tn_min_dong": Placeholder(
        "BHXH tự nguyện: mức đóng thấp nhất mỗi tháng, chưa trừ hỗ trợ (22% thu nhập thấp nhất)",
        _tn_dong("min", "khac", gross=True)),
    "tn_max_dong": Placeholder(
        "BHXH tự nguyện: mức đóng cao nhất mỗi tháng (22% thu nhập cao nhất)",
        _tn_dong("max", "khac", gross=True)),
    "tn_min_dong_sau_ho_tro": Placeholder(
        "BHXH tự nguyện: mức đóng thấp nhất mỗi tháng sau khi Nhà nước hỗ trợ 20% (đối tượng "
        "khác)", _tn_dong("min", "khac", gross=False)),
    "tn_min_dong_ho_ngheo": Placeholder(
        "BHXH tự nguyện: mức đóng thấp nhất mỗi tháng của người thuộc hộ nghèo (hỗ trợ 50%)",
        _tn_dong("min", "ho_ngheo", gross=False)),
    "tn_min_dong_can_ngheo": Placeholder(
        "BHXH tự nguyện: mức đóng thấp nhất mỗi tháng của người thuộc hộ cận nghèo (hỗ trợ 40%)",
        _tn_dong("min", "can_ngheo", gross=False)),
    "tn_min_dong_dan_toc": Placeholder(
        "BHXH tự nguyện: mức đóng thấp nhất mỗi tháng của người dân tộc thiểu số (hỗ trợ 30%)",
        _tn_dong("min", "dan_toc_thieu_so", gross=False)),
    "chuan_ngheo_nong_thon": Placeholder("chuẩn nghèo khu vực nông thôn",
                                         _parameter("chuan_ngheo_nong_thon")),
    "chuan_ngheo_thanh_thi": Placeholder("chuẩn nghèo khu vực thành thị",
                                         _parameter("chuan_ngheo_thanh_thi")),
    "tuoi_nghi_huu_nam": Placeholder("tuổi nghỉ hưu của nam trong năm nay, 61 tuổi 6 tháng",
                                     _retirement_age("nam")),
    "tuoi_nghi_huu_nu": Placeholder("tuổi nghỉ hưu của nữ trong năm nay, 57 tuổi",
                                    _retirement_age("nu")),
    "hotline": Placeholder("tổng đài BHXH Việt Nam, 1900 9068", lambda catalog, day: HOTLINE),
    "hom_nay": Placeholder("ngày hôm nay, 15/03/2026", lambda catalog, day: dmy(day)),
    "nam_nay": Placeholder("năm nay, 2026", lambda catalog, day: str(day.year)),
}
"""Every placeholder a topic answer may cite, besides any parameter of ``parameters.yaml``
(``{chuan_ngheo_thanh_thi}``, ``{muc_tham_chieu|tu_ngay}``)."""


def fill_answer(text: str, catalog: Catalog, as_of: date) -> str:
    """Fills every ``{name}`` of an answer with its value on ``as_of``.

    A name of :data:`PLACEHOLDERS` is computed; any other name is a parameter of the catalog
    (``{name|tu_ngay}`` reads the day its value took effect). A figure no value covers reads
    :data:`NOT_AVAILABLE`; it is never guessed.
    """

    def replace(match: re.Match[str]) -> str:
        name, part = match.group(1), match.group(2)
        placeholder = PLACEHOLDERS.get(name)
        try:
            if placeholder is not None and part is None:
                return placeholder.read(catalog, as_of)
            value = catalog.parameter_value(name, as_of)
        except CatalogError:  # ParameterError, EstimateError: no value for the day
            return NOT_AVAILABLE
        return dmy(value.effective_from) if part == "tu_ngay" else _money(value.value)

    filled = PLACEHOLDER.sub(replace, text)
    return " ".join(filled.split())


# --------------------------------------------------------------------------------- loading


def load_topics(path: str | os.PathLike[str] | None = None) -> TopicBase:
    """Loads (once per folder) and returns the checked topics of a catalog folder.

    Args:
        path: the catalog folder; default ``$BHXH_CATALOG_DIR`` or ``catalog/data``. A folder
            without ``topics/`` has no topics.

    Raises:
        CatalogError: a topic file has errors (all are listed), or the catalog has.
    """
    root = Path(path) if path is not None else config.catalog_dir()
    return _load_cached(root.resolve())


def clear_topics_cache() -> None:
    """Forgets loaded topics, so the next :func:`load_topics` re-reads the files."""
    _load_cached.cache_clear()


@functools.lru_cache(maxsize=8)
def _load_cached(root: Path) -> TopicBase:
    from bhxh_catalog.loader import load_catalog
    from bhxh_catalog.schema import errors_only
    from bhxh_catalog.topics_schema import check_topics, read_topic_files

    catalog = load_catalog(root)
    files, issues = read_topic_files(root)
    issues.extend(check_topics(files, catalog))
    errors = errors_only(issues)
    if errors:
        raise CatalogError(f"Các chủ đề tại {root / TOPICS_DIR} có {len(errors)} lỗi:", errors)
    return build_topics(files, catalog)


def build_topics(files: Iterable[RawFile], catalog: Catalog) -> TopicBase:
    """Builds the topics of checked raw files (``topics_schema.read_topic_files``)."""
    topics: list[Topic] = []
    for file in files:
        data = file.data if isinstance(file.data, dict) else {}
        group = Path(file.name).stem
        for item in data.get("topics") or []:
            topics.append(_build_topic(item, group, catalog))
    return TopicBase(tuple(topics))


def _strings(value: object) -> tuple[str, ...]:
    return tuple(str(item) for item in value) if isinstance(value, list) else ()


def _build_topic(item: dict[str, object], group: str, catalog: Catalog) -> Topic:
    review = item["review_by"]
    assert isinstance(review, date)
    calculator = item.get("calculator")
    return Topic(
        id=str(item["id"]),
        group=group,
        title=str(item["title"]),
        button=str(item["button"]),
        procedures=_strings(item.get("procedures")),
        tone=str(item.get("tone") or "neutral"),
        phrasings=_strings(item["phrasings"]),
        keywords=_strings(item.get("keywords")),
        answer=" ".join(str(item["answer"]).split()),
        calculator=str(calculator) if calculator else None,
        legal_basis=tuple(catalog.legal_basis(ref) for ref in _strings(item.get("legal_basis"))),
        verified=bool(item.get("verified", True)),
        review_by=review,
        follow_ups=_strings(item.get("follow_ups")),
        related=_strings(item.get("related")),
    )
