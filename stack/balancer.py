"""A tiny asyncio round-robin HTTP/1.1 reverse proxy, for scale-out tests and benchmarks.

Each request (not each connection) goes to the next upstream in turn, so consecutive messages of
one conversation alternate between instances. An upstream that refuses the connection is marked
down for a moment and the request goes to the next one — nothing was sent yet, so this is safe
for POST too; an upstream that fails *after* the request was sent gives 502 (no retry: the
message may have been processed). Responses carry ``X-Upstream: host:port`` so that a client can
see who served it. ``GET /__balancer__`` answers the counters as JSON.

Deliberately small: requests and responses are buffered whole (chat messages are small), the
connection to an upstream is opened per request (``Connection: close``), keep-alive towards the
client is kept. Production uses nginx or a Kubernetes Service (``deploy/``).

Run it as a process::

    bin/env bot python -m stack.balancer --port 8080 \\
        --upstream http://127.0.0.1:5005 --upstream http://127.0.0.1:5006
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import signal
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

STATS_PATH = "/__balancer__"
HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
}
MAX_HEAD = 64 * 1024
MAX_BODY = 16 * 1024 * 1024
CONNECT_SECONDS = 2.0
DOWN_SECONDS = 2.0


class BadMessage(Exception):
    """The client or the upstream sent something this proxy cannot read."""


@dataclass
class Upstream:
    """One backend instance and its counters."""

    host: str
    port: int
    requests: int = 0
    connect_failures: int = 0
    errors: int = 0
    down_until: float = 0.0

    @property
    def address(self) -> str:
        """``host:port``."""
        return f"{self.host}:{self.port}"

    @classmethod
    def parse(cls, url: str) -> Upstream:
        """Reads ``http://host:port`` (or ``host:port``)."""
        parts = urlsplit(url if "://" in url else f"http://{url}")
        if parts.scheme != "http" or not parts.hostname or not parts.port:
            raise ValueError(f"upstream must look like http://host:port, not {url!r}")
        return cls(parts.hostname, parts.port)


@dataclass
class Message:
    """An HTTP request or response: the first line, the headers, the body."""

    start_line: str
    headers: list[tuple[str, str]]
    body: bytes = b""
    extra: dict[str, str] = field(default_factory=dict)

    def header(self, name: str) -> str | None:
        """The first header of that name (case-insensitive)."""
        lowered = name.lower()
        return next((v for k, v in self.headers if k.lower() == lowered), None)

    def encode(self) -> bytes:
        """The message as bytes (headers as given, then ``extra``)."""
        lines = [self.start_line]
        lines += [f"{k}: {v}" for k, v in self.headers]
        lines += [f"{k}: {v}" for k, v in self.extra.items()]
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + self.body


async def _read_head(reader: asyncio.StreamReader) -> tuple[str, list[tuple[str, str]]] | None:
    try:
        raw = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as error:
        if not error.partial.strip():
            return None  # the peer closed between messages
        raise BadMessage("incomplete head") from None
    except asyncio.LimitOverrunError:
        raise BadMessage("head too large") from None
    lines = raw.decode("latin-1").split("\r\n")
    headers: list[tuple[str, str]] = []
    for line in lines[1:]:
        if not line:
            continue
        name, sep, value = line.partition(":")
        if not sep:
            raise BadMessage(f"bad header line {line!r}")
        headers.append((name.strip(), value.strip()))
    return lines[0], headers


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    body = bytearray()
    while True:
        size_line = await reader.readuntil(b"\r\n")
        size = int(size_line.split(b";")[0].strip() or b"0", 16)
        if size == 0:
            while (await reader.readuntil(b"\r\n")) != b"\r\n":  # trailers
                pass
            return bytes(body)
        body += await reader.readexactly(size)
        await reader.readexactly(2)
        if len(body) > MAX_BODY:
            raise BadMessage("body too large")


async def _read_body(reader: asyncio.StreamReader, message: Message) -> bytes:
    if "chunked" in (message.header("Transfer-Encoding") or "").lower():
        return await _read_chunked(reader)
    length = int(message.header("Content-Length") or 0)
    if length > MAX_BODY:
        raise BadMessage("body too large")
    return await reader.readexactly(length) if length else b""


def _response(status: str, body: bytes, keep_alive: bool = False) -> bytes:
    return Message(
        f"HTTP/1.1 {status}",
        [
            ("Content-Type", "application/json"),
            ("Content-Length", str(len(body))),
            ("Connection", "keep-alive" if keep_alive else "close"),
        ],
        body,
    ).encode()


def _wants_keep_alive(request: Message) -> bool:
    connection = (request.header("Connection") or "").lower()
    if request.start_line.endswith("HTTP/1.0"):
        return "keep-alive" in connection
    return "close" not in connection


class Balancer:
    """The proxy: ``await start()``, then ``await close()``; or ``python -m stack.balancer``."""

    def __init__(
        self,
        upstreams: Sequence[str],
        host: str = "127.0.0.1",
        port: int = 0,
        read_seconds: float = 300.0,
    ) -> None:
        """Describes the proxy.

        Args:
            upstreams: ``http://host:port`` of each instance.
            host: the address to listen on.
            port: the port to listen on (0: any free port; see :attr:`port` after start).
            read_seconds: how long to wait for an upstream's whole response.
        """
        if not upstreams:
            raise ValueError("at least one upstream is needed")
        self.upstreams = [Upstream.parse(url) for url in upstreams]
        self.host = host
        self.port = port
        self.read_seconds = read_seconds
        self._turn = itertools.cycle(range(len(self.upstreams)))
        self._server: asyncio.AbstractServer | None = None

    async def start(self) -> None:
        """Starts listening."""
        self._server = await asyncio.start_server(
            self._serve_client, self.host, self.port, limit=MAX_HEAD
        )
        self.port = int(self._server.sockets[0].getsockname()[1])

    async def close(self) -> None:
        """Stops listening and closes the open connections."""
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    def stats(self) -> dict[str, object]:
        """The counters per upstream."""
        now = time.monotonic()
        return {
            "upstreams": [
                {
                    "address": u.address,
                    "requests": u.requests,
                    "connect_failures": u.connect_failures,
                    "errors": u.errors,
                    "down": u.down_until > now,
                }
                for u in self.upstreams
            ]
        }

    # ------------------------------------------------------------------ one client connection
    async def _serve_client(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        peer = writer.get_extra_info("peername")
        try:
            while True:
                try:
                    head = await _read_head(reader)
                    if head is None:
                        return
                    request = Message(*head)
                    request.body = await _read_body(reader, request)
                except (BadMessage, ValueError, asyncio.IncompleteReadError):
                    writer.write(_response("400 Bad Request", b'{"detail": "bad request"}'))
                    await writer.drain()
                    return
                keep_alive = _wants_keep_alive(request)
                writer.write(await self._answer(request, keep_alive, peer))
                await writer.drain()
                if not keep_alive:
                    return
        except (ConnectionError, asyncio.CancelledError):
            return
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _answer(self, request: Message, keep_alive: bool, peer: object) -> bytes:
        method, _, rest = request.start_line.partition(" ")
        target = rest.rsplit(" ", 1)[0]
        if method == "GET" and target == STATS_PATH:
            return _response("200 OK", json.dumps(self.stats()).encode(), keep_alive)
        forwarded = Message(
            f"{method} {target} HTTP/1.1",
            [(k, v) for k, v in request.headers if k.lower() not in HOP_BY_HOP],
            request.body,
            {"Connection": "close"},
        )
        if request.body or method in ("POST", "PUT", "PATCH"):
            forwarded.headers = [
                (k, v) for k, v in forwarded.headers if k.lower() != "content-length"
            ]
            forwarded.extra["Content-Length"] = str(len(request.body))
        if isinstance(peer, tuple) and peer:
            forwarded.extra["X-Forwarded-For"] = str(peer[0])
        connected = await self._connect()
        if connected is None:
            return _response("502 Bad Gateway", b'{"detail": "no upstream"}', keep_alive)
        upstream, up_reader, up_writer = connected
        upstream.requests += 1
        try:
            up_writer.write(forwarded.encode())
            await up_writer.drain()
            response = await asyncio.wait_for(
                self._read_response(up_reader, method), self.read_seconds
            )
        except (OSError, ValueError, BadMessage, asyncio.IncompleteReadError,
                asyncio.TimeoutError):
            upstream.errors += 1
            return _response("502 Bad Gateway", b'{"detail": "upstream failed"}', keep_alive)
        finally:
            up_writer.close()
            with contextlib.suppress(Exception):
                await up_writer.wait_closed()
        response.headers = [(k, v) for k, v in response.headers if k.lower() not in HOP_BY_HOP]
        response.headers = [(k, v) for k, v in response.headers if k.lower() != "content-length"]
        response.extra = {
            "Content-Length": str(len(response.body)),
            "Connection": "keep-alive" if keep_alive else "close",
            "X-Upstream": upstream.address,
        }
        return response.encode()

    async def _read_response(self, reader: asyncio.StreamReader, method: str) -> Message:
        head = await _read_head(reader)
        if head is None:
            raise BadMessage("upstream closed without answering")
        response = Message(*head)
        status = int(response.start_line.split(" ")[1])
        if method == "HEAD" or status in (204, 304) or status < 200:
            return response
        te = (response.header("Transfer-Encoding") or "").lower()
        if "chunked" in te or response.header("Content-Length") is not None:
            response.body = await _read_body(reader, response)
        else:
            response.body = await reader.read(MAX_BODY)  # close-delimited
        return response

    async def _connect(
        self,
    ) -> tuple[Upstream, asyncio.StreamReader, asyncio.StreamWriter] | None:
        """The next upstream that accepts a connection (round robin, skipping the down ones)."""
        now = time.monotonic()
        start = next(self._turn)
        order = self.upstreams[start:] + self.upstreams[:start]
        alive = [u for u in order if u.down_until <= now]
        for upstream in alive + [u for u in order if u not in alive]:
            try:
                reader, writer = await asyncio.wait_for(
                    asyncio.open_connection(upstream.host, upstream.port, limit=MAX_HEAD),
                    CONNECT_SECONDS,
                )
            except (OSError, asyncio.TimeoutError):
                upstream.connect_failures += 1
                upstream.down_until = time.monotonic() + DOWN_SECONDS
                continue
            upstream.down_until = 0.0
            return upstream, reader, writer
        return None


async def serve(balancer: Balancer) -> None:
    """Runs the balancer until SIGTERM or SIGINT."""
    await balancer.start()
    print(f"balancer on {balancer.host}:{balancer.port} → "
          + ", ".join(u.address for u in balancer.upstreams), flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await balancer.close()


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description="round-robin HTTP reverse proxy")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--upstream", action="append", required=True, help="http://host:port")
    args = parser.parse_args(argv)
    asyncio.run(serve(Balancer(args.upstream, args.host, args.port)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
