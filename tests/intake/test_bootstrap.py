"""First-run set-up (idempotent), the command line, and migrations matching the models."""

from __future__ import annotations

import io
import stat
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from fastapi.testclient import TestClient
from sqlalchemy import select

from intake_service.__main__ import main
from intake_service.app import ConfigurationError, create_app
from intake_service.bootstrap import bootstrap
from intake_service.db import Database
from intake_service.models import Base, User
from intake_service.security import verify_password
from intake_service.settings import load_settings, read_env_file

from .conftest import make_settings


def test_bootstrap_generates_secrets_once_and_is_idempotent(tmp_path: Path) -> None:
    env = {"INTAKE_VAR_DIR": str(tmp_path / "var")}
    said: list[str] = []
    first = bootstrap(env, said.append)
    secrets = tmp_path / "var" / "secrets.env"
    assert first.secrets_file == secrets
    assert set(first.generated) == {
        "INTAKE_API_KEY",
        "INTAKE_SECRET_KEY",
        "BOT_WEBHOOK_SECRET",
        "INTAKE_ADMIN_PASSWORD",
        "INTAKE_DATA_KEYS",
    }
    assert stat.S_IMODE(secrets.stat().st_mode) == 0o600
    assert first.admin_created == "admin"
    assert any(str(secrets) in line for line in said)
    content = secrets.read_text()

    second = bootstrap(env, said.append)
    assert second.generated == []
    assert second.admin_created is None
    assert secrets.read_text() == content

    stored = read_env_file(secrets)
    db = Database(load_settings(env).database_url)
    with db.session() as session:
        admin = session.scalar(select(User).where(User.username == "admin"))
    db.dispose()
    assert admin is not None and admin.role == "admin"
    assert verify_password(admin.password_hash, stored["INTAKE_ADMIN_PASSWORD"])


def test_environment_wins_and_is_not_copied_to_the_file(tmp_path: Path) -> None:
    env = {
        "INTAKE_VAR_DIR": str(tmp_path),
        "INTAKE_API_KEY": "from-the-environment-0123456789-abcdef",
        "INTAKE_ADMIN_USER": "giamdoc",
        "INTAKE_ADMIN_PASSWORD": "Tram-Xanh-2026",
    }
    report = bootstrap(env, lambda _: None)
    assert "INTAKE_API_KEY" not in report.generated
    assert "from-the-environment" not in (tmp_path / "secrets.env").read_text()
    assert report.admin_created == "giamdoc"
    assert load_settings(env).api_key == "from-the-environment-0123456789-abcdef"


def test_cli_create_user(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INTAKE_VAR_DIR", str(tmp_path))
    for name in ("INTAKE_DATABASE_URL", "INTAKE_API_KEY", "INTAKE_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    assert main(["bootstrap"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("Canbo-moi-2026\n"))
    assert main(["create-user", "canbomoi", "--password-stdin", "--full-name", "Cán bộ"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("ngan\n"))
    assert main(["create-user", "yeu", "--password-stdin"]) == 2
    monkeypatch.setattr("sys.stdin", io.StringIO("Canbo-moi-2026\n"))
    assert main(["create-user", "canbomoi", "--password-stdin"]) == 1


def test_migrations_match_the_models(database_url: str) -> None:
    db = Database(database_url)
    try:
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection)
            differences = compare_metadata(context, Base.metadata)
    finally:
        db.dispose()
    assert differences == []


def test_the_service_refuses_to_start_without_secrets_or_migrations(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="bootstrap"):
        create_app(load_settings({"INTAKE_VAR_DIR": str(tmp_path)}))
    empty = make_settings(tmp_path, f"sqlite:///{tmp_path / 'empty.db'}")
    with pytest.raises(ConfigurationError, match="migrate"), TestClient(create_app(empty)):
        pass


def test_migrations_downgrade_and_upgrade_again(tmp_path: Path) -> None:
    from alembic import command

    from intake_service.migrate import alembic_config, current_revision, head_revision, upgrade

    db = Database(f"sqlite:///{tmp_path / 'roundtrip.db'}")
    try:
        upgrade(db.engine)
        config = alembic_config(str(db.engine.url))
        with db.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "base")
        assert current_revision(db.engine) is None
        upgrade(db.engine)
        assert current_revision(db.engine) == head_revision()
    finally:
        db.dispose()
