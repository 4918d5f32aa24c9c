"""The whole system as real processes on free ports, for the end-to-end tests.

* the intake service (its own environment: ``bin/env intake python -m intake_service bootstrap``
  then ``serve``), on a temporary SQLite database and var folder;
* the action server (``python -m rasa_sdk --actions bot.actions``);
* Rasa (``python -m rasa run`` with the trained model of ``$BHXH_MODEL``), with the REST channel,
  the web chat and ``connectors.intake_events`` (status webhooks, outbox worker), an endpoints
  file pointing at this action server and a temporary SQL tracker store.

Every process can be stopped and started again on the same ports and files (an outage of the
intake service, a restart of the bot).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]
TODAY = "2026-03-01"
API_KEY = "e2e-bot-key-" + "x" * 20
WEBHOOK_SECRET = "e2e-webhook-secret-" + "y" * 20
ADMIN = ("admin", "e2e-admin-Pa55word!")
STARTUP_SECONDS = 300.0
REPLY_SECONDS = 120.0


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(condition: Callable[[], Any], seconds: float, what: str) -> Any:
    """Polls ``condition`` until it returns something truthy; fails after ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"timed out after {seconds:.0f} s waiting for {what}")


@dataclass
class Service:
    """One process of the system: its command, environment and log file."""

    name: str
    command: list[str]
    env: dict[str, str]
    log: Path
    health_url: str
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Starts the process and waits until its health URL answers."""
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                self.command,
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        process = self.process

        def up() -> bool:
            if process.poll() is not None:
                tail = self.log.read_text(errors="replace")[-4000:]
                raise AssertionError(f"{self.name} exited early:\n{tail}")
            try:
                return httpx.get(self.health_url, timeout=3).status_code < 500
            except httpx.HTTPError:
                return False

        wait_for(up, STARTUP_SECONDS, f"{self.name} at {self.health_url}")

    def stop(self) -> None:
        """Stops the process (SIGTERM, then SIGKILL) and its children."""
        process = self.process
        self.process = None
        if process is None or process.poll() is not None:
            return
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)

    def log_tail(self, size: int = 4000) -> str:
        """The end of the process's log."""
        return self.log.read_text(errors="replace")[-size:] if self.log.exists() else ""


@dataclass
class System:
    """The intake service, the action server and Rasa, wired together."""

    work: Path
    model: str
    intake_port: int = field(default_factory=free_port)
    actions_port: int = field(default_factory=free_port)
    rasa_port: int = field(default_factory=free_port)
    services: dict[str, Service] = field(default_factory=dict)

    @property
    def intake_url(self) -> str:
        """Base URL of the intake service."""
        return f"http://127.0.0.1:{self.intake_port}"

    @property
    def rasa_url(self) -> str:
        """Base URL of the Rasa server."""
        return f"http://127.0.0.1:{self.rasa_port}"

    def _bot_env(self) -> dict[str, str]:
        env = {
            **os.environ,
            "BHXH_TODAY": TODAY,
            "INTAKE_URL": self.intake_url,
            "INTAKE_API_KEY": API_KEY,
            "INTAKE_TIMEOUT": "5",
            "INTAKE_RETRIES": "1",
            "OUTBOX_DATABASE_URL": f"sqlite:///{self.work / 'outbox.db'}",
            "OUTBOX_WORKER_INTERVAL_SECONDS": "1",
            "BOT_WEBHOOK_SECRET": WEBHOOK_SECRET,
            "CONNECTORS_DATABASE_URL": f"sqlite:///{self.work / 'connectors.sqlite3'}",
            "INTAKE_NOTICES_DB_PATH": str(self.work / "notices.db"),
            "WEBCHAT_DB_PATH": str(self.work / "webchat.db"),
        }
        env.pop("BHXH_CATALOG_DIR", None)
        return env

    def prepare(self) -> None:
        """Writes the endpoints and credentials files, bootstraps the intake database."""
        (self.work / "endpoints.yml").write_text(
            f'action_endpoint:\n  url: "http://127.0.0.1:{self.actions_port}/webhook"\n'
            'tracker_store:\n  type: SQL\n  dialect: "sqlite"\n'
            f'  db: "{self.work / "tracker.db"}"\n',
            encoding="utf-8",
        )
        (self.work / "credentials.yml").write_text(
            "connectors.rest.RestInput:\n"
            f'connectors.webchat.WebchatInput:\n  db_path: "{self.work / "webchat.db"}"\n'
            "connectors.intake_events.IntakeEventsInput:\n",
            encoding="utf-8",
        )
        intake_env = {
            **os.environ,
            "INTAKE_DATABASE_URL": f"sqlite:///{self.work / 'intake.db'}",
            "INTAKE_VAR_DIR": str(self.work / "intake_var"),
            "INTAKE_HOST": "127.0.0.1",
            "INTAKE_PORT": str(self.intake_port),
            "INTAKE_API_KEY": API_KEY,
            "INTAKE_SECRET_KEY": "e2e-secret-key-" + "z" * 30,
            "INTAKE_ADMIN_USER": ADMIN[0],
            "INTAKE_ADMIN_PASSWORD": ADMIN[1],
            "BOT_EVENTS_URL": f"{self.rasa_url}/webhooks/intake/events",
            "BOT_WEBHOOK_SECRET": WEBHOOK_SECRET,
            "INTAKE_LOG_LEVEL": "WARNING",
        }
        for name in ("VIRTUAL_ENV", "PYTHONHOME"):
            intake_env.pop(name, None)
        env_script = str(ROOT / "bin" / "env")
        subprocess.run(
            [env_script, "intake", "python", "-m", "intake_service", "bootstrap"],
            cwd=ROOT,
            env=intake_env,
            check=True,
            capture_output=True,
            timeout=300,
        )
        self.services["intake"] = Service(
            "intake",
            [env_script, "intake", "python", "-m", "intake_service", "serve", "--no-access-log"],
            intake_env,
            self.work / "intake.log",
            f"{self.intake_url}/healthz",
        )
        bot_env = self._bot_env()
        self.services["actions"] = Service(
            "actions",
            [
                sys.executable,
                "-m",
                "rasa_sdk",
                "--actions",
                "bot.actions",
                "--port",
                str(self.actions_port),
            ],
            bot_env,
            self.work / "actions.log",
            f"http://127.0.0.1:{self.actions_port}/health",
        )
        self.services["rasa"] = Service(
            "rasa",
            [
                sys.executable,
                "-m",
                "rasa",
                "run",
                "--model",
                self.model,
                "--port",
                str(self.rasa_port),
                "--interface",
                "127.0.0.1",
                "--endpoints",
                str(self.work / "endpoints.yml"),
                "--credentials",
                str(self.work / "credentials.yml"),
            ],
            bot_env,
            self.work / "rasa.log",
            f"{self.rasa_url}/webhooks/rest/",
        )

    def start(self, *names: str) -> None:
        """Starts the named services (all by default), in dependency order."""
        for name in names or ("intake", "actions", "rasa"):
            self.services[name].start()

    def stop(self, *names: str) -> None:
        """Stops the named services (all by default)."""
        for name in names or ("rasa", "actions", "intake"):
            self.services[name].stop()

    def logs(self) -> str:
        """The ends of every log, for a failing test's message."""
        return "\n".join(
            f"----- {name}\n{service.log_tail()}" for name, service in self.services.items()
        )

    # ------------------------------------------------------------------ talking to the bot
    def say(self, sender: str, text: str, metadata: Mapping[str, Any] | None = None) -> list[str]:
        """Sends one message through the REST channel; returns the bot's texts."""
        return [message.get("text") or "" for message in self.say_full(sender, text, metadata)]

    def say_full(
        self, sender: str, text: str, metadata: Mapping[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """Sends one message through the REST channel; returns the bot's messages."""
        body: dict[str, Any] = {"sender": sender, "message": text}
        if metadata is not None:
            body["metadata"] = dict(metadata)
        answer = httpx.post(
            f"{self.rasa_url}/webhooks/rest/webhook", json=body, timeout=REPLY_SECONDS
        )
        answer.raise_for_status()
        messages: list[dict[str, Any]] = answer.json()
        return messages

    def notices(self, sender: str) -> list[str]:
        """Messages kept for a REST conversation (pushed later: receipts, status changes)."""
        answer = httpx.get(
            f"{self.rasa_url}/webhooks/intake/notifications",
            params={"sender": sender, "after": 0},
            timeout=10,
        )
        answer.raise_for_status()
        return [item.get("text") or "" for item in answer.json()["messages"]]

    def webchat_texts(self, sender: str) -> list[str]:
        """Bot messages stored for a web chat conversation."""
        answer = httpx.get(
            f"{self.rasa_url}/webhooks/webchat/messages",
            params={"sender": sender, "after": 0},
            timeout=10,
        )
        answer.raise_for_status()
        return [
            item.get("text") or "" for item in answer.json()["messages"] if item["role"] == "bot"
        ]

    # ------------------------------------------------------------------ the intake service
    def dossiers(self, sender: str, channel: str = "rest") -> list[dict[str, Any]]:
        """The dossiers of one conversation, as the intake service has them."""
        answer = httpx.get(
            f"{self.intake_url}/api/v1/dossiers",
            params={"sender_id": sender, "channel": channel},
            headers={"X-API-Key": API_KEY},
            timeout=10,
        )
        answer.raise_for_status()
        items: list[dict[str, Any]] = answer.json()["items"]
        return items

    def dossier(self, code: str) -> dict[str, Any]:
        """One dossier with its fields, answers and attachments (full values)."""
        answer = httpx.get(
            f"{self.intake_url}/api/v1/dossiers/{code}",
            headers={"X-API-Key": API_KEY},
            timeout=10,
        )
        answer.raise_for_status()
        result: dict[str, Any] = answer.json()
        return result

    def submit_directly(
        self,
        procedure_id: str,
        channel: str,
        sender: str,
        fields: dict[str, Any],
        answers: dict[str, Any],
    ) -> str:
        """Creates a dossier through the API (as another client would); returns its code."""
        answer = httpx.post(
            f"{self.intake_url}/api/v1/dossiers",
            json={
                "procedure_id": procedure_id,
                "channel": channel,
                "sender_id": sender,
                "fields": fields,
                "answers": answers,
                "province": None,
            },
            headers={"X-API-Key": API_KEY, "Idempotency-Key": uuid.uuid4().hex},
            timeout=10,
        )
        assert answer.status_code == 201, answer.text
        return str(answer.json()["receipt_code"])

    def change_status(self, code: str, status: str, note: str) -> None:
        """A staff member changes a dossier's status."""
        answer = httpx.post(
            f"{self.intake_url}/api/v1/dossiers/{code}/status",
            json={"status": status, "note": note},
            auth=ADMIN,
            timeout=10,
        )
        assert answer.status_code == 200, answer.text
