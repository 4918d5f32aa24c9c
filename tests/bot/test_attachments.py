"""Photos and files from every channel's metadata; fetched and attached after submission."""

from __future__ import annotations

import asyncio
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from bot.actions import attachments, intake_access
from bot.actions.submit import after_upload

SOURCES = attachments.Sources(
    media_hosts=("zdn.vn", "fbcdn.net"), webchat_origin="http://127.0.0.1:5005"
)


def test_each_channels_format_is_read():
    zalo = {"type": "image", "payload": {"url": "https://f21-zpc.zdn.vn/a.jpg", "thumbnail": "t"}}
    messenger = {"type": "file", "payload": {"url": "https://scontent.xx.fbcdn.net/b.pdf"}}
    telegram = {"type": "image", "file_id": "AgAC", "width": 800}
    webchat = {
        "type": "image",
        "url": "http://127.0.0.1:5005/webhooks/webchat/files/abcdefghijklmnopqrstuvwx",
        "name": "c.png",
        "mime_type": "image/png",
    }
    sticker = {"type": "sticker", "payload": {"url": "https://f21-zpc.zdn.vn/s.png"}}
    found = attachments.from_metadata(
        {"attachments": [zalo, messenger, telegram, webchat, sticker]}, SOURCES
    )
    assert [(f["kind"], f["url"]) for f in found] == [
        ("image", "https://f21-zpc.zdn.vn/a.jpg"),
        ("file", "https://scontent.xx.fbcdn.net/b.pdf"),
        ("image", None),
        ("image", webchat["url"]),
    ]
    assert found[3]["name"] == "c.png" and found[3]["mime_type"] == "image/png"
    assert attachments.from_metadata(None) == []
    assert attachments.from_metadata({"channel": "zalo"}) == []


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/api/v1/dossiers",  # the intake service
        "http://169.254.169.254/latest/meta-data/",  # a cloud's metadata service
        "http://localhost:5055/webhook",
        "https://evil.example/a.jpg",
        "http://f21-zpc.zdn.vn/a.jpg",  # media hosts over HTTPS only
        "https://f21-zpc.zdn.vn:8443/a.jpg",
        "https://zdn.vn.evil.example/a.jpg",
        "https://user:pw@f21-zpc.zdn.vn/a.jpg",
        "http://127.0.0.1:5005/webhooks/rest/webhook",  # own origin, not its files
        "http://127.0.0.1:5005/webhooks/webchat/files/../../conversations",
        "file:///etc/passwd",
        "gopher://127.0.0.1:6379/_FLUSHALL",
    ],
)
def test_urls_outside_the_allowed_sources_are_dropped(url):
    [found] = attachments.from_metadata({"attachments": [{"type": "image", "url": url}]}, SOURCES)
    assert found["url"] is None  # the citizen is asked for the paper, as for Telegram files
    assert SOURCES.source_of(url) is None


def test_sources_come_from_the_environment():
    sources = attachments.Sources.from_env(
        {
            "ATTACHMENT_MEDIA_HOSTS": "cdn.example.vn, .media.example.vn",
            "WEBCHAT_UPLOAD_ORIGIN": "https://bhxh.example.gov.vn/",
            "ATTACHMENT_MAX_MB": "2",
        }
    )
    assert sources.media_hosts == ("cdn.example.vn", "media.example.vn")
    assert sources.webchat_origin == "https://bhxh.example.gov.vn"
    assert sources.max_bytes == 2 * 1024 * 1024
    assert attachments.Sources.from_env({"RASA_PORT": "5999"}).webchat_origin == (
        "http://127.0.0.1:5999"
    )
    assert attachments.Sources.from_env({}).media_hosts == attachments.DEFAULT_MEDIA_HOSTS


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("127.0.0.1", False), ("10.1.2.3", False), ("172.16.0.1", False),
        ("192.168.1.1", False), ("169.254.169.254", False), ("100.64.0.1", False),
        ("0.0.0.0", False), ("::1", False), ("fd00::1", False), ("fe80::1%eth0", False),
        ("::ffff:127.0.0.1", False), ("224.0.0.1", False), ("not an ip", False),
        ("157.240.1.1", True), ("2a03:2880:f003::1", True),
    ],
)
def test_public_addresses(address, public):
    assert attachments.public_address(address) is public


class Listener:
    """A TCP listener on 127.0.0.1 that counts the connections it accepts."""

    def __init__(self) -> None:
        self.accepted = 0
        self.server: asyncio.base_events.Server | None = None

    async def __aenter__(self) -> Listener:
        async def accept(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            self.accepted += 1
            writer.close()

        self.server = await asyncio.start_server(accept, "127.0.0.1", 0)
        return self

    @property
    def port(self) -> int:
        assert self.server is not None
        return int(self.server.sockets[0].getsockname()[1])

    async def __aexit__(self, *exc: object) -> None:
        assert self.server is not None
        self.server.close()
        await self.server.wait_closed()


async def test_a_media_host_resolving_inside_is_never_connected(monkeypatch):
    """SSRF: even an allowed name is refused when it resolves to a private address."""
    async with Listener() as listener:
        loop = asyncio.get_running_loop()

        async def resolve(host: str, port: int, **kwargs: Any) -> list[Any]:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]

        monkeypatch.setattr(loop, "getaddrinfo", resolve)
        transport = attachments._PublicOnlyTransport()
        async with httpx.AsyncClient(transport=transport) as client:
            for url in (f"https://scontent.xx.fbcdn.net:{listener.port}/a.jpg",
                        f"http://localhost:{listener.port}/"):
                with pytest.raises(httpx.ConnectError, match="non-public"):
                    await client.get(url)
        assert listener.accepted == 0


Routes = dict[str, tuple[int, dict[str, str], bytes]]


def _serve(routes: Routes) -> tuple[ThreadingHTTPServer, int]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            status, headers, body = routes.get(self.path, (404, {}, b""))
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, server.server_address[1]


async def test_redirects_are_not_followed_and_large_files_are_dropped(attached):
    async with Listener() as inside:
        files = "/webhooks/webchat/files/"
        server, port = _serve({
            files + "redirect": (302, {"Location": f"http://127.0.0.1:{inside.port}/x"}, b""),
            files + "large": (200, {"Content-Length": "2048", "Content-Type": "image/png"},
                              b"\x89PNG" + b"0" * 2044),
            files + "small": (200, {"Content-Type": "image/png"}, b"\x89PNG"),
        })
        try:
            sources = attachments.Sources(webchat_origin=f"http://127.0.0.1:{port}",
                                          max_bytes=1024)
            base = f"http://127.0.0.1:{port}{files}"
            result = await attachments.upload_all(
                "HS-7K3M-9Q2P",
                [{"url": base + "redirect"}, {"url": base + "large"}, {"url": base + "small"},
                 {"url": f"http://127.0.0.1:{inside.port}/direct"}],
                sources,
            )
        finally:
            server.shutdown()
            server.server_close()
        assert result == attachments.Uploaded(attached=1, failed=3)
        assert inside.accepted == 0  # neither the redirect's target nor the direct URL


@pytest.fixture
def attached(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str, bytes, str]]:
    calls: list[tuple[str, str, bytes, str]] = []

    async def attach(code: str, filename: str, content: bytes, content_type: str) -> Any:
        calls.append((code, filename, content, content_type))
        return {"id": len(calls)}

    monkeypatch.setattr(intake_access, "attach", attach)
    return calls


async def test_files_are_fetched_and_attached_named_after_their_document(attached, monkeypatch):
    async def download(
        client: httpx.AsyncClient, url: str, max_bytes: int = 0
    ) -> tuple[bytes, str | None]:
        if "broken" in url:
            raise httpx.ConnectError("gone")
        return b"\x89PNG...", "image/png"

    monkeypatch.setattr(attachments, "_download", download)
    files = [
        {"kind": "image", "url": "https://cdn.zdn.vn/1", "document": "so_bhxh"},
        {"kind": "image", "url": None},
        {"kind": "image", "url": "https://cdn.zdn.vn/broken"},
        {
            "kind": "file",
            "url": "https://cdn.zdn.vn/2",
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

    async def download(
        client: httpx.AsyncClient, url: str, max_bytes: int = 0
    ) -> tuple[bytes, str | None]:
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
