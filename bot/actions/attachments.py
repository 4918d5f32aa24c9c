"""Photos and files the citizen sends: collected with the dossier, attached after submission.

Channels put what was sent in the message metadata (``attachments``; connectors/README.md):
Zalo and Messenger as ``{"type", "payload": {"url", …}}``, Telegram as ``{"type", "file_id"}``,
the web chat as ``{"type", "url", "name", "mime_type"}``. They are kept in the slot
``submission_attachments`` as ``{"kind", "url", "name", "mime_type", "document"}``
(``document``: the catalog document the citizen said it shows) and uploaded to the intake service
once the dossier has a receipt code. A file without a URL the action server may fetch (Telegram
keeps files behind the bot token; any URL outside the allowed sources below) is kept without
its URL: the citizen is asked to bring the paper.

**What is fetched (issue 17: the action server fetched any URL of the metadata, followed
redirects and told whether an internal address answered).** Only two kinds of source:

* the platforms' media hosts, over HTTPS: a host equal to or under one of
  ``ATTACHMENT_MEDIA_HOSTS`` (default :data:`DEFAULT_MEDIA_HOSTS`: Zalo's and Meta's CDNs; the
  exact host names are **not verified** against real accounts); every address the name resolves
  to must be public (no loopback, private, link-local, carrier-grade NAT or reserved address),
  checked when connecting, and the connection goes to the address that was checked (a DNS
  answer that changes between check and connection cannot point it inside);
* the web chat's own uploads: ``WEBCHAT_UPLOAD_ORIGIN`` (default
  ``http://127.0.0.1:$RASA_PORT``, the origin the web chat channel writes into its links; never
  taken from a request's Host header) with the path ``/webhooks/webchat/files/<token>``.

Redirects are never followed, a response larger than ``ATTACHMENT_MAX_MB`` (10) is dropped
(announced length or bytes read), and a refused source is treated like a file without a URL: the
reply is the same whether an address answered or not.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import mimetypes
import os
import socket
import ssl
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpcore
import httpx

from bot.actions import intake_access

__all__ = [
    "DEFAULT_MEDIA_HOSTS",
    "MAX_BYTES",
    "Refused",
    "Source",
    "Sources",
    "Uploaded",
    "from_metadata",
    "public_address",
    "upload_all",
]

logger = logging.getLogger(__name__)

MAX_BYTES = 10 * 1024 * 1024
DOWNLOAD_TIMEOUT = 20.0
_KINDS = frozenset({"image", "photo", "file", "document"})
WEBCHAT_FILES_PATH = "/webhooks/webchat/files/"
DEFAULT_MEDIA_HOSTS = (
    "zdn.vn",  # Zalo: f*-zpc.zdn.vn, dl.zdn.vn (unverified)
    "zadn.vn",  # Zalo: *.zadn.vn (unverified)
    "fbcdn.net",  # Messenger: scontent*.fbcdn.net
    "fbsbx.com",  # Messenger: lookaside.fbsbx.com, cdn.fbsbx.com
)
MEDIA_HOSTS_ENV = "ATTACHMENT_MEDIA_HOSTS"
WEBCHAT_ORIGIN_ENV = "WEBCHAT_UPLOAD_ORIGIN"
MAX_MB_ENV = "ATTACHMENT_MAX_MB"


class Refused(ValueError):
    """A URL the action server does not fetch, or an answer it does not keep."""


@dataclass(frozen=True)
class Source:
    """Where an allowed URL points.

    Attributes:
        url: the URL.
        own: the web chat's own upload origin (configured; its address may be private).
    """

    url: str
    own: bool


def _origin(scheme: str, host: str, port: int | None) -> tuple[str, str, int]:
    default = 443 if scheme == "https" else 80
    return scheme, host.lower().rstrip("."), port or default


@dataclass(frozen=True)
class Sources:
    """The allowed sources (from the environment: :meth:`from_env`).

    Attributes:
        media_hosts: host names whose subdomains are the platforms' media hosts (HTTPS only).
        webchat_origin: ``scheme://host:port`` of the web chat's uploads.
        max_bytes: the largest file kept.
    """

    media_hosts: tuple[str, ...] = DEFAULT_MEDIA_HOSTS
    webchat_origin: str = "http://127.0.0.1:5005"
    max_bytes: int = MAX_BYTES

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Sources:
        """``ATTACHMENT_MEDIA_HOSTS`` (comma-separated), ``WEBCHAT_UPLOAD_ORIGIN``,
        ``ATTACHMENT_MAX_MB``."""
        env = os.environ if environ is None else environ
        hosts = tuple(
            h.strip().lower().lstrip(".") for h in env.get(MEDIA_HOSTS_ENV, "").split(",")
        )
        origin = env.get(WEBCHAT_ORIGIN_ENV, "").strip().rstrip("/")
        port = env.get("RASA_PORT", "").strip() or "5005"
        return cls(
            media_hosts=tuple(h for h in hosts if h) or DEFAULT_MEDIA_HOSTS,
            webchat_origin=origin or f"http://127.0.0.1:{port}",
            max_bytes=int(float(env.get(MAX_MB_ENV, "") or "10") * 1024 * 1024),
        )

    def source_of(self, url: object) -> Source | None:
        """The source of a URL, or None when the action server must not fetch it."""
        if not isinstance(url, str) or len(url) > 2048:
            return None
        try:
            parts = urlsplit(url.strip())
            port = parts.port
        except ValueError:
            return None
        host = parts.hostname or ""
        if parts.username or parts.password or not host or parts.scheme not in ("http", "https"):
            return None
        own = urlsplit(self.webchat_origin)
        if _origin(parts.scheme, host, port) == _origin(own.scheme, own.hostname or "", own.port):
            if parts.path.startswith(WEBCHAT_FILES_PATH) and ".." not in parts.path:
                return Source(url.strip(), own=True)
            return None
        if parts.scheme != "https" or port not in (None, 443):
            return None
        name = host.lower().rstrip(".")
        if any(name == h or name.endswith("." + h) for h in self.media_hosts):
            return Source(url.strip(), own=False)
        return None


def public_address(address: str) -> bool:
    """Whether an IP address is on the public internet (not loopback, private, reserved …)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


class _PublicOnlyBackend(httpcore.AsyncNetworkBackend):  # type: ignore[misc]
    """Resolves the host itself, refuses any non-public address, connects to a checked one."""

    def __init__(self) -> None:
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        try:
            found = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError as error:
            raise httpcore.ConnectError(f"cannot resolve {host}") from error
        addresses = [str(item[4][0]) for item in found]
        if not addresses or not all(public_address(a) for a in addresses):
            raise httpcore.ConnectError(f"{host} resolves to a non-public address")
        return await self._inner.connect_tcp(
            addresses[0], port, timeout, local_address, socket_options
        )

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class _PublicOnlyTransport(httpx.AsyncHTTPTransport):  # type: ignore[misc]
    """httpx's transport whose connections go through :class:`_PublicOnlyBackend`."""

    def __init__(self) -> None:
        super().__init__(retries=0)
        # httpx 0.28 has no network_backend argument; its pool is replaced by one that has
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl.create_default_context(),
            network_backend=_PublicOnlyBackend(),
        )


@dataclass(frozen=True)
class Uploaded:
    """How many files were attached to a dossier, how many could not be, and how many the
    dossier had already (the same photo sent twice is kept once: the citizen is told so)."""

    attached: int
    failed: int
    already: int = 0


def _text(value: object) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _one(item: Mapping[str, Any], sources: Sources) -> dict[str, object] | None:
    kind = _text(item.get("type")) or "file"
    if kind not in _KINDS:
        return None
    inner = item.get("payload")
    details: Mapping[str, Any] = inner if isinstance(inner, Mapping) else {}
    url = _text(item.get("url")) or _text(details.get("url"))
    source = sources.source_of(url)
    name = _text(item.get("name")) or _text(details.get("name"))
    mime = _text(item.get("mime_type")) or _text(details.get("type"))
    return {
        "kind": kind,
        "url": source.url if source else None,
        "name": name,
        "mime_type": mime,
        "document": None,
    }


def from_metadata(metadata: object, sources: Sources | None = None) -> list[dict[str, object]]:
    """The photos and files of one message, from its metadata (empty when none).

    A URL outside the allowed sources is dropped (the file is kept as one without a URL).
    """
    if not isinstance(metadata, Mapping):
        return []
    items = metadata.get("attachments")
    if not isinstance(items, list):
        return []
    allowed = sources or Sources.from_env()
    found = [_one(item, allowed) for item in items if isinstance(item, Mapping)]
    return [item for item in found if item is not None]


async def _download(
    client: httpx.AsyncClient, url: str, max_bytes: int = MAX_BYTES
) -> tuple[bytes, str | None]:
    if not url.startswith(("http://", "https://")):
        raise Refused("only http(s) URLs are fetched")
    async with client.stream("GET", url) as response:
        if response.is_redirect:
            raise Refused("redirects are not followed")
        response.raise_for_status()
        announced = response.headers.get("content-length", "")
        if announced.isdigit() and int(announced) > max_bytes:
            raise Refused("file too large")
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > max_bytes:
                raise Refused("file too large")
            chunks.append(chunk)
        return b"".join(chunks), response.headers.get("content-type")


def _filename(attachment: Mapping[str, object], number: int, content_type: str) -> str:
    name = attachment.get("name")
    if isinstance(name, str) and "." in name:
        extension = "." + name.rsplit(".", 1)[1][:8]
    else:
        extension = mimetypes.guess_extension(content_type.split(";")[0].strip()) or ""
    label = str(attachment.get("document") or "giay-to")
    return f"{label}-{number}{extension}"


async def upload_all(
    receipt_code: str,
    attachments: Sequence[Mapping[str, object]],
    sources: Sources | None = None,
) -> Uploaded:
    """Fetches each attachment and attaches it to the dossier; failures are counted, not raised.

    The URL is checked again here (the slot may hold URLs kept before this check existed).
    """
    allowed = sources or Sources.from_env()
    attached = failed = already = 0
    timeout = httpx.Timeout(DOWNLOAD_TIMEOUT)
    async with (
        httpx.AsyncClient(timeout=timeout, follow_redirects=False) as own_client,
        httpx.AsyncClient(
            timeout=timeout, follow_redirects=False, transport=_PublicOnlyTransport()
        ) as public_client,
    ):
        for number, attachment in enumerate(attachments, 1):
            source = allowed.source_of(attachment.get("url"))
            if source is None:
                failed += 1
                continue
            client = own_client if source.own else public_client
            try:
                content, header_type = await _download(client, source.url, allowed.max_bytes)
                content_type = str(
                    attachment.get("mime_type") or header_type or "application/octet-stream"
                )
                stored = await intake_access.attach(
                    receipt_code,
                    _filename(attachment, number, content_type),
                    content,
                    content_type,
                )
            except (httpx.HTTPError, Refused, intake_access.IntakeError) as error:
                logger.warning(
                    "attachment %d of %s not attached: %s",
                    number,
                    receipt_code,
                    type(error).__name__,
                )
                failed += 1
                continue
            if stored.get("already_attached") is True:
                already += 1
            else:
                attached += 1
    return Uploaded(attached, failed, already)
