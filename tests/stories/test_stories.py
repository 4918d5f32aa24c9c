"""Runs the dialogue test stories of this folder against the trained model (``rasa test core``).

The stories use intents and entities only (no text), so they test the dialogue, not the NLU.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
STORIES = Path(__file__).resolve().parent


def test_every_story_is_predicted_as_written(tmp_path):
    model = os.environ.get("BHXH_MODEL", "")
    if not model or not Path(model).is_file():
        pytest.skip("BHXH_MODEL is not set to a trained model (bin/test trains one and sets it)")
    endpoints = tmp_path / "endpoints.yml"  # no tracker store file, no action server needed
    endpoints.write_text('action_endpoint:\n  url: "http://127.0.0.1:9/webhook"\n')
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "rasa",
            "test",
            "core",
            "--model",
            model,
            "--stories",
            str(STORIES),
            "--endpoints",
            str(endpoints),
            "--out",
            str(tmp_path / "results"),
            "--fail-on-prediction-errors",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    failed = tmp_path / "results" / "failed_test_stories.yml"
    details = failed.read_text(encoding="utf-8") if failed.exists() else result.stdout[-4000:]
    assert result.returncode == 0, details
