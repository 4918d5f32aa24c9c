"""The whole system as real processes on free ports: intake, actions, Rasa servers, balancers.

:func:`running_stack` starts, in dependency order,

1. the intake service (``bin/env intake python -m intake_service bootstrap``, then ``serve``) on a
   temporary SQLite database and var folder (unless ``intake=False``);
2. ``action_instances`` action servers (``bin/env bot python -m bot.action_server --actions
   bot.actions``: ``rasa run actions`` with its objects frozen for the garbage collector),
   and a balancer in front of them when there are several (Rasa calls the balancer);
3. the tracker store migration (:mod:`stack.tracker_migration`) when the tracker store is
   PostgreSQL;
4. ``rasa_instances`` Rasa servers (``bin/env bot python -m bot.server run --model …``, i.e.
   Rasa with cached response validation, as in production) with an endpoints file and a
   credentials file written for the run, and a balancer in front of them when there are several;

and stops everything when the ``with`` block ends, whatever happened. Logs are in the work folder
(``<name>.log``); :meth:`RunningStack.logs` gives their ends for a failing test's message.
:meth:`RunningStack.restart` restarts some processes (an outage, a changed setting) on the same
ports, files and logs.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from stack.credentials import Credentials
from stack.endpoints import (
    Endpoints,
    InMemoryLockStore,
    LockStore,
    PikaEventBroker,
    PostgresTrackerStore,
    SQLiteTrackerStore,
    TrackerStore,
)
from stack.nginx import NGINX, nginx_command, nginx_path, write_nginx_config
from stack.ports import free_port
from stack.process import DEFAULT_STARTUP_SECONDS, ROOT, ManagedProcess, StackError
from stack.procstat import TreeStats

BIN_ENV = str(ROOT / "bin" / "env")
TODAY = "2026-03-01"
API_KEY = "stack-bot-key-" + "k" * 24
WEBHOOK_SECRET = "stack-webhook-secret-" + "s" * 24
REST_KEY = "stack-rest-channel-key-" + "r" * 24
ADMIN = ("admin", "stack-Quantri-Pa55word!")
REPLY_SECONDS = 120.0
IN_MEMORY_LOCKS = InMemoryLockStore()
PYTHON_BALANCER = "python"


@dataclass(frozen=True)
class StackConfig:
    """What to run.

    Attributes:
        model: the trained model (``$BHXH_MODEL``; ``bin/train`` prints it).
        rasa_instances: how many Rasa servers.
        action_instances: how many action servers.
        intake: run the intake service (and the bot's intake channel) too.
        tracker_store: where conversations are kept (default: an SQLite file in the work folder).
        lock_store: conversation locks (default in memory; use Redis with several Rasa servers).
        event_broker: optional RabbitMQ broker receiving every tracker event.
        balance: put a balancer in front even of a single instance (default: only for several).
        balancer: which balancer: ``python`` (:mod:`stack.balancer`, always there) or ``nginx``
            (:mod:`stack.nginx`, as in production; needs Debian's nginx).
        webchat: open the web chat channel too.
        messaging: open the Zalo OA, Messenger and Telegram channels too (their settings, e.g.
            the base URLs of fake platform servers, go in ``env``).
        enable_api: start Rasa with ``--enable-api`` (``/conversations/…/tracker``,
            ``/model/parse``).
        today: ``BHXH_TODAY`` of the bot (fixes the evaluation date).
        env: extra environment variables for every bot process (Rasa and actions).
        intake_env: extra environment variables for the intake service (e.g. ``OFFICE_HOURS``).
        startup_seconds: how long one process may take to answer.
    """

    model: str
    rasa_instances: int = 1
    action_instances: int = 1
    intake: bool = True
    tracker_store: TrackerStore | None = None
    lock_store: LockStore = IN_MEMORY_LOCKS
    event_broker: PikaEventBroker | None = None
    balance: bool = False
    balancer: str = PYTHON_BALANCER
    webchat: bool = False
    messaging: bool = False
    enable_api: bool = False
    today: str = TODAY
    env: Mapping[str, str] = field(default_factory=dict)
    intake_env: Mapping[str, str] = field(default_factory=dict)
    startup_seconds: float = DEFAULT_STARTUP_SECONDS

    def check(self) -> None:
        """Raises :class:`StackError` for a configuration that cannot work."""
        if not Path(self.model).is_file():
            raise StackError(f"no trained model at {self.model!r} (run bin/train)")
        if self.rasa_instances < 1 or self.action_instances < 1:
            raise StackError("at least one Rasa server and one action server are needed")
        if self.rasa_instances > 1 and isinstance(self.lock_store, InMemoryLockStore):
            raise StackError("several Rasa servers need a shared lock store (Redis)")
        if self.rasa_instances > 1 and not isinstance(self.tracker_store, PostgresTrackerStore):
            raise StackError("several Rasa servers need a shared tracker store (PostgreSQL)")
        if self.balancer not in (PYTHON_BALANCER, NGINX):
            raise StackError(f"unknown balancer {self.balancer!r} (python or nginx)")
        if self.balancer == NGINX and nginx_path() is None:
            raise StackError("nginx is not installed (apt-get install nginx-light)")


@dataclass
class RunningStack:
    """The processes of one run and how to reach them."""

    work: Path
    config: StackConfig
    processes: dict[str, ManagedProcess] = field(default_factory=dict)
    intake_port: int = field(default_factory=free_port)
    rasa_ports: list[int] = field(default_factory=list)
    action_ports: list[int] = field(default_factory=list)
    rasa_balancer_port: int | None = None
    action_balancer_port: int | None = None

    # ------------------------------------------------------------------ addresses
    @property
    def intake_url(self) -> str:
        """Base URL of the intake service."""
        return f"http://127.0.0.1:{self.intake_port}"

    @property
    def rasa_url(self) -> str:
        """Where clients send messages: the Rasa balancer, or the only Rasa server."""
        port = self.rasa_balancer_port or self.rasa_ports[0]
        return f"http://127.0.0.1:{port}"

    @property
    def rasa_instance_urls(self) -> list[str]:
        """Each Rasa server, bypassing the balancer."""
        return [f"http://127.0.0.1:{port}" for port in self.rasa_ports]

    @property
    def action_url(self) -> str:
        """Where Rasa calls the actions: the actions balancer, or the only action server."""
        port = self.action_balancer_port or self.action_ports[0]
        return f"http://127.0.0.1:{port}/webhook"

    @property
    def tracker_store(self) -> TrackerStore:
        """The tracker store of this run."""
        return self.config.tracker_store or SQLiteTrackerStore(self.work / "tracker.db")

    # ------------------------------------------------------------------ processes
    def process(self, name: str) -> ManagedProcess:
        """One process by name (``intake``, ``actions-1``, ``rasa-2``, ``rasa-balancer``, …)."""
        try:
            return self.processes[name]
        except KeyError:
            raise StackError(f"no process {name!r}; have {sorted(self.processes)}") from None

    def names(self, kind: str) -> list[str]:
        """Names of the processes of one kind: ``rasa``, ``actions``, ``intake``, ``balancer``."""
        balancers = [n for n in self.processes if n.endswith("-balancer")]
        if kind == "balancer":
            return balancers
        return [
            n
            for n in self.processes
            if n not in balancers and (n == kind or n.startswith(f"{kind}-"))
        ]

    def stats(self) -> dict[str, TreeStats]:
        """Memory and CPU time of every running process."""
        return {name: p.stats() for name, p in self.processes.items() if p.running}

    def logs(self, size: int = 3000) -> str:
        """The ends of every log, for a failing test's message."""
        return "\n".join(f"----- {name}\n{p.log_tail(size)}" for name, p in self.processes.items())

    def stop_all(self) -> None:
        """Stops every process, the clients' entry points first."""
        for process in reversed(list(self.processes.values())):
            process.stop()

    def restart(self, *names: str, env: Mapping[str, str] | None = None) -> None:
        """Stops processes and starts them again on the same ports, files and logs.

        They stop in reverse dependency order (Rasa before the actions, the actions before the
        intake service) and start in dependency order, each waited for until it is healthy.

        Args:
            names: the processes (``intake``, ``actions-1``, ``rasa-1``, …); every one if none
                is named.
            env: variables added to their environment from now on (e.g. another
                ``OFFICE_HOURS`` for the intake service).

        Raises:
            StackError: an unknown name, or a process that did not come back.
        """
        chosen = {name: self.process(name) for name in names or self.processes}
        ordered = [p for name, p in self.processes.items() if name in chosen]
        for process in reversed(ordered):
            process.stop()
        for process in ordered:
            process.env.update(env or {})
            process.start(seconds=self.config.startup_seconds)

    # ------------------------------------------------------------------ talking to the bot
    @property
    def rest_headers(self) -> dict[str, str]:
        """The REST channel's key, as its clients send it."""
        return {"Authorization": f"Bearer {REST_KEY}"}

    def say(
        self,
        sender: str,
        text: str,
        url: str | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> list[dict[str, Any]]:
        """Sends one message through the REST channel; returns the bot's messages.

        Args:
            sender: the conversation id.
            text: what the citizen types (or a button payload such as ``/greet``).
            url: another Rasa base URL (one instance directly); default :attr:`rasa_url`.
            metadata: the REST channel's ``metadata`` (the channel ignores it: kept to show
                that a client cannot set it, see connectors/rest.py).
        """
        body: dict[str, Any] = {"sender": sender, "message": text}
        if metadata is not None:
            body["metadata"] = dict(metadata)
        answer = httpx.post(
            f"{url or self.rasa_url}/webhooks/rest/webhook",
            json=body,
            headers=self.rest_headers,
            timeout=REPLY_SECONDS,
        )
        answer.raise_for_status()
        messages: list[dict[str, Any]] = answer.json()
        return messages


def _bot_env(stack: RunningStack) -> dict[str, str]:
    config = stack.config
    work = stack.work
    shared_db = (
        config.tracker_store.sqlalchemy_url
        if isinstance(config.tracker_store, PostgresTrackerStore)
        else None
    )
    env = {
        **os.environ,
        "BHXH_TODAY": config.today,
        "INTAKE_URL": stack.intake_url,
        "INTAKE_API_KEY": API_KEY,
        "INTAKE_TIMEOUT": "10",
        "INTAKE_RETRIES": "1",
        "OUTBOX_DATABASE_URL": shared_db or f"sqlite:///{work / 'outbox.db'}",
        "OUTBOX_WORKER_INTERVAL_SECONDS": "1",
        "BOT_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "REST_CHANNEL_KEY": REST_KEY,
        "CONNECTORS_DATABASE_URL": shared_db or f"sqlite:///{work / 'connectors.sqlite3'}",
        "INTAKE_NOTICES_DB_PATH": str(work / "notices.db"),
        "WEBCHAT_DB_PATH": str(work / "webchat.db"),
        # where the web chat's uploads are fetched by the action server (its only own origin)
        "WEBCHAT_UPLOAD_ORIGIN": stack.rasa_url,
        **config.env,
    }
    env.pop("BHXH_CATALOG_DIR", None)
    return env


def _intake_env(stack: RunningStack) -> dict[str, str]:
    env = {
        **os.environ,
        "INTAKE_DATABASE_URL": f"sqlite:///{stack.work / 'intake.db'}",
        "INTAKE_VAR_DIR": str(stack.work / "intake_var"),
        "INTAKE_HOST": "127.0.0.1",
        "INTAKE_PORT": str(stack.intake_port),
        "INTAKE_API_KEY": API_KEY,
        "INTAKE_SECRET_KEY": "stack-secret-key-" + "z" * 32,
        "INTAKE_ADMIN_USER": ADMIN[0],
        "INTAKE_ADMIN_PASSWORD": ADMIN[1],
        "BOT_EVENTS_URL": f"{stack.rasa_url}/webhooks/intake/events",
        "BOT_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "INTAKE_LOG_LEVEL": "WARNING",
        **stack.config.intake_env,
    }
    for name in ("VIRTUAL_ENV", "PYTHONHOME"):
        env.pop(name, None)
    return env


def _start_all(processes: Sequence[ManagedProcess], seconds: float) -> None:
    """Starts the processes together (they load in parallel), then waits for each."""
    for process in processes:
        process.start(wait=False)
    for process in processes:
        process.wait_healthy(seconds)


def _balancer(
    name: str, port: int, upstreams: Sequence[int], work: Path, kind: str = PYTHON_BALANCER
) -> ManagedProcess:
    if kind == NGINX:
        config = write_nginx_config(work / f"{name}.conf", port, upstreams, work)
        command = nginx_command(config)
    else:
        command = [BIN_ENV, "bot", "python", "-m", "stack.balancer", "--port", str(port)]
        for upstream in upstreams:
            command += ["--upstream", f"http://127.0.0.1:{upstream}"]
    return ManagedProcess(
        name, command, dict(os.environ), work / f"{name}.log",
        f"http://127.0.0.1:{port}/__balancer__",
    )


def _start_intake(stack: RunningStack) -> None:
    env = _intake_env(stack)
    bootstrap = subprocess.run(
        [BIN_ENV, "intake", "python", "-m", "intake_service", "bootstrap"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False,
    )
    if bootstrap.returncode != 0:
        raise StackError(f"intake bootstrap failed:\n{bootstrap.stdout}\n{bootstrap.stderr}")
    intake = ManagedProcess(
        "intake",
        [BIN_ENV, "intake", "python", "-m", "intake_service", "serve", "--no-access-log"],
        env, stack.work / "intake.log", f"{stack.intake_url}/healthz",
    )
    stack.processes["intake"] = intake
    intake.start(seconds=stack.config.startup_seconds)


def _start_actions(stack: RunningStack) -> None:
    config = stack.config
    env = _bot_env(stack)
    servers = []
    for number, port in enumerate(stack.action_ports, start=1):
        name = f"actions-{number}"
        servers.append(ManagedProcess(
            name,
            [BIN_ENV, "bot", "python", "-m", "bot.action_server", "--actions", "bot.actions",
             "--port", str(port)],
            env, stack.work / f"{name}.log", f"http://127.0.0.1:{port}/health",
        ))
        stack.processes[name] = servers[-1]
    _start_all(servers, config.startup_seconds)
    if stack.action_balancer_port is not None:
        balancer = _balancer(
            "actions-balancer", stack.action_balancer_port, stack.action_ports, stack.work,
            config.balancer,
        )
        stack.processes["actions-balancer"] = balancer
        balancer.start(seconds=60)


def _start_rasa(stack: RunningStack) -> None:
    config = stack.config
    endpoints = Endpoints(
        action_url=stack.action_url,
        tracker_store=stack.tracker_store,
        lock_store=config.lock_store,
        event_broker=config.event_broker,
    ).write(stack.work / "endpoints.yml")
    credentials = Credentials(
        webchat_db=stack.work / "webchat.db" if config.webchat else None,
        intake_events=config.intake,
        messaging=config.messaging,
    ).write(stack.work / "credentials.yml")
    env = _bot_env(stack)
    servers = []
    for number, port in enumerate(stack.rasa_ports, start=1):
        name = f"rasa-{number}"
        command = [
            BIN_ENV, "bot", "python", "-m", "bot.server", "run", "--model", str(config.model),
            "--port", str(port), "--interface", "127.0.0.1",
            "--endpoints", str(endpoints), "--credentials", str(credentials),
        ]
        if config.enable_api:
            command.append("--enable-api")
        servers.append(ManagedProcess(
            name, command, env, stack.work / f"{name}.log",
            f"http://127.0.0.1:{port}/webhooks/rest/",
        ))
        stack.processes[name] = servers[-1]
    _start_all(servers, config.startup_seconds)
    if stack.rasa_balancer_port is not None:
        balancer = _balancer("rasa-balancer", stack.rasa_balancer_port, stack.rasa_ports,
                             stack.work, config.balancer)
        stack.processes["rasa-balancer"] = balancer
        balancer.start(seconds=60)


def _migrate_tracker_store(stack: RunningStack, store: PostgresTrackerStore) -> None:
    """Runs the migration as production does: its own process, before the Rasa servers."""
    result = subprocess.run(
        [BIN_ENV, "bot", "python", "-m", "stack.tracker_migration",
         "--url", store.sqlalchemy_url],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )
    (stack.work / "tracker-migration.log").write_text(result.stdout + result.stderr)
    if result.returncode != 0:
        raise StackError(f"tracker store migration failed:\n{result.stdout}\n{result.stderr}")


@contextmanager
def running_stack(config: StackConfig, work: Path) -> Iterator[RunningStack]:
    """Starts the system described by ``config``, in folder ``work``; stops it at the end.

    Raises:
        StackError: the configuration is impossible, or a process did not start (the message
            has the end of its log).
    """
    config.check()
    work.mkdir(parents=True, exist_ok=True)
    # every address is known before anything starts (the intake service pushes events to Rasa)
    stack = RunningStack(
        work=work,
        config=config,
        rasa_ports=[free_port() for _ in range(config.rasa_instances)],
        action_ports=[free_port() for _ in range(config.action_instances)],
    )
    if config.rasa_instances > 1 or config.balance:
        stack.rasa_balancer_port = free_port()
    if config.action_instances > 1 or config.balance:
        stack.action_balancer_port = free_port()
    try:
        if config.intake:
            _start_intake(stack)
        _start_actions(stack)
        if isinstance(config.tracker_store, PostgresTrackerStore):
            _migrate_tracker_store(stack, config.tracker_store)
        _start_rasa(stack)
        yield stack
    finally:
        stack.stop_all()
