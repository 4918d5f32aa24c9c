"""The handoff in the input path: the pause gate, the native inbox signal, the intake's events.

Rasa is faked by an agent with a real in-memory tracker store and lock store: a paused tracker
logs messages and answers nothing, like Rasa's processor.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from rasa.core.channels.channel import (
    CollectingOutputChannel,
    InputChannel,
    OutputChannel,
    UserMessage,
    register,
)
from rasa.core.lock_store import InMemoryLockStore
from rasa.core.tracker_store import AwaitableTrackerStore, InMemoryTrackerStore, SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActiveLoop,
    BotUttered,
    ConversationPaused,
    ConversationResumed,
    Restarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from sanic import Blueprint, Sanic

from backend_client import Attachment, IntakeSettings
from connectors.common.database import ConnectorDatabase
from connectors.common.dedupe import DedupeStore
from connectors.common.handoff import HandoffEvent
from connectors.common.pause import (
    HANDOFF_SLOT,
    NATIVE,
    RELAY_FAILED,
    IntakeWithdraw,
    PauseGate,
    RelayOutcome,
    not_paused_by_its_events,
    paused,
)
from connectors.handoff_events import LEFT, claimed_text, closed_text
from connectors.intake_events import IntakeEventsInput, IntakeEventsSettings
from connectors.rest import RestInput
from connectors.webchat.channel import WebchatInput
from connectors.webchat.store import MessageStore
from tests.connectors.conftest import start_app

DOMAIN = Domain.from_yaml(
    """
version: "3.1"
intents: [greet, cancel, restart, inform, EXTERNAL_intake_event, EXTERNAL_caller_code]
slots:
  handoff_id:
    type: text
    influence_conversation: false
    mappings:
      - type: custom
  handoff_phone:
    type: any
    influence_conversation: false
    mappings:
      - type: custom
forms:
  handoff_callback_form:
    required_slots: [handoff_phone]
"""
)
SECRET = "handoff-secret"
ANSWER = "Trợ lý trả lời."
_apps = iter(range(1, 10_000))


class FakeProcessor:
    def __init__(self, agent: FakeAgent) -> None:
        self.agent = agent

    async def fetch_tracker_and_update_session(
        self, sender_id: str, output: Any = None, metadata: Any = None
    ) -> DialogueStateTracker:
        found = await self.agent.tracker_store.retrieve(sender_id)
        return found or DialogueStateTracker(sender_id, DOMAIN.slots)

    async def save_tracker(self, tracker: DialogueStateTracker) -> None:
        await self.agent.tracker_store.save(tracker)


class FakeAgent:
    """Logs each message; answers only when the conversation is not paused."""

    def __init__(self) -> None:
        self.lock_store = InMemoryLockStore()
        self.tracker_store = InMemoryTrackerStore(DOMAIN)
        self.processor = FakeProcessor(self)
        self.intents: dict[str, str] = {"hủy": "cancel", "bắt đầu lại": "restart"}
        self.parsed: list[str] = []
        self.triggered: list[tuple[str, dict[str, Any]]] = []

    def is_ready(self) -> bool:
        return True

    async def parse_message(self, text: str) -> dict[str, Any]:
        self.parsed.append(text)
        return {"text": text, "intent": {"name": self.intents.get(text, "inform")}, "entities": []}

    async def handle_message(self, message: UserMessage) -> None:
        async with self.lock_store.lock(message.sender_id):
            tracker = await self.processor.fetch_tracker_and_update_session(message.sender_id)
            parse = message.parse_data or await self.parse_message(message.text or "")
            tracker.update(UserUttered(message.text, parse["intent"], [], parse))
            if not tracker.is_paused():
                await message.output_channel.send_text_message(message.sender_id, ANSWER)
                tracker.update(BotUttered(ANSWER))
            await self.tracker_store.save(tracker)

    async def trigger_intent(
        self, intent: str, entities: list[dict[str, Any]], output: Any, tracker: Any
    ) -> None:
        values = {item["entity"]: item["value"] for item in entities}
        self.triggered.append((intent, values))
        tracker.update(UserUttered.create_external(intent, entities))
        await self.tracker_store.save(tracker)

    async def tracker(self, sender_id: str) -> DialogueStateTracker:
        return await self.processor.fetch_tracker_and_update_session(sender_id)

    async def set_paused(self, sender_id: str, handoff_id: str) -> None:
        tracker = await self.tracker(sender_id)
        tracker.update(SlotSet(HANDOFF_SLOT, handoff_id))
        tracker.update(ConversationPaused())
        await self.tracker_store.save(tracker)


class Relay:
    def __init__(self, outcome: RelayOutcome = RelayOutcome.RELAYED) -> None:
        self.outcome = outcome
        self.sent: list[tuple[int, str, tuple[Attachment, ...], str]] = []
        self.calls: list[str] = []  # relay and withdraw, in order

    async def __call__(
        self, handoff_id: int, text: str, attachments: tuple[Attachment, ...], at: str, key: str
    ) -> RelayOutcome:
        self.sent.append((handoff_id, text, attachments, key))
        self.calls.append("relay")
        return self.outcome


class Withdraw:
    """Records the withdrawals; ``works`` False stands for an intake that cannot be told."""

    def __init__(self, relay: Relay, works: bool = True) -> None:
        self.relay = relay
        self.works = works
        self.withdrawn: list[tuple[int, str]] = []

    async def __call__(self, handoff_id: int, reason: str, at: str) -> bool:
        self.withdrawn.append((handoff_id, reason))
        self.relay.calls.append("withdraw")
        return self.works


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=["memory", "sql"])
def agent(request: pytest.FixtureRequest, tmp_path: Path) -> FakeAgent:
    """Every gate test runs with Rasa's in-memory and SQL (SQLite) tracker stores."""
    agent = FakeAgent()
    if request.param == "sql":
        agent.tracker_store = SQLTrackerStore(DOMAIN, db=str(tmp_path / "tracker.db"))
    return agent


def gate_for(
    agent: FakeAgent, relay: Relay, clock: Clock | None = None, withdraw: Withdraw | None = None
) -> PauseGate:
    app = Sanic(f"gate_test_{next(_apps)}")
    app.ctx.agent = agent
    gate = PauseGate(
        "rest",
        relay,
        withdraw=withdraw or Withdraw(relay),
        native_pause_seconds=1800,
        clock=clock or Clock(),
    )
    gate.bind_app(app)
    return gate


async def say(gate: PauseGate, agent: FakeAgent, text: str, **metadata: Any) -> list[str]:
    output = CollectingOutputChannel()
    message = UserMessage(text, output, "u1", input_channel="rest", metadata=metadata or None)
    await gate.handler(agent.handle_message)(message)
    return [m.get("text") or "" for m in output.messages]


def user_texts(tracker: DialogueStateTracker) -> list[str]:
    return [e.text or "" for e in tracker.events if isinstance(e, UserUttered)]


# ---------------------------------------------------------------------- the gate
async def test_a_conversation_nobody_owns_goes_to_the_assistant(agent):
    relay = Relay()
    assert await say(gate_for(agent, relay), agent, "xin chào") == [ANSWER]
    assert not relay.sent and not agent.parsed[:-1]


async def test_while_a_person_owns_it_messages_are_relayed_logged_and_not_answered(agent):
    relay = Relay()
    gate = gate_for(agent, relay)
    await agent.set_paused("u1", "41")
    photo = {"type": "image", "payload": {"url": "http://zalo/p.jpg"}}
    assert await say(gate, agent, "tôi gửi ảnh sổ", attachments=[photo]) == []
    [(handoff_id, text, files, key)] = relay.sent
    assert (handoff_id, text) == (41, "tôi gửi ảnh sổ")
    assert files == (Attachment("image", "http://zalo/p.jpg"),)
    assert key.startswith("rest:")
    tracker = await agent.tracker("u1")
    assert user_texts(tracker) == ["tôi gửi ảnh sổ"] and tracker.is_paused()
    assert agent.parsed == ["tôi gửi ảnh sổ"]  # parsed once, by the gate


async def test_a_photo_without_caption_is_relayed_as_the_photo_only(agent):
    relay = Relay()
    await agent.set_paused("u1", "41")
    location = {"latitude": 12.2, "longitude": 109.1}
    await say(gate_for(agent, relay), agent, "/inform", location=location)
    assert relay.sent[0][1:3] == ("", (Attachment("location", None, "12.2, 109.1"),))


async def test_once_the_conversation_is_back_with_the_assistant_it_answers(agent):
    relay = Relay(RelayOutcome.BACK_WITH_ASSISTANT)
    await agent.set_paused("u1", "41")
    assert await say(gate_for(agent, relay), agent, "còn ai không") == [ANSWER]
    tracker = await agent.tracker("u1")
    assert not tracker.is_paused()
    assert tracker.get_slot(HANDOFF_SLOT) == "41"  # the hand-back event still applies


async def test_a_relay_that_fails_says_so(agent):
    await agent.set_paused("u1", "41")
    answers = await say(gate_for(agent, Relay(RelayOutcome.FAILED)), agent, "alo")
    assert answers == [RELAY_FAILED]
    assert (await agent.tracker("u1")).is_paused()


@pytest.mark.parametrize(("text", "reason"), [("hủy", "cancel"), ("bắt đầu lại", "restart")])
async def test_cancel_and_restart_always_work_and_leave_the_staff_queue(agent, text, reason):
    relay = Relay()
    withdraw = Withdraw(relay)
    await agent.set_paused("u1", "41")
    assert await say(gate_for(agent, relay, withdraw=withdraw), agent, text) == [ANSWER]
    assert relay.sent[0][1] == text  # staff see that the citizen left
    assert withdraw.withdrawn == [(41, reason)]
    assert relay.calls == ["relay", "withdraw"]
    assert not (await agent.tracker("u1")).is_paused()


async def test_a_handoff_already_back_with_the_assistant_is_not_withdrawn(agent):
    relay = Relay(RelayOutcome.BACK_WITH_ASSISTANT)
    withdraw = Withdraw(relay)
    await agent.set_paused("u1", "41")
    assert await say(gate_for(agent, relay, withdraw=withdraw), agent, "hủy") == [ANSWER]
    assert withdraw.withdrawn == []


async def test_a_withdrawal_that_fails_is_logged_and_the_citizen_still_leaves(agent, caplog):
    relay = Relay()
    withdraw = Withdraw(relay, works=False)
    await agent.set_paused("zalo:48213377", "41")
    gate = gate_for(agent, relay, withdraw=withdraw)
    output = CollectingOutputChannel()
    message = UserMessage("hủy", output, "zalo:48213377", input_channel="rest")
    with caplog.at_level(logging.WARNING, logger="connectors.common.pause"):
        await gate.handler(agent.handle_message)(message)
    assert [m["text"] for m in output.messages] == [ANSWER]
    assert not (await agent.tracker("zalo:48213377")).is_paused()
    [warning] = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert "handoff 41" in warning and "staff queue" in warning
    assert "48213377" not in warning and "…3377" in warning


async def test_the_intake_withdrawal_says_so_when_the_intake_cannot_be_reached(caplog):
    withdraw = IntakeWithdraw(IntakeSettings(base_url="http://127.0.0.1:9", retries=0))
    with caplog.at_level(logging.WARNING, logger="connectors.common.pause"):
        assert await withdraw(41, "cancel", "2026-03-01T01:03:00+00:00") is False
    assert "handoff 41: not withdrawn" in caplog.text


@pytest.mark.parametrize(
    ("events", "at_once"),
    [
        ([], True),
        ([ConversationPaused()], False),
        ([ConversationPaused(), ConversationResumed()], True),
        ([ConversationPaused(), Restarted()], True),
        ([ConversationResumed(), UserUtteranceReverted()], False),  # replayed: read it all
    ],
)
async def test_pause_state_read_from_the_events_of_an_sql_store(tmp_path, events, at_once):
    agent = FakeAgent()
    agent.tracker_store = SQLTrackerStore(DOMAIN, db=str(tmp_path / "tracker.db"))
    tracker = DialogueStateTracker("u1", DOMAIN.slots)
    for event in [UserUttered("xin chào"), *events]:
        tracker.update(event)
    await agent.tracker_store.save(tracker)
    assert not_paused_by_its_events(agent, "u1") is at_once
    agent.tracker_store = AwaitableTrackerStore(agent.tracker_store)
    assert not_paused_by_its_events(agent, "u1") is at_once
    agent.tracker_store = InMemoryTrackerStore(DOMAIN)
    assert not_paused_by_its_events(agent, "u1") is False, "other stores: read the tracker"


async def test_the_pause_is_kept_in_the_tracker_store(agent):
    await agent.set_paused("u1", "41")
    relay = Relay()
    await say(gate_for(agent, relay), agent, "một")
    await say(gate_for(agent, relay), agent, "hai")  # another gate: a restarted server
    assert [sent[1] for sent in relay.sent] == ["một", "hai"]


# ---------------------------------------------------------------------- the platform's inbox
def native(kind: str, text: str | None = None) -> HandoffEvent:
    return HandoffEvent(kind, "zalo", "u1", "1", agent_id="admin-7", text=text)  # type: ignore[arg-type]


async def test_a_reply_from_the_oa_inbox_pauses_the_assistant_until_it_lapses(agent):
    clock = Clock()
    relay = Relay()
    gate = gate_for(agent, relay, clock)
    await gate.notify(native("human_replied", "Chào anh, em là cán bộ BHXH."))
    tracker = await agent.tracker("u1")
    state = paused(tracker)
    assert state is not None and state.native and state.handoff_id is None
    bot = [e for e in tracker.events if isinstance(e, BotUttered)]
    assert bot[-1].metadata["staff_name"] == "admin-7"
    assert await say(gate, agent, "vâng") == []  # the person answers in their inbox
    assert not relay.sent
    clock.now += 1801
    assert await say(gate, agent, "alo") == [ANSWER]


async def test_the_thread_passed_back_resumes_the_assistant(agent):
    gate = gate_for(agent, Relay())
    await gate.notify(native("control_taken"))
    assert (await agent.tracker("u1")).is_paused()
    await gate.notify(native("control_returned"))
    tracker = await agent.tracker("u1")
    assert not tracker.is_paused() and tracker.get_slot(HANDOFF_SLOT) is None


async def test_a_native_reply_does_not_replace_the_office_handoff(agent):
    await agent.set_paused("u1", "41")
    await gate_for(agent, Relay()).notify(native("human_replied", "Chào anh"))
    assert (await agent.tracker("u1")).get_slot(HANDOFF_SLOT) == "41"


async def test_without_a_running_agent_every_message_goes_through():
    gate = PauseGate("zalo", Relay(), native_pause_seconds=60)
    seen: list[str] = []

    async def on_new_message(message: UserMessage) -> None:
        seen.append(message.text or "")

    await gate.handler(on_new_message)(UserMessage("chào", CollectingOutputChannel(), "u1"))
    await gate.notify(native("human_replied", "x"))
    assert seen == ["chào"]


# ---------------------------------------------------------------------- the REST channel
REST_KEY = "rest-test-key-0123456789-abcdefghijKLMNOP"
REST_AUTH = {"Authorization": f"Bearer {REST_KEY}"}


async def test_the_rest_channel_is_rasas_behind_the_gate(agent, asgi, monkeypatch):
    rest = RestInput(REST_KEY)
    relay = Relay()
    rest.gate.relay = relay
    app = Sanic(f"rest_gate_{next(_apps)}")
    register([rest], app, route="/webhooks/")
    app.ctx.agent = agent
    await start_app(app)
    client = asgi(app)
    answer = await client.post(
        "/webhooks/rest/webhook", headers=REST_AUTH, json={"sender": "u1", "message": "chào"}
    )
    assert [m["text"] for m in answer.json()] == [ANSWER]
    await agent.set_paused("rest:u1", "41")
    answer = await client.post(
        "/webhooks/rest/webhook", headers=REST_AUTH, json={"sender": "u1", "message": "alo"}
    )
    assert answer.json() == []
    assert relay.sent[0][:2] == (41, "alo")


# ---------------------------------------------------------------------- the intake's events
class Refused(Exception):
    reason_vi = "Đã quá 7 ngày kể từ tin nhắn cuối của người dân."


class RefusingOutput(OutputChannel):
    @classmethod
    def name(cls) -> str:
        return "zalo"

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        raise Refused()


class RefusingInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "zalo"

    def get_output_channel(self) -> OutputChannel:
        return RefusingOutput()

    def blueprint(self, on_new_message: Any) -> Blueprint:
        return Blueprint(f"refusing_{next(_apps)}")


def sign(body: bytes) -> str:
    return "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()


@pytest.fixture
async def events_app(tmp_path: Path, agent: FakeAgent, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("CONNECTORS_DATABASE_URL", f"sqlite:///{tmp_path / 'c.sqlite3'}")
    settings = IntakeEventsSettings(SECRET, tmp_path / "notices.db", outbox_worker=False)
    database = ConnectorDatabase(f"sqlite:///{tmp_path / 'c.sqlite3'}")
    channel = IntakeEventsInput(settings, DedupeStore(database, 3600), database)
    store = MessageStore(tmp_path / "webchat.db")
    app = Sanic(f"handoff_events_{next(_apps)}")
    register([channel, WebchatInput(store), RefusingInput()], app, route="/webhooks/")
    app.ctx.agent = agent
    await start_app(app)
    return app, store


_ids = iter(range(1, 10_000))


async def post(asgi: Any, app: Sanic, **values: Any) -> dict[str, Any]:
    body = json.dumps(
        {
            "event_id": f"ev-{next(_ids)}",
            "handoff_id": 41,
            "channel": "webchat",
            "sender_id": "u1",
            "procedure_id": None,
            "at": "2026-03-01T08:00:00+00:00",
            "sent_at": datetime.now(timezone.utc).isoformat(),  # signed, fresh (issue 17)
            **values,
        },
        ensure_ascii=False,
    ).encode()
    headers = {"X-Intake-Signature": sign(body)}
    answer = await asgi(app).post("/webhooks/intake/events", content=body, headers=headers)
    assert answer.status_code == 200, answer.text
    result: dict[str, Any] = answer.json()
    return result


async def bot_texts(store: MessageStore) -> list[str]:
    return [m.as_json()["text"] for m in await store.after("u1", 0)]


async def test_a_staff_reply_reaches_the_citizen_is_recorded_and_keeps_the_pause(
    events_app, asgi, agent
):
    app, store = events_app
    answer = await post(
        asgi,
        app,
        event="staff_message",
        text="Chào ông, tôi xem hồ sơ.",
        staff_name="Nguyễn Thị Lan",
        message_id=9,
    )
    assert answer == {"delivered": True}
    assert await bot_texts(store) == ["Chào ông, tôi xem hồ sơ."]
    tracker = await agent.tracker("u1")
    uttered = [e for e in tracker.events if isinstance(e, BotUttered)][-1]
    assert uttered.metadata["staff_name"] == "Nguyễn Thị Lan"
    assert tracker.is_paused() and tracker.get_slot(HANDOFF_SLOT) == "41"


async def test_a_reply_the_platform_refuses_comes_back_with_its_reason(events_app, asgi, agent):
    app, _ = events_app
    answer = await post(asgi, app, event="staff_message", text="Chào", channel="zalo")
    assert answer == {"delivered": False, "reason": Refused.reason_vi}
    assert not (await agent.tracker("u1")).is_paused()


async def test_the_claim_is_told_in_the_conversation_that_waits_for_it(events_app, asgi, agent):
    app, store = events_app
    await post(asgi, app, event="handoff_claimed", staff_name="Lan")
    assert await bot_texts(store) == []  # not this conversation's handoff
    await agent.set_paused("u1", "41")
    await post(asgi, app, event="handoff_claimed", staff_name="Lan")
    assert await bot_texts(store) == [claimed_text("Lan")]
    assert claimed_text("Lan").startswith("Cán bộ Lan đang hỗ trợ ông/bà")


async def test_a_hand_back_resumes_and_asks_the_assistant_to_continue(events_app, asgi, agent):
    app, _ = events_app
    await agent.set_paused("u1", "41")
    fields = {"ho_ten": "Nguyễn Văn Bình"}
    await post(
        asgi,
        app,
        event="handoff_returned",
        resume="continue_form",
        procedure_id="doi_hinh_thuc_nhan_luong_huu",
        fields=fields,
        answers={},
        corrected=["ho_ten"],
        staff_name="Lan",
    )
    [(intent, values)] = agent.triggered
    assert intent == "EXTERNAL_intake_event"
    assert values["event"] == "handoff_returned" and values["fields"] == fields
    assert values["corrected"] == ["ho_ten"] and "answers" in values
    assert not (await agent.tracker("u1")).is_paused()


async def test_closing_tells_the_citizen_and_a_left_handoff_is_ignored(events_app, asgi, agent):
    app, store = events_app
    await agent.set_paused("u1", "41")
    assert await post(asgi, app, event="handoff_closed", staff_name="Lan") == {"delivered": True}
    tracker = await agent.tracker("u1")
    assert not tracker.is_paused() and tracker.get_slot(HANDOFF_SLOT) is None
    assert await bot_texts(store) == [closed_text("Lan")]
    assert closed_text("Lan").startswith("Cán bộ Lan đã kết thúc cuộc trò chuyện")
    answer = await post(asgi, app, event="handoff_expired")
    assert answer == {"delivered": False, "reason": LEFT}  # the console is not told "đã báo"
    assert not agent.triggered and await bot_texts(store) == [closed_text("Lan")]


async def test_the_native_slot_value_is_not_a_handoff(agent):
    tracker = await agent.tracker("u1")
    tracker.update(SlotSet(HANDOFF_SLOT, NATIVE))
    tracker.update(ConversationPaused())
    state = paused(tracker)
    assert state is not None and state.native and state.handoff_id is None


async def test_a_status_change_during_a_handoff_is_told_and_the_pause_goes_on(
    events_app, asgi, agent
):
    app, _ = events_app
    await agent.set_paused("u1", "41")
    answer = await post(
        asgi, app, event="status_changed", receipt_code="HS-7K3M-9Q2P", status="in_review"
    )
    assert answer == {"delivered": True}
    assert agent.triggered[0][1]["event"] == "status_changed"
    assert (await agent.tracker("u1")).is_paused()


async def test_a_message_that_is_only_a_callers_code_has_its_own_intent(agent):
    seen: list[UserMessage] = []

    async def on_new_message(message: UserMessage) -> None:
        seen.append(message)

    gate = gate_for(agent, Relay())
    for text in ("UMV 4H7", "mã UMV4H7", "UMV4H8", "mã của tôi là UMV4H7"):
        await gate.handler(on_new_message)(UserMessage(text, CollectingOutputChannel(), "u2"))
    intents = [(m.parse_data or {}).get("intent", {}).get("name") for m in seen]
    # recognised at any point, also in a form (the rules run action_caller_code)
    assert intents == ["EXTERNAL_caller_code", "EXTERNAL_caller_code", None, None]


# ---------------------------------------------------------------------- issue 16
async def waiting_for_a_phone_number(agent: FakeAgent, sender_id: str = "u1") -> None:
    """Outside office hours: the handoff waits in the queue, the assistant asks a number."""
    tracker = await agent.tracker(sender_id)
    tracker.update(SlotSet(HANDOFF_SLOT, "41"))
    tracker.update(ActiveLoop("handoff_callback_form"))
    tracker.update(SlotSet("requested_slot", "handoff_phone"))
    await agent.tracker_store.save(tracker)


async def test_a_claim_suspends_the_pending_question_and_everything_goes_to_staff(
    events_app, asgi, agent
):
    app, store = events_app
    await waiting_for_a_phone_number(agent)
    answer = await post(asgi, app, event="handoff_claimed", staff_name="Quản trị viên")
    assert answer == {"delivered": True}
    tracker = await agent.tracker("u1")
    assert tracker.is_paused() and tracker.active_loop_name is None
    assert tracker.get_slot("requested_slot") is None and tracker.get_slot(HANDOFF_SLOT) == "41"
    assert await bot_texts(store) == [claimed_text("Quản trị viên")]

    relay = Relay()
    gate = gate_for(agent, relay)
    photo = {"type": "image", "url": "http://bot/webhooks/webchat/files/abc", "name": "so.jpg"}
    assert await say(gate, agent, "số tôi là 0912") == []  # no "Số điện thoại chỉ gồm …"
    assert await say(gate, agent, "/inform", attachments=[photo]) == []
    assert await say(gate, agent, '/deny{"answer":"khong_can"}', title="Không cần") == []
    assert [(text, files) for _, text, files, _ in relay.sent] == [
        ("số tôi là 0912", ()),
        ("", (Attachment("image", photo["url"], "so.jpg"),)),
        ("Không cần", ()),
    ]
    assert (await agent.tracker("u1")).is_paused()  # "Không cần" did not end the handoff


async def test_a_staff_reply_also_suspends_a_pending_question(events_app, asgi, agent):
    app, _ = events_app
    await waiting_for_a_phone_number(agent)
    await post(asgi, app, event="staff_message", text="Chào bà", staff_name="Lan", message_id=3)
    tracker = await agent.tracker("u1")
    assert tracker.is_paused() and tracker.active_loop_name is None


async def test_the_claim_of_a_handoff_the_citizen_left_is_not_reported_as_told(
    events_app, asgi, agent
):
    app, store = events_app
    answer = await post(asgi, app, event="handoff_claimed", staff_name="Lan")
    assert answer == {"delivered": False, "reason": LEFT}
    assert await bot_texts(store) == []


async def test_staff_read_the_title_of_a_button_the_channel_did_not_name(agent):
    relay = Relay()
    await agent.set_paused("u1", "41")
    tracker = await agent.tracker("u1")
    buttons = [{"title": "5", "payload": '/inform{"answer":"5"}'}]
    tracker.update(BotUttered("Ông/bà chấm điểm từ 1 đến 5", {"buttons": buttons}))
    await agent.tracker_store.save(tracker)
    gate = gate_for(agent, relay)
    await say(gate, agent, '/inform{"answer":"5"}')
    await say(gate, agent, "/request_human")
    await say(gate, agent, '/inform{"answer":"x"}')
    assert [sent[1] for sent in relay.sent] == ["5", "Gặp nhân viên", "(bấm một nút)"]
