"""Photos and files from every channel's metadata; fetched and attached after submission."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from bot.actions import attachments, intake_access
from bot.actions.submit import after_upload


def test_each_channels_format_is_read():
    zalo = {"type": "image", "payload": {"url": "https://z.example/a.jpg", "thumbnail": "t"}}
    messenger = {"type": "file", "payload": {"url": "https://m.example/b.pdf"}}
    telegram = {"type": "image", "file_id": "AgAC", "width": 800}
    rest = {
        "type": "image",
        "url": "https://r.example/c.png",
        "name": "c.png",
        "mime_type": "image/png",
    }
    sticker = {"type": "sticker", "payload": {"url": "https://z.example/s.png"}}
    found = attachments.from_metadata({"attachments": [zalo, messenger, telegram, rest, sticker]})
    assert [(f["kind"], f["url"]) for f in found] == [
        ("image", "https://z.example/a.jpg"),
        ("file", "https://m.example/b.pdf"),
        ("image", None),
        ("image", "https://r.example/c.png"),
    ]
    assert found[3]["name"] == "c.png" and found[3]["mime_type"] == "image/png"
    assert attachments.from_metadata(None) == []
    assert attachments.from_metadata({"channel": "zalo"}) == []


@pytest.fixture
def attached(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str, bytes, str]]:
    calls: list[tuple[str, str, bytes, str]] = []

    async def attach(code: str, filename: str, content: bytes, content_type: str) -> Any:
        calls.append((code, filename, content, content_type))
        return {"id": len(calls)}

    monkeypatch.setattr(intake_access, "attach", attach)
    return calls


async def test_files_are_fetched_and_attached_named_after_their_document(attached, monkeypatch):
    async def download(client: httpx.AsyncClient, url: str) -> tuple[bytes, str | None]:
        if "broken" in url:
            raise httpx.ConnectError("gone")
        return b"\x89PNG...", "image/png"

    monkeypatch.setattr(attachments, "_download", download)
    files = [
        {"kind": "image", "url": "https://x.example/1", "document": "so_bhxh"},
        {"kind": "image", "url": None},
        {"kind": "image", "url": "https://x.example/broken"},
        {
            "kind": "file",
            "url": "https://x.example/2",
            "name": "don.pdf",
            "mime_type": "application/pdf",
        },
    ]
    result = await attachments.upload_all("HS-7K3M-9Q2P", files)
    assert result == attachments.Uploaded(attached=2, failed=2)
    assert [(c[1], c[3]) for c in attached] == [
        ("so_bhxh-1.png", "image/png"),
        ("giay-to-4.pdf", "application/pdf"),
    ]


async def test_a_photo_the_dossier_has_already_is_not_counted_as_attached(monkeypatch):
    """The intake keeps the same photo once; the citizen must not read "đã đính kèm"."""

    async def attach(code: str, filename: str, content: bytes, content_type: str) -> Any:
        return {"id": 1, "already_attached": content == b"same"}

    async def download(client: httpx.AsyncClient, url: str) -> tuple[bytes, str | None]:
        return (b"same" if url.endswith("/1") else b"new"), "image/png"

    monkeypatch.setattr(intake_access, "attach", attach)
    monkeypatch.setattr(attachments, "_download", download)
    files = [{"kind": "image", "url": f"https://x.example/{n}"} for n in (1, 2)]
    result = await attachments.upload_all("HS-7K3M-9Q2P", files)
    assert result == attachments.Uploaded(attached=1, failed=0, already=1)
    [reply] = after_upload(result)
    assert "đính kèm 1 ảnh/tệp" in reply.text and "đã gửi trước đó" in reply.text


async def test_only_web_urls_are_fetched():
    async with httpx.AsyncClient() as client:
        with pytest.raises(ValueError):
            await attachments._download(client, "file:///etc/passwd")
