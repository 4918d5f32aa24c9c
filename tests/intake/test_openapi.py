"""The OpenAPI document kept in the repository is the one the service serves."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient

OPENAPI_FILE = Path(__file__).resolve().parents[2] / "intake" / "openapi.json"
CONTRACT_PATHS = {
    "/healthz": {"get"},
    "/api/v1/dossiers": {"get", "post"},
    "/api/v1/dossiers/{receipt_code}": {"get"},
    "/api/v1/dossiers/{receipt_code}/attachments": {"post"},
    "/api/v1/dossiers/{receipt_code}/status": {"post"},
}


def test_repository_copy_matches_the_served_document(sqlite_client: TestClient) -> None:
    served = sqlite_client.get("/openapi.json").json()
    kept = json.loads(OPENAPI_FILE.read_text(encoding="utf-8"))
    assert served == kept, (
        "intake/openapi.json is out of date: run `bin/env intake python -m intake_service "
        "openapi --write`"
    )


def test_contract_paths_are_published(sqlite_client: TestClient) -> None:
    paths = sqlite_client.get("/openapi.json").json()["paths"]
    for path, methods in CONTRACT_PATHS.items():
        assert methods <= set(paths[path]), path
    assert not any(p.startswith("/console") for p in paths)
