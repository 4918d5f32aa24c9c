"""The round-robin balancer of stack.balancer, against tiny upstream servers in the same loop."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Callable

import httpx
import pytest

from stack.balancer import Balancer

Handler = Callable[[str, bytes], bytes | None]


def _ok(name: str) -> Handler:
    """An upstream answering its name and an echo of the request body."""

    def answer(head: str, body: bytes) -> bytes:
        payload = json.dumps(
            {"upstream": name, "line": head.split("\r\n")[0], "body": body.decode()}
        ).encode()
        return (
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            + f"Content-Length: {len(payload)}\r\nConnection: close\r\n\r\n".encode()
            + payload
        )

    return answer


def _hang_up(head: str, body: bytes) -> None:
    """An upstream that reads the request, then dies without answering."""
    return None


async def _upstream(handler: Handler) -> asyncio.AbstractServer:
    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
        length = 0
        for line in head.split("\r\n"):
            if line.lower().startswith("content-length:"):
                length = int(line.split(":", 1)[1])
        body = await reader.readexactly(length) if length else b""
        answer = handler(head, body)
        if answer is not None:
            writer.write(answer)
            await writer.drain()
        writer.close()

    return await asyncio.start_server(serve, "127.0.0.1", 0)


def _url(server: asyncio.AbstractServer) -> str:
    port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]
    return f"http://127.0.0.1:{port}"


@contextlib.asynccontextmanager
async def _balanced(*handlers: Handler) -> AsyncIterator[tuple[str, list[str]]]:
    servers = [await _upstream(h) for h in handlers]
    balancer = Balancer([_url(s) for s in servers])
    await balancer.start()
    try:
        yield f"http://127.0.0.1:{balancer.port}", [_url(s) for s in servers]
    finally:
        await balancer.close()
        for server in servers:
            server.close()


async def served_in_turn(client: httpx.AsyncClient, url: str, messages: int = 4) -> list[str]:
    """Posts ``messages`` messages on one connection; the upstream that answered each, in order.

    Every answer must be the message echoed, with the ``X-Upstream`` header naming who served it.
    """
    served = []
    for number in range(messages):
        answer = await client.post(f"{url}/webhooks/rest/webhook", json={"n": number})
        assert answer.status_code == 200
        assert json.loads(answer.json()["body"]) == {"n": number}
        served.append(answer.json()["upstream"])
        assert answer.headers["x-upstream"].startswith("127.0.0.1:")
    return served


async def test_requests_alternate_between_instances_on_one_connection():
    async with _balanced(_ok("a"), _ok("b")) as (url, _), httpx.AsyncClient() as client:
        served = await served_in_turn(client, url)
        assert served in (["a", "b", "a", "b"], ["b", "a", "b", "a"])


async def test_body_and_path_reach_the_instance_unchanged():
    text = "Bố tôi mất tháng trước, gia đình được hưởng gì?" * 50
    async with _balanced(_ok("a")) as (url, _), httpx.AsyncClient() as client:
        answer = await client.post(f"{url}/x/y?z=1", json={"message": text})
        assert answer.json()["line"] == "POST /x/y?z=1 HTTP/1.1"
        assert json.loads(answer.json()["body"]) == {"message": text}


async def test_a_dead_instance_is_skipped_and_counted():
    async with _balanced(_ok("a"), _ok("b")) as (_, upstreams):
        dead = "http://127.0.0.1:1"  # nothing listens on port 1
        balancer = Balancer([dead, upstreams[0]])
        await balancer.start()
        try:
            async with httpx.AsyncClient() as client:
                for _ in range(3):
                    answer = await client.get(f"http://127.0.0.1:{balancer.port}/")
                    assert answer.status_code == 200
                    assert answer.json()["upstream"] == "a"
                stats = (await client.get(f"http://127.0.0.1:{balancer.port}/__balancer__")).json()
        finally:
            await balancer.close()
        down = stats["upstreams"][0]
        assert down["connect_failures"] >= 1 and down["down"] is True
        assert stats["upstreams"][1]["requests"] == 3


async def test_no_instance_at_all_gives_502():
    balancer = Balancer(["http://127.0.0.1:1"])
    await balancer.start()
    try:
        async with httpx.AsyncClient() as client:
            answer = await client.get(f"http://127.0.0.1:{balancer.port}/")
    finally:
        await balancer.close()
    assert answer.status_code == 502


async def test_an_instance_dying_mid_request_gives_502_without_retrying():
    async with _balanced(_hang_up, _ok("b")) as (url, _), httpx.AsyncClient() as client:
        statuses = [(await client.post(url + "/", json={})).status_code for _ in range(2)]
    assert sorted(statuses) == [200, 502]


def test_an_upstream_must_be_an_http_address():
    with pytest.raises(ValueError):
        Balancer(["https://example.org"])
    with pytest.raises(ValueError):
        Balancer([])
