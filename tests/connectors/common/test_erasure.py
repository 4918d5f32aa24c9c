"""The Rasa server erases a conversation when the action's marker passes (issue 17)."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest
from rasa.core.channels.channel import UserMessage
from rasa.core.lock_store import InMemoryLockStore
from rasa.core.tracker_store import InMemoryTrackerStore, SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sanic import Sanic

from bot.tracker_store import CachedSQLTrackerStore
from connectors.common.erasure import ERASE_MARKER, delete_tracker, purge_trackers
from connectors.rest import RestInput
from connectors.webchat.channel import WebchatInput
from connectors.webchat.store import MessageStore
from tests.connectors.conftest import start_app
from tests.webchat.test_webchat_upload import PNG

DOMAIN = Domain.from_yaml('version: "3.1"\nintents: [inform]\n')
SENDER = "web-0123456789abcdef0123"
OTHER = "web-fedcba9876543210fedc"
KEY = "rest-test-key-0123456789-abcdefghijKLMNOP"
_apps = itertools.count(1)


class FakeRasa:
    """Logs each message in the tracker store; "xóa" answers as action_erase_my_data does."""

    def __init__(self, store: Any) -> None:
        self.tracker_store = store
        self.lock_store = InMemoryLockStore()

    def is_ready(self) -> bool:
        return True

    async def __call__(self, message: UserMessage) -> None:
        sender = message.sender_id
        tracker = await self.tracker_store.retrieve(sender) or DialogueStateTracker(sender, [])
        tracker.update(UserUttered(message.text, {"name": "inform"}, metadata=message.metadata))
        out = message.output_channel
        if message.text == "xóa":
            await out.send_text_message(sender, "Ông/bà chắc chắn?")  # before the marker: erased
            await out.send_response(sender, {"custom": dict(ERASE_MARKER)})
            await out.send_text_message(sender, "Đã xóa dữ liệu.")
        else:
            await out.send_text_message(sender, "Đã nhận.")
        await self.tracker_store.save(tracker)


@pytest.fixture(params=["memory", "sql", "cached"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    if request.param == "memory":
        return InMemoryTrackerStore(DOMAIN)
    if request.param == "sql":
        return SQLTrackerStore(DOMAIN, db=str(tmp_path / "tracker.db"))
    return CachedSQLTrackerStore(DOMAIN, db=str(tmp_path / "cached.db"))


async def test_the_web_chat_conversation_is_erased_but_the_confirmation_stays(
    store, tmp_path, asgi, monkeypatch
):
    monkeypatch.setenv("WEBCHAT_UPLOAD_ORIGIN", "http://bot")
    rasa = FakeRasa(store)
    channel = WebchatInput(MessageStore(tmp_path / "webchat.db"))
    app = Sanic(f"erasure_test_{next(_apps)}")
    app.blueprint(channel.blueprint(rasa), url_prefix="/webhooks/webchat")
    app.ctx.agent = rasa
    app.ctx.input_channels = [channel]
    await start_app(app)
    client = asgi(app)
    for sender in (SENDER, OTHER):
        await client.post("/webhooks/webchat/message",
                          json={"sender": sender, "message": "CCCD 056160001234",
                                "display": "CCCD 056160001234"})
        await client.post("/webhooks/webchat/upload", data={"sender": sender},
                          files={"file": ("cccd.png", PNG, "image/png")})
    files = sorted((tmp_path / "webchat_uploads").iterdir())
    assert len(files) == 2

    await client.post("/webhooks/webchat/message",
                      json={"sender": SENDER, "message": "xóa", "display": "Xóa dữ liệu"})

    assert await store.retrieve(SENDER) is None
    kept = await channel.store.after(SENDER, 0)
    assert [m.body.get("text") for m in kept] == ["Đã xóa dữ liệu."]
    assert all("bhxh_privacy" not in str(m.body) for m in kept)  # the marker is never shown
    assert len(list((tmp_path / "webchat_uploads").iterdir())) == 1  # the other's file stays
    other = await store.retrieve(OTHER)
    assert other is not None and len(await channel.store.after(OTHER, 0)) == 4


async def test_the_rest_answer_never_carries_the_marker(store, asgi):
    rasa = FakeRasa(store)
    channel = RestInput(KEY)
    app = Sanic(f"erasure_rest_{next(_apps)}")
    app.blueprint(channel.blueprint(rasa), url_prefix="/webhooks/rest")
    app.ctx.agent = rasa
    app.ctx.input_channels = [channel]
    await start_app(app)
    client = asgi(app)
    auth = {"Authorization": f"Bearer {KEY}"}
    await client.post("/webhooks/rest/webhook", headers=auth,
                      json={"sender": "u1", "message": "sđt 0912345678"})
    answer = await client.post("/webhooks/rest/webhook", headers=auth,
                               json={"sender": "u1", "message": "xóa"})
    assert [m.get("text") for m in answer.json()] == ["Ông/bà chắc chắn?", "Đã xóa dữ liệu."]
    assert await store.retrieve("rest:u1") is None


async def test_a_cached_store_forgets_the_erased_conversation(tmp_path):
    store = CachedSQLTrackerStore(DOMAIN, db=str(tmp_path / "t.db"))
    tracker = DialogueStateTracker("zalo:1", [])
    tracker.update(UserUttered("0912345678", {"name": "inform"}))
    await store.save(tracker)
    assert await store.retrieve("zalo:1") is not None  # cached now
    assert delete_tracker(store, "zalo:1") == 1
    assert await store.retrieve("zalo:1") is None


async def test_retention_purges_conversations_idle_too_long(tmp_path):
    store = SQLTrackerStore(DOMAIN, db=str(tmp_path / "t.db"))
    for sender, at in (("zalo:old", 1_000.0), ("zalo:new", 9_000.0)):
        tracker = DialogueStateTracker(sender, [])
        tracker.update(UserUttered("xin chào", {"name": "inform"}, timestamp=at))
        await store.save(tracker)
    assert purge_trackers(store, before=5_000.0) == ["zalo:old"]
    assert await store.retrieve("zalo:old") is None
    assert await store.retrieve("zalo:new") is not None


def test_the_connector_and_web_chat_databases_are_private(tmp_path):
    import os

    from connectors.common.database import connector_database

    old = tmp_path / "connectors.sqlite3"
    old.write_bytes(b"")
    os.chmod(old, 0o644)  # a file from before: world-readable (the Zalo token store)
    connector_database(f"sqlite:///{old}").engine()
    assert oct(old.stat().st_mode & 0o777) == "0o600"
    store = MessageStore(tmp_path / "webchat.db")
    store.add_sync("web-0123456789abcdef", "user", {"text": "x"})
    assert oct((tmp_path / "webchat.db").stat().st_mode & 0o777) == "0o600"
