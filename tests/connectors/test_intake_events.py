"""Signed events from the intake service, told to the citizen through Rasa (a fake agent here)."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from rasa.core.channels.channel import register
from rasa.core.channels.rest import RestInput
from rasa.core.lock_store import InMemoryLockStore
from rasa.shared.core.events import BotUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sanic import Sanic

from connectors.common.database import ConnectorDatabase
from connectors.common.dedupe import DedupeStore
from connectors.intake_events import (
    INTENT,
    KEPT,
    IntakeEventsInput,
    IntakeEventsSettings,
    NoticeOutput,
    signature_ok,
)
from connectors.messenger import MessengerInput
from connectors.webchat.channel import WebchatInput, WebchatOutput
from connectors.webchat.store import MessageStore
from connectors.zalo import ZaloInput
from tests.connectors.conftest import start_app
from tests.connectors.messenger.payloads import PSID
from tests.connectors.zalo.payloads import USER_ID

SECRET = "shared-webhook-secret"
REST_KEY = "rest-test-key-0123456789-abcdefghijKLMNOP"
REST_AUTH = {"Authorization": f"Bearer {REST_KEY}"}
_apps = iter(range(1, 10_000))


class WindowClosed(Exception):
    """Stands in for a platform refusal (the connectors' errors carry ``reason_vi``)."""

    reason_vi = "Đã quá 7 ngày kể từ tin nhắn cuối của người dân."


class FakeProcessor:
    def __init__(self, agent: FakeAgent) -> None:
        self.agent = agent

    async def fetch_tracker_and_update_session(self, sender_id: str, output: Any) -> Any:
        return DialogueStateTracker.from_events(
            sender_id, list(self.agent.said.get(sender_id, []))
        )

    async def save_tracker(self, tracker: Any) -> None:
        self.agent.said[tracker.sender_id] = list(tracker.events)


class FakeAgent:
    """Records triggered intents; says one response through the output channel, as Rasa does."""

    def __init__(self) -> None:
        self.lock_store = InMemoryLockStore()
        self.processor = FakeProcessor(self)
        self.triggered: list[tuple[str, dict[str, Any], Any, str]] = []
        self.fail: Exception | None = None
        self.said: dict[str, list[Any]] = {}
        self.buttons: list[dict[str, Any]] = []

    def is_ready(self) -> bool:
        return True

    async def trigger_intent(
        self, intent: str, entities: list[dict[str, Any]], output: Any, tracker: Any
    ) -> None:
        if self.fail is not None:
            raise self.fail
        values = {item["entity"]: item["value"] for item in entities}
        self.triggered.append((intent, values, output, tracker.sender_id))
        text = f"Hồ sơ {values.get('receipt_code')}"
        response = {"text": text, "buttons": list(self.buttons)}
        await output.send_response(tracker.sender_id, response)


def sign(body: bytes, secret: str = SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def event(**extra: Any) -> bytes:
    body = {
        "event": "status_changed",
        "event_id": "ev-1",
        "receipt_code": "HS-7K3M-9Q2P",
        "procedure_id": "cap_lai_the_bhyt",
        "status": "in_review",
        "status_label": "Đang xem xét",
        "note": None,
        "channel": "webchat",
        "sender_id": "webchat-user-1",
        "at": "2026-03-01T08:00:00+00:00",
        "sent_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),  # signed: fresh
        **extra,
    }
    return json.dumps(body, ensure_ascii=False).encode()


@pytest.fixture
async def bot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("CONNECTORS_DATABASE_URL", f"sqlite:///{tmp_path / 'c.sqlite3'}")
    settings = IntakeEventsSettings(SECRET, tmp_path / "notices.db", outbox_worker=False)
    database = ConnectorDatabase(f"sqlite:///{tmp_path / 'c.sqlite3'}")
    channel = IntakeEventsInput(settings, DedupeStore(database, 3600), database)
    webchat = WebchatInput(MessageStore(tmp_path / "webchat.db"))
    app = Sanic(f"intake_events_test_{next(_apps)}")
    register([channel, RestInput(), webchat], app, route="/webhooks/")
    agent = FakeAgent()
    app.ctx.agent = agent
    await start_app(app)
    return app, channel, agent


async def post(asgi, app: Sanic, body: bytes, signature: str | None, event_id: str = "ev-1"):
    headers = {"X-Intake-Event-Id": event_id}
    if signature is not None:
        headers["X-Intake-Signature"] = signature
    return await asgi(app).post("/webhooks/intake/events", content=body, headers=headers)


def test_the_signature_is_the_hmac_of_the_raw_body():
    body = event()
    assert signature_ok(SECRET, body, sign(body))
    assert not signature_ok(SECRET, body + b" ", sign(body))
    assert not signature_ok(SECRET, body, None)
    assert not signature_ok(SECRET, body, sign(body, "another secret"))


async def test_a_status_change_is_told_on_the_citizens_channel(bot, asgi):
    app, _, agent = bot
    body = event()
    answer = await post(asgi, app, body, sign(body))
    assert answer.status_code == 200
    assert answer.json() == {"delivered": True}
    [(intent, values, output, sender)] = agent.triggered
    assert intent == INTENT
    assert sender == "webchat-user-1"
    assert isinstance(output, WebchatOutput) and not isinstance(output, NoticeOutput)
    assert values["event"] == "status_changed"
    assert values["status_label"] == "Đang xem xét"
    assert "note" not in values  # empty values are not entities


async def test_a_redelivery_is_dropped(bot, asgi):
    app, _, agent = bot
    body = event()
    await post(asgi, app, body, sign(body))
    again = await post(asgi, app, body, sign(body))
    assert again.status_code == 200
    assert again.json()["duplicate"] is True
    assert len(agent.triggered) == 1


@pytest.mark.parametrize("signature", [None, "sha256=00", sign(event(), "wrong")])
async def test_an_unsigned_or_forged_event_is_refused(bot, asgi, signature):
    app, _, agent = bot
    answer = await post(asgi, app, event(), signature)
    assert answer.status_code == 403
    assert agent.triggered == []


async def test_a_failure_is_retried_by_the_intake(bot, asgi):
    app, _, agent = bot
    body = event()
    agent.fail = RuntimeError("action server down")
    failed = await post(asgi, app, body, sign(body))
    assert failed.status_code == 500
    agent.fail = None
    retried = await post(asgi, app, body, sign(body))  # the same event id, processed now
    assert retried.json() == {"delivered": True}
    assert len(agent.triggered) == 1


async def test_an_event_cancelled_midway_is_not_taken_for_a_duplicate(bot, asgi):
    app, _, agent = bot
    body = event()
    agent.fail = asyncio.CancelledError()  # the intake's request timed out, Sanic cancelled it
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await post(asgi, app, body, sign(body))
    agent.fail = None
    retried = await post(asgi, app, body, sign(body))
    assert retried.json() == {"delivered": True}, "the retry is told, not dropped"
    assert len(agent.triggered) == 1


async def test_a_refusal_by_the_channel_is_reported_not_retried(bot, asgi):
    app, _, agent = bot
    agent.fail = WindowClosed()
    body = event()
    answer = await post(asgi, app, body, sign(body))
    assert answer.status_code == 200
    assert answer.json() == {"delivered": False, "reason": WindowClosed.reason_vi}


async def test_rest_conversations_fetch_their_notifications(bot, asgi, monkeypatch):
    monkeypatch.setenv("REST_CHANNEL_KEY", REST_KEY)
    app, _, agent = bot
    body = event(channel="rest", sender_id="rest:user-7", event_id="ev-rest")
    told = await post(asgi, app, body, sign(body), "ev-rest")
    # nothing was pushed: the console must not say the citizen was told (issue 16)
    assert told.json() == {"delivered": False, "reason": KEPT}
    assert isinstance(agent.triggered[0][2], NoticeOutput)
    answer = await asgi(app).get(
        "/webhooks/intake/notifications",
        params={"sender": "user-7", "after": 0},
        headers=REST_AUTH,
    )
    messages = answer.json()["messages"]
    assert [m["text"] for m in messages] == ["Hồ sơ HS-7K3M-9Q2P"]
    later = await asgi(app).get(
        "/webhooks/intake/notifications",
        params={"sender": "rest:user-7", "after": answer.json()["last_id"]},
        headers=REST_AUTH,
    )
    assert later.json()["messages"] == []


async def test_notifications_need_the_rest_key_and_stay_in_the_rest_namespace(
    bot, asgi, monkeypatch
):
    monkeypatch.setenv("REST_CHANNEL_KEY", REST_KEY)
    app, _, _ = bot
    body = event(channel="zalo", sender_id="zalo:48213377", event_id="ev-zalo-notice")
    await post(asgi, app, body, sign(body), "ev-zalo-notice")
    client = asgi(app)
    for headers in ({}, {"Authorization": "Bearer change-me"}):
        refused = await client.get(
            "/webhooks/intake/notifications",
            params={"sender": "zalo:48213377", "after": 0},
            headers=headers,
        )
        assert refused.status_code == 401
    other = await client.get(
        "/webhooks/intake/notifications",
        params={"sender": "zalo:48213377", "after": 0},
        headers=REST_AUTH,
    )
    assert other.json()["messages"] == []  # read as rest:zalo:48213377, never zalo's


async def test_malformed_events_are_refused(bot, asgi):
    app, _, _ = bot
    for body in (b"not json", json.dumps({"event": "status_changed"}).encode()):
        answer = await post(asgi, app, body, sign(body), "ev-bad")
        assert answer.status_code == 400


async def test_without_a_secret_the_webhook_is_disabled(tmp_path, monkeypatch, asgi):
    monkeypatch.setenv("CONNECTORS_DATABASE_URL", f"sqlite:///{tmp_path / 'c.sqlite3'}")
    monkeypatch.delenv("BOT_WEBHOOK_SECRET", raising=False)
    channel = IntakeEventsInput.from_credentials(None)
    app = Sanic(f"intake_events_test_{next(_apps)}")
    register([channel], app, route="/webhooks/")
    await start_app(app)
    assert (await asgi(app).get("/webhooks/intake/")).status_code == 503
    body = event()
    assert (await post(asgi, app, body, sign(body))).status_code == 503


async def test_a_receipt_already_said_is_not_told_again(bot):
    app, channel, agent = bot
    agent.said["rest-user-8"] = [BotUttered("Mã hồ sơ: HS-7K3M-9Q2P (ông/bà vui lòng ghi lại).")]
    values = {"event": "dossier_delivered", "receipt_code": "HS-7K3M-9Q2P"}
    await channel.tell(app, "rest", "rest-user-8", values, unless_said="HS-7K3M-9Q2P")
    assert agent.triggered == []
    await channel.tell(app, "rest", "rest-user-9", values, unless_said="HS-7K3M-9Q2P")
    assert len(agent.triggered) == 1


async def test_the_outbox_worker_starts_and_stops_with_the_server(bot, tmp_path, monkeypatch):
    app, _, _ = bot
    monkeypatch.setenv("OUTBOX_DATABASE_URL", f"sqlite:///{tmp_path / 'outbox.db'}")
    monkeypatch.setenv("INTAKE_URL", "http://127.0.0.1:9")
    settings = IntakeEventsSettings(
        SECRET, tmp_path / "n.db", outbox_worker=True, worker_interval=0.2
    )
    channel = IntakeEventsInput(settings)
    await channel.start_worker(app)
    task = channel._worker_task
    assert task is not None and not task.done()
    await channel.stop_worker()
    assert task.done()
    assert (tmp_path / "outbox.db").exists()


def test_settings_come_from_the_block_then_the_environment(tmp_path):
    env = {
        "BOT_WEBHOOK_SECRET": "from-env",
        "INTAKE_NOTICES_DB_PATH": str(tmp_path / "n.db"),
        "OUTBOX_WORKER": "0",
        "OUTBOX_WORKER_INTERVAL_SECONDS": "2.5",
    }
    read = IntakeEventsSettings.read(None, env)
    assert read.webhook_secret == "from-env"
    assert read.notices_path == tmp_path / "n.db"
    assert read.outbox_worker is False
    assert read.worker_interval == 2.5
    assert IntakeEventsSettings.read({"webhook_secret": "block"}, env).webhook_secret == "block"
    assert IntakeEventsSettings.read(None, {}).webhook_secret is None


# ------------------------------------------- Messenger and Zalo after their reply window closed
BUTTONS = [
    {"title": "Tra cứu hồ sơ", "payload": "/check_status"},
    {"title": "Gặp nhân viên", "payload": "/request_human"},
]
MESSENGER = {"channel": "messenger", "sender_id": f"messenger:{PSID}"}
ZALO = {"channel": "zalo", "sender_id": f"zalo:{USER_ID}"}
TEMPLATE_ID = "412345"


@pytest.fixture
def platforms(messenger_settings, zalo_settings, common_settings, closing):
    """``platforms(messenger=…, zalo=…)`` → the Messenger and Zalo channels on the fakes."""

    def make(messenger: dict[str, Any] | None = None, zalo: dict[str, Any] | None = None):
        settings = replace(messenger_settings, **(messenger or {}))
        messenger_input = MessengerInput(settings, common_settings)
        zalo_input = ZaloInput(replace(zalo_settings, **(zalo or {})), common_settings)
        return [closing(messenger_input), closing(zalo_input)]

    return make


async def platform_bot(bot, channels):
    _, channel, agent = bot
    app = Sanic(f"intake_events_test_{next(_apps)}")
    register([channel, *channels], app, route="/webhooks/")
    app.ctx.agent = agent
    agent.buttons = list(BUTTONS)
    await start_app(app)
    return app


async def post_status(asgi, app: Sanic, **values: Any) -> dict[str, Any]:
    event_id = f"ev-{next(_apps)}"
    body = event(event_id=event_id, status="approved", status_label="Đã có kết quả", **values)
    answer = await post(asgi, app, body, sign(body), event_id)
    assert answer.status_code == 200, answer.text
    result: dict[str, Any] = answer.json()
    return result


async def test_a_notice_in_the_window_is_answered_as_before(bot, platforms, asgi, fake_graph):
    app = await platform_bot(bot, platforms())

    assert await post_status(asgi, app, **MESSENGER) == {"delivered": True}

    [sent] = fake_graph.sent
    assert sent["messaging_type"] == "RESPONSE" and "tag" not in sent
    buttons = sent["message"]["attachment"]["payload"]["buttons"]
    assert [b["payload"] for b in buttons] == ["/check_status", "/request_human"]


async def test_a_late_messenger_notice_is_tagged_and_the_intake_told_so(
    bot, platforms, asgi, fake_graph
):
    fake_graph.closed_window.add(PSID)
    app = await platform_bot(bot, platforms())

    answer = await post_status(asgi, app, **MESSENGER)

    assert answer["delivered"] is True
    assert answer["reason"].startswith("Đã gửi bằng thẻ ACCOUNT_UPDATE")
    [sent] = fake_graph.sent
    assert (sent["messaging_type"], sent["tag"]) == ("MESSAGE_TAG", "ACCOUNT_UPDATE")
    assert set(sent["message"]) == {"text"}  # no quick replies, no postback buttons
    assert sent["message"]["text"].startswith("Hồ sơ HS-7K3M-9Q2P")


async def test_with_the_tag_switched_off_the_late_notice_is_not_delivered(
    bot, platforms, asgi, fake_graph
):
    fake_graph.closed_window.add(PSID)
    app = await platform_bot(bot, platforms(messenger={"status_tag": None}))

    answer = await post_status(asgi, app, **MESSENGER)

    assert answer["delivered"] is False
    assert "ACCOUNT_UPDATE" in answer["reason"] and "gọi điện" in answer["reason"]
    assert len(fake_graph.calls("/me/messages")) == 1
    assert fake_graph.sent == []


async def test_a_late_zalo_notice_goes_out_as_the_zbs_template(bot, platforms, asgi, fake_zalo):
    fake_zalo.window_closed.add(USER_ID)
    fake_zalo.approved_templates[TEMPLATE_ID] = {"ma_ho_so", "trang_thai", "ngay_cap_nhat"}
    app = await platform_bot(bot, platforms(zalo={"status_template_id": TEMPLATE_ID}))

    answer = await post_status(asgi, app, **ZALO)

    assert answer["delivered"] is True
    assert answer["reason"].startswith("Đã gửi bằng mẫu tin ZBS")
    [call] = fake_zalo.calls("/v3.0/oa/message/template")
    assert call.json() == {
        "user_id": USER_ID,
        "template_id": TEMPLATE_ID,
        "template_data": {
            "ma_ho_so": "HS-7K3M-9Q2P",
            "trang_thai": "Đã có kết quả",
            "ngay_cap_nhat": "01/03/2026",
        },
    }


async def test_a_late_zalo_notice_without_a_template_says_to_call_the_citizen(
    bot, platforms, asgi, fake_zalo
):
    fake_zalo.window_closed.add(USER_ID)
    app = await platform_bot(bot, platforms())

    answer = await post_status(asgi, app, **ZALO)

    assert answer == {
        "delivered": False,
        "reason": (
            "Người dân không nhắn với OA trong 7 ngày; chưa cấu hình mẫu tin ZBS — hãy gọi điện "
            "cho người dân."
        ),
    }
    assert fake_zalo.calls("/message/template") == []


async def test_a_late_staff_reply_on_messenger_uses_human_agent_when_enabled(
    bot, platforms, asgi, fake_graph
):
    fake_graph.closed_window.add(PSID)
    app = await platform_bot(bot, platforms(messenger={"human_agent": True}))
    body = json.dumps(
        {
            "event": "staff_message",
            "event_id": "ev-staff",
            "handoff_id": 41,
            "message_id": 9,
            "text": "Chào ông, hồ sơ đã đủ.",
            "staff_name": "Lan",
            "sent_at": datetime.now(timezone.utc).isoformat(),
            **MESSENGER,
        },
        ensure_ascii=False,
    ).encode()

    answer = (await post(asgi, app, body, sign(body), "ev-staff")).json()

    assert answer["delivered"] is True and "HUMAN_AGENT" in answer["reason"]
    [sent] = fake_graph.sent
    assert (sent["tag"], sent["message"]) == ("HUMAN_AGENT", {"text": "Chào ông, hồ sơ đã đủ."})


async def test_a_late_receipt_notice_after_an_outage_is_tagged_like_a_status(
    bot, platforms, asgi, fake_graph
):
    fake_graph.closed_window.add(PSID)
    app = await platform_bot(bot, platforms())
    _, channel, _ = bot
    delivered = {"event": "dossier_delivered", "receipt_code": "HS-7K3M-9Q2P",
                 "dossier_id": "d-1", "procedure_id": "cap_lai_the_bhyt",
                 "status_label": "Đã tiếp nhận"}

    told = await channel.tell(app, "messenger", MESSENGER["sender_id"], delivered)

    assert told.delivered and (told.reason or "").startswith("Đã gửi bằng thẻ ACCOUNT_UPDATE")
    [sent] = fake_graph.sent
    assert (sent["messaging_type"], sent["tag"]) == ("MESSAGE_TAG", "ACCOUNT_UPDATE")


async def test_a_replayed_or_stale_event_is_dropped(bot, asgi):
    """Issue 17: the id that counts is the signed one; an old capture is refused."""
    app, _, agent = bot
    body = event(event_id="ev-replay")
    assert (await post(asgi, app, body, sign(body), "ev-replay")).json() == {"delivered": True}
    again = await post(asgi, app, body, sign(body), "another-header-id")
    assert again.json()["duplicate"] is True
    old = (datetime.now(timezone.utc) - timedelta(minutes=10)).isoformat()
    stale = event(event_id="ev-stale", sent_at=old)
    assert (await post(asgi, app, stale, sign(stale), "ev-stale")).status_code == 403
    undated = json.dumps({**json.loads(event(event_id="ev-undated")), "sent_at": None}).encode()
    assert (await post(asgi, app, undated, sign(undated), "ev-undated")).status_code == 403
    assert len(agent.triggered) == 1
