"""Configuration of the intake service, read in one place.

Every setting comes from an environment variable. Secrets that are not set in the environment are
read from ``var/secrets.env`` (written once by ``python -m intake_service bootstrap``); the
environment always wins over that file. Nothing is read at import time: call
:func:`load_settings`.

| variable | default |
|---|---|
| ``INTAKE_DATABASE_URL`` | ``sqlite:///<repo>/var/intake.db`` |
| ``INTAKE_VAR_DIR`` | ``<repo>/var`` (database file, attachments, secrets file) |
| ``INTAKE_API_KEY`` | generated (the bot's key) |
| ``INTAKE_ADMIN_USER`` / ``INTAKE_ADMIN_PASSWORD`` | ``admin`` / generated |
| ``INTAKE_SECRET_KEY`` | generated (signs console sessions, keys the search hashes) |
| ``BOT_EVENTS_URL`` | ``http://127.0.0.1:5005/webhooks/intake/events`` |
| ``BOT_WEBHOOK_SECRET`` | generated (HMAC key of the status webhooks) |
| ``INTAKE_HOST`` / ``INTAKE_PORT`` | ``127.0.0.1`` / ``8000`` |
| ``INTAKE_MAX_UPLOAD_MB`` | ``10`` |
| ``INTAKE_SECURE_COOKIES`` | ``0`` (set to 1 behind HTTPS) |
| ``INTAKE_WEBHOOKS`` | ``1`` (0 disables the delivery worker of this process) |
| ``INTAKE_LOG_LEVEL`` | ``INFO`` |
| ``OFFICE_HOURS`` | ``Mon-Fri 07:30-11:30,13:30-17:00`` (format: ``office_hours`` module) |
| ``OFFICE_TIMEZONE`` | ``Asia/Ho_Chi_Minh`` |
| ``OFFICE_CLOSED_DAYS`` | empty (holidays, days off: ``2027-02-05..2027-02-11, 2027-04-30``) |
| ``HANDOFF_TIMEOUT_MINUTES`` | ``10`` (a handoff nobody claims returns to the assistant) |
| ``HANDOFF_CODE_TTL_HOURS`` | ``24`` (validity of the codes made for callers) |
| ``STAFF_MESSAGE_TIMEOUT_SECONDS`` | ``5`` (how long a staff reply waits for the bot) |
| ``ZALO_OA_ID`` | empty (set: caller codes also get a ``https://zalo.me/<OA id>`` link) |
| ``TELEGRAM_BOT_USERNAME`` | empty (set: caller codes also get a ``t.me/<bot>?start=`` link) |
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bhxh_catalog.privacy import RetentionPeriods
from intake_service.secret_rules import secret_problem

__all__ = [
    "GENERATED_SECRETS",
    "REPO_ROOT",
    "Settings",
    "load_settings",
    "read_env_file",
    "weak_secrets_message",
]

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_BOT_EVENTS_URL = "http://127.0.0.1:5005/webhooks/intake/events"
DEFAULT_OFFICE_HOURS = "Mon-Fri 07:30-11:30,13:30-17:00"
DEFAULT_OFFICE_TIMEZONE = "Asia/Ho_Chi_Minh"
SECRETS_FILE_NAME = "secrets.env"
# The secrets that bootstrap generates when the environment does not provide them.
GENERATED_SECRETS = (
    "INTAKE_API_KEY",
    "INTAKE_SECRET_KEY",
    "BOT_WEBHOOK_SECRET",
    "INTAKE_ADMIN_PASSWORD",
    "INTAKE_DATA_KEYS",
)


@dataclass(frozen=True)
class Settings:
    """Everything the service needs to know about its environment.

    Attributes:
        var_dir: writable directory for the SQLite file, attachments and the secrets file.
        database_url: SQLAlchemy URL (``sqlite:///…`` or ``postgresql+psycopg://…``).
        api_key: the key the bot sends in ``X-API-Key``; empty means "not configured".
        admin_user: user name of the first administrator created by bootstrap.
        admin_password: password of that administrator (only used when it is created).
        secret_key: signs console sessions and keys the hashes used to search identifiers.
        bot_events_url: where status changes are pushed.
        bot_webhook_secret: HMAC-SHA256 key of the pushed events.
        host: interface the server listens on.
        port: TCP port of the server.
        max_upload_bytes: largest accepted attachment.
        max_json_bytes: largest accepted JSON or form body.
        secure_cookies: mark the session cookie ``Secure`` (HTTPS deployments).
        webhooks_enabled: run the webhook delivery worker in this process.
        log_level: level of the service's logs.
        login_max_failures: failed logins allowed per window before the login is refused.
        login_window_seconds: length of that window.
        office_hours: when staff answer handoffs, e.g. ``Mon-Fri 07:30-11:30,13:30-17:00``.
        office_timezone: the IANA time zone of the office hours.
        office_closed_days: public holidays and days off (``office_hours.parse_closed_days``).
        handoff_timeout_minutes: a waiting handoff nobody claims in this time expires.
        handoff_code_hours: how long a code made for a caller stays valid.
        staff_message_timeout_seconds: HTTP timeout of the synchronous staff-reply webhook.
        zalo_oa_id: the Zalo Official Account id (links for caller codes); empty if none.
        telegram_bot_username: the Telegram bot's user name (links for caller codes).
        data_keys: ``INTAKE_DATA_KEYS``, the Fernet keys encrypting dossiers and attachments
            (comma-separated, newest first; ``intake_service.crypto``).
        trusted_proxies: addresses of the reverse proxies whose ``X-Forwarded-For`` is believed
            (``INTAKE_TRUSTED_PROXIES``; empty: the peer address is the client).
        retention: how long handoff transcripts and notifications are kept
            (``bhxh_catalog.privacy.RetentionPeriods``; ``HANDOFF_RETENTION_DAYS`` …).
    """

    var_dir: Path
    database_url: str
    api_key: str
    admin_user: str
    admin_password: str
    secret_key: str
    bot_events_url: str
    bot_webhook_secret: str
    host: str = "127.0.0.1"
    port: int = 8000
    max_upload_bytes: int = 10 * 1024 * 1024
    max_json_bytes: int = 256 * 1024
    secure_cookies: bool = False
    webhooks_enabled: bool = True
    log_level: str = "INFO"
    login_max_failures: int = 5
    login_window_seconds: int = 15 * 60
    office_hours: str = DEFAULT_OFFICE_HOURS
    office_timezone: str = DEFAULT_OFFICE_TIMEZONE
    office_closed_days: str = ""
    handoff_timeout_minutes: int = 10
    handoff_code_hours: int = 24
    staff_message_timeout_seconds: float = 5.0
    zalo_oa_id: str = ""
    telegram_bot_username: str = ""
    data_keys: str = ""
    purge_interval_seconds: float = 3600.0
    trusted_proxies: tuple[str, ...] = ()
    retention: RetentionPeriods = field(default_factory=RetentionPeriods)

    def secret_problems(self) -> list[str]:
        """Why the secrets cannot be used (missing, short, placeholder); empty when fine."""
        named = (
            ("INTAKE_API_KEY", self.api_key),
            ("INTAKE_SECRET_KEY", self.secret_key),
            ("BOT_WEBHOOK_SECRET", self.bot_webhook_secret),
        )
        problems = [problem for name, value in named if (problem := secret_problem(name, value))]
        if not self.data_keys:
            problems.append("INTAKE_DATA_KEYS (missing)")
        return problems

    @property
    def secrets_file(self) -> Path:
        """The git-ignored file that keeps generated secrets."""
        return self.var_dir / SECRETS_FILE_NAME

    @property
    def attachments_dir(self) -> Path:
        """Where uploaded files are stored (one file per checksum)."""
        return self.var_dir / "attachments"


def weak_secrets_message(problems: list[str]) -> str:
    """The operator's message when the service refuses its secrets."""
    return (
        "Từ chối khởi động — bí mật không an toàn: "
        + "; ".join(problems)
        + ". Dùng giá trị ngẫu nhiên ít nhất 32 byte, ví dụ "
        "`python3 -c 'import secrets; print(secrets.token_urlsafe(32))'`, hoặc bỏ biến đi để "
        "`python -m intake_service bootstrap` tự tạo vào var/secrets.env."
    )


def read_env_file(path: Path) -> dict[str, str]:
    """Reads ``KEY=value`` lines; blank lines and ``#`` comments are skipped.

    Args:
        path: the file; a missing file gives an empty mapping.

    Returns:
        The keys and values found, values stripped of surrounding quotes.
    """
    if not path.is_file():
        return {}
    values: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key.strip().removeprefix("export ").strip()] = value
    return values


def _flag(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Builds the settings from the environment and ``var/secrets.env``.

    Args:
        environ: the variables to read; ``os.environ`` when omitted (tests pass their own).

    Returns:
        The settings. Secrets missing from both sources are empty strings; ``bootstrap``
        generates them.
    """
    env = dict(os.environ if environ is None else environ)
    var_dir = Path(env.get("INTAKE_VAR_DIR") or REPO_ROOT / "var").resolve()
    stored = read_env_file(var_dir / SECRETS_FILE_NAME)

    def get(name: str, default: str = "") -> str:
        return env.get(name) or stored.get(name) or default

    return Settings(
        var_dir=var_dir,
        database_url=get("INTAKE_DATABASE_URL", f"sqlite:///{var_dir / 'intake.db'}"),
        api_key=get("INTAKE_API_KEY"),
        admin_user=get("INTAKE_ADMIN_USER", "admin"),
        admin_password=get("INTAKE_ADMIN_PASSWORD"),
        secret_key=get("INTAKE_SECRET_KEY"),
        bot_events_url=get("BOT_EVENTS_URL", DEFAULT_BOT_EVENTS_URL),
        bot_webhook_secret=get("BOT_WEBHOOK_SECRET"),
        host=get("INTAKE_HOST", "127.0.0.1"),
        port=int(get("INTAKE_PORT", "8000")),
        max_upload_bytes=int(float(get("INTAKE_MAX_UPLOAD_MB", "10")) * 1024 * 1024),
        secure_cookies=_flag(get("INTAKE_SECURE_COOKIES", "0")),
        webhooks_enabled=_flag(get("INTAKE_WEBHOOKS", "1")),
        log_level=get("INTAKE_LOG_LEVEL", "INFO").upper(),
        office_hours=get("OFFICE_HOURS", DEFAULT_OFFICE_HOURS),
        office_timezone=get("OFFICE_TIMEZONE", DEFAULT_OFFICE_TIMEZONE),
        office_closed_days=get("OFFICE_CLOSED_DAYS", ""),
        handoff_timeout_minutes=max(1, int(get("HANDOFF_TIMEOUT_MINUTES", "10"))),
        handoff_code_hours=max(1, int(get("HANDOFF_CODE_TTL_HOURS", "24"))),
        staff_message_timeout_seconds=float(get("STAFF_MESSAGE_TIMEOUT_SECONDS", "5")),
        zalo_oa_id=get("ZALO_OA_ID").strip(),
        telegram_bot_username=get("TELEGRAM_BOT_USERNAME").strip().lstrip("@"),
        data_keys=get("INTAKE_DATA_KEYS"),
        purge_interval_seconds=max(1.0, float(get("INTAKE_PURGE_INTERVAL_SECONDS", "3600"))),
        trusted_proxies=tuple(
            p.strip() for p in get("INTAKE_TRUSTED_PROXIES").split(",") if p.strip()
        ),
        retention=RetentionPeriods.from_mapping({**stored, **env}),
    )
