"""Dated parameters (mức tham chiếu, chuẩn nghèo nông thôn, …) and their lookup by date.

A parameter has several values, each valid on ``[effective_from, effective_to]`` (an open end is
``None``). The value for a date is the one whose range contains it; there is never a fallback:
a date no value covers is an explicit :class:`~bhxh_catalog.errors.ParameterError`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING

from bhxh_catalog._fmt import dmy
from bhxh_catalog.errors import ParameterError

if TYPE_CHECKING:
    from bhxh_catalog.models import Parameter, ParameterValue

__all__ = ["lookup", "value_at"]


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
