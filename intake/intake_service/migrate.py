"""Runs the Alembic migrations programmatically (no alembic.ini needed)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

__all__ = ["alembic_config", "current_revision", "head_revision", "new_revision", "upgrade"]

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(database_url: str) -> Config:
    """An Alembic configuration pointing at this package's migrations.

    Args:
        database_url: the database to migrate.
    """
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Brings the database to ``revision`` (the newest by default).

    Args:
        engine: an engine on the database to migrate.
        revision: the target revision.
    """
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None for a database never migrated."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    """The newest revision shipped with the code."""
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return script.get_current_head()


def new_revision(message: str) -> str:
    """Writes a new migration from the difference between the models and the newest revision.

    The comparison runs against a throw-away SQLite database brought to the newest revision;
    review the generated file (types such as ``UtcDateTime`` should read
    ``sa.DateTime(timezone=True)``) before committing it.

    Args:
        message: what the migration does, e.g. "handoff inbox tables".

    Returns:
        The new revision id (``0002``, ``0003``, …).
    """
    import tempfile

    from sqlalchemy import create_engine

    head = head_revision()
    revision = f"{int(head or '0') + 1:04d}"
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/compare.db"
        engine = create_engine(url)
        try:
            upgrade(engine)
            config = alembic_config(url)
            with engine.begin() as connection:
                config.attributes["connection"] = connection
                command.revision(config, message=message, autogenerate=True, rev_id=revision)
        finally:
            engine.dispose()
    return revision
