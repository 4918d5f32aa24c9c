"""Amount estimates computed by named formulas, with a Vietnamese breakdown.

A procedure's ``amounts`` entry names a formula of :data:`FORMULAS`; :func:`estimate` reads the
inputs (chat strings are fine), runs the formula with the dated parameters of the catalog and
returns an :class:`Estimate`. Amounts are integer VND: every breakdown line is rounded to the
đồng (half up) and the amount is the sum of the lines. Rates fixed by law are constants here,
each with its article; amounts that change by decree (mức tham chiếu, chuẩn nghèo) always come
from ``parameters.yaml`` for the relevant date.

Example::

    e = estimate(cat, "gia_han_bhyt_ho_gia_dinh", "muc_dong",
                 {"so_thanh_vien": "2", "so_thang": "12"}, date(2026, 1, 1))
    e.amount        # 2148120 (mức tham chiếu 2.340.000 đ, in force until 30/6/2026)
    e.breakdown     # [("Người thứ nhất: 4,5% × 2.340.000 đ × 12 tháng", 1263600), …]
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from typing import Protocol

from bhxh_catalog import config
from bhxh_catalog._fmt import decimal, dmy, percent, vnd
from bhxh_catalog.conditions import Context
from bhxh_catalog.conditions import evaluate as evaluate_condition
from bhxh_catalog.errors import EstimateError
from bhxh_catalog.models import AmountDef, Catalog, LegalBasis, ParameterValue, Question

__all__ = [
    "FORMULAS",
    "Estimate",
    "Formula",
    "FormulaResult",
    "ParameterSource",
    "compute",
    "estimate",
    "inputs_to_ask",
    "optional_inputs",
]

ROUNDING_NOTE = "Số tiền làm tròn đến đồng."


class ParameterSource(Protocol):
    """Anything that returns dated parameter values (a :class:`Catalog` does)."""

    def parameter_value(self, name: str, as_of: date) -> ParameterValue:
        """Returns the value of ``name`` in force on ``as_of``."""
        ...


@dataclass(frozen=True, slots=True)
class Estimate:
    """An estimated amount.

    Attributes:
        amount: integer VND (the sum of the breakdown lines).
        breakdown: ``(Vietnamese explanation, amount)`` lines.
        legal_basis: the references of the amount definition.
        note: caveats in Vietnamese (estimate only, rounding, …).
        unverified: a fact or parameter used is marked unverified in the catalog.
        procedure_id: the procedure.
        amount_id: the amount definition.
        label: the amount's label ("Ước tính mức hưởng BHXH một lần").
        as_of: the date the parameters were read for.
        stale: a parameter value used is past its ``review_by`` on ``as_of``.
    """

    amount: int
    breakdown: list[tuple[str, int]]
    legal_basis: list[LegalBasis]
    note: str | None
    unverified: bool
    procedure_id: str = ""
    amount_id: str = ""
    label: str = ""
    as_of: date | None = None
    stale: bool = False

    @property
    def needs_confirmation(self) -> bool:
        """True when the citizen should confirm with BHXH (unverified or past review)."""
        return self.unverified or self.stale


@dataclass(frozen=True, slots=True)
class FormulaResult:
    """What a formula returns: the lines, notes, and the parameter values it read."""

    lines: list[tuple[str, int]]
    notes: list[str] = field(default_factory=list)
    parameters_used: list[ParameterValue] = field(default_factory=list)

    @property
    def amount(self) -> int:
        """The sum of the lines."""
        return sum(value for _, value in self.lines)


class _Params:
    """Reads dated parameters and remembers which values were used."""

    def __init__(self, source: ParameterSource) -> None:
        self._source = source
        self.used: list[ParameterValue] = []

    def __call__(self, name: str, as_of: date) -> int:
        value = self._source.parameter_value(name, as_of)
        self.used.append(value)
        return value.value


_Compute = Callable[[Mapping[str, object], date, _Params], tuple[list[tuple[str, int]], list[str]]]


@dataclass(frozen=True, slots=True)
class Formula:
    """A named formula.

    Attributes:
        name: the name used in the data files.
        title: what it computes, in Vietnamese.
        required: input ids that must be given.
        optional: input ids that may be given.
        kinds: the answer kinds each input may have in the data files.
        parameters: the dated parameters it reads.
        run: the computation.
    """

    name: str
    title: str
    required: tuple[str, ...]
    optional: tuple[str, ...]
    kinds: Mapping[str, tuple[str, ...]]
    parameters: tuple[str, ...]
    run: _Compute


def _round(value: Fraction) -> int:
    """Rounds to the đồng, half up (half away from zero for negative values)."""
    sign = -1 if value < 0 else 1
    return sign * int((abs(value) * 2 + 1) // 2)


def _int_input(inputs: Mapping[str, object], name: str, default: int | None = None) -> int:
    value = inputs.get(name, default)
    if value is None:
        raise EstimateError(f"Thiếu thông tin '{name}' để ước tính.")
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise EstimateError(f"Thông tin '{name}' phải là một số.")
    try:
        number = float(value)
    except ValueError as error:
        raise EstimateError(f"Thông tin '{name}' phải là một số.") from error
    if not number.is_integer() or number < 0:
        raise EstimateError(f"Thông tin '{name}' phải là một số nguyên không âm.")
    return int(number)


# ------------------------------------------------------------------------- bhxh_mot_lan

MONTHS_PER_YEAR_BEFORE_2014 = Fraction(3, 2)  # Luật 41/2024 Điều 70 khoản 3
MONTHS_PER_YEAR_FROM_2014 = Fraction(2)  # Luật 41/2024 Điều 70 khoản 3
MAX_MONTHS_UNDER_ONE_YEAR = 2  # Luật 41/2024 Điều 70 khoản 3: dưới 1 năm, tối đa 2 tháng


def _years_with_odd_months(months: int) -> Fraction:
    """Contribution years; odd months 1–6 count as half a year, 7–11 as a year (Điều 5 khoản 6)."""
    whole, odd = divmod(months, 12)
    if odd == 0:
        return Fraction(whole)
    return Fraction(whole) + (Fraction(1, 2) if odd <= 6 else 1)


def _bhxh_mot_lan(
    inputs: Mapping[str, object], as_of: date, params: _Params
) -> tuple[list[tuple[str, int]], list[str]]:
    before = _int_input(inputs, "thang_truoc_2014")
    after = _int_input(inputs, "thang_tu_2014")
    salary = _int_input(inputs, "luong_binh_quan")
    if before + after < 12:
        return _under_one_year(before + after, salary, inputs.get("so_tien_da_dong"))
    if after == 0:
        return _before_2014_only(before, salary), list(_MOT_LAN_NOTES)
    years_before, carried = divmod(before, 12)
    months_after = after + carried
    years_after = _years_with_odd_months(months_after)
    lines: list[tuple[str, int]] = []
    if years_before:
        lines.append((
            f"Giai đoạn trước năm 2014: {years_before} năm × 1,5 tháng × {vnd(salary)}",
            _round(years_before * MONTHS_PER_YEAR_BEFORE_2014 * salary),
        ))
    if months_after:
        carried_text = f", gồm {carried} tháng lẻ trước năm 2014" if carried else ""
        lines.append((
            f"Giai đoạn từ năm 2014: {months_after} tháng{carried_text}, tính "
            f"{decimal(years_after)} năm × 2 tháng × {vnd(salary)}",
            _round(years_after * MONTHS_PER_YEAR_FROM_2014 * salary),
        ))
    return lines, list(_MOT_LAN_NOTES)


_MOT_LAN_NOTES = [
    "Tháng lẻ: từ 1 đến 6 tháng tính là nửa năm, từ 7 đến 11 tháng tính là một năm.",
    "Tiền Nhà nước hỗ trợ đóng BHXH tự nguyện (nếu có) không được tính, trừ một số trường "
    "hợp theo Điều 70 khoản 4.",
]


def _before_2014_only(before: int, salary: int) -> list[tuple[str, int]]:
    """All contribution before 2014: the odd months stay in that period (Điều 70 khoản 3).

    Odd months move into the period from 2014 only when there is contribution in both periods;
    30 months all before 2014 are 2,5 năm × 1,5 tháng.
    """
    years = _years_with_odd_months(before)
    return [(
        f"Giai đoạn trước năm 2014: {before} tháng, tính {decimal(years)} năm × 1,5 tháng × "
        f"{vnd(salary)}",
        _round(years * MONTHS_PER_YEAR_BEFORE_2014 * salary),
    )]


def _under_one_year(
    months: int, salary: int, paid_raw: object
) -> tuple[list[tuple[str, int]], list[str]]:
    cap = MAX_MONTHS_UNDER_ONE_YEAR * salary
    if paid_raw is None:
        label = f"Đóng dưới 1 năm ({months} tháng): tối đa 2 tháng × {vnd(salary)}"
        note = "Số tiền nhận bằng số tiền đã đóng, không quá mức tối đa trên."
        return [(label, cap)], [note]
    paid = _int_input({"so_tien_da_dong": paid_raw}, "so_tien_da_dong")
    label = (
        f"Đóng dưới 1 năm ({months} tháng): bằng số tiền đã đóng {vnd(paid)}, "
        f"tối đa 2 tháng × {vnd(salary)} = {vnd(cap)}"
    )
    return [(label, min(paid, cap))], []


# --------------------------------------------------------------------- tro_cap_mai_tang

FUNERAL_MULTIPLE = 10  # Luật 41/2024 Điều 85 khoản 2


def _tro_cap_mai_tang(
    inputs: Mapping[str, object], as_of: date, params: _Params
) -> tuple[list[tuple[str, int]], list[str]]:
    death = inputs.get("ngay_mat") or as_of
    if not isinstance(death, date):
        raise EstimateError("Ngày mất phải là một ngày, ví dụ 15/01/2026.")
    reference = params("muc_tham_chieu", death)
    label = (
        f"{FUNERAL_MULTIPLE} × mức tham chiếu {vnd(reference)} "
        f"(tháng người mất {death.strftime('%m/%Y')})"
    )
    return [(label, FUNERAL_MULTIPLE * reference)], []


# ---------------------------------------------------------------------- tuat_hang_thang

SURVIVOR_RATE = Fraction(1, 2)  # Luật 41/2024 Điều 87: 50% mức tham chiếu
SURVIVOR_RATE_NO_CARER = Fraction(7, 10)  # Điều 87: 70% khi không có người trực tiếp nuôi dưỡng
MAX_SURVIVORS = 4  # Điều 87: tối đa 4 thân nhân


def _tuat_hang_thang(
    inputs: Mapping[str, object], as_of: date, params: _Params
) -> tuple[list[tuple[str, int]], list[str]]:
    total = _int_input(inputs, "so_than_nhan")
    no_carer = _int_input(inputs, "so_than_nhan_khong_nguoi_nuoi", 0)
    if total < 1 or no_carer > total:
        raise EstimateError(
            "Số thân nhân phải từ 1 trở lên và không ít hơn số thân nhân không có người "
            "trực tiếp nuôi dưỡng."
        )
    reference = params("muc_tham_chieu", as_of)
    counted_70 = min(no_carer, MAX_SURVIVORS)
    counted_50 = min(total - no_carer, MAX_SURVIVORS - counted_70)
    lines: list[tuple[str, int]] = []
    for count, rate, who in (
        (counted_70, SURVIVOR_RATE_NO_CARER, "thân nhân không có người trực tiếp nuôi dưỡng"),
        (counted_50, SURVIVOR_RATE, "thân nhân"),
    ):
        if count:
            each = _round(rate * reference)
            lines.append((f"{count} {who} × {percent(rate)} × {vnd(reference)} mỗi tháng",
                          count * each))
    notes = ["Mức hưởng mỗi tháng, theo mức tham chiếu tại ngày ước tính."]
    if total > MAX_SURVIVORS:
        notes.append(
            f"Tối đa {MAX_SURVIVORS} thân nhân được hưởng; đã tính {MAX_SURVIVORS} người."
        )
    return lines, notes


# --------------------------------------------------------------------- bhyt_ho_gia_dinh

BHYT_RATE = Fraction(45, 1000)  # Luật BHYT: 4,5% mức tham chiếu cho người thứ nhất
BHYT_MEMBER_SHARES = (Fraction(1), Fraction(7, 10), Fraction(6, 10), Fraction(5, 10))
BHYT_LATER_SHARE = Fraction(4, 10)  # từ người thứ 5: 40% mức đóng của người thứ nhất
BHYT_PERIODS = (3, 6, 12)


def _period(inputs: Mapping[str, object], allowed: tuple[int, ...]) -> int:
    months = _int_input(inputs, "so_thang")
    if months not in allowed:
        shown = ", ".join(str(m) for m in allowed)
        raise EstimateError(f"Số tháng đóng phải là một trong: {shown}.")
    return months


def _bhyt_ho_gia_dinh(
    inputs: Mapping[str, object], as_of: date, params: _Params
) -> tuple[list[tuple[str, int]], list[str]]:
    members = _int_input(inputs, "so_thanh_vien")
    if members < 1:
        raise EstimateError("Hộ gia đình phải có ít nhất 1 thành viên tham gia.")
    months = _period(inputs, BHYT_PERIODS)
    reference = params("muc_tham_chieu", as_of)
    first = BHYT_RATE * reference
    lines = [(f"Người thứ nhất: {percent(BHYT_RATE)} × {vnd(reference)} × {months} tháng",
              _round(first) * months)]
    for position, share in enumerate(BHYT_MEMBER_SHARES[1:members], start=2):
        lines.append((f"Người thứ {position}: {percent(share)} mức đóng người thứ nhất × "
                      f"{months} tháng", _round(share * first) * months))
    later = members - len(BHYT_MEMBER_SHARES)
    if later > 0:
        each = _round(BHYT_LATER_SHARE * first) * months
        lines.append((f"Từ người thứ 5 ({later} người): {percent(BHYT_LATER_SHARE)} mức đóng "
                      f"người thứ nhất × {months} tháng", later * each))
    return lines, [f"Mức đóng cho {months} tháng theo mức tham chiếu ngày {dmy(as_of)}."]


# ----------------------------------------------------------------------- bhxh_tu_nguyen

TN_RATE = Fraction(22, 100)  # Luật 41/2024 Điều 31 khoản 2: 22% thu nhập lựa chọn
TN_MAX_MULTIPLE = 20  # Điều 31 khoản 2: thu nhập tối đa 20 lần mức tham chiếu
TN_SUPPORT_FROM = date(2025, 7, 1)  # NĐ 159/2025/NĐ-CP Điều 5, áp dụng từ 01/7/2025
TN_SUPPORT = {  # NĐ 159/2025 Điều 5: % của mức đóng tính trên chuẩn nghèo nông thôn
    "ho_ngheo": (Fraction(50, 100), "hộ nghèo"),
    "xa_dao_dac_khu": (Fraction(50, 100), "người sống ở xã đảo, đặc khu"),
    "can_ngheo": (Fraction(40, 100), "hộ cận nghèo"),
    "dan_toc_thieu_so": (Fraction(30, 100), "người dân tộc thiểu số"),
    "khac": (Fraction(20, 100), "đối tượng khác"),
}
TN_PERIODS = (1, 3, 6, 12)


def _bhxh_tu_nguyen(
    inputs: Mapping[str, object], as_of: date, params: _Params
) -> tuple[list[tuple[str, int]], list[str]]:
    if as_of < TN_SUPPORT_FROM:
        raise EstimateError(f"Cách tính này áp dụng từ ngày {dmy(TN_SUPPORT_FROM)}.")
    income = _int_input(inputs, "thu_nhap")
    group = inputs.get("dien_ho_tro")
    if group not in TN_SUPPORT:
        raise EstimateError("Diện hỗ trợ phải là một trong: " + ", ".join(TN_SUPPORT) + ".")
    months = _period(inputs, TN_PERIODS)
    poverty_line = params("chuan_ngheo_nong_thon", as_of)
    ceiling = TN_MAX_MULTIPLE * params("muc_tham_chieu", as_of)
    if not poverty_line <= income <= ceiling:
        raise EstimateError(
            f"Thu nhập làm căn cứ đóng phải từ {vnd(poverty_line)} (chuẩn nghèo khu vực nông "
            f"thôn) đến {vnd(ceiling)} (20 lần mức tham chiếu) tại ngày {dmy(as_of)}."
        )
    rate, who = TN_SUPPORT[str(group)]
    lines = [
        (f"Mức đóng: {percent(TN_RATE)} × {vnd(income)} × {months} tháng",
         _round(TN_RATE * income) * months),
        (f"Nhà nước hỗ trợ ({who}): {percent(rate)} × {percent(TN_RATE)} × chuẩn nghèo "
         f"{vnd(poverty_line)} × {months} tháng", -_round(rate * TN_RATE * poverty_line) * months),
    ]
    notes = [
        f"Số tiền người tham gia nộp cho {months} tháng, đã trừ phần Nhà nước hỗ trợ.",
        "Nhà nước hỗ trợ tối đa 10 năm (120 tháng); nếu thuộc nhiều diện thì hưởng mức cao nhất.",
    ]
    return lines, notes


# ----------------------------------------------------------------------------- registry

FORMULAS: dict[str, Formula] = {
    "bhxh_mot_lan": Formula(
        "bhxh_mot_lan", "Mức hưởng BHXH một lần",
        required=("thang_truoc_2014", "thang_tu_2014", "luong_binh_quan"),
        optional=("so_tien_da_dong",),
        kinds={"thang_truoc_2014": ("integer", "number"), "thang_tu_2014": ("integer", "number"),
               "luong_binh_quan": ("money",), "so_tien_da_dong": ("money",)},
        parameters=(), run=_bhxh_mot_lan,
    ),
    "tro_cap_mai_tang": Formula(
        "tro_cap_mai_tang", "Trợ cấp mai táng", required=(), optional=("ngay_mat",),
        kinds={"ngay_mat": ("date",)}, parameters=("muc_tham_chieu",), run=_tro_cap_mai_tang,
    ),
    "tuat_hang_thang": Formula(
        "tuat_hang_thang", "Trợ cấp tuất hằng tháng", required=("so_than_nhan",),
        optional=("so_than_nhan_khong_nguoi_nuoi",),
        kinds={"so_than_nhan": ("integer", "number"),
               "so_than_nhan_khong_nguoi_nuoi": ("integer", "number")},
        parameters=("muc_tham_chieu",), run=_tuat_hang_thang,
    ),
    "bhyt_ho_gia_dinh": Formula(
        "bhyt_ho_gia_dinh", "Mức đóng BHYT hộ gia đình",
        required=("so_thanh_vien", "so_thang"), optional=(),
        kinds={"so_thanh_vien": ("integer", "number"),
               "so_thang": ("integer", "number", "choice")},
        parameters=("muc_tham_chieu",), run=_bhyt_ho_gia_dinh,
    ),
    "bhxh_tu_nguyen": Formula(
        "bhxh_tu_nguyen", "Mức đóng BHXH tự nguyện",
        required=("thu_nhap", "dien_ho_tro", "so_thang"), optional=(),
        kinds={"thu_nhap": ("money",), "dien_ho_tro": ("choice",),
               "so_thang": ("integer", "number", "choice")},
        parameters=("chuan_ngheo_nong_thon", "muc_tham_chieu"), run=_bhxh_tu_nguyen,
    ),
}
"""The formulas the data files may name (docs/catalog-format.md, "Formulas")."""


def compute(
    formula: str, inputs: Mapping[str, object], as_of: date, parameters: ParameterSource
) -> FormulaResult:
    """Runs a formula on typed inputs.

    Args:
        formula: a name of :data:`FORMULAS`.
        inputs: typed values by input id (ints, dates, option values).
        as_of: the date parameters are read for.
        parameters: where dated parameters come from (a :class:`Catalog`).

    Raises:
        EstimateError: unknown formula, missing or out-of-range input.
        ParameterError: a parameter has no value for the date.
    """
    spec = FORMULAS.get(formula)
    if spec is None:
        raise EstimateError(f"Không có công thức '{formula}'.")
    missing = [name for name in spec.required if inputs.get(name) is None]
    if missing:
        raise EstimateError("Thiếu thông tin để ước tính: " + ", ".join(missing) + ".")
    params = _Params(parameters)
    lines, notes = spec.run(inputs, as_of, params)
    return FormulaResult(lines, notes, params.used)


def estimate(
    catalog: Catalog,
    procedure_id: str,
    amount_id: str,
    inputs: Mapping[str, object],
    as_of: date | None = None,
) -> Estimate:
    """Estimates an amount of a procedure.

    Args:
        catalog: the loaded catalog (for the procedure and the dated parameters).
        procedure_id: the procedure.
        amount_id: the amount definition of that procedure.
        inputs: values by input id; chat strings are read per input kind ("1,5 triệu", "12").
        as_of: the date parameters are read for (default: today).

    Raises:
        CatalogError: unknown procedure or amount.
        AnswerError: an input cannot be read.
        EstimateError: an input is missing or out of the legal range.
        ParameterError: a parameter has no value for the date.
    """
    day = as_of or config.today()
    definition = catalog.get(procedure_id).amount(amount_id)
    values = _read_inputs(definition, inputs)
    result = compute(definition.formula, values, day, catalog)
    return Estimate(
        amount=result.amount,
        breakdown=result.lines,
        legal_basis=list(definition.legal_basis),
        note=" ".join([*filter(None, [definition.note]), *result.notes, ROUNDING_NOTE]),
        unverified=_unverified(definition, result),
        procedure_id=procedure_id,
        amount_id=amount_id,
        label=definition.label,
        as_of=day,
        stale=any(value.stale_on(day) for value in result.parameters_used),
    )


def optional_inputs(definition: AmountDef) -> frozenset[str]:
    """Ids of the definition's inputs the formula can do without (the citizen may skip them)."""
    formula = FORMULAS.get(definition.formula)
    return frozenset(formula.optional) if formula else frozenset()


def inputs_to_ask(
    definition: AmountDef, inputs: Mapping[str, object], as_of: date | None = None
) -> list[Question]:
    """The inputs still to ask for an estimate, in order (answered and skipped ones left out).

    Optional inputs (see :func:`optional_inputs`) are included: ask them, and accept a skip.

    Raises:
        AnswerError: a given input cannot be read.
    """
    values = _read_inputs(definition, inputs)
    skipped: set[str] = set()
    for question in definition.inputs:
        if question.ask_if is not None:
            ctx = Context(values, as_of or config.today(), frozenset(skipped))
            if evaluate_condition(question.ask_if, ctx) is False:
                skipped.add(question.id)
    return [q for q in definition.inputs if q.id not in skipped and q.id not in values]


def _read_inputs(definition: AmountDef, inputs: Mapping[str, object]) -> dict[str, object]:
    values: dict[str, object] = {}
    for question in definition.inputs:
        raw = inputs.get(question.id)
        if raw is not None and not (isinstance(raw, str) and not raw.strip()):
            values[question.id] = question.read(raw)
    return values


def _unverified(definition: AmountDef, result: FormulaResult) -> bool:
    used = result.parameters_used
    refs = [*definition.legal_basis, *(ref for value in used for ref in value.legal_basis)]
    return (
        not definition.verified
        or any(not ref.verified for ref in refs)
        or any(not value.verified for value in result.parameters_used)
    )
