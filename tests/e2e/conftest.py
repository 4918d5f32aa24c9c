"""The running system for the end-to-end tests (one per test session; slow).

Needs a trained model in ``$BHXH_MODEL`` (``bin/test`` trains one and sets it); the tests are
skipped with that reason otherwise.
"""

from __future__ import annotations

import os
import struct
import threading
import uuid
import zlib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.e2e.harness import System, free_port


def _png() -> bytes:
    """A valid 1×1 PNG (the intake service recognises files from their bytes)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


PNG = _png()


@pytest.fixture(scope="session")
def system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[System]:
    """The intake service, the action server and Rasa, started once and stopped at the end."""
    model = os.environ.get("BHXH_MODEL", "")
    if not model or not Path(model).is_file():
        pytest.skip("BHXH_MODEL is not set to a trained model (bin/test trains one and sets it)")
    running = System(tmp_path_factory.mktemp("e2e"), str(Path(model).resolve()))
    running.prepare()
    try:
        running.start()
        yield running
    finally:
        running.stop()


@pytest.fixture
def sender() -> str:
    """A fresh conversation id."""
    return f"e2e-{uuid.uuid4().hex[:12]}"


@pytest.fixture(scope="session")
def photo_url() -> Iterator[str]:
    """The URL of a photo, as a channel gives it in the message metadata."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(PNG)))
            self.end_headers()
            self.wfile.write(PNG)

        def log_message(self, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/so-bhxh.png"
    finally:
        server.shutdown()
        server.server_close()
