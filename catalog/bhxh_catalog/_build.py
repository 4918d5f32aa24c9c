"""Turns checked raw YAML into the frozen model (used by the loader after the schema check).

The raw data is assumed valid (``schema.check_catalog`` found no error); references are resolved
to objects and ``verified`` is inherited from the procedure where an object has none.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from bhxh_catalog import models
from bhxh_catalog.conditions import (
    Condition,
    Operand,
    as_date,
    parse_condition,
    year_alone_rule,
)
from bhxh_catalog.retirement import RetirementAge, RetirementAges, RetirementSchedule
from bhxh_catalog.schema import RawCatalog, RawFile, raw_operand

__all__ = ["build_catalog"]

Raw = dict[str, Any]


def build_catalog(raw: RawCatalog, path: Path | None = None) -> models.Catalog:
    """Builds the catalog from checked raw files."""
    sources = {key: _source(key, entry) for key, entry in _registry(raw.sources, "sources")}
    legal = {key: _legal(key, entry) for key, entry in _registry(raw.legal_basis, "legal_basis")}
    parameters = {
        key: _parameter(key, entry, legal)
        for key, entry in _registry(raw.parameters, "parameters")
    }
    ages = RetirementAges(tuple(
        _retirement_schedule(key, entry, legal)
        for key, entry in _registry(raw.retirement_ages, "retirement_ages")
    ))
    procedures = [
        _ProcedureBuilder(file.data, legal, sources, ages).build() for file in raw.procedures
    ]
    return models.Catalog({p.id: p for p in procedures}, legal, sources, parameters, path, ages)


def _registry(file: RawFile | None, top: str) -> list[tuple[str, Raw]]:
    if file is None or not isinstance(file.data, dict):
        return []
    return [(str(key), entry) for key, entry in (file.data.get(top) or {}).items()]


def _date(value: object) -> date:
    day = as_date(value)
    assert day is not None, "checked by the schema"
    return day


def _optional_date(value: object) -> date | None:
    return None if value is None else _date(value)


def _source(key: str, entry: Raw) -> models.Source:
    return models.Source(key, entry["title"], entry.get("url"), entry.get("publisher"),
                  _optional_date(entry.get("accessed")))


def _legal(key: str, entry: Raw) -> models.LegalBasis:
    return models.LegalBasis(
        id=key,
        instrument=entry["instrument"],
        effective_from=_date(entry["effective_from"]),
        article=entry.get("article"),
        effective_to=_optional_date(entry.get("effective_to")),
        source=entry.get("source"),
        verified=entry.get("verified", True),
        note=entry.get("note"),
    )


def _parameter(
    key: str, entry: Raw, legal: Mapping[str, models.LegalBasis]
) -> models.Parameter:
    values = tuple(
        models.ParameterValue(
            value=item["value"],
            effective_from=_date(item["effective_from"]),
            effective_to=_optional_date(item.get("effective_to")),
            legal_basis=tuple(legal[ref] for ref in item["legal_basis"]),
            verified=item.get("verified", True),
            note=item.get("note"),
            review_by=_optional_date(item.get("review_by")),
        )
        for item in entry["values"]
    )
    return models.Parameter(
        key, entry["label"], values, entry.get("unit", "VND"), entry.get("note")
    )


def _retirement_schedule(
    gender: str, entry: Raw, legal: Mapping[str, models.LegalBasis]
) -> RetirementSchedule:
    return RetirementSchedule(
        gender=gender,
        label=entry["label"],
        ages=tuple(
            RetirementAge(row["year"], row["years"], row["months"], row.get("note"))
            for row in entry["ages"]
        ),
        effective_from=_date(entry["effective_from"]),
        effective_to=_optional_date(entry.get("effective_to")),
        legal_basis=tuple(legal[ref] for ref in entry["legal_basis"]),
        verified=entry.get("verified", True),
        note=entry.get("note"),
    )


class _ProcedureBuilder:
    """Builds one procedure, resolving references and inheriting ``verified``."""

    def __init__(self, data: object, legal: Mapping[str, models.LegalBasis],
                 sources: Mapping[str, models.Source], retirement_ages: RetirementAges) -> None:
        assert isinstance(data, dict)
        self.data: Raw = data
        self.legal = legal
        self.sources = sources
        self.retirement_ages = retirement_ages
        self.verified: bool = data.get("verified", True)
        self.review_by = _optional_date(data.get("review_by"))
        eligibility = data["eligibility"]
        self.operands: dict[str, Operand] = {
            q["id"]: raw_operand(q, "kind") for q in eligibility["questions"]
        }
        self.operands.update({f["id"]: raw_operand(f, "type") for f in data.get("fields") or []})

    def build(self) -> models.Procedure:
        data = self.data
        return models.Procedure(
            id=data["id"],
            name=data["name"],
            short_name=data["short_name"],
            aliases=tuple(data["aliases"]),
            category=data["category"],
            summary=data["summary"],
            audience=data["audience"],
            legal_basis=self.refs(data["legal_basis"]),
            sources=tuple(self.sources[key] for key in data["sources"]),
            updated=_date(data["updated"]),
            eligibility=self.eligibility(data["eligibility"], _amount_inputs(data)),
            documents=tuple(self.document(item) for item in data["documents"]),
            submission=self.submission(data["submission"]),
            amounts=tuple(self.amount(item) for item in data.get("amounts") or []),
            fields=tuple(self.field(item) for item in data.get("fields") or []),
            verified=self.verified,
            review_by=self.review_by,
        )

    def refs(self, ids: list[str] | None) -> tuple[models.LegalBasis, ...]:
        return tuple(self.legal[key] for key in ids or [])

    def flag(self, raw: Raw) -> bool:
        return bool(raw.get("verified", self.verified))

    def condition(
        self, raw: object, operands: Mapping[str, Operand] | None = None
    ) -> Condition | None:
        if raw is None:
            return None
        known = self.operands if operands is None else operands
        return parse_condition(raw, known, self.retirement_ages)

    def question(
        self, raw: Raw, operands: Mapping[str, Operand] | None = None
    ) -> models.Question:
        return models.Question(
            id=raw["id"],
            text=raw["text"],
            kind=raw["kind"],
            options=_options(raw.get("options")),
            help=raw.get("help"),
            ask_if=self.condition(raw.get("ask_if"), operands),
            unit=raw.get("unit"),
            minimum=raw.get("min"),
            maximum=raw.get("max"),
            verified=self.flag(raw),
            cues=tuple(raw.get("cues") or ()),
        )

    def eligibility(self, raw: Raw, amount_inputs: frozenset[str]) -> models.Eligibility:
        default = raw["default"]
        questions = tuple(self.question(q) for q in raw["questions"])
        rules = tuple(self.rule(r) for r in raw["rules"])
        return models.Eligibility(
            questions=_with_year_alone(questions, rules, amount_inputs),
            rules=rules,
            default=models.DefaultOutcome(
                outcome=default["outcome"],
                reason=default["reason"],
                legal_basis=self.refs(default.get("legal_basis")),
                alternatives=tuple(default.get("alternatives") or []),
                verified=self.flag(default),
            ),
        )

    def rule(self, raw: Raw) -> models.Rule:
        when = self.condition(raw["when"])
        assert when is not None
        return models.Rule(
            id=raw["id"],
            when=when,
            outcome=raw["outcome"],
            reason=raw["reason"],
            legal_basis=self.refs(raw["legal_basis"]),
            alternatives=tuple(raw.get("alternatives") or []),
            effective_from=_optional_date(raw.get("effective_from")),
            effective_to=_optional_date(raw.get("effective_to")),
            verified=self.flag(raw),
            note=raw.get("note"),
            review_by=_optional_date(raw.get("review_by")) or self.review_by,
        )

    def document(self, raw: Raw) -> models.Document:
        return models.Document(
            id=raw["id"],
            name=raw["name"],
            copy=raw["copy"],
            legal_basis=self.refs(raw["legal_basis"]),
            form_code=raw.get("form_code"),
            required_if=self.condition(raw.get("required_if")),
            note=raw.get("note"),
            staff_note=raw.get("staff_note"),
            verified=self.flag(raw),
        )

    def submission(self, raw: Raw) -> models.Submission:
        timing = raw["processing_time"]
        return models.Submission(
            where=raw["where"],
            channels=tuple(self.channel(item) for item in raw["channels"]),
            processing_time=models.ProcessingTime(
                legal_basis=self.refs(timing["legal_basis"]),
                working_days=timing.get("working_days"),
                days=timing.get("days"),
                text=timing.get("text"),
                counted_from=timing.get("from"),
                verified=self.flag(timing),
            ),
            verified=self.flag(raw),
        )

    def channel(self, raw: Raw) -> models.SubmissionChannel:
        return models.SubmissionChannel(
            kind=raw["kind"],
            title=raw["title"],
            steps=tuple(raw.get("steps") or []),
            conditions=raw.get("conditions"),
            envelope=raw.get("envelope"),
            url=raw.get("url"),
            verified=self.flag(raw),
        )

    def amount(self, raw: Raw) -> models.AmountDef:
        inputs = raw["inputs"]
        operands = {q["id"]: raw_operand(q, "kind") for q in inputs}
        return models.AmountDef(
            id=raw["id"],
            label=raw["label"],
            formula=raw["formula"],
            inputs=tuple(self.question(q, operands) for q in inputs),
            legal_basis=self.refs(raw["legal_basis"]),
            note=raw.get("note"),
            verified=self.flag(raw),
        )

    def field(self, raw: Raw) -> models.FieldDef:
        return models.FieldDef(
            id=raw["id"],
            type=raw["type"],
            question=raw["question"],
            label=raw.get("label"),
            example=raw.get("example"),
            required=raw.get("required", True),
            sensitive=raw.get("sensitive", False),
            ask_if=self.condition(raw.get("ask_if")),
            options=_options(raw.get("options")),
            help=raw.get("help"),
            verified=self.flag(raw),
        )


def _amount_inputs(data: Raw) -> frozenset[str]:
    """Ids of the procedure's amount inputs: an amount needs the full date, never a year."""
    return frozenset(
        str(item["id"]) for amount in data.get("amounts") or [] for item in amount["inputs"]
    )


def _with_year_alone(
    questions: tuple[models.Question, ...],
    rules: tuple[models.Rule, ...],
    amount_inputs: frozenset[str],
) -> tuple[models.Question, ...]:
    """Lets a year alone answer the date questions whose rules only need a before/after."""
    conditions = [rule.when for rule in rules]
    conditions += [q.ask_if for q in questions if q.ask_if is not None]
    return tuple(
        replace(q, year_alone=year_alone_rule(conditions, q.id))
        if q.kind == "date" and q.id not in amount_inputs
        else q
        for q in questions
    )


def _options(raw: list[Raw] | None) -> tuple[models.Option, ...]:
    return tuple(
        models.Option(item["value"], item["label"], tuple(item.get("aliases") or ()))
        for item in raw or []
    )
