"""Connector settings: credentials.yml values and environment variables, read in one place.

Each channel's block in ``credentials.yml`` may stay empty: every setting also has an
environment variable. A non-empty value in ``credentials.yml`` wins over the environment, which
wins over the default. Secrets belong in the environment (or ``var/secrets.env``), never in the
repository.

A channel whose required settings are missing (or malformed) is not an error: the loader returns a
:class:`ChannelDisabled` that names what is missing, the channel logs it once and answers 503.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATABASE_URL = f"sqlite:///{REPO_ROOT / 'var' / 'connectors.sqlite3'}"

PAGE_INBOX_APP_ID = "263902037430900"
"""Meta's app id of the Page Inbox: the target when a Messenger thread is passed to a person."""


@dataclass(frozen=True)
class ChannelDisabled:
    """Why a channel cannot run: the settings that are missing or malformed.

    Attributes:
        channel: channel name (``zalo``, ``messenger``, ``telegram``).
        problems: one entry per setting, e.g. ``"ZALO_APP_ID (missing)"``.
    """

    channel: str
    problems: tuple[str, ...]

    def log_line(self) -> str:
        """The single line logged when the channel starts disabled."""
        return (
            f"Channel '{self.channel}' is disabled: {', '.join(self.problems)}. "
            f"Its webhook answers 503; see connectors/README.md to connect it."
        )


@dataclass(frozen=True)
class CommonSettings:
    """Settings shared by every connector.

    Attributes:
        database_url: SQLAlchemy URL of the connector database (dedupe, tokens, payload keys).
        dedupe_ttl_seconds: how long a delivered event id is remembered; events older than this
            are dropped as replays.
        handoff_callback: dotted path ``package.module:function`` of an async callback that
            receives :class:`connectors.common.handoff.HandoffEvent`; ``None`` = log only.
        native_pause_minutes: a conversation paused because a person answered from the
            platform's own inbox (Zalo OA admin, Messenger Page Inbox) goes back to the assistant
            when the citizen writes after this many minutes without a reply from that person.
    """

    database_url: str = DEFAULT_DATABASE_URL
    dedupe_ttl_seconds: int = 48 * 3600
    handoff_callback: str | None = None
    native_pause_minutes: float = 30.0


@dataclass(frozen=True)
class ZaloSettings:
    """Zalo Official Account (Open API v3 + OAuth v4).

    Attributes:
        app_id: the Zalo app id (developers.zalo.me).
        app_secret: the app's secret key, sent as the ``secret_key`` header on token refresh.
        oa_secret_key: the OA secret key from the app's Webhook page, used for
            ``X-ZEvent-Signature`` (not the app secret).
        refresh_token: refresh token that seeds the token store (single use; the store keeps
            the rotated ones, and re-seeds only when this value changes).
        api_base_url: base of the OA API (``/v3.0/oa/message/cs`` …).
        oauth_base_url: base of the OAuth v4 server (``/v4/oa/access_token``).
        webhook_max_age_seconds: deliveries whose body timestamp is older are rejected.
        refresh_margin_seconds: refresh this long before the access token expires.
        reply_with_message_id: address replies by the user's ``message_id`` (counted as replies
            rather than proactive messages under the 2022 pricing rule; unverified today).
        timeout_seconds: HTTP timeout of API calls.
    """

    app_id: str
    app_secret: str
    oa_secret_key: str
    refresh_token: str
    api_base_url: str = "https://openapi.zalo.me"
    oauth_base_url: str = "https://oauth.zaloapp.com"
    webhook_max_age_seconds: int = 3600
    refresh_margin_seconds: int = 5 * 3600
    reply_with_message_id: bool = False
    timeout_seconds: float = 10.0


@dataclass(frozen=True)
class MessengerSettings:
    """Facebook Messenger (Graph API Send API + webhooks).

    Attributes:
        app_secret: the Meta app secret (signs webhooks, proves API calls).
        verify_token: the token typed in the app's webhook settings (GET handshake).
        page_access_token: the Page access token with ``pages_messaging``.
        app_id: our Meta app id, used to tell our own echoes from a person's replies.
        graph_base_url: base of the Graph API.
        graph_version: Graph API version path segment.
        allow_sha1: accept ``X-Hub-Signature`` (SHA-1) when ``X-Hub-Signature-256`` is absent.
        inbox_app_id: app that receives the thread on handoff (Page Inbox by default).
        timeout_seconds: HTTP timeout of API calls.
    """

    app_secret: str
    verify_token: str
    page_access_token: str
    app_id: str | None = None
    graph_base_url: str = "https://graph.facebook.com"
    graph_version: str = "v25.0"
    allow_sha1: bool = False
    inbox_app_id: str = PAGE_INBOX_APP_ID
    timeout_seconds: float = 10.0


@dataclass(frozen=True)
class TelegramSettings:
    """Telegram Bot API (python-telegram-bot ``Bot`` in webhook mode).

    Attributes:
        bot_token: the token from @BotFather.
        secret_token: 1–256 chars of ``A-Z a-z 0-9 _ -``, sent by Telegram in
            ``X-Telegram-Bot-Api-Secret-Token``.
        webhook_url: public HTTPS URL of ``/webhooks/telegram/webhook`` (for ``set-webhook``).
        api_base_url: Bot API server (the token is appended as ``/bot<token>``).
        timeout_seconds: HTTP timeout of API calls.
    """

    bot_token: str
    secret_token: str
    webhook_url: str | None = None
    api_base_url: str = "https://api.telegram.org"
    timeout_seconds: float = 10.0


class _Reader:
    """Reads one channel's values: credentials.yml first, then the environment."""

    def __init__(self, credentials: Mapping[str, Any] | None, env: Mapping[str, str]) -> None:
        self._credentials = credentials or {}
        self._env = env
        self.problems: list[str] = []

    def text(self, key: str, env_name: str, *, required: bool = False) -> str | None:
        raw = self._credentials.get(key)
        value = str(raw).strip() if raw is not None else ""
        if not value:
            value = self._env.get(env_name, "").strip()
        if not value and required:
            self.problems.append(f"{env_name} (missing)")
        return value or None

    def number(self, key: str, env_name: str, default: float) -> float:
        value = self.text(key, env_name)
        if value is None:
            return default
        try:
            number = float(value)
        except ValueError:
            self.problems.append(f"{env_name} (not a number: {value!r})")
            return default
        if number <= 0:
            self.problems.append(f"{env_name} (must be positive: {value!r})")
            return default
        return number

    def flag(self, key: str, env_name: str, default: bool) -> bool:
        value = self.text(key, env_name)
        if value is None:
            return default
        lowered = value.lower()
        if lowered in {"1", "true", "yes", "on"}:
            return True
        if lowered in {"0", "false", "no", "off"}:
            return False
        self.problems.append(f"{env_name} (not true/false: {value!r})")
        return default


def _environment(env: Mapping[str, str] | None) -> Mapping[str, str]:
    return os.environ if env is None else env


def load_common_settings(env: Mapping[str, str] | None = None) -> CommonSettings:
    """Reads the settings shared by all connectors (environment only).

    Args:
        env: environment to read; ``os.environ`` by default.

    Returns:
        The settings; malformed numbers fall back to the defaults.
    """
    reader = _Reader(None, _environment(env))
    return CommonSettings(
        database_url=reader.text("", "CONNECTORS_DATABASE_URL") or DEFAULT_DATABASE_URL,
        dedupe_ttl_seconds=int(
            reader.number("", "CONNECTORS_DEDUPE_TTL_SECONDS", CommonSettings.dedupe_ttl_seconds)
        ),
        handoff_callback=reader.text("", "CONNECTORS_HANDOFF_CALLBACK"),
        native_pause_minutes=reader.number(
            "", "CONNECTORS_NATIVE_PAUSE_MINUTES", CommonSettings.native_pause_minutes
        ),
    )


def load_zalo_settings(
    credentials: Mapping[str, Any] | None, env: Mapping[str, str] | None = None
) -> ZaloSettings | ChannelDisabled:
    """Reads the Zalo OA settings.

    Args:
        credentials: the channel's block of credentials.yml (may be ``None``).
        env: environment to read; ``os.environ`` by default.

    Returns:
        The settings, or why the channel is disabled.
    """
    r = _Reader(credentials, _environment(env))
    app_id = r.text("app_id", "ZALO_APP_ID", required=True)
    app_secret = r.text("app_secret", "ZALO_APP_SECRET", required=True)
    oa_secret_key = r.text("oa_secret_key", "ZALO_OA_SECRET_KEY", required=True)
    refresh_token = r.text("refresh_token", "ZALO_REFRESH_TOKEN", required=True)
    api_base_url = r.text("api_base_url", "ZALO_API_URL") or ZaloSettings.api_base_url
    oauth_base_url = r.text("oauth_base_url", "ZALO_OAUTH_URL") or ZaloSettings.oauth_base_url
    max_age = r.number(
        "webhook_max_age_seconds",
        "ZALO_WEBHOOK_MAX_AGE_SECONDS",
        ZaloSettings.webhook_max_age_seconds,
    )
    margin = r.number(
        "refresh_margin_seconds",
        "ZALO_REFRESH_MARGIN_SECONDS",
        ZaloSettings.refresh_margin_seconds,
    )
    by_message_id = r.flag(
        "reply_with_message_id", "ZALO_REPLY_WITH_MESSAGE_ID", ZaloSettings.reply_with_message_id
    )
    timeout = r.number("timeout_seconds", "ZALO_TIMEOUT_SECONDS", ZaloSettings.timeout_seconds)
    if r.problems or not (app_id and app_secret and oa_secret_key and refresh_token):
        return ChannelDisabled("zalo", tuple(r.problems))
    return ZaloSettings(
        app_id=app_id,
        app_secret=app_secret,
        oa_secret_key=oa_secret_key,
        refresh_token=refresh_token,
        api_base_url=api_base_url.rstrip("/"),
        oauth_base_url=oauth_base_url.rstrip("/"),
        webhook_max_age_seconds=int(max_age),
        refresh_margin_seconds=int(margin),
        reply_with_message_id=by_message_id,
        timeout_seconds=timeout,
    )


def load_messenger_settings(
    credentials: Mapping[str, Any] | None, env: Mapping[str, str] | None = None
) -> MessengerSettings | ChannelDisabled:
    """Reads the Facebook Messenger settings.

    Args:
        credentials: the channel's block of credentials.yml (may be ``None``).
        env: environment to read; ``os.environ`` by default.

    Returns:
        The settings, or why the channel is disabled.
    """
    r = _Reader(credentials, _environment(env))
    app_secret = r.text("app_secret", "MESSENGER_APP_SECRET", required=True)
    verify_token = r.text("verify_token", "MESSENGER_VERIFY_TOKEN", required=True)
    page_token = r.text("page_access_token", "MESSENGER_PAGE_ACCESS_TOKEN", required=True)
    app_id = r.text("app_id", "MESSENGER_APP_ID")
    graph_url = r.text("graph_base_url", "MESSENGER_GRAPH_URL") or MessengerSettings.graph_base_url
    version = r.text("graph_version", "MESSENGER_GRAPH_VERSION") or MessengerSettings.graph_version
    allow_sha1 = r.flag("allow_sha1", "MESSENGER_ALLOW_SHA1", MessengerSettings.allow_sha1)
    inbox = r.text("inbox_app_id", "MESSENGER_INBOX_APP_ID") or MessengerSettings.inbox_app_id
    timeout = r.number("timeout_seconds", "MESSENGER_TIMEOUT_SECONDS", 10.0)
    if r.problems or not (app_secret and verify_token and page_token):
        return ChannelDisabled("messenger", tuple(r.problems))
    return MessengerSettings(
        app_secret=app_secret,
        verify_token=verify_token,
        page_access_token=page_token,
        app_id=app_id,
        graph_base_url=graph_url.rstrip("/"),
        graph_version=version.strip("/"),
        allow_sha1=allow_sha1,
        inbox_app_id=inbox,
        timeout_seconds=timeout,
    )


def load_telegram_settings(
    credentials: Mapping[str, Any] | None, env: Mapping[str, str] | None = None
) -> TelegramSettings | ChannelDisabled:
    """Reads the Telegram settings.

    Args:
        credentials: the channel's block of credentials.yml (may be ``None``).
        env: environment to read; ``os.environ`` by default.

    Returns:
        The settings, or why the channel is disabled.
    """
    r = _Reader(credentials, _environment(env))
    bot_token = r.text("bot_token", "TELEGRAM_BOT_TOKEN", required=True)
    secret = r.text("secret_token", "TELEGRAM_SECRET_TOKEN", required=True)
    if secret is not None and not _valid_telegram_secret(secret):
        r.problems.append("TELEGRAM_SECRET_TOKEN (1-256 characters of A-Z a-z 0-9 _ -)")
    webhook_url = r.text("webhook_url", "TELEGRAM_WEBHOOK_URL")
    api_url = r.text("api_base_url", "TELEGRAM_API_URL") or TelegramSettings.api_base_url
    timeout = r.number("timeout_seconds", "TELEGRAM_TIMEOUT_SECONDS", 10.0)
    if r.problems or not (bot_token and secret):
        return ChannelDisabled("telegram", tuple(r.problems))
    return TelegramSettings(
        bot_token=bot_token,
        secret_token=secret,
        webhook_url=webhook_url,
        api_base_url=api_url.rstrip("/"),
        timeout_seconds=timeout,
    )


def _valid_telegram_secret(secret: str) -> bool:
    allowed = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
    return 1 <= len(secret) <= 256 and set(secret) <= allowed
