"""Exceptions of the catalog package.

All of them derive from :class:`CatalogError`, so a caller can catch one type::

    CatalogError                 the catalog cannot answer (unknown id, invalid data files, …)
    ├── AnswerError              an answer or an estimate input cannot be read (Vietnamese message)
    ├── ParameterError           no dated parameter value covers the requested date
    └── EstimateError            an amount cannot be estimated from the given inputs

Messages are Vietnamese: they reach office staff (CLI) and, for ``AnswerError`` and
``EstimateError``, may be shown to citizens.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bhxh_catalog.schema import SchemaIssue

__all__ = ["AnswerError", "CatalogError", "EstimateError", "ParameterError"]


class CatalogError(Exception):
    """The catalog cannot answer; ``issues`` lists the schema problems when data files are invalid.

    Args:
        message: what went wrong, in Vietnamese.
        issues: the schema problems found while loading (empty for other errors).
    """

    def __init__(self, message: str, issues: list[SchemaIssue] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.issues: list[SchemaIssue] = list(issues or [])

    def __str__(self) -> str:
        if not self.issues:
            return self.message
        return "\n".join([self.message, *(f"  - {issue}" for issue in self.issues)])


class AnswerError(CatalogError):
    """An answer (or an estimate input) cannot be read for its question kind.

    Args:
        message: a short Vietnamese explanation with one example of a valid answer.
        question_id: the id of the question or input concerned.
    """

    def __init__(self, message: str, question_id: str = "") -> None:
        super().__init__(message)
        self.question_id = question_id


class ParameterError(CatalogError):
    """A dated parameter is unknown or has no value for the requested date."""


class EstimateError(CatalogError):
    """An amount cannot be estimated: an input is missing or outside the legal range."""
