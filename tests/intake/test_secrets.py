"""Placeholder secrets stop the service; generated passwords must be changed (issue 17)."""

from __future__ import annotations

import base64
import importlib.util
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from intake_service import secret_rules
from intake_service.__main__ import main
from intake_service.app import ConfigurationError, create_app
from intake_service.bootstrap import BootstrapRefused, bootstrap
from intake_service.db import Database
from intake_service.models import User
from intake_service.settings import load_settings, read_env_file

from .conftest import ADMIN, API_KEY, SECRET_KEY, WEBHOOK_SECRET, build_client, make_settings
from .test_console import csrf_of, login

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDERS = ("change-me", "CHANGE-ME", "changeme-" + "q1w2e3r4" * 4, "s3cr3t", "a" * 40)


@pytest.mark.parametrize("name", ["INTAKE_SECRET_KEY", "INTAKE_API_KEY", "BOT_WEBHOOK_SECRET"])
@pytest.mark.parametrize("value", PLACEHOLDERS)
def test_a_placeholder_or_short_secret_stops_the_service(tmp_path, sqlite_url, name, value):
    settings = make_settings(tmp_path, sqlite_url, **{name: value})
    with pytest.raises(ConfigurationError, match=name):
        create_app(settings)


def test_the_server_process_refuses_to_start_with_change_me(tmp_path):
    env = {
        **os.environ,
        "INTAKE_VAR_DIR": str(tmp_path),
        "INTAKE_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
        "INTAKE_API_KEY": "change-me",
        "INTAKE_SECRET_KEY": "change-me",
        "BOT_WEBHOOK_SECRET": "change-me",
    }
    done = subprocess.run(
        [sys.executable, "-m", "intake_service", "serve", "--port", "1"],
        env=env, capture_output=True, text=True, timeout=60, check=False,
    )
    assert done.returncode == 2
    assert "INTAKE_SECRET_KEY is a placeholder (change-me)" in done.stderr
    assert "Uvicorn running" not in done.stderr


def test_bootstrap_refuses_weak_secrets_and_a_weak_admin_password(tmp_path):
    with pytest.raises(BootstrapRefused, match="BOT_WEBHOOK_SECRET is a placeholder"):
        bootstrap({"INTAKE_VAR_DIR": str(tmp_path / "a"), "BOT_WEBHOOK_SECRET": "change-me"},
                  lambda _: None)
    with pytest.raises(BootstrapRefused, match="INTAKE_ADMIN_PASSWORD"):
        bootstrap({"INTAKE_VAR_DIR": str(tmp_path / "b"), "INTAKE_ADMIN_PASSWORD": "change-me"},
                  lambda _: None)
    with pytest.raises(BootstrapRefused, match="tên đăng nhập"):
        bootstrap(
            {"INTAKE_VAR_DIR": str(tmp_path / "c"), "INTAKE_ADMIN_USER": "giamdoc",
             "INTAKE_ADMIN_PASSWORD": "Giamdoc-2026-x"},
            lambda _: None,
        )


def test_the_bootstrap_command_exits_2_on_a_placeholder(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("INTAKE_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("INTAKE_API_KEY", "change-me")
    monkeypatch.delenv("INTAKE_DATABASE_URL", raising=False)
    assert main(["bootstrap"]) == 2
    assert "INTAKE_API_KEY is a placeholder" in capsys.readouterr().err


def test_bootstrap_makes_var_private(tmp_path):
    var = tmp_path / "var"
    bootstrap({"INTAKE_VAR_DIR": str(var)}, lambda _: None)
    assert oct(var.stat().st_mode & 0o777) == "0o700"
    assert oct((var / "attachments").stat().st_mode & 0o777) == "0o700"
    assert oct((var / "intake.db").stat().st_mode & 0o777) == "0o600"
    assert oct((var / "secrets.env").stat().st_mode & 0o777) == "0o600"


def _generated_admin(tmp_path: Path) -> tuple[TestClient, str, str]:
    env = {
        "INTAKE_VAR_DIR": str(tmp_path),
        "INTAKE_API_KEY": API_KEY,
        "INTAKE_SECRET_KEY": SECRET_KEY,
        "BOT_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "BOT_EVENTS_URL": "http://bot.test/webhooks/intake/events",
        "INTAKE_WEBHOOKS": "0",
    }
    bootstrap(env, lambda _: None)
    password = read_env_file(tmp_path / "secrets.env")["INTAKE_ADMIN_PASSWORD"]
    return build_client(load_settings(env)), "admin", password


def test_a_generated_admin_password_must_be_changed_first(tmp_path):
    client, name, password = _generated_admin(tmp_path)
    with client:
        token = csrf_of(client.get("/console/login").text)
        client.post("/console/login", data={"username": name, "password": password,
                                             "csrf_token": token})
        for page in ("/console/dossiers", "/console/users", "/console/inbox"):
            answer = client.get(page, follow_redirects=False)
            assert answer.status_code == 303, page
            assert answer.headers["location"] == "/console/account"
        listing = "/api/v1/dossiers?channel=rest&sender_id=rest:x"
        assert client.get(listing, auth=(name, password)).status_code == 403
        account = client.get("/console/account")
        assert "mật khẩu được cấp tự động" in account.text
        changed = client.post(
            "/console/account",
            data={"current": password, "new": "Tram-Xanh-2026", "confirm": "Tram-Xanh-2026",
                  "csrf_token": csrf_of(account.text)},
            follow_redirects=False,
        )
        assert changed.status_code == 303
        assert client.get("/console/dossiers").status_code == 200
        assert client.get(listing, auth=(name, "Tram-Xanh-2026")).status_code == 200


def _session_cookie(client: TestClient) -> dict[str, object]:
    value = client.cookies.get("intake_session") or ""
    payload = value.split(".", 1)[0]
    return json.loads(base64.b64decode(payload + "=" * (-len(payload) % 4)))  # type: ignore[no-any-return]


def test_a_temporary_password_never_travels_in_the_session_cookie(tmp_path, sqlite_url):
    with build_client(make_settings(tmp_path, sqlite_url)) as client:
        token = login(client, ADMIN)
        answer = client.post(
            "/console/users",
            data={"username": "tamthoi1", "full_name": "", "role": "staff", "password": "",
                  "csrf_token": token},
        )
        assert answer.status_code == 200
        assert "Mật khẩu tạm thời:" in answer.text
        temporary = answer.text.split("Mật khẩu tạm thời: ", 1)[1].split(" ", 1)[0]
        assert temporary not in json.dumps(_session_cookie(client))
        assert answer.headers["cache-control"] == "no-store"
    with Database(sqlite_url).session() as session:
        created = session.scalar(select(User).where(User.username == "tamthoi1"))
    assert created is not None and created.must_change_password


def test_logout_ends_the_session_server_side(tmp_path, sqlite_url):
    with build_client(make_settings(tmp_path, sqlite_url)) as client:
        token = login(client, ADMIN)
        stolen = client.cookies.get("intake_session")
        client.post("/console/logout", data={"csrf_token": token})
        thief = TestClient(client.app, base_url="http://testserver")
        thief.cookies.set("intake_session", stolen or "")
        answer = thief.get("/console/dossiers", follow_redirects=False)
        assert answer.status_code == 303
        assert answer.headers["location"].startswith("/console/login")


def test_the_password_rule(tmp_path):
    from intake_service.security import password_problem

    assert password_problem("change-me-2026") is not None
    assert password_problem("Password2026") is not None
    assert password_problem("quantri2026x", "quantri") is not None
    assert password_problem("abcdefghijk") is not None  # no digit
    assert password_problem("Tram-Xanh-2026") is None


def test_the_bot_and_the_intake_apply_the_same_secret_rule():
    path = ROOT / "connectors" / "common" / "secrets.py"
    spec = importlib.util.spec_from_file_location("bot_secrets", path)
    assert spec and spec.loader
    bot = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bot)
    assert bot.PLACEHOLDER_WORDS == secret_rules.PLACEHOLDER_WORDS
    assert bot.MIN_SECRET_BYTES == secret_rules.MIN_SECRET_BYTES == 32
    assert bot.MIN_DISTINCT_CHARACTERS == secret_rules.MIN_DISTINCT_CHARACTERS
    for value in (*PLACEHOLDERS, API_KEY, "", "x" * 31 + "y"):
        assert bot.secret_problem("S", value) == secret_rules.secret_problem("S", value)


def test_the_deploy_examples_are_refused_as_they_are():
    """Copying deploy/env/*.env.example unchanged must not give a running system."""
    for example in ("intake.env.example", "bot.env.example"):
        values = read_env_file(ROOT / "deploy" / "env" / example)
        for name in ("INTAKE_API_KEY", "INTAKE_SECRET_KEY", "BOT_WEBHOOK_SECRET",
                     "REST_CHANNEL_KEY"):
            if name in values:
                assert secret_rules.secret_problem(name, values[name]) is not None, (example, name)


def test_create_user_cli_marks_a_generated_password(tmp_path, monkeypatch):
    monkeypatch.setenv("INTAKE_VAR_DIR", str(tmp_path))
    for name in ("INTAKE_DATABASE_URL", "INTAKE_API_KEY", "INTAKE_SECRET_KEY",
                 "BOT_WEBHOOK_SECRET", "INTAKE_ADMIN_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    assert main(["bootstrap"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert main(["create-user", "canbotudong"]) == 0
    with Database(load_settings().database_url).session() as session:
        made = session.scalar(select(User).where(User.username == "canbotudong"))
        admin = session.scalar(select(User).where(User.username == "admin"))
    assert made is not None and made.must_change_password
    assert admin is not None and admin.must_change_password
