"""The Rasa credentials file (input channels) written for one run."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

REST = "connectors.rest.RestInput"
WEBCHAT = "connectors.webchat.WebchatInput"
INTAKE_EVENTS = "connectors.intake_events.IntakeEventsInput"


@dataclass(frozen=True)
class Credentials:
    """Which channels the Rasa server opens.

    Attributes:
        webchat_db: the web chat's SQLite file; ``None`` leaves the web chat out.
        intake_events: open ``/webhooks/intake/events`` and run the outbox worker (needs the
            intake service; its settings come from the environment).
    """

    webchat_db: Path | None = None
    intake_events: bool = False

    def as_config(self) -> dict[str, Any]:
        """The whole file as a mapping (the REST channel, behind the pause gate, is always on)."""
        config: dict[str, Any] = {REST: None}
        if self.webchat_db is not None:
            config[WEBCHAT] = {"db_path": str(self.webchat_db)}
        if self.intake_events:
            config[INTAKE_EVENTS] = None
        return config

    def write(self, path: Path) -> Path:
        """Writes the YAML file and returns its path."""
        path.write_text(
            "# written by stack.credentials for one run\n"
            + yaml.safe_dump(self.as_config(), sort_keys=False, allow_unicode=True),
            encoding="utf-8",
        )
        return path
