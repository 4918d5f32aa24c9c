"""Calculators of topic answers: the fact computed from what the message says.

A topic may name a calculator (``calculator: bhxh_mot_lan``). Given the citizen's message, the
catalog and the day, the calculator reads the values it needs from the message (years, salary,
date of death, number of household members, income, birth year) with the catalog's validators
and returns a :class:`Calculation` whose ``fact`` becomes the first sentence of the answer, or
None when the message does not give what it needs (the topic's general answer is used then).

Amounts always come from the catalog's formulas (``bhxh_catalog.amounts``) and dated parameters;
ages from ``retirement_ages.yaml``. Only time limits and thresholds that the law fixes and the
catalog keeps as text are constants here, each with its article.

Example::

    calc = CALCULATORS["bhxh_mot_lan"]
    calc("tôi đóng từ 2012 đến 2024, lương 7 triệu", catalog, date(2026, 3, 1)).fact
    # "Ước tính ông/bà nhận khoảng 175.000.000 đồng: …"
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

from bhxh_catalog._fmt import decimal, dmy, group_thousands
from bhxh_catalog.amounts import TN_MAX_MULTIPLE, compute
from bhxh_catalog.errors import CatalogError
from bhxh_catalog.models import Catalog
from bhxh_catalog.retirement import GENDER_LABELS
from bhxh_catalog.validators import InvalidValue, extract_values, parse_integer
from bhxh_catalog.vntext import fold

__all__ = [
    "CALCULATORS",
    "MIN_PENSION_YEARS",
    "SURVIVOR_FILING_DAYS",
    "Calculation",
    "Calculator",
    "contribution_period",
]

SURVIVOR_FILING_DAYS = 90  # Luật 41/2024 Điều 91 khoản 1, 2: nộp hồ sơ tử tuất trong 90 ngày
MIN_PENSION_YEARS = 15  # Luật 41/2024 Điều 64 khoản 1: đóng BHXH từ đủ 15 năm
FIRST_YEAR_OF_2_MONTHS = 2014  # Luật 41/2024 Điều 70 khoản 3: từ năm 2014, 2 tháng mỗi năm


@dataclass(frozen=True, slots=True)
class Calculation:
    """A computed answer.

    Attributes:
        fact: the first sentence: the number, the date, the yes/no.
        details: short lines after it (the breakdown, the assumption made).
        legal_basis: ids of ``legal_basis.yaml`` the computation rests on.
    """

    fact: str
    details: tuple[str, ...] = ()
    legal_basis: tuple[str, ...] = ()


Calculator = Callable[[str, Catalog, date], "Calculation | None"]


def _money(amount: int) -> str:
    return f"{group_thousands(amount)} đồng"


# ------------------------------------------------------------------------ reading values

_MONTH = (r"(?:(?:(?:thang|th|t)\s*)?(\d{1,2})\s*[/\-.]\s*"
          r"|(?:thang|th|t)\s*(\d{1,2})\s+(?:nam\s+)?)")
_RANGE = re.compile(
    rf"(?:tu\s+)?(?:nam\s+)?{_MONTH}?((?:19|20)\d{{2}})"
    rf"\s*(?:den|toi|->|-|–|~|cho den)\s*(?:nam\s+)?{_MONTH}?"
    r"((?:19|20)\d{2}|nay|bay gio|hien nay|hien tai|h)\b"
)
_DURATION = re.compile(r"(\d{1,2}|[a-z]+)\s+nam(?:\s+(\d{1,2})\s+thang|\s+(ruoi))?")
_MEMBERS = re.compile(r"(\d{1,2}|[a-z]+)\s+(?:nguoi|thanh vien|khau|nhan khau|suat|dua)")
_BIRTH_YEAR = re.compile(r"(?:sinh|sn|sinh nam|nam sinh)\s*(?:nam|ngay\s+\S+)?\s*((?:19|20)\d{2})")
_BIRTH_MONTH = re.compile(
    r"(?:sinh|sn)\s*(?:ngay\s+\d{1,2}\s+)?(?:thang\s*|th\s*|t\s*)?(\d{1,2})\s*(?:[/\-.]|\s+nam\s+)\s*"
    r"((?:19|20)\d{2})"
)
_MONEY_HINT = re.compile(r"luong|thu nhap|muc|dong|binh quan|tien")


def _folded(text: str) -> str:
    return " ".join(fold(text).split())


def contribution_period(text: str, as_of: date) -> tuple[int, int, str] | None:
    """Months of contribution before 2014 and from 2014 that a message states.

    Reads a range of years ("từ 2012 đến 2024", "tháng 3/2012 - tháng 6/2024", "2015 đến nay")
    or a duration ("đóng 10 năm 4 tháng"). A range counts whole years inclusive (01/2012 to
    12/2024) unless months are given; a duration alone is counted from 2014 onwards.

    Returns:
        ``(months_before_2014, months_from_2014, what was understood)`` or None.
    """
    folded = _folded(text)
    match = _RANGE.search(folded)
    if match:
        first = match.group(1) or match.group(2)
        first_month = int(first) if first else 1
        first_year = int(match.group(3))
        end = match.group(6)
        last = match.group(4) or match.group(5)
        if end.isdigit():
            last_year = int(end)
            last_month = int(last) if last else 12
        else:  # "đến nay": up to the month before this one (this month may not be paid yet)
            last_year, last_month = divmod(as_of.year * 12 + as_of.month - 2, 12)
            last_month += 1
        if not (1 <= first_month <= 12 and 1 <= last_month <= 12):
            return None
        start = first_year * 12 + first_month - 1
        stop = last_year * 12 + last_month  # exclusive
        if stop <= start:
            return None
        cut = FIRST_YEAR_OF_2_MONTHS * 12
        before = max(0, min(stop, cut) - start)
        after = max(0, stop - max(start, cut))
        shown = (f"từ tháng {first_month:02d}/{first_year} đến tháng {last_month:02d}/{last_year}")
        return before, after, shown
    duration = _DURATION.search(folded)
    if duration:
        years = _int_word(duration.group(1))
        if years is None or years > 50:
            return None
        months = years * 12 + (int(duration.group(2)) if duration.group(2) else 0)
        months += 6 if duration.group(3) else 0
        return 0, months, f"{_years_text(months)} đóng, tính từ năm 2014 trở đi"
    return None


def _int_word(word: str) -> int | None:
    try:
        return parse_integer(word)
    except InvalidValue:
        return None


def _years_text(months: int) -> str:
    years, rest = divmod(months, 12)
    if not rest:
        return f"{years} năm"
    return f"{years} năm {rest} tháng" if years else f"{rest} tháng"


def _money_in(text: str) -> int | None:
    found = [value for value in extract_values(text, ["money"]) if isinstance(value.value, int)]
    return found[0].value if found else None  # type: ignore[return-value]


def _date_in(text: str) -> date | None:
    found = [v.value for v in extract_values(text, ["date"]) if isinstance(v.value, date)]
    return found[0] if found else None


def _members_in(text: str) -> int | None:
    match = _MEMBERS.search(_folded(text))
    if not match:
        return None
    count = _int_word(match.group(1))
    return count if count is not None and 1 <= count <= 30 else None


def _gender_in(text: str) -> str | None:
    words = set(_folded(text).split())
    female = {"nu", "ba", "me", "vo", "chi", "co"} & words
    male = {"nam", "ong", "bo", "chong", "anh", "chu"} & words
    folded = _folded(text)
    if re.search(r"\bla nu\b|\bgioi tinh nu\b|\bphu nu\b|\blao dong nu\b", folded):
        return "nu"
    if re.search(r"\bla nam\b|\bgioi tinh nam\b|\bdan ong\b|\blao dong nam\b|\bnam sn\b"
                 r"|^nam\b(?!\s*(?:nay|sinh|ngoai|truoc|sau|\d))", folded):
        return "nam"
    if female and not male:
        return "nu"
    if male and not female and "nam" not in words:
        return "nam"
    return None


def _birth_in(text: str) -> tuple[date, str] | None:
    """The birth date and how much of it is known: ``day``, ``month`` or ``year``."""
    folded = _folded(text)
    if "sinh" in folded or "sn" in folded.split():
        day = _date_in(text)
        if day is not None and day.year < 2015:
            return day, "day"
    month = _BIRTH_MONTH.search(folded)
    if month and 1 <= int(month.group(1)) <= 12:
        return date(int(month.group(2)), int(month.group(1)), 1), "month"
    match = _BIRTH_YEAR.search(folded)
    if match:
        return date(int(match.group(1)), 1, 1), "year"
    return None


# ---------------------------------------------------------------------------- calculators


def _bhxh_mot_lan(text: str, catalog: Catalog, as_of: date) -> Calculation | None:
    period = contribution_period(text, as_of)
    salary = _money_in(text)
    if period is None or salary is None:
        return None
    before, after, shown = period
    inputs = {"thang_truoc_2014": before, "thang_tu_2014": after, "luong_binh_quan": salary}
    try:
        result = compute("bhxh_mot_lan", inputs, as_of, catalog)
    except CatalogError:
        return None
    salaries = decimal(Fraction(result.amount, salary)) if salary else "0"
    fact = (f"Ước tính ông/bà nhận BHXH một lần khoảng {_money(result.amount)}, bằng {salaries} "
            f"tháng bình quân tiền lương ({shown}, bình quân {_money(salary)}).")
    lines = tuple(f"{label}: {_money(amount)}." for label, amount in result.lines)
    caveat = ("Số thật tính trên bình quân tiền lương của cả quá trình đóng, đã điều chỉnh "
              "theo trượt giá, nên có thể khác.")
    return Calculation(fact, (*lines, caveat), ("law41_art70_k3",))


def _mai_tang(text: str, catalog: Catalog, as_of: date) -> Calculation | None:
    death = _date_in(text)
    if death is None or death > as_of:
        return None
    try:
        result = compute("tro_cap_mai_tang", {"ngay_mat": death}, as_of, catalog)
    except CatalogError:
        return None
    reference = result.parameters_used[0].value if result.parameters_used else None
    why = f" (10 lần mức tham chiếu {_money(reference)})" if reference else ""
    fact = f"Người mất ngày {dmy(death)} thì trợ cấp mai táng là {_money(result.amount)}{why}."
    return Calculation(fact, _filing_deadline(death, as_of), ("law41_art85",))


def _filing_deadline(death: date, as_of: date) -> tuple[str, ...]:
    last = death + timedelta(days=SURVIVOR_FILING_DAYS)
    if as_of <= last:
        return (f"Hạn chót nộp hồ sơ: trước ngày {dmy(last)} "
                f"({SURVIVOR_FILING_DAYS} ngày kể từ ngày mất).",)
    return (f"Đã quá {SURVIVOR_FILING_DAYS} ngày kể từ ngày mất (hạn là {dmy(last)}); ông/bà "
            "vẫn nộp được, kèm văn bản giải trình lý do nộp chậm.",)


def _han_nop_tu_tuat(text: str, catalog: Catalog, as_of: date) -> Calculation | None:
    death = _date_in(text)
    if death is None or death > as_of:
        return None
    lines = _filing_deadline(death, as_of)
    return Calculation(lines[0], (), ("law41_art91",))


def _bhyt_ho_gia_dinh(text: str, catalog: Catalog, as_of: date) -> Calculation | None:
    members = _members_in(text)
    if members is None:
        return None
    folded = _folded(text)
    months = 12
    for period in (3, 6):
        if re.search(rf"\b{period} thang\b", folded):
            months = period
    try:
        result = compute("bhyt_ho_gia_dinh", {"so_thanh_vien": members, "so_thang": months},
                         as_of, catalog)
    except CatalogError:
        return None
    fact = (f"Hộ gia đình {members} người đóng BHYT {months} tháng hết {_money(result.amount)} "
            f"(tính theo mức tham chiếu ngày {dmy(as_of)}).")
    lines = tuple(f"{label}: {_money(amount)}." for label, amount in result.lines)
    return Calculation(fact, lines, ("luat_bhyt_hgd_muc_dong",))


_TN_GROUPS = (
    (re.compile(r"can ngheo"), "can_ngheo", "hộ cận nghèo"),
    (re.compile(r"ho ngheo|\bngheo\b"), "ho_ngheo", "hộ nghèo"),
    (re.compile(r"dan toc"), "dan_toc_thieu_so", "người dân tộc thiểu số"),
)


def _tu_nguyen(text: str, catalog: Catalog, as_of: date) -> Calculation | None:
    income = _money_in(text)
    if income is None:
        return None
    folded = _folded(text)
    group, who = "khac", "đối tượng khác"
    for pattern, key, label in _TN_GROUPS:
        if pattern.search(folded):
            group, who = key, label
            break
    try:
        low = catalog.parameter("chuan_ngheo_nong_thon", as_of)
        high = TN_MAX_MULTIPLE * catalog.parameter("muc_tham_chieu", as_of)
    except CatalogError:
        return None
    if not low <= income <= high:
        fact = (f"Thu nhập chọn để đóng BHXH tự nguyện phải từ {_money(low)} đến {_money(high)} "
                f"mỗi tháng; {_money(income)} nằm ngoài khoảng này.")
        return Calculation(fact, (), ("law41_art31_k2",))
    inputs = {"thu_nhap": income, "dien_ho_tro": group, "so_thang": 1}
    try:
        result = compute("bhxh_tu_nguyen", inputs, as_of, catalog)
    except CatalogError:
        return None
    gross, support = result.lines[0][1], -result.lines[1][1]
    fact = (f"Với thu nhập {_money(income)} một tháng, mức đóng BHXH tự nguyện là "
            f"{_money(gross)} mỗi tháng (22%); Nhà nước hỗ trợ {_money(support)} ({who}) nên "
            f"ông/bà nộp {_money(result.amount)}.")
    return Calculation(fact, (), ("law41_art31_k2", "nd159_2025_art5"))


def _nghi_huu(text: str, catalog: Catalog, as_of: date) -> Calculation | None:
    birth = _birth_in(text)
    if birth is None:
        return None
    day, known = birth
    gender = _gender_in(text)
    tables = catalog.retirement_ages.genders
    genders = [gender] if gender else [g for g in ("nam", "nu") if g in tables]
    parts: list[str] = []
    for g in genders:
        try:
            schedule = catalog.retirement_ages.get(g)
        except CatalogError:
            continue
        when = schedule.retirement_date(day)
        months = (when.year - day.year) * 12 + when.month - day.month
        age = f"{months // 12} tuổi" + (f" {months % 12} tháng" if months % 12 else "")
        if known == "day":
            moment = f"ngày {dmy(when)}"
        elif known == "month":
            moment = f"tháng {when.month:02d}/{when.year}"
        else:
            latest = schedule.retirement_date(date(day.year, 12, 1))
            moment = (f"vào năm {when.year}" if latest.year == when.year
                      else f"trong khoảng tháng {when.month:02d}/{when.year} đến tháng "
                           f"{latest.month:02d}/{latest.year}, tùy tháng sinh")
        if known != "year":
            moment = f"vào {moment}"
        parts.append(f"{GENDER_LABELS[g]} đủ tuổi nghỉ hưu ({age}) {moment}")
    if not parts:
        return None
    born = {"day": f"ngày {dmy(day)}", "month": f"tháng {day.month:02d}/{day.year}"}.get(
        known, f"năm {day.year}")
    fact = f"Người sinh {born}: " + "; ".join(parts) + "."
    return Calculation(fact, (f"Để có lương hưu cần đóng BHXH từ đủ {MIN_PENSION_YEARS} năm.",),
                       ("blld2019_art169", "law41_art64"))


def _so_nam_luong_huu(text: str, catalog: Catalog, as_of: date) -> Calculation | None:
    period = contribution_period(text, as_of)
    if period is None:
        return None
    before, after, _ = period
    months = before + after
    needed = MIN_PENSION_YEARS * 12
    if months >= needed:
        fact = (f"Ông/bà đã đóng {_years_text(months)}, đủ {MIN_PENSION_YEARS} năm: khi đủ tuổi "
                "nghỉ hưu thì được hưởng lương hưu.")
    else:
        fact = (f"Ông/bà đã đóng {_years_text(months)}; cần đủ {MIN_PENSION_YEARS} năm để có "
                f"lương hưu, tức là còn thiếu {_years_text(needed - months)}.")
    return Calculation(fact, (), ("law41_art64",))


CALCULATORS: dict[str, Calculator] = {
    "bhxh_mot_lan": _bhxh_mot_lan,
    "mai_tang": _mai_tang,
    "han_nop_tu_tuat": _han_nop_tu_tuat,
    "bhyt_ho_gia_dinh": _bhyt_ho_gia_dinh,
    "tu_nguyen": _tu_nguyen,
    "nghi_huu": _nghi_huu,
    "so_nam_luong_huu": _so_nam_luong_huu,
}
"""The calculators a topic may name, by name."""

