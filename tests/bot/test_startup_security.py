"""What every bot process checks before it starts: secrets, telemetry, where it listens."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.server import disable_telemetry

ROOT = Path(__file__).resolve().parents[2]
STRONG = "Qm3v-8xZ_tL2pR9sKw4YcN7bH1dF6gJ0aE5uO"


def _run(module: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        env={**os.environ, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    "name", ["BOT_WEBHOOK_SECRET", "REST_CHANNEL_KEY", "INTAKE_API_KEY", "TELEGRAM_SECRET_TOKEN"]
)
def test_the_rasa_server_refuses_a_placeholder_secret(name):
    done = _run("bot.server", "run", "--model", "none.tar.gz", **{name: "change-me"})
    assert done.returncode != 0
    assert f"Refusing to start: {name} is a placeholder (change-me)" in done.stderr


def test_the_action_server_refuses_a_short_intake_key():
    done = _run("bot.action_server", "--actions", "bot.actions", "--port", "1",
                INTAKE_API_KEY="0123456789")
    assert done.returncode != 0
    assert "INTAKE_API_KEY is shorter than 32 bytes" in done.stderr


def test_telemetry_is_off_even_when_rasas_global_file_enables_it(tmp_path):
    config = tmp_path / ".config" / "rasa"
    config.mkdir(parents=True)
    (config / "global.yml").write_text(
        "metrics:\n  enabled: true\n  rasa_user_id: 0123\n  date: 2026-01-01 00:00:00\n"
    )
    code = (
        "import bot.server as s; s.disable_telemetry(); import rasa.telemetry as t; "
        "import sentry_sdk; sentry_sdk.init = None; "  # would raise if Rasa tried to init it
        "t.initialize_error_reporting(); print(t.initialize_telemetry(), t.is_telemetry_enabled())"
    )
    env = {**os.environ, "HOME": str(tmp_path)}
    env.pop("RASA_TELEMETRY_ENABLED", None)
    done = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=180, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "False False"


def test_disable_telemetry_drops_the_write_keys():
    env = {"RASA_TELEMETRY_ENABLED": "true", "RASA_TELEMETRY_WRITE_KEY": "k",
           "RASA_EXCEPTION_WRITE_KEY": "k"}
    disable_telemetry(env)
    assert env == {"RASA_TELEMETRY_ENABLED": "false"}


@pytest.mark.parametrize(
    ("path", "line"),
    [
        ("bin/env", "export RASA_TELEMETRY_ENABLED=false"),
        ("deploy/systemd/bhxh-rasa@.service", "Environment=RASA_TELEMETRY_ENABLED=false"),
        ("deploy/systemd/bhxh-actions@.service", "RASA_TELEMETRY_ENABLED=false"),
        ("deploy/container/Dockerfile.bot", "RASA_TELEMETRY_ENABLED=false"),
        ("deploy/container/compose.yml", 'RASA_TELEMETRY_ENABLED: "false"'),
        ("deploy/kubernetes/config.yaml", 'RASA_TELEMETRY_ENABLED: "false"'),
    ],
)
def test_every_way_the_system_starts_switches_telemetry_off(path, line):
    assert line in (ROOT / path).read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "path",
    ["bin/start", "deploy/systemd/bhxh-rasa@.service", "deploy/container/Dockerfile.bot"],
)
def test_rasas_http_api_is_not_started(path):
    assert "--enable-api" not in (ROOT / path).read_text(encoding="utf-8").replace(
        "(--enable-api)", ""
    ).replace("no --enable-api", "").replace("No --enable-api", "")


def test_the_bot_image_leaves_var_out():
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert {"var/", "models/", ".git/", "*.db"} <= set(ignored)
