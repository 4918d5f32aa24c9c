"""One managed process: started with its log captured, waited for, always stopped.

A :class:`ManagedProcess` runs in its own session (process group), so stopping it also stops
what it started. It is a context manager: leaving the ``with`` block stops it, even on errors.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import TypeVar

import httpx

from stack.procstat import TreeStats, tree_stats

ROOT = Path(__file__).resolve().parents[1]
"""The repository root (processes run there, like ``bin/env`` does)."""

DEFAULT_STARTUP_SECONDS = 300.0
_PR_SET_PDEATHSIG = 1
STOP_SECONDS = 30.0
_T = TypeVar("_T")


def _die_with_parent() -> None:
    """In the child, before exec: ask Linux for SIGTERM when the parent dies.

    The process runs in its own session (so that :meth:`ManagedProcess.stop` reaches its
    children), which also means nothing would stop it if the test or benchmark process were
    killed; ``PR_SET_PDEATHSIG`` covers that case. Linux only; elsewhere it does nothing.
    Note: "parent" is the *thread* that started the process, so start processes from the main
    thread.
    """
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except OSError:
        pass


class StackError(RuntimeError):
    """A process did not start, exited early or a backing service is missing."""


def wait_for(condition: Callable[[], _T | None], seconds: float, what: str) -> _T:
    """Polls ``condition`` every 0.25 s until it returns something truthy.

    Args:
        condition: called repeatedly; may raise :class:`StackError` to give up early.
        seconds: how long to wait.
        what: used in the error message.

    Returns:
        The first truthy value.

    Raises:
        StackError: the time ran out.
    """
    deadline = time.monotonic() + seconds
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise StackError(f"timed out after {seconds:.0f} s waiting for {what}")
        time.sleep(0.25)


class ManagedProcess:
    """A long-running process of the system (intake service, action server, Rasa, balancer).

    Attributes:
        name: a short name used in messages (``rasa-1``, ``actions-2``, ``intake``).
        command: the command line.
        env: the complete environment of the process.
        log: the file that receives stdout and stderr (appended across restarts).
        health_url: a URL that answers with a status below 500 once the process serves.
    """

    def __init__(
        self,
        name: str,
        command: Sequence[str],
        env: Mapping[str, str],
        log: Path,
        health_url: str,
        cwd: Path = ROOT,
    ) -> None:
        """Describes the process; nothing starts until :meth:`start`."""
        self.name = name
        self.command = list(command)
        self.env = dict(env)
        self.log = log
        self.health_url = health_url
        self.cwd = cwd
        self._popen: subprocess.Popen[bytes] | None = None

    # ------------------------------------------------------------------ lifecycle
    def start(self, wait: bool = True, seconds: float = DEFAULT_STARTUP_SECONDS) -> None:
        """Starts the process; by default waits until its health URL answers.

        Raises:
            StackError: it is already running, it exited early or it did not answer in time.
        """
        if self.running:
            raise StackError(f"{self.name} is already running")
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as out:
            self._popen = subprocess.Popen(
                self.command,
                cwd=self.cwd,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=_die_with_parent,
            )
        if wait:
            self.wait_healthy(seconds)

    def healthy(self) -> bool:
        """Whether the health URL answers now (raises :class:`StackError` if the process died)."""
        popen = self._popen
        if popen is None:
            raise StackError(f"{self.name} was not started")
        if popen.poll() is not None:
            raise StackError(
                f"{self.name} exited with code {popen.returncode}:\n{self.log_tail()}"
            )
        try:
            return httpx.get(self.health_url, timeout=3.0).status_code < 500
        except httpx.HTTPError:
            return False

    def wait_healthy(self, seconds: float = DEFAULT_STARTUP_SECONDS) -> None:
        """Waits until the health URL answers.

        Raises:
            StackError: the process exited or did not answer within ``seconds``.
        """
        try:
            wait_for(self.healthy, seconds, f"{self.name} at {self.health_url}")
        except StackError as error:
            if "timed out" in str(error):
                raise StackError(f"{error}\n{self.log_tail()}") from None
            raise

    def stop(self) -> None:
        """Stops the process group: SIGTERM, then SIGKILL after 30 s. Safe to call twice."""
        self._signal_and_reap(signal.SIGTERM)

    def kill(self) -> None:
        """Kills the process group at once (SIGKILL), as a crash would."""
        self._signal_and_reap(signal.SIGKILL)

    def _signal_and_reap(self, sig: signal.Signals) -> None:
        popen = self._popen
        if popen is None:
            return
        if popen.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(popen.pid, sig)
            try:
                popen.wait(timeout=STOP_SECONDS)
            except subprocess.TimeoutExpired:
                os.killpg(popen.pid, signal.SIGKILL)
                popen.wait(timeout=10)
        # children that left the group's leader behind (none expected) go too
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(popen.pid, signal.SIGKILL)

    # ------------------------------------------------------------------ inspection
    @property
    def pid(self) -> int | None:
        """The process id while it runs."""
        return self._popen.pid if self.running and self._popen is not None else None

    @property
    def running(self) -> bool:
        """Whether the process was started and has not exited."""
        return self._popen is not None and self._popen.poll() is None

    def stats(self) -> TreeStats:
        """Memory and CPU time of the process and its children (zeros when not running)."""
        pid = self.pid
        return tree_stats(pid) if pid is not None else TreeStats(0, 0, 0, 0.0)

    def log_tail(self, size: int = 4000) -> str:
        """The end of the log file."""
        if not self.log.exists():
            return ""
        with self.log.open("rb") as handle:
            handle.seek(max(0, self.log.stat().st_size - size))
            return handle.read().decode("utf-8", errors="replace")

    # ------------------------------------------------------------------ context manager
    def __enter__(self) -> ManagedProcess:
        """Starts the process (if not running) and waits until it is healthy."""
        if not self.running:
            self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Stops the process."""
        self.stop()
