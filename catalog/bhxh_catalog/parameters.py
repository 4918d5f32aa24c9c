"""Dated parameters (mức tham chiếu, chuẩn nghèo nông thôn, …) and their lookup by date.

A parameter has several values, each valid on ``[effective_from, effective_to]`` (an open end is
``None``). The value for a date is the one whose range contains it; there is never a fallback:
a date no value covers is an explicit :class:`~bhxh_catalog.errors.ParameterError`.

A question's or a field's ``text`` and ``help`` may cite a parameter instead of writing its
figure, so the sentence follows the law when the figure changes: ``{muc_tham_chieu}`` reads
"2.340.000 đồng" and ``{muc_tham_chieu|tu_ngay}`` "01/07/2024" (the day that value took effect),
both as of the date the text is shown (:func:`fill`). The schema check refuses unknown names.
A text may also cite the retirement age of the current year, ``{tuoi_nghi_huu_nam}`` /
``{tuoi_nghi_huu_nu}`` ("61 tuổi 6 tháng"), from ``retirement_ages.yaml``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING

from bhxh_catalog._fmt import dmy, group_thousands
from bhxh_catalog.errors import ParameterError

if TYPE_CHECKING:
    from bhxh_catalog.models import Parameter, ParameterValue
    from bhxh_catalog.retirement import RetirementAges

__all__ = ["PLACEHOLDER", "PLACEHOLDER_PARTS", "cited", "fill", "lookup", "value_at"]

PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]*)(?:\|([a-z_]+))?\}")
"""``{name}`` or ``{name|part}`` in a catalog text."""
PLACEHOLDER_PARTS = ("tu_ngay",)
"""What ``{name|part}`` may ask for besides the figure: the day the value took effect."""


def value_at(parameter: Parameter, as_of: date) -> ParameterValue:
    """Returns the value of ``parameter`` in force on ``as_of``.

    Raises:
        ParameterError: no value covers the date.
    """
    for value in parameter.values:
        if value.covers(as_of):
            return value
    raise ParameterError(
        f"Tham số “{parameter.label}” ({parameter.id}) chưa có giá trị áp dụng cho ngày "
        f"{dmy(as_of)}; cần bổ sung vào parameters.yaml."
    )


def lookup(parameters: Mapping[str, Parameter], name: str, as_of: date) -> ParameterValue:
    """Finds parameter ``name`` and returns its value in force on ``as_of``.

    Raises:
        ParameterError: the parameter is unknown or has no value for the date.
    """
    parameter = parameters.get(name)
    if parameter is None:
        raise ParameterError(f"Không có tham số '{name}' trong parameters.yaml.")
    return value_at(parameter, as_of)


def cited(text: str) -> list[tuple[str, str | None]]:
    """The parameters a text cites, as ``(name, part)`` pairs in the order they appear."""
    return [(match.group(1), match.group(2)) for match in PLACEHOLDER.finditer(text)]


def fill(
    text: str,
    parameters: Mapping[str, Parameter],
    as_of: date,
    retirement_ages: RetirementAges | None = None,
) -> str:
    """Replaces each ``{name}`` / ``{name|tu_ngay}`` with the value in force on ``as_of``.

    ``{tuoi_nghi_huu_nam}`` / ``{tuoi_nghi_huu_nu}`` read the retirement age of the year of
    ``as_of`` from *retirement_ages*. A figure no value covers is never guessed: the text says it
    is not available yet.
    """

    def replace(match: re.Match[str]) -> str:
        name, part = match.group(1), match.group(2)
        age = retirement_ages.cite(name, as_of) if retirement_ages is not None else None
        if age is not None and part is None:
            return age
        try:
            value = lookup(parameters, name, as_of)
        except ParameterError:
            return "(chưa có số liệu áp dụng cho ngày này)"
        if part == "tu_ngay":
            return dmy(value.effective_from)
        return f"{group_thousands(value.value)} đồng"

    return PLACEHOLDER.sub(replace, text)
