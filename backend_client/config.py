"""Settings of the intake client, read from the environment in one place."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

__all__ = ["IntakeSettings"]

_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True, slots=True)
class IntakeSettings:
    """Where the intake API is and how hard to try.

    Attributes:
        base_url: the intake service, e.g. http://127.0.0.1:8000 (env INTAKE_URL).
        api_key: the bot's API key (env INTAKE_API_KEY).
        timeout: seconds for one request (env INTAKE_TIMEOUT).
        retries: extra attempts after the first on timeouts and 5xx (env INTAKE_RETRIES).
        outbox_url: SQLAlchemy URL of the durable outbox (env OUTBOX_DATABASE_URL).
    """

    base_url: str = "http://127.0.0.1:8000"
    api_key: str = ""
    timeout: float = 10.0
    retries: int = 3
    outbox_url: str = f"sqlite:///{_ROOT / 'var' / 'outbox.db'}"

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> IntakeSettings:
        """Reads the settings from environment variables, with the defaults above."""
        e = os.environ if env is None else env
        default = cls()
        return cls(
            base_url=e.get("INTAKE_URL", default.base_url).rstrip("/"),
            api_key=e.get("INTAKE_API_KEY", default.api_key),
            timeout=float(e.get("INTAKE_TIMEOUT", default.timeout)),
            retries=int(e.get("INTAKE_RETRIES", default.retries)),
            outbox_url=e.get("OUTBOX_DATABASE_URL", default.outbox_url),
        )
