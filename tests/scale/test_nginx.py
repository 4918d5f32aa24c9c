"""nginx as the balancer of a run (stack.nginx), against tiny upstream servers; needs nginx."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from stack.nginx import nginx_path, write_nginx_config
from stack.ports import free_port
from stack.process import ManagedProcess
from stack.system import PYTHON_BALANCER, StackConfig, StackError, _balancer

from .test_balancer import _hang_up, _ok, _upstream, served_in_turn

pytestmark = pytest.mark.skipif(nginx_path() is None,
                                reason="nginx is not installed (apt-get install nginx-light)")


@contextlib.asynccontextmanager
async def _nginx(tmp_path: Path, *handlers) -> AsyncIterator[str]:
    servers = [await _upstream(h) for h in handlers]
    ports = [s.sockets[0].getsockname()[1] for s in servers]
    port = free_port()
    process: ManagedProcess = _balancer("test-balancer", port, ports, tmp_path, "nginx")
    await asyncio.to_thread(process.start, True, 20)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        process.stop()
        for server in servers:
            server.close()


async def test_requests_alternate_and_say_who_served_them(tmp_path: Path):
    async with _nginx(tmp_path, _ok("a"), _ok("b")) as url, httpx.AsyncClient() as client:
        served = await served_in_turn(client, url)
        assert sorted(served) == ["a", "a", "b", "b"]
        stats = (await client.get(f"{url}/__balancer__")).json()
        assert stats == {"balancer": "nginx", "upstreams": 2}


async def test_a_message_is_never_sent_twice_when_an_upstream_dies_answering(tmp_path: Path):
    received: list[str] = []

    def dies(head: str, body: bytes) -> None:
        received.append(head.split("\r\n")[0])
        return _hang_up(head, body)

    async with _nginx(tmp_path, dies, dies) as url, httpx.AsyncClient() as client:
        answer = await client.post(f"{url}/webhooks/rest/webhook", json={"n": 1})
        assert answer.status_code == 502
    assert received == ["POST /webhooks/rest/webhook HTTP/1.1"]  # not passed to the other one


async def test_a_large_body_passes_both_ways(tmp_path: Path):
    tracker = {"events": [{"event": "user", "text": "xin chào " * 20}] * 400}  # about 100 KB
    async with _nginx(tmp_path, _ok("a"), _ok("b")) as url, httpx.AsyncClient() as client:
        answer = await client.post(f"{url}/webhook", json=tracker)
        assert answer.status_code == 200
        assert json.loads(answer.json()["body"]) == tracker


def test_the_configuration_keeps_every_file_in_the_work_folder(tmp_path: Path):
    config = write_nginx_config(tmp_path / "b.conf", 8080, [5005, 5006], tmp_path / "w")
    text = config.read_text(encoding="utf-8")
    assert "listen 127.0.0.1:8080;" in text
    assert "server 127.0.0.1:5005" in text and "server 127.0.0.1:5006" in text
    assert "proxy_next_upstream error timeout;" in text  # a POST is retried only unsent
    assert str(tmp_path / "w") in text


def test_an_unknown_balancer_is_refused(tmp_path: Path):
    model = tmp_path / "model.tar.gz"
    model.write_bytes(b"")
    with pytest.raises(StackError, match="unknown balancer"):
        StackConfig(model=str(model), balancer="haproxy").check()
    StackConfig(model=str(model), balancer=PYTHON_BALANCER).check()
