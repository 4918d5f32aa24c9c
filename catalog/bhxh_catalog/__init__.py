"""The procedure catalog of Trợ lý BHXH: data files, schema, rules, amounts and validators.

Usage::

    from bhxh_catalog import load_catalog, evaluate, estimate
    cat = load_catalog()                     # catalog/data, or $BHXH_CATALOG_DIR
    proc = cat.get("huong_bhxh_mot_lan")
    verdict = evaluate(proc, {"ly_do": "dinh_cu"}, date(2026, 1, 1))

Importing the package reads no file; the catalog is read by the first ``load_catalog()``.
"""

from bhxh_catalog.amounts import FORMULAS, Estimate, compute, estimate, inputs_to_ask
from bhxh_catalog.errors import AnswerError, CatalogError, EstimateError, ParameterError
from bhxh_catalog.loader import check_catalog_dir, clear_cache, load_catalog
from bhxh_catalog.models import (
    AmountDef,
    Catalog,
    DefaultOutcome,
    Document,
    Eligibility,
    FieldDef,
    LegalBasis,
    Option,
    Parameter,
    ParameterValue,
    Procedure,
    ProcessingTime,
    Question,
    Rule,
    Source,
    Submission,
    SubmissionChannel,
    Verdict,
)
from bhxh_catalog.retirement import RetirementAge, RetirementAges, RetirementSchedule
from bhxh_catalog.rules import documents_for, evaluate, fields_for, questions_to_ask
from bhxh_catalog.schema import SchemaIssue

__all__ = [
    "FORMULAS",
    "AmountDef",
    "AnswerError",
    "Catalog",
    "CatalogError",
    "DefaultOutcome",
    "Document",
    "Eligibility",
    "Estimate",
    "EstimateError",
    "FieldDef",
    "LegalBasis",
    "Option",
    "Parameter",
    "ParameterError",
    "ParameterValue",
    "Procedure",
    "ProcessingTime",
    "Question",
    "RetirementAge",
    "RetirementAges",
    "RetirementSchedule",
    "Rule",
    "SchemaIssue",
    "Source",
    "Submission",
    "SubmissionChannel",
    "Verdict",
    "check_catalog_dir",
    "clear_cache",
    "compute",
    "documents_for",
    "estimate",
    "evaluate",
    "fields_for",
    "inputs_to_ask",
    "load_catalog",
    "questions_to_ask",
]
