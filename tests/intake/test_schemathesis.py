"""Property-based run of the published OpenAPI document: no input makes the server fail.

For every operation Schemathesis generates valid and invalid requests (a bounded number of
examples, so the whole run takes about a minute) and checks that the answer is never a 5xx and
always matches the documented status codes, content types and response schemas.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from intake_service.app import create_app

from .conftest import API_KEY, STAFF, make_settings, submit

MAX_EXAMPLES = 50
OPENAPI_FILE = Path(__file__).resolve().parents[2] / "intake" / "openapi.json"
_PATHS = json.loads(OPENAPI_FILE.read_text(encoding="utf-8"))["paths"]
# (method, path, mode); operations with no input at all have nothing to make invalid.
OPERATIONS = [
    (method.upper(), path, mode)
    for path, methods in _PATHS.items()
    for method, spec in methods.items()
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    if mode is GenerationMode.POSITIVE or spec.get("parameters") or spec.get("requestBody")
]
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.mark.parametrize(("method", "path", "mode"), OPERATIONS)
def test_no_server_errors(
    method: str, path: str, mode: GenerationMode, tmp_path: Path, sqlite_url: str
) -> None:
    app = create_app(make_settings(tmp_path, sqlite_url, INTAKE_WEBHOOKS="0"))
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operation = schema[path][method]
    staff_only = path.endswith("/status")
    headers = {} if staff_only else {"X-API-Key": API_KEY}
    extra = {"auth": STAFF} if staff_only else {}
    # Some cases point at a real dossier so that deeper code paths run too.
    with TestClient(app) as client:
        existing = submit(client)["receipt_code"]
    strategy = operation.as_strategy(generation_mode=mode)
    if "{receipt_code}" in path and mode is GenerationMode.POSITIVE:
        strategy = strategy.map(lambda case: _with_code(case, existing))

    @given(case=strategy)
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    def run(case) -> None:
        case.call_and_validate(headers=headers, checks=CHECKS, **extra)

    run()


def _with_code(case, code: str):
    if case.path_parameters is not None and hash(repr(case.body)) % 2 == 0:
        case.path_parameters["receipt_code"] = code
    return case
