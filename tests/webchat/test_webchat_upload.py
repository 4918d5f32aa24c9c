"""Photos and PDFs sent from the web chat page reach Rasa as attachments and can be fetched."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from rasa.core.channels.channel import UserMessage
from sanic import Sanic

from connectors.webchat import WebchatInput
from connectors.webchat.store import MessageStore
from connectors.webchat.uploads import kind_of
from tests.webchat.test_webchat_channel import SENDER, start

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
PDF = b"%PDF-1.7\n..."
_names = itertools.count()


@pytest.fixture
def received() -> list[UserMessage]:
    return []


@pytest.fixture
async def client(
    tmp_path: Path, received: list[UserMessage], monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[httpx.AsyncClient]:
    monkeypatch.setenv("WEBCHAT_UPLOAD_ORIGIN", "http://bot.example")
    async def on_new_message(message: UserMessage) -> None:
        received.append(message)
        await message.output_channel.send_response(message.sender_id, {"text": "Đã nhận."})

    app = Sanic(f"webchat_upload_test_{next(_names)}")
    channel = WebchatInput(MessageStore(tmp_path / "var" / "webchat.db"))
    app.blueprint(channel.blueprint(on_new_message), url_prefix="/webhooks/webchat")
    await start(app)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bot.example") as http:
        yield http


def test_files_are_recognised_from_their_bytes():
    assert kind_of(PNG) == ("image/png", ".png")
    assert kind_of(PDF) == ("application/pdf", ".pdf")
    assert kind_of(b"\xff\xd8\xff\xe0rest") == ("image/jpeg", ".jpg")
    assert kind_of(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == ("image/webp", ".webp")
    assert kind_of(b"<html><script>") is None


async def test_a_photo_reaches_rasa_with_a_url_the_action_server_can_fetch(client, received):
    answer = await client.post(
        "/webhooks/webchat/upload",
        data={"sender": SENDER},
        files={"file": ("so-bhxh.png", PNG, "image/png")},
    )
    assert answer.json() == {"ok": True}
    [message] = received
    assert message.text == "/inform"
    [attachment] = message.metadata["attachments"]
    assert attachment["type"] == "image"
    assert attachment["name"] == "so-bhxh.png"
    assert attachment["url"].startswith("http://bot.example/webhooks/webchat/files/")
    fetched = await client.get(attachment["url"].removeprefix("http://bot.example"))
    assert fetched.status_code == 200
    assert fetched.content == PNG
    assert fetched.headers["content-type"] == "image/png"
    assert fetched.headers["x-content-type-options"] == "nosniff"
    shown = await client.get("/webhooks/webchat/messages", params={"sender": SENDER, "after": 0})
    stored = shown.json()["messages"]
    assert [m["text"] for m in stored] == ["Đã gửi: so-bhxh.png", "Đã nhận."]
    assert stored[0]["image"].startswith("files/")  # a thumbnail of the photo sent
    thumbnail = await client.get(f"/webhooks/webchat/{stored[0]['image']}")
    assert thumbnail.content == PNG


async def test_a_pdf_is_a_file(client, received):
    await client.post(
        "/webhooks/webchat/upload",
        data={"sender": SENDER},
        files={"file": ("don.pdf", PDF, "application/pdf")},
    )
    assert received[0].metadata["attachments"][0]["type"] == "file"


@pytest.mark.parametrize(
    ("data", "files"),
    [
        ({"sender": SENDER}, {"file": ("trang.html", b"<html><script>", "text/html")}),
        ({"sender": SENDER}, {"file": ("rong.png", b"", "image/png")}),
        ({"sender": "bad id"}, {"file": ("a.png", PNG, "image/png")}),
        ({"sender": SENDER}, None),
    ],
)
async def test_other_files_and_bad_requests_are_refused(client, received, data, files):
    answer = await client.post("/webhooks/webchat/upload", data=data, files=files)
    assert answer.status_code == 400
    assert answer.json()["ok"] is False
    assert received == []


async def test_unknown_files_are_not_found(client):
    assert (await client.get("/webhooks/webchat/files/" + "a" * 32)).status_code == 404
    assert (await client.get("/webhooks/webchat/files/..%2Fwebchat.db")).status_code == 404


async def test_the_files_url_never_comes_from_the_host_header(client, received):
    """An attacker's Host header must not become a URL the action server fetches (issue 17)."""
    answer = await client.post(
        "/webhooks/webchat/upload",
        data={"sender": SENDER},
        files={"file": ("a.png", PNG, "image/png")},
        headers={"Host": "169.254.169.254"},
    )
    assert answer.json() == {"ok": True}
    [attachment] = received[0].metadata["attachments"]
    assert attachment["url"].startswith("http://bot.example/webhooks/webchat/files/")


async def test_the_page_cannot_be_framed_by_another_site(client):
    page = await client.get("/webhooks/webchat/")
    assert page.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["referrer-policy"] == "no-referrer"


async def test_an_anonymous_page_cannot_upload_without_bound(client, monkeypatch):
    from connectors.webchat import channel

    monkeypatch.setattr(channel, "MAX_UPLOADS_PER_HOUR", 2)
    answers = []
    for number in range(3):
        answer = await client.post(
            "/webhooks/webchat/upload",
            data={"sender": SENDER},
            files={"file": (f"a{number}.png", PNG + bytes([number]), "image/png")},
        )
        answers.append(answer.status_code)
    assert answers == [200, 200, 429]
