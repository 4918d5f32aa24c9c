"""The web chat channel: the page, sending a message, polling for replies, later messages."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from rasa.core.channels.channel import UserMessage
from sanic import Sanic
from sanic.touchup.service import TouchUp

from connectors.webchat import WebchatInput, WebchatOutput
from connectors.webchat.channel import webchat_db_path
from connectors.webchat.store import MessageStore

SENDER = "web-0123456789abcdef"
STREAM_SECONDS = 0.6  # the test's event streams end by themselves (a browser reconnects)
_names = itertools.count()


async def start(app: Sanic) -> None:
    """Runs the app's startup, which httpx's ASGI transport (no lifespan events) does not.

    Sanic's "touch-up" of its own classes may run only once per process; later apps only
    finalise their routers.
    """
    touched = any(getattr(target, "__touched__", False) for target, _ in TouchUp._registry)
    if touched:
        app.signalize()
        app.finalize()
    else:
        await app._startup()


@pytest.fixture
def store(tmp_path: Path) -> MessageStore:
    return MessageStore(tmp_path / "var" / "webchat.db")


@pytest.fixture
def received() -> list[UserMessage]:
    return []


@pytest.fixture
async def client(
    store: MessageStore, received: list[UserMessage]
) -> AsyncIterator[httpx.AsyncClient]:
    """The channel's blueprint in a Sanic app whose "bot" echoes with a button."""

    async def on_new_message(message: UserMessage) -> None:
        received.append(message)
        if message.text == "/boom":
            raise RuntimeError("the bot failed")
        await message.output_channel.send_response(
            message.sender_id,
            {
                "text": f"Bạn nói: {message.text}",
                "buttons": [{"title": "Có", "payload": '/inform{"answer":"co"}'}],
            },
        )

    app = Sanic(f"webchat_test_{next(_names)}")
    channel = WebchatInput(store, stream_seconds=STREAM_SECONDS)
    app.blueprint(channel.blueprint(on_new_message), url_prefix="/webhooks/webchat")
    await start(app)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


async def post(client: httpx.AsyncClient, **body: Any) -> httpx.Response:
    return await client.post("/webhooks/webchat/message", json=body)


async def test_the_page_is_vietnamese_with_a_way_to_a_person(client):
    response = await client.get("/webhooks/webchat/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert '<html lang="vi">' in page
    assert "Gặp nhân viên" in page
    assert "1900 9068" in page
    assert 'role="log"' in page and "Kết thúc và xóa trên máy này" in page
    assert "📎" not in page  # the attach button's icon needs no emoji font
    assert 'name="viewport"' in page


async def test_a_message_reaches_rasa_and_the_reply_is_polled(client, received):
    response = await post(client, sender=SENDER, message="xin chào", display="xin chào")
    assert response.json() == {"ok": True}
    assert received[0].sender_id == SENDER
    assert received[0].input_channel == "webchat"

    polled = (await client.get(f"/webhooks/webchat/messages?sender={SENDER}&after=0")).json()
    roles = [(m["role"], m["text"]) for m in polled["messages"]]
    assert roles == [("user", "xin chào"), ("bot", "Bạn nói: xin chào")]
    assert polled["messages"][1]["buttons"] == [
        {"title": "Có", "payload": '/inform{"answer":"co"}'}
    ]
    again = await client.get(
        f"/webhooks/webchat/messages?sender={SENDER}&after={polled['last_id']}"
    )
    assert again.json() == {"messages": [], "last_id": polled["last_id"]}


async def test_a_button_sends_its_payload_and_shows_its_title(client, received):
    await post(client, sender=SENDER, message='/inform{"answer":"co"}', display="Có")
    assert received[0].text == '/inform{"answer":"co"}'
    polled = (await client.get(f"/webhooks/webchat/messages?sender={SENDER}&after=0")).json()
    assert polled["messages"][0]["text"] == "Có"


async def test_a_silent_message_is_not_shown_as_the_users(client, received):
    await post(client, sender=SENDER, message="/greet", display=None)
    polled = (await client.get(f"/webhooks/webchat/messages?sender={SENDER}&after=0")).json()
    assert [m["role"] for m in polled["messages"]] == ["bot"]
    assert received[0].metadata["hidden"] is True  # not in the transcript staff read


async def test_a_button_pressed_tells_staff_its_title(client, received):
    await post(client, sender=SENDER, message="/request_human", display="Gặp nhân viên")
    assert received[0].metadata["title"] == "Gặp nhân viên"
    await post(client, sender=SENDER, message="chào", display="chào")
    assert "title" not in received[1].metadata


def events_of(stream: str) -> list[tuple[int, dict[str, Any]]]:
    """The (id, message) of each server-sent event of a stream."""
    found = []
    for block in stream.split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        if "data" in lines:
            found.append((int(lines["id"]), json.loads(lines["data"])))
    return found


async def test_the_page_is_pushed_each_message_as_soon_as_it_is_stored(client, store):
    output = WebchatInput(store).get_output_channel()
    first = await store.add(SENDER, "bot", {"text": "trước"})

    async def later() -> None:
        await asyncio.sleep(0.15)
        await output.send_response(
            SENDER, {"text": "Chào ông", "staff_name": "Lan", "handoff": "staff"}
        )

    started = time.monotonic()
    task = asyncio.create_task(later())
    answer = await client.get("/webhooks/webchat/events", params={"sender": SENDER, "after": 0})
    await task
    assert answer.headers["content-type"].startswith("text/event-stream")
    assert answer.headers["cache-control"] == "no-cache"
    assert answer.text.startswith("retry: ")
    sent = events_of(answer.text)
    assert [m["text"] for _, m in sent] == ["trước", "Chào ông"]
    assert sent[0][0] == first and sent[1][1]["staff_name"] == "Lan"
    assert sent[1][1]["handoff"] == "staff"
    assert time.monotonic() - started < STREAM_SECONDS + 1.5  # the stream ends by itself
    resumed = await client.get(
        "/webhooks/webchat/events",
        params={"sender": SENDER, "after": 0},
        headers={"Last-Event-ID": str(first)},
    )
    assert [m["text"] for _, m in events_of(resumed.text)] == ["Chào ông"]


async def test_the_stream_needs_a_valid_sender(client):
    answer = await client.get("/webhooks/webchat/events", params={"sender": "x", "after": 0})
    assert answer.status_code == 400


async def test_a_shared_phone_deletes_the_conversation(client, store):
    await post(client, sender=SENDER, message="số CCCD của tôi", display="số CCCD của tôi")
    other = "web-fedcba9876543210"
    await post(client, sender=other, message="chào", display="chào")
    assert (await client.post("/webhooks/webchat/forget", json={"sender": SENDER})).json() == {
        "ok": True
    }
    assert await store.after(SENDER, 0) == []
    assert len(await store.after(other, 0)) == 2
    refused = await client.post("/webhooks/webchat/forget", json={"sender": "../x"})
    assert refused.status_code == 400


async def test_conversations_are_kept_apart(client):
    await post(client, sender=SENDER, message="một", display="một")
    other = "web-fedcba9876543210"
    polled = (await client.get(f"/webhooks/webchat/messages?sender={other}&after=0")).json()
    assert polled["messages"] == []


@pytest.mark.parametrize(
    "body",
    [
        {"sender": "x", "message": "hi"},
        {"sender": "bad sender id!", "message": "hi"},
        {"sender": SENDER, "message": ""},
        {"sender": SENDER, "message": "a" * 2001},
        {"sender": SENDER},
    ],
)
async def test_invalid_messages_are_refused_in_vietnamese(client, received, body):
    response = await post(client, **body)
    assert response.status_code == 400
    assert response.json()["ok"] is False
    assert received == []


async def test_polling_needs_a_valid_sender(client):
    response = await client.get("/webhooks/webchat/messages?sender=bad!&after=0")
    assert response.status_code == 400


async def test_a_failure_still_answers_the_user(client):
    response = await post(client, sender=SENDER, message="/boom", display="?")
    assert response.json() == {"ok": False}
    polled = (await client.get(f"/webhooks/webchat/messages?sender={SENDER}&after=0")).json()
    assert "1900 9068" in polled["messages"][-1]["text"]


async def test_messages_sent_later_reach_the_page(client, store):
    """Status notifications and staff replies use get_output_channel()."""
    output = WebchatInput(store).get_output_channel()
    assert isinstance(output, WebchatOutput)
    await output.send_text_message(SENDER, "Hồ sơ của ông/bà đã được tiếp nhận.")
    polled = (await client.get(f"/webhooks/webchat/messages?sender={SENDER}&after=0")).json()
    assert polled["messages"][0]["text"] == "Hồ sơ của ông/bà đã được tiếp nhận."


def test_the_database_path_comes_from_credentials_then_environment(monkeypatch, tmp_path):
    monkeypatch.delenv("WEBCHAT_DB_PATH", raising=False)
    assert webchat_db_path(None).name == "webchat.db"
    assert webchat_db_path({"db_path": str(tmp_path / "a.db")}) == tmp_path / "a.db"
    monkeypatch.setenv("WEBCHAT_DB_PATH", str(tmp_path / "b.db"))
    assert webchat_db_path({}) == tmp_path / "b.db"
    assert webchat_db_path({"db_path": "var/c.db"}).parts[-2:] == ("var", "c.db")


def test_the_channel_is_built_from_credentials_and_prepares_its_folder(tmp_path):
    channel = WebchatInput.from_credentials({"db_path": str(tmp_path / "var" / "webchat.db")})
    assert channel.name() == "webchat"
    assert (tmp_path / "var").is_dir()
