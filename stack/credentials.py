"""The Rasa credentials file (input channels) written for one run."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stack.endpoints import write_run_file

REST = "connectors.rest.RestInput"
WEBCHAT = "connectors.webchat.WebchatInput"
INTAKE_EVENTS = "connectors.intake_events.IntakeEventsInput"
RETENTION = "connectors.retention.RetentionInput"
MESSAGING = (
    "connectors.zalo.ZaloInput",
    "connectors.messenger.MessengerInput",
    "connectors.telegram.TelegramInput",
)


@dataclass(frozen=True)
class Credentials:
    """Which channels the Rasa server opens.

    Attributes:
        webchat_db: the web chat's SQLite file; ``None`` leaves the web chat out.
        intake_events: open ``/webhooks/intake/events`` and run the outbox worker (needs the
            intake service; its settings come from the environment).
        messaging: open the Zalo OA, Messenger and Telegram channels (their settings come from
            the environment, see ``connectors/README.md``).
    """

    webchat_db: Path | None = None
    intake_events: bool = False
    messaging: bool = False

    def as_config(self) -> dict[str, Any]:
        """The whole file as a mapping (the REST channel, behind the pause gate, is always on)."""
        config: dict[str, Any] = {REST: None, RETENTION: None}
        if self.webchat_db is not None:
            config[WEBCHAT] = {"db_path": str(self.webchat_db)}
        if self.intake_events:
            config[INTAKE_EVENTS] = None
        if self.messaging:
            config.update(dict.fromkeys(MESSAGING))
        return config

    def write(self, path: Path) -> Path:
        """Writes the YAML file and returns its path."""
        return write_run_file(path, self.as_config(), "stack.credentials")
