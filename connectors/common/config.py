"""Connector settings: credentials.yml values and environment variables, read in one place.

Each channel's block in ``credentials.yml`` may stay empty: every setting also has an
environment variable. A non-empty value in ``credentials.yml`` wins over the environment, which
wins over the default. Secrets belong in the environment (or ``var/secrets.env``), never in the
repository.

Every settings class declares its settings as dataclass fields: the field name is the
credentials.yml key, the field's metadata names the environment variable (:func:`_env`), and
the default says how the value is read (see :meth:`_Reader.setting`). One loader,
:func:`load_channel_settings`, reads any of them.

A channel whose required settings are missing (or malformed) is not an error: the loader returns a
:class:`ChannelDisabled` that names what is missing, the channel logs it once and answers 503.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import MISSING, Field, dataclass, field, fields
from pathlib import Path
from typing import Any, TypeVar

from connectors.common.secrets import secret_problem

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATABASE_URL = f"sqlite:///{REPO_ROOT / 'var' / 'connectors.sqlite3'}"

PAGE_INBOX_APP_ID = "263902037430900"
"""Meta's app id of the Page Inbox: the target when a Messenger thread is passed to a person."""

TELEGRAM_SECRET_RULE = "32-256 characters of A-Z a-z 0-9 _ -, not a placeholder"

STATUS_TAGS = ("ACCOUNT_UPDATE", "CONFIRMED_EVENT_UPDATE", "POST_PURCHASE_UPDATE")
"""Meta's message tags a dossier status notification may carry outside the 24-hour window
(``HUMAN_AGENT`` is for a person's replies only). ``ACCOUNT_UPDATE`` is the one that fits."""
STATUS_TAG_RULE = f"{', '.join(STATUS_TAGS)}, or empty to switch the retry off"

STATUS_TEMPLATE_VALUES = ("receipt_code", "status_label", "note", "date")
"""What a Zalo status template parameter can be filled with (``ZALO_STATUS_TEMPLATE_FIELDS``)."""
DEFAULT_STATUS_TEMPLATE_FIELDS = "ma_ho_so=receipt_code,trang_thai=status_label,ngay_cap_nhat=date"
STATUS_TEMPLATE_FIELDS_RULE = (
    "<template parameter>=<value>,… with values among " + ", ".join(STATUS_TEMPLATE_VALUES)
)

SettingsT = TypeVar("SettingsT")


def _env(
    name: str,
    clean: Callable[[str], str] | None = None,
    *,
    valid: Callable[[str], bool] | None = None,
    rule: str = "",
    empty_switches_off: bool = False,
) -> dict[str, Any]:
    """Metadata of a setting's field.

    Args:
        name: the environment variable.
        clean: applied to a text value (and its default), e.g. :func:`_url`.
        valid: tells whether a given text is acceptable; otherwise ``rule`` is reported.
        rule: what a valid value looks like, for the log line.
        empty_switches_off: the variable set to an empty value gives ``None`` instead of the
            default (a feature on by default, switched off with ``NAME=``).

    Returns:
        The field metadata read by :class:`_Reader`.
    """
    return {
        "env": name,
        "clean": clean,
        "valid": valid,
        "rule": rule,
        "empty_switches_off": empty_switches_off,
    }


def _url(value: str) -> str:
    return value.rstrip("/")


def _path_segment(value: str) -> str:
    return value.strip("/")


def _valid_telegram_secret(secret: str) -> bool:
    """Telegram allows 1-256 characters; we want at least 32 random ones (issue 17)."""
    allowed = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
    return (
        len(secret) <= 256
        and set(secret) <= allowed
        and secret_problem("TELEGRAM_SECRET_TOKEN", secret) is None
    )


def _valid_status_tag(tag: str) -> bool:
    return tag in STATUS_TAGS


def template_fields(text: str) -> dict[str, str] | None:
    """Reads ``ZALO_STATUS_TEMPLATE_FIELDS``: ``<template parameter>=<value>,…``.

    Args:
        text: e.g. ``"ma_ho_so=receipt_code,trang_thai=status_label,ngay_cap_nhat=date"``.

    Returns:
        ``{template parameter: value name}``, the values among :data:`STATUS_TEMPLATE_VALUES`;
        ``None`` when the text is malformed or empty.
    """
    fields_: dict[str, str] = {}
    for pair in text.split(","):
        parameter, sign, value = (part.strip() for part in pair.partition("="))
        if not sign or not parameter or value not in STATUS_TEMPLATE_VALUES:
            return None
        fields_[parameter] = value
    return fields_ or None


def _valid_template_fields(text: str) -> bool:
    return template_fields(text) is not None


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
    """Settings shared by every connector (environment only).

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

    database_url: str = field(
        default=DEFAULT_DATABASE_URL, metadata=_env("CONNECTORS_DATABASE_URL")
    )
    dedupe_ttl_seconds: int = field(
        default=48 * 3600, metadata=_env("CONNECTORS_DEDUPE_TTL_SECONDS")
    )
    handoff_callback: str | None = field(
        default=None, metadata=_env("CONNECTORS_HANDOFF_CALLBACK")
    )
    native_pause_minutes: float = field(
        default=30.0, metadata=_env("CONNECTORS_NATIVE_PAUSE_MINUTES")
    )


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
        status_template_id: the office's approved ZBS template for dossier status
            notifications, sent when Zalo refuses the normal message because the citizen has
            not written for 7 days (-230/-232); ``None``: the notification is reported as not
            delivered.
        status_template_fields: which template parameter gets which value
            (:func:`template_fields`).
    """

    app_id: str = field(metadata=_env("ZALO_APP_ID"))
    app_secret: str = field(metadata=_env("ZALO_APP_SECRET"))
    oa_secret_key: str = field(metadata=_env("ZALO_OA_SECRET_KEY"))
    refresh_token: str = field(metadata=_env("ZALO_REFRESH_TOKEN"))
    api_base_url: str = field(
        default="https://openapi.zalo.me", metadata=_env("ZALO_API_URL", _url)
    )
    oauth_base_url: str = field(
        default="https://oauth.zaloapp.com", metadata=_env("ZALO_OAUTH_URL", _url)
    )
    webhook_max_age_seconds: int = field(
        default=3600, metadata=_env("ZALO_WEBHOOK_MAX_AGE_SECONDS")
    )
    refresh_margin_seconds: int = field(
        default=5 * 3600, metadata=_env("ZALO_REFRESH_MARGIN_SECONDS")
    )
    reply_with_message_id: bool = field(default=False, metadata=_env("ZALO_REPLY_WITH_MESSAGE_ID"))
    timeout_seconds: float = field(default=10.0, metadata=_env("ZALO_TIMEOUT_SECONDS"))
    status_template_id: str | None = field(default=None, metadata=_env("ZALO_STATUS_TEMPLATE_ID"))
    status_template_fields: str = field(
        default=DEFAULT_STATUS_TEMPLATE_FIELDS,
        metadata=_env(
            "ZALO_STATUS_TEMPLATE_FIELDS",
            valid=_valid_template_fields,
            rule=STATUS_TEMPLATE_FIELDS_RULE,
        ),
    )

    @property
    def status_template_parameters(self) -> dict[str, str]:
        """``{template parameter: value name}`` of :attr:`status_template_fields`."""
        return template_fields(self.status_template_fields) or {}


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
        status_tag: the message tag a dossier status notification is sent again with when
            Meta refuses it outside the 24-hour window; ``None`` (``MESSENGER_STATUS_TAG=``):
            not sent again.
        human_agent: a staff reply from the console refused outside the 24-hour window is sent
            again with the ``HUMAN_AGENT`` tag (needs Meta's App Review of Human Agent).
    """

    app_secret: str = field(metadata=_env("MESSENGER_APP_SECRET"))
    verify_token: str = field(metadata=_env("MESSENGER_VERIFY_TOKEN"))
    page_access_token: str = field(metadata=_env("MESSENGER_PAGE_ACCESS_TOKEN"))
    app_id: str | None = field(default=None, metadata=_env("MESSENGER_APP_ID"))
    graph_base_url: str = field(
        default="https://graph.facebook.com", metadata=_env("MESSENGER_GRAPH_URL", _url)
    )
    graph_version: str = field(
        default="v25.0", metadata=_env("MESSENGER_GRAPH_VERSION", _path_segment)
    )
    allow_sha1: bool = field(default=False, metadata=_env("MESSENGER_ALLOW_SHA1"))
    inbox_app_id: str = field(default=PAGE_INBOX_APP_ID, metadata=_env("MESSENGER_INBOX_APP_ID"))
    timeout_seconds: float = field(default=10.0, metadata=_env("MESSENGER_TIMEOUT_SECONDS"))
    status_tag: str | None = field(
        default="ACCOUNT_UPDATE",
        metadata=_env(
            "MESSENGER_STATUS_TAG",
            str.upper,
            valid=_valid_status_tag,
            rule=STATUS_TAG_RULE,
            empty_switches_off=True,
        ),
    )
    human_agent: bool = field(default=False, metadata=_env("MESSENGER_HUMAN_AGENT"))


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

    bot_token: str = field(metadata=_env("TELEGRAM_BOT_TOKEN"))
    secret_token: str = field(
        metadata=_env(
            "TELEGRAM_SECRET_TOKEN", valid=_valid_telegram_secret, rule=TELEGRAM_SECRET_RULE
        )
    )
    webhook_url: str | None = field(default=None, metadata=_env("TELEGRAM_WEBHOOK_URL"))
    api_base_url: str = field(
        default="https://api.telegram.org", metadata=_env("TELEGRAM_API_URL", _url)
    )
    timeout_seconds: float = field(default=10.0, metadata=_env("TELEGRAM_TIMEOUT_SECONDS"))


class _Reader:
    """Reads one channel's values: credentials.yml first, then the environment."""

    def __init__(self, credentials: Mapping[str, Any] | None, env: Mapping[str, str]) -> None:
        self._credentials = credentials or {}
        self._env = env
        self.problems: list[str] = []

    def values(self, settings_class: type[Any]) -> dict[str, Any]:
        """Reads every field of a settings dataclass, by name."""
        return {spec.name: self.setting(spec) for spec in fields(settings_class)}

    def setting(self, spec: Field[Any]) -> Any:
        """Reads one field: without a default a required text, else as its default's type.

        A ``bool`` default reads a flag, an ``int`` or ``float`` default a positive number, a
        text default a text (``clean`` applied), ``None`` an optional text. A text is checked
        with ``valid`` when the field has one.
        """
        env_name, clean = spec.metadata["env"], spec.metadata["clean"]
        default = spec.default
        if default is MISSING:
            return self.checked(self.text(spec.name, env_name, required=True), spec.metadata)
        if isinstance(default, bool):
            return self.flag(spec.name, env_name, default)
        if isinstance(default, int | float):
            number = self.number(spec.name, env_name, default)
            return int(number) if isinstance(default, int) else number
        value = self.text(spec.name, env_name)
        if value is None and spec.metadata["empty_switches_off"] and env_name in self._env:
            return None
        if default is not None:
            value = value or str(default)
        if value is not None and clean:
            value = clean(value)
        return self.checked(value, spec.metadata)

    def checked(self, value: str | None, metadata: Mapping[str, Any]) -> str | None:
        """The value, after noting a problem when the field's ``valid`` refuses it."""
        valid = metadata["valid"]
        if value is not None and valid is not None and not valid(value):
            self.problems.append(f"{metadata['env']} ({metadata['rule']})")
        return value

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


def load_channel_settings(
    channel: str,
    settings_class: type[SettingsT],
    credentials: Mapping[str, Any] | None,
    env: Mapping[str, str] | None = None,
) -> SettingsT | ChannelDisabled:
    """Reads a channel's settings.

    Args:
        channel: channel name, for the log line of a disabled channel.
        settings_class: :class:`ZaloSettings`, :class:`MessengerSettings` or
            :class:`TelegramSettings`.
        credentials: the channel's block of credentials.yml (may be ``None``).
        env: environment to read; ``os.environ`` by default.

    Returns:
        The settings, or why the channel is disabled.
    """
    reader = _Reader(credentials, _environment(env))
    values = reader.values(settings_class)
    if reader.problems:
        return ChannelDisabled(channel, tuple(reader.problems))
    return settings_class(**values)


def load_common_settings(env: Mapping[str, str] | None = None) -> CommonSettings:
    """Reads the settings shared by all connectors (environment only).

    Args:
        env: environment to read; ``os.environ`` by default.

    Returns:
        The settings; malformed numbers fall back to the defaults.
    """
    return CommonSettings(**_Reader(None, _environment(env)).values(CommonSettings))


def load_zalo_settings(
    credentials: Mapping[str, Any] | None, env: Mapping[str, str] | None = None
) -> ZaloSettings | ChannelDisabled:
    """Reads the Zalo OA settings (see :func:`load_channel_settings`)."""
    return load_channel_settings("zalo", ZaloSettings, credentials, env)


def load_messenger_settings(
    credentials: Mapping[str, Any] | None, env: Mapping[str, str] | None = None
) -> MessengerSettings | ChannelDisabled:
    """Reads the Facebook Messenger settings (see :func:`load_channel_settings`)."""
    return load_channel_settings("messenger", MessengerSettings, credentials, env)


def load_telegram_settings(
    credentials: Mapping[str, Any] | None, env: Mapping[str, str] | None = None
) -> TelegramSettings | ChannelDisabled:
    """Reads the Telegram settings (see :func:`load_channel_settings`)."""
    return load_channel_settings("telegram", TelegramSettings, credentials, env)
