"""stack.process and stack.system without Rasa: started, waited for, measured, stopped."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from stack import ManagedProcess, StackConfig, StackError
from stack.endpoints import RedisLockStore
from stack.ports import free_port, port_open
from stack.procstat import tree_stats


def _web_server(tmp_path: Path, name: str = "web") -> tuple[ManagedProcess, int]:
    port = free_port()
    process = ManagedProcess(
        name,
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
        dict(os.environ),
        tmp_path / f"{name}.log",
        f"http://127.0.0.1:{port}/",
    )
    return process, port


def test_a_process_is_started_measured_and_stopped(tmp_path: Path):
    process, port = _web_server(tmp_path)
    with process:
        assert process.running and port_open("127.0.0.1", port)
        stats = process.stats()
        assert stats.processes == 1 and stats.rss_bytes > 1_000_000
        assert stats.peak_rss_bytes >= stats.rss_bytes
        pid = process.pid
    assert not process.running and process.pid is None
    assert not port_open("127.0.0.1", port)
    assert tree_stats(pid or 0).processes == 0
    assert "GET / HTTP" in process.log_tail()  # the health check is in the log


def test_a_killed_process_can_start_again_on_its_port(tmp_path: Path):
    process, port = _web_server(tmp_path)
    with process:
        process.kill()
        assert not process.running and not port_open("127.0.0.1", port)
        process.start()
        assert process.running and port_open("127.0.0.1", port)
    assert not process.running


def test_a_process_that_exits_early_says_why(tmp_path: Path):
    process = ManagedProcess(
        "broken",
        [sys.executable, "-c", "import sys; print('cấu hình sai'); sys.exit(3)"],
        dict(os.environ),
        tmp_path / "broken.log",
        f"http://127.0.0.1:{free_port()}/",
    )
    with pytest.raises(StackError, match="exited with code 3") as error:
        process.start(seconds=30)
    assert "cấu hình sai" in str(error.value)


def test_impossible_set_ups_are_refused(tmp_path: Path):
    model = tmp_path / "model.tar.gz"
    model.write_bytes(b"")
    with pytest.raises(StackError, match="no trained model"):
        StackConfig(model=str(tmp_path / "missing.tar.gz")).check()
    with pytest.raises(StackError, match="lock store"):
        StackConfig(model=str(model), rasa_instances=2).check()
    with pytest.raises(StackError, match="tracker store"):
        StackConfig(model=str(model), rasa_instances=2, lock_store=RedisLockStore()).check()
    StackConfig(model=str(model)).check()
