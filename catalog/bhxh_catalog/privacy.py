"""The privacy notice and the retention periods: one definition for the bot and the intake.

``catalog/data/privacy.yaml`` holds the texts (short notice, question, refusal, erasure, the full
notice) and their ``version``; :class:`RetentionPeriods` names the configurable periods and their
defaults. Nothing here reads the environment: callers pass their mapping (``os.environ``).

The texts carry ``{placeholders}`` filled by :meth:`PrivacyNotice.render`: ``conversation_days``,
``upload_days``, ``handoff_days`` (from the periods), ``notice_url``, ``controller``, ``hotline``.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import yaml

from bhxh_catalog.config import catalog_dir, default_catalog_dir

__all__ = [
    "HOTLINE",
    "PrivacyNotice",
    "RetentionPeriods",
    "load_privacy_notice",
]

HOTLINE = "1900 9068"
FILE_NAME = "privacy.yaml"


@dataclass(frozen=True)
class RetentionPeriods:
    """How long each kind of data is kept, in days (0 keeps it: not recommended).

    Attributes:
        conversation_days: a conversation's messages (tracker, web chat store, notices), after
            its last message. ``CONVERSATION_RETENTION_DAYS``.
        upload_days: files sent from the web chat page. ``WEBCHAT_UPLOAD_RETENTION_DAYS``.
        outbox_days: dossiers of the bot's outbox once delivered. ``OUTBOX_RETENTION_DAYS``.
        handoff_days: handoff transcripts and call-back requests, after they ended.
            ``HANDOFF_RETENTION_DAYS``.
        delivery_days: the intake's notifications to the bot once finished.
            ``WEBHOOK_RETENTION_DAYS``.
    """

    conversation_days: int = 90
    upload_days: int = 30
    outbox_days: int = 7
    handoff_days: int = 180
    delivery_days: int = 30

    ENV: ClassVar[dict[str, str]] = {
        "conversation_days": "CONVERSATION_RETENTION_DAYS",
        "upload_days": "WEBCHAT_UPLOAD_RETENTION_DAYS",
        "outbox_days": "OUTBOX_RETENTION_DAYS",
        "handoff_days": "HANDOFF_RETENTION_DAYS",
        "delivery_days": "WEBHOOK_RETENTION_DAYS",
    }

    @classmethod
    def from_mapping(cls, environ: Mapping[str, str]) -> RetentionPeriods:
        """Reads the periods from environment variables (missing or malformed: the default).

        Raises:
            ValueError: a period is negative.
        """
        values: dict[str, int] = {}
        for name, variable in cls.ENV.items():
            text = environ.get(variable, "").strip()
            if text:
                days = int(text)
                if days < 0:
                    raise ValueError(f"{variable} must be 0 or more days")
                values[name] = days
        return cls(**values)


@dataclass(frozen=True)
class PrivacyNotice:
    """The texts of ``privacy.yaml``."""

    version: str
    controller: str
    legal_basis: tuple[str, ...]
    texts: Mapping[str, str]
    full: tuple[tuple[str, str], ...]
    verified: bool = False
    periods: RetentionPeriods = field(default_factory=RetentionPeriods)

    def values(self, notice_url: str) -> dict[str, object]:
        """What the placeholders are filled with."""
        return {
            "conversation_days": self.periods.conversation_days,
            "upload_days": self.periods.upload_days,
            "handoff_days": self.periods.handoff_days,
            "notice_url": notice_url,
            "controller": self.controller,
            "hotline": HOTLINE,
        }

    def render(self, key: str, notice_url: str = "", **extra: object) -> str:
        """One text (``short``, ``question``, ``refused``, ``erased`` …) with its values."""
        return self.texts[key].format(**self.values(notice_url), **extra)

    def full_sections(self, notice_url: str = "") -> list[tuple[str, str]]:
        """The full notice: ``(title, text)`` per section."""
        values = self.values(notice_url)
        return [(title, text.format(**values)) for title, text in self.full]

    def fingerprint(self, notice_url: str = "") -> str:
        """SHA-256 of what the citizen read (short notice and question, filled in): recorded
        with the consent, so that the text agreed to can be proven later."""
        shown = self.render("short", notice_url) + "\n" + self.render("question", notice_url)
        return hashlib.sha256(shown.encode("utf-8")).hexdigest()

    def with_periods(self, periods: RetentionPeriods) -> PrivacyNotice:
        """The same notice stating other retention periods."""
        return PrivacyNotice(
            self.version, self.controller, self.legal_basis, self.texts, self.full,
            self.verified, periods,
        )


def _path() -> Path:
    configured = catalog_dir() / FILE_NAME
    return configured if configured.is_file() else default_catalog_dir() / FILE_NAME


@functools.lru_cache(maxsize=4)
def _load(path: Path) -> PrivacyNotice:
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    texts = {
        key: str(value)
        for key, value in data.items()
        if isinstance(value, str) and key not in ("version", "controller")
    }
    return PrivacyNotice(
        version=str(data["version"]),
        controller=str(data["controller"]),
        legal_basis=tuple(str(item) for item in data.get("legal_basis") or ()),
        texts=texts,
        full=tuple((str(s["title"]), str(s["text"])) for s in data.get("full") or ()),
        verified=bool(data.get("verified", False)),
    )


def load_privacy_notice(environ: Mapping[str, str] | None = None) -> PrivacyNotice:
    """The notice of the catalog folder (the default catalog's when the folder has none),
    stating the retention periods of ``environ`` (the defaults when omitted)."""
    notice = _load(_path())
    return notice.with_periods(RetentionPeriods.from_mapping(environ or {}))
