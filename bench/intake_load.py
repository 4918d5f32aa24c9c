"""Load benchmark of the intake API: ``POST /api/v1/dossiers`` at 50 concurrent clients.

Usage (from the repository root)::

    bin/env intake python bench/intake_load.py                    # fresh server, SQLite
    bin/env intake python bench/intake_load.py --postgres         # a temporary PostgreSQL database
    bin/env intake python bench/intake_load.py --workers 2        # two uvicorn worker processes
    bin/env intake python bench/intake_load.py --url http://127.0.0.1:8000 --api-key KEY

Without ``--url`` it bootstraps a throw-away var/ directory, starts the real server process
(``python -m intake_service serve``) on a free port, and stops it at the end. Each request is a
complete, valid dossier ("Hưởng BHXH một lần") with its own Idempotency-Key, so every request
runs the full path: catalog validation, routing, identifier hashing, insert with history.

Prints: requests, errors, throughput (requests/s) and latency p50/p95/p99/max, with the machine
description. The load generator runs on the same machine and shares its CPU cores.
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import random
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _payload() -> dict[str, object]:
    return {
        "procedure_id": "huong_bhxh_mot_lan",
        "channel": random.choice(["zalo", "messenger", "telegram", "webchat"]),
        "sender_id": f"bench:{uuid.uuid4().hex[:12]}",
        "fields": {
            "ho_ten": "Nguyễn Văn An",
            "ngay_sinh_nguoi_de_nghi": "20/08/1975",
            "so_cccd": f"056075{random.randrange(10**6):06d}",
            "ma_so_bhxh": f"79{random.randrange(10**8):08d}",
            "so_dien_thoai": "0912345678",
            "tinh_nop_ho_so": random.choice(["Đà Nẵng", "Khánh Hòa", "Bình Dương", "Hà Nội"]),
            "hinh_thuc_nhan": "tien_mat",
        },
        "answers": {"ly_do": "dinh_cu"},
        "province": None,
    }


@contextmanager
def _temporary_postgres() -> Iterator[str]:
    """A fresh PostgreSQL database for the run, dropped afterwards."""
    import psycopg

    admin = "host=127.0.0.1 port=5432 user=postgres dbname=test connect_timeout=5"
    name = f"intake_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def _server(database_url: str | None, workers: int) -> Iterator[tuple[str, str]]:
    """Bootstraps a temporary var/ directory and runs the real server; yields (url, key)."""
    with tempfile.TemporaryDirectory(prefix="intake-bench-") as var_dir:
        port = _free_port()
        api_key = secrets.token_urlsafe(24)
        env = {
            **os.environ,
            "INTAKE_VAR_DIR": var_dir,
            "INTAKE_API_KEY": api_key,
            "INTAKE_PORT": str(port),
            "INTAKE_LOG_LEVEL": "WARNING",
        }
        if database_url:
            env["INTAKE_DATABASE_URL"] = database_url
        command = [sys.executable, "-m", "intake_service"]
        subprocess.run([*command, "bootstrap"], env=env, check=True, capture_output=True)
        log = Path(var_dir) / "server.log"
        with log.open("w") as handle:
            process = subprocess.Popen(
                [*command, "serve", "--no-access-log", "--workers", str(workers)],
                env=env,
                stdout=handle,
                stderr=subprocess.STDOUT,
            )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"the server did not start:\n{log.read_text()}")
                time.sleep(0.2)
            yield url, api_key
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


class _Connection:
    """A minimal HTTP/1.1 keep-alive client on one socket.

    The generator shares the CPU with the server, so it must be cheap: bodies are prepared in
    advance and responses are read by Content-Length, without a general-purpose HTTP library.
    """

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, path: str, body: bytes, headers: dict[str, str]) -> int:
        if self.writer is None or self.writer.is_closing():
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        self.writer.write(
            f"POST {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n{head}"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n".encode()
            + body
        )
        await self.writer.drain()
        status_line = await self.reader.readline()
        length, close = 0, False
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            if name.lower() == "content-length":
                length = int(value)
            elif name.lower() == "connection" and "close" in value.lower():
                close = True
        await self.reader.readexactly(length)
        if close:
            self.writer.close()
        return int(status_line.split()[1])


async def _load(
    url: str, api_key: str, clients: int, total: int, warmup: int
) -> tuple[list[float], Counter[int], float]:
    """Sends ``total`` submissions from ``clients`` concurrent clients; returns latencies (s)."""
    parsed = httpx.URL(url)
    host, port = parsed.host, parsed.port or 80
    bodies = [json.dumps(_payload(), ensure_ascii=False).encode() for _ in range(total + warmup)]
    latencies: list[float] = []
    statuses: Counter[int] = Counter()

    async def one(connection: _Connection, body: bytes) -> tuple[float, int]:
        headers = {"X-API-Key": api_key, "Idempotency-Key": uuid.uuid4().hex}
        started = time.perf_counter()
        try:
            status = await connection.post("/api/v1/dossiers", body, headers)
        except (OSError, asyncio.IncompleteReadError, ValueError, IndexError):
            connection.writer = None
            status = 0
        return time.perf_counter() - started, status

    warm = _Connection(host, port)
    for body in bodies[:warmup]:
        await one(warm, body)
    queue = iter(bodies[warmup:])

    async def worker() -> None:
        connection = _Connection(host, port)
        for body in queue:
            latency, status = await one(connection, body)
            latencies.append(latency)
            statuses[status] += 1
        if connection.writer is not None:
            connection.writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(clients)))
    elapsed = time.perf_counter() - started
    return latencies, statuses, elapsed


def _percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))
    return ordered[index]


def main(argv: Sequence[str] | None = None) -> int:
    """Runs the benchmark and prints the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=3000, help="measured submissions")
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--url", help="an already running service (needs --api-key)")
    parser.add_argument("--api-key", default=os.environ.get("INTAKE_API_KEY", ""))
    parser.add_argument("--database-url", help="database of the fresh server (default SQLite)")
    parser.add_argument(
        "--postgres",
        action="store_true",
        help="create a temporary database on 127.0.0.1:5432 (user postgres) and drop it after",
    )
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    args = parser.parse_args(argv)

    if args.url:
        latencies, statuses, elapsed = asyncio.run(
            _load(args.url, args.api_key, args.clients, args.requests, args.warmup)
        )
        database = "(server already running)"
    else:
        with contextlib.ExitStack() as stack:
            database_url = args.database_url
            if args.postgres:
                database_url = stack.enter_context(_temporary_postgres())
            url, key = stack.enter_context(_server(database_url, args.workers))
            latencies, statuses, elapsed = asyncio.run(
                _load(url, key, args.clients, args.requests, args.warmup)
            )
        database = (database_url or "SQLite (var/intake.db, WAL)").split("@")[-1]
    ok = statuses.get(201, 0)
    print("Intake API load benchmark — POST /api/v1/dossiers")
    print(
        f"  machine: {platform.machine()}, {os.cpu_count()} CPU, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}"
    )
    print(f"  database: {database}; uvicorn workers: {args.workers}")
    print(
        f"  clients: {args.clients} concurrent; "
        f"requests: {len(latencies)} (+{args.warmup} warm-up)"
    )
    print(f"  status codes: {dict(sorted(statuses.items()))}")
    print(f"  throughput: {ok / elapsed:.1f} dossiers/s ({len(latencies) / elapsed:.1f} req/s)")
    print(
        "  latency ms: "
        f"p50 {_percentile(latencies, 0.50) * 1000:.0f}, "
        f"p95 {_percentile(latencies, 0.95) * 1000:.0f}, "
        f"p99 {_percentile(latencies, 0.99) * 1000:.0f}, "
        f"max {max(latencies) * 1000:.0f}, mean {statistics.fmean(latencies) * 1000:.0f}"
    )
    print("  note: the load generator shares the machine's cores with the server.")
    return 0 if ok == len(latencies) else 1


if __name__ == "__main__":
    sys.exit(main())
