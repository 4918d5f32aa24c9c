"""The retention job of the Rasa server deletes what is past its period (issue 17)."""

from __future__ import annotations

import os
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sanic import Sanic

from backend_client import DossierSubmission, Outbox, Receipt
from bhxh_catalog.privacy import RetentionPeriods
from connectors.retention import RetentionInput, purge_once
from connectors.webchat.channel import WebchatInput
from connectors.webchat.store import MessageStore
from tests.connectors.conftest import start_app

DOMAIN = Domain.from_yaml('version: "3.1"\nintents: [inform]\n')
DAY = 86_400.0


class Agent:
    def __init__(self, store: SQLTrackerStore) -> None:
        self.tracker_store = store


@pytest.fixture
def outbox_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'outbox.db'}"
    monkeypatch.setenv("OUTBOX_DATABASE_URL", url)
    return url


async def test_one_round_deletes_only_what_is_past_its_period(tmp_path, outbox_url):
    now = time.time()
    store = SQLTrackerStore(DOMAIN, db=str(tmp_path / "tracker.db"))
    for sender, age_days in (("webchat-old-0123456789", 100), ("webchat-new-0123456789", 2)):
        tracker = DialogueStateTracker(sender, [])
        tracker.update(UserUttered("CCCD 056160001234", {"name": "inform"},
                                   timestamp=now - age_days * DAY))
        await store.save(tracker)
    webchat = WebchatInput(MessageStore(tmp_path / "webchat.db"))
    webchat.store.add_sync("webchat-new-0123456789", "user", {"text": "mới"})
    old_id = webchat.store.add_sync("webchat-old-0123456789", "user", {"text": "cũ"})
    with webchat.store._connect() as connection:  # an old message
        connection.execute("UPDATE webchat_messages SET created_at = ? WHERE id = ?",
                           (datetime.fromtimestamp(now - 100 * DAY, timezone.utc).isoformat(),
                            old_id))
    kept = webchat.uploads.save_sync(b"\x89PNG\r\n\x1a\n0", "a.png")
    gone = webchat.uploads.save_sync(b"\x89PNG\r\n\x1a\n1", "b.png")
    old_file = webchat.uploads.find(gone.token)
    assert old_file is not None
    os.utime(old_file[0], (now - 40 * DAY, now - 40 * DAY))
    outbox = Outbox(outbox_url, clock=lambda: now - 10 * DAY)
    submission = DossierSubmission("d-1", "cap_lai_the_bhyt", "zalo", "zalo:1", {"ho_ten": "A"})
    outbox.put(submission)
    receipt = Receipt("HS-7K3M-9Q2P", "received", "cap_lai_the_bhyt")
    outbox.record_delivered("d-1", receipt, notified=True)
    outbox.put(DossierSubmission("d-2", "cap_lai_the_bhyt", "zalo", "zalo:1", {}))  # pending
    outbox.close()

    app = Sanic(f"retention_test_{int(now * 1000)}")
    app.ctx.agent = Agent(store)
    app.ctx.input_channels = [webchat]
    done = await purge_once(app, RetentionPeriods(), now)

    assert done.conversations == ["webchat-old-0123456789"]
    assert await store.retrieve("webchat-old-0123456789") is None
    assert await store.retrieve("webchat-new-0123456789") is not None
    assert webchat.store.after_sync("webchat-old-0123456789", 0) == []
    assert len(webchat.store.after_sync("webchat-new-0123456789", 0)) == 1
    assert webchat.uploads.find(kept.token) is not None
    assert webchat.uploads.find(gone.token) is None
    assert done.outbox == 1
    again = Outbox(outbox_url)
    assert again.get("d-1") is None and again.get("d-2") is not None
    again.close()


async def test_the_job_runs_in_the_server_and_tells_its_periods(asgi, monkeypatch, outbox_url):
    monkeypatch.setenv("CONVERSATION_RETENTION_DAYS", "30")
    monkeypatch.setenv("RETENTION_INTERVAL_SECONDS", "3600")
    channel = RetentionInput.from_credentials(None)
    assert channel.periods.conversation_days == 30
    app = Sanic(f"retention_server_{int(time.time() * 1000)}")
    app.blueprint(channel.blueprint(_ignore), url_prefix="/webhooks/retention")
    await start_app(app)
    health = await asgi(app).get("/webhooks/retention/")
    assert health.json()["periods"]["conversation_days"] == 30


async def _ignore(message: object) -> None:
    return None
