"""End-to-end load benchmark: simulated citizens talking to the whole system through REST.

Usage (from the repository root; takes about 15–20 minutes with everything on)::

    bin/env bot python bench/conversation_load.py                 # everything
    bin/env bot python bench/conversation_load.py --quick         # short runs, no training
    bin/env bot python bench/conversation_load.py --no-scale --no-train --levels 1,20

What it starts (``stack``, real processes on free ports, stopped at the end): the intake service
(SQLite), the action server and the Rasa server (model ``--model``, default ``$BHXH_MODEL`` or
what ``bin/train`` prints; SQLite tracker store) — the single-machine set-up of ``bin/start``.
Simulated citizens run the scripted Vietnamese conversations of ``bench/scripted_conversations.py``
(eligibility check, amount estimate, pension-by-ATM and survivors' questions, and a full dossier
submission to the intake service with a rating and a status lookup) through
``POST /webhooks/rest/webhook``; the action server and the intake service are in the loop.

What it measures and prints:

1. **Per message once warm** (issue 3's target, p95 < 50 ms): one citizen, no pause between
   messages, after a warm-up — the REST round trip of each message; and the NLU alone
   (``POST /model/parse``) for the same texts.
2. **1, 20 and 100 concurrent citizens** (issue 8's target, p95 < 150 ms at 20): each citizen
   pauses a random 1–3 s "think time" between messages (real people pause longer; the pause is
   compressed so that a run is short, which makes the offered load *higher* than real). p50, p95,
   p99, throughput (messages/s), errors, unexpected replies, CPU used by each process. One more
   run of 20 citizens pauses 5–15 s (closer to people typing on a phone), twice as long.
3. **Saturation**: 20 citizens with no pause — the throughput one instance can give.
4. **Memory** of each process (RSS now and peak).
5. **One instance vs two behind the balancer** (needs PostgreSQL and Redis on 127.0.0.1): both
   set-ups use the PostgreSQL tracker store, the Redis lock store and the same balancer — nginx
   as in production when it is installed (``apt-get install nginx-light``; ``--balancer``),
   else the Python ``stack.balancer``; both
   run at once and are measured in alternation (so that other users of the machine weigh on
   both alike), closed loop with no pause at a few concurrency levels, each level twice per
   set-up (the median run is kept); throughput ratio at equal concurrency and at
   the same p95 (interpolated), with the CPU each process used and what the rest of the machine
   used (PostgreSQL, Redis, other users of the cores) — on a 2-core machine the reason a second
   instance cannot double the throughput is visible there.
6. **Training time**: a fresh ``bin/env bot rasa train`` into a temporary folder, timed here (wall
   clock, CPU time and peak memory of the training process); the model is thrown away
   (``bin/train``'s cached model is not touched).

Results go to ``bench/results/<UTC timestamp>.json`` and a short ``.md`` next to it, with the
machine description (nproc, memory, CPU model, Python, Rasa and rasa-sdk versions, load average).
The load generator runs on the same machine and shares its cores; it prints figures and asserts
nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import platform
import random
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

import httpx
from scripted_conversations import CONVERSATIONS, Conversation  # bench/, next to this script

from stack import RunningStack, StackConfig, running_stack
from stack.backing import (
    postgres_available,
    redis_available,
    redis_namespace,
    temporary_postgres_database,
)
from stack.endpoints import TrackerStore
from stack.nginx import NGINX, nginx_path
from stack.procstat import cpu_seconds
from stack.system import PYTHON_BALANCER, REST_KEY

ROOT = Path(__file__).resolve().parents[1]

RESULTS = ROOT / "bench" / "results"
REST_PATH = "/webhooks/rest/webhook"
REST_HEADERS = {"Authorization": f"Bearer {REST_KEY}"}
REST_OF_MACHINE = "rest of the machine"


# ---------------------------------------------------------------------------- measurements
@dataclass(frozen=True)
class Sample:
    """One message: how long its reply took and whether the reply was right."""

    conversation: str
    seconds: float
    status: int
    expected: bool
    finished_at: float


@dataclass
class LoadResult:
    """The samples of one run and the resources used meanwhile."""

    label: str
    concurrency: int
    think_seconds: tuple[float, float]
    samples: list[Sample] = field(default_factory=list)
    elapsed: float = 0.0
    cpu_cores: dict[str, float] = field(default_factory=dict)
    machine_busy: float = 0.0

    def summary(self) -> dict[str, Any]:
        """Counts, latency percentiles (ms) and throughput (messages/s)."""
        ok = [s for s in self.samples if s.status == 200]
        latencies = sorted(s.seconds * 1000 for s in ok)
        summary: dict[str, Any] = {
            "label": self.label,
            "concurrency": self.concurrency,
            "think_seconds": list(self.think_seconds),
            "messages": len(self.samples),
            "errors": len(self.samples) - len(ok),
            "unexpected_replies": sum(1 for s in ok if not s.expected),
            "elapsed_s": round(self.elapsed, 1),
            "throughput_msg_s": round(len(ok) / self.elapsed, 2) if self.elapsed else 0.0,
            "cpu_cores_used": {k: round(v, 2) for k, v in self.cpu_cores.items()},
            "machine_cpu_busy": round(self.machine_busy, 3),
        }
        summary.update(percentiles(latencies))
        return summary


def percentiles(latencies_ms: Sequence[float]) -> dict[str, float | None]:
    """p50, p95, p99, mean and max of sorted latencies (None when there are too few)."""
    if len(latencies_ms) < 2:
        value = round(latencies_ms[0], 1) if latencies_ms else None
        return {"p50_ms": value, "p95_ms": value, "p99_ms": value, "mean_ms": value,
                "max_ms": value}
    cuts = statistics.quantiles(latencies_ms, n=100, method="inclusive")
    return {
        "p50_ms": round(cuts[49], 1),
        "p95_ms": round(cuts[94], 1),
        "p99_ms": round(cuts[98], 1),
        "mean_ms": round(statistics.fmean(latencies_ms), 1),
        "max_ms": round(max(latencies_ms), 1),
    }


def _cpu_times() -> tuple[float, float]:
    """(busy, total) jiffies of the whole machine, from /proc/stat."""
    values = [float(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return sum(values) - idle, sum(values)


@contextlib.contextmanager
def resource_window(system: RunningStack | None, result: LoadResult) -> Iterator[None]:
    """Measures the CPU used by each process (and the machine) while the block runs."""
    before = system.stats() if system else {}
    me_before = cpu_seconds(os.getpid())  # this process only: the stack's processes are children
    busy0, total0 = _cpu_times()
    started = time.monotonic()
    yield
    elapsed = max(time.monotonic() - started, 1e-9)
    after = system.stats() if system else {}
    busy1, total1 = _cpu_times()
    result.cpu_cores = {
        name: (after[name].cpu_seconds - before[name].cpu_seconds) / elapsed
        for name in after
        if name in before
    }
    generator = cpu_seconds(os.getpid()) - me_before
    result.cpu_cores["load-generator"] = generator / elapsed
    result.machine_busy = (busy1 - busy0) / max(total1 - total0, 1e-9)
    # what the rest of the machine used meanwhile: PostgreSQL, Redis, and other users of the cores
    ours = sum(result.cpu_cores.values())
    machine_cores = result.machine_busy * (os.cpu_count() or 1)
    result.cpu_cores[REST_OF_MACHINE] = max(0.0, machine_cores - ours)


# ---------------------------------------------------------------------------- simulated citizens
async def _send(
    client: httpx.AsyncClient, url: str, sender: str, text: str
) -> tuple[int, list[str]]:
    try:
        answer = await client.post(
            url, json={"sender": sender, "message": text}, headers=REST_HEADERS
        )
    except httpx.HTTPError:
        return 0, []
    if answer.status_code != 200:
        return answer.status_code, []
    return 200, [m.get("text") or "" for m in answer.json()]


async def _citizen(
    number: int,
    client: httpx.AsyncClient,
    url: str,
    conversations: Sequence[Conversation],
    think: tuple[float, float],
    stop_at: float,
    result: LoadResult,
    rng: random.Random,
) -> None:
    """One citizen: conversation after conversation until ``stop_at``."""
    turn = number
    if think[1] > 0:  # spread the first messages instead of sending them all at once
        await asyncio.sleep(rng.uniform(0, think[1]))
    while time.monotonic() < stop_at:
        conversation = conversations[turn % len(conversations)]
        turn += 1
        sender = f"bench-{uuid.uuid4().hex[:12]}"
        for step in conversation.steps(rng):
            if time.monotonic() >= stop_at:
                return
            started = time.perf_counter()
            status, texts = await _send(client, url, sender, step.text)
            now = time.monotonic()
            expected = status == 200 and step.matches(texts)
            result.samples.append(
                Sample(conversation.name, time.perf_counter() - started, status, expected, now)
            )
            if not expected:
                break  # the script is off track: start a new conversation
            if think[1] > 0:
                await asyncio.sleep(rng.uniform(*think))


async def run_load(
    base_url: str,
    label: str,
    concurrency: int,
    seconds: float,
    think: tuple[float, float],
    conversations: Sequence[Conversation],
    system: RunningStack | None = None,
    seed: int = 7,
) -> LoadResult:
    """``concurrency`` citizens for ``seconds`` (messages in flight at the end are awaited)."""
    result = LoadResult(label, concurrency, think)
    limits = httpx.Limits(max_connections=concurrency + 4, max_keepalive_connections=concurrency)
    rng = random.Random(seed)
    async with httpx.AsyncClient(timeout=180.0, limits=limits) as client:
        url = base_url + REST_PATH
        started = time.monotonic()
        with resource_window(system, result):
            await asyncio.gather(
                *(
                    _citizen(n, client, url, conversations, think, started + seconds, result,
                             random.Random(rng.random()))
                    for n in range(concurrency)
                )
            )
        result.elapsed = time.monotonic() - started
    return result


async def run_sequential(
    base_url: str, conversations: Sequence[Conversation], messages: int, seed: int = 11
) -> tuple[LoadResult, list[str]]:
    """One citizen, no pause, ``messages`` messages; also returns the texts sent."""
    result = LoadResult("one citizen, no pause (warm)", 1, (0.0, 0.0))
    texts: list[str] = []
    rng = random.Random(seed)
    async with httpx.AsyncClient(timeout=60.0) as client:
        started = time.monotonic()
        turn = 0
        while len(result.samples) < messages:
            conversation = conversations[turn % len(conversations)]
            turn += 1
            sender = f"bench-seq-{uuid.uuid4().hex[:12]}"
            for step in conversation.steps(rng):
                began = time.perf_counter()
                status, replies = await _send(client, base_url + REST_PATH, sender, step.text)
                ok = status == 200 and step.matches(replies)
                result.samples.append(Sample(conversation.name, time.perf_counter() - began,
                                             status, ok, time.monotonic()))
                texts.append(step.text)
                if not ok or len(result.samples) >= messages:
                    break
        result.elapsed = time.monotonic() - started
    return result, texts


async def run_parse(base_url: str, texts: Sequence[str]) -> dict[str, Any]:
    """The NLU alone: ``POST /model/parse`` for each typed text (button payloads skipped)."""
    typed = [t for t in texts if not t.startswith("/")]
    latencies: list[float] = []
    async with httpx.AsyncClient(timeout=60.0) as client:
        for text in typed:
            began = time.perf_counter()
            answer = await client.post(base_url + "/model/parse", json={"text": text})
            if answer.status_code == 200:
                latencies.append((time.perf_counter() - began) * 1000)
    return {"messages": len(typed), "answered": len(latencies), **percentiles(sorted(latencies))}


# ---------------------------------------------------------------------------- the set-ups
def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    cpu_model = next(
        (line.split(":", 1)[1].strip()
         for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")),
        platform.processor(),
    )
    mem_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal:")
    )

    def version(package: str) -> str | None:
        try:
            return metadata.version(package)
        except metadata.PackageNotFoundError:
            return None

    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                            capture_output=True, text=True, check=False).stdout.strip()
    return {
        "nproc": os.cpu_count(),
        "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "cpu_model": cpu_model,
        "kernel": platform.release(),
        "python_bot": platform.python_version(),
        "rasa": version("rasa"),
        "rasa_sdk": version("rasa-sdk"),
        "tensorflow": version("tensorflow") or version("tensorflow-cpu"),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "git_commit": commit or None,
    }


def idle_busy(seconds: float = 5.0) -> float:
    """Share of the machine's CPU already busy before the benchmark (other users of the cores)."""
    busy0, total0 = _cpu_times()
    time.sleep(seconds)
    busy1, total1 = _cpu_times()
    return round((busy1 - busy0) / max(total1 - total0, 1e-9), 3)


def memory(system: RunningStack) -> dict[str, dict[str, float]]:
    """RSS now and peak (MB) of each process."""
    return {
        name: {"rss_mb": round(s.rss_bytes / 2**20),
               "peak_rss_mb": round(s.peak_rss_bytes / 2**20)}
        for name, s in system.stats().items()
    }


def usable_conversations(base_url: str, log: list[str]) -> list[Conversation]:
    """The scripts that run as written on this build (a script off track is left out, said)."""
    usable = []
    rng = random.Random(3)
    with httpx.Client(timeout=120.0) as client:
        for conversation in CONVERSATIONS:
            sender = f"bench-check-{uuid.uuid4().hex[:8]}"
            for step in conversation.steps(rng):
                answer = client.post(base_url + REST_PATH, json={"sender": sender,
                                                                 "message": step.text},
                                     headers=REST_HEADERS)
                texts = [m.get("text") or "" for m in answer.json()] if answer.is_success else []
                if not step.matches(texts):
                    log.append(f"script {conversation.name} left out: {step.text!r} got "
                               f"{' | '.join(texts)[:300]!r}")
                    break
            else:
                usable.append(conversation)
    return usable


def say(line: str) -> None:
    """Prints a progress line."""
    print(f"[{datetime.now().strftime('%H:%M:%S')}] {line}", flush=True)


def single_instance(args: argparse.Namespace, model: str, report: dict[str, Any]) -> None:
    """Parts 1–4 on the bin/start set-up (SQLite, one Rasa server, one action server)."""
    with tempfile.TemporaryDirectory(prefix="bench_conv_") as work:
        started = time.monotonic()
        config = StackConfig(model=model, enable_api=True)
        with running_stack(config, Path(work)) as system:
            report["single"]["startup_s"] = round(time.monotonic() - started, 1)
            say(f"system up in {report['single']['startup_s']} s: {system.rasa_url}")
            notes: list[str] = report["notes"]
            conversations = usable_conversations(system.rasa_url, notes)
            report["conversations"] = [c.name for c in conversations]
            if not conversations:
                raise SystemExit("no scripted conversation works: " + "; ".join(notes))
            # warm-up: every script once more, concurrently
            asyncio.run(run_load(system.rasa_url, "warm-up", len(conversations), 10, (0, 0),
                                 conversations))
            sequential, texts = asyncio.run(
                run_sequential(system.rasa_url, conversations, args.warm_messages)
            )
            report["single"]["per_message_warm"] = sequential.summary()
            report["single"]["nlu_parse_warm"] = asyncio.run(run_parse(system.rasa_url, texts))
            say(f"per message (warm): {_short(sequential.summary())}; NLU alone p95 "
                f"{report['single']['nlu_parse_warm']['p95_ms']} ms")
            for level in args.levels:
                result = asyncio.run(run_load(system.rasa_url,
                                              f"{level} citizens, pause {_span(args.think)} s",
                                              level, args.duration, args.think, conversations,
                                              system))
                report["single"]["levels"].append(result.summary())
                say(f"{level:>3} citizens: {_short(result.summary())}")
            if args.realistic:
                result = asyncio.run(run_load(system.rasa_url,
                                              f"20 citizens, pause {_span(args.realistic)} s",
                                              20, args.duration * 2, args.realistic,
                                              conversations, system))
                report["single"]["levels"].append(result.summary())
                say(f" 20 citizens, realistic pause: {_short(result.summary())}")
            if args.saturated:
                result = asyncio.run(run_load(system.rasa_url,
                                              f"{args.saturated} citizens, no pause",
                                              args.saturated, args.duration, (0.0, 0.0),
                                              conversations, system))
                report["single"]["saturated"] = result.summary()
                say(f"saturated ({args.saturated}, no pause): {_short(result.summary())}")
            report["single"]["memory"] = memory(system)
            say(f"memory: {report['single']['memory']}")


def _short(summary: dict[str, Any]) -> str:
    return (f"p50 {summary['p50_ms']} / p95 {summary['p95_ms']} / p99 {summary['p99_ms']} ms, "
            f"{summary['throughput_msg_s']} msg/s, {summary['messages']} messages, "
            f"{summary['errors']} errors, {summary['unexpected_replies']} unexpected; "
            f"CPU {summary['cpu_cores_used']}")


def _start_scaled(
    resources: contextlib.ExitStack, model: str, instances: int, balancer: str
) -> tuple[RunningStack, float]:
    """``instances`` Rasa servers and action servers behind the balancer, PostgreSQL + Redis."""
    work = resources.enter_context(tempfile.TemporaryDirectory(prefix=f"bench_scale{instances}_"))
    database = resources.enter_context(temporary_postgres_database("bhxh_bench"))
    locks = resources.enter_context(redis_namespace())
    tracker: TrackerStore = database
    config = StackConfig(model=model, rasa_instances=instances, action_instances=instances,
                         tracker_store=tracker, lock_store=locks, balance=True,
                         balancer=balancer)
    started = time.monotonic()
    system = resources.enter_context(running_stack(config, Path(work)))
    return system, round(time.monotonic() - started, 1)


def scale_comparison(args: argparse.Namespace, model: str,
                     conversations: Sequence[Conversation]) -> dict[str, Any]:
    """One instance and two instances, both running, measured in alternation.

    Both set-ups stay up for the whole comparison and their runs alternate (1, 2, then 2, 1, …),
    so that load from other users of the machine falls on both alike; each level is measured
    ``--scale-rounds`` times per set-up and the run with the median throughput is kept.
    """
    setups: dict[int, dict[str, Any]] = {}
    with contextlib.ExitStack() as resources:
        systems = {}
        for instances in (1, 2):
            systems[instances], startup = _start_scaled(resources, model, instances,
                                                        args.balancer)
            setups[instances] = {"instances": instances, "startup_s": startup, "runs": [],
                                 "all_rounds": []}
        for instances, system in systems.items():
            asyncio.run(run_load(system.rasa_url, "warm-up", 2 * instances * len(conversations),
                                 10, (0, 0), conversations))
        for level in args.scale_levels:
            rounds: dict[int, list[dict[str, Any]]] = {1: [], 2: []}
            for number in range(args.scale_rounds):
                for instances in ((1, 2) if number % 2 == 0 else (2, 1)):
                    result = asyncio.run(run_load(
                        systems[instances].rasa_url, f"{instances}x, {level} no pause", level,
                        args.scale_duration, (0.0, 0.0), conversations, systems[instances]))
                    rounds[instances].append(result.summary())
                    say(f"{instances} instance(s), {level} citizens, round {number + 1}: "
                        f"{_short(result.summary())}")
            for instances, summaries in rounds.items():
                ordered = sorted(summaries, key=lambda r: r["throughput_msg_s"])
                setups[instances]["runs"].append(ordered[len(ordered) // 2])
                setups[instances]["all_rounds"] += summaries
        for instances, system in systems.items():
            setups[instances]["memory"] = memory(system)
            setups[instances]["balancer"] = httpx.get(system.rasa_url + "/__balancer__").json()
    return {"setups": [setups[1], setups[2]], "comparison": compare(setups[1], setups[2])}


def _throughput_at(p95: float, runs: Sequence[dict[str, Any]]) -> tuple[float, bool]:
    """Throughput interpolated at a given p95 on a (p95 → throughput) curve; flag extrapolation."""
    points = sorted((r["p95_ms"], r["throughput_msg_s"]) for r in runs if r["p95_ms"] is not None)
    if p95 <= points[0][0]:
        return points[0][1], p95 < points[0][0]
    for (p_lo, t_lo), (p_hi, t_hi) in itertools.pairwise(points):
        if p_lo <= p95 <= p_hi:
            return t_lo + (t_hi - t_lo) * (p95 - p_lo) / max(p_hi - p_lo, 1e-9), False
    return max(t for _, t in points), True


def compare(one: dict[str, Any], two: dict[str, Any]) -> dict[str, Any]:
    """Throughput ratios: at equal concurrency, and at the p95 one instance reaches."""
    by_level = []
    for a, b in zip(one["runs"], two["runs"], strict=False):
        ratio = b["throughput_msg_s"] / a["throughput_msg_s"] if a["throughput_msg_s"] else None
        by_level.append({"concurrency": a["concurrency"],
                         "one": {"msg_s": a["throughput_msg_s"], "p95_ms": a["p95_ms"]},
                         "two": {"msg_s": b["throughput_msg_s"], "p95_ms": b["p95_ms"]},
                         "ratio": round(ratio, 2) if ratio else None})
    same_p95 = []
    for a in one["runs"]:
        if a["p95_ms"] is None or not a["throughput_msg_s"]:
            continue
        two_at, extrapolated = _throughput_at(a["p95_ms"], two["runs"])
        same_p95.append({"p95_ms": a["p95_ms"], "one_msg_s": a["throughput_msg_s"],
                         "two_msg_s": round(two_at, 2),
                         "ratio": round(two_at / a["throughput_msg_s"], 2),
                         "outside_measured_range": extrapolated})
    return {"at_equal_concurrency": by_level, "at_same_p95": same_p95,
            "cpu_ceiling": cpu_ceiling(one["runs"][-1], two["runs"][-1])}


def cpu_ms_per_message(run: dict[str, Any]) -> dict[str, float]:
    """CPU milliseconds each process (and the rest of the machine) spent per message of a run."""
    rate = run["throughput_msg_s"]
    if not rate:
        return {}
    return {name: round(cores * 1000 / rate, 1) for name, cores in run["cpu_cores_used"].items()}


def cpu_ceiling(one: dict[str, Any], two: dict[str, Any]) -> dict[str, Any]:
    """The most two instances can give on this machine's cores, from the CPU a message costs.

    Every process of the set-up (Rasa servers, action servers, balancers, intake, PostgreSQL and
    Redis in "rest of the machine", the load generator) shares the same cores; a message costs
    the sum of their CPU, so ``cores / that sum`` bounds the throughput of any number of
    instances, whatever the balancer does.
    """
    cores = os.cpu_count() or 1
    per_message = cpu_ms_per_message(two)
    total = sum(per_message.values())
    ceiling = cores * 1000 / total if total else None
    return {
        "concurrency": two["concurrency"],
        "one_cpu_ms_per_message": cpu_ms_per_message(one),
        "two_cpu_ms_per_message": per_message,
        "two_cpu_ms_total": round(total, 1),
        "cores": cores,
        "max_msg_s_on_these_cores": round(ceiling, 1) if ceiling else None,
        "max_ratio_to_one": round(ceiling / one["throughput_msg_s"], 2)
        if ceiling and one["throughput_msg_s"] else None,
    }


# ---------------------------------------------------------------------------- training
def time_training() -> dict[str, Any]:
    """A fresh ``rasa train`` into a temporary folder (the model is discarded)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with tempfile.TemporaryDirectory(prefix="bench_train_") as out:
        started = time.monotonic()
        done = subprocess.run(
            [str(ROOT / "bin" / "env"), "bot", "rasa", "train", "--config", "config.yml",
             "--domain", "domain.yml", "--data", "bot/data", "--out", out,
             "--fixed-model-name", "model", "--quiet"],
            cwd=ROOT, capture_output=True, text=True, check=False,
        )
        wall = time.monotonic() - started
        size = (Path(out) / "model.tar.gz").stat().st_size if done.returncode == 0 else None
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "method": "fresh `bin/env bot rasa train` into a temporary folder, timed by this script",
        "ok": done.returncode == 0,
        "wall_s": round(wall, 1),
        "cpu_s": round((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), 1),
        "peak_rss_mb": round(after.ru_maxrss / 1024),
        "model_mb": round(size / 2**20, 1) if size else None,
        "error": None if done.returncode == 0 else done.stderr[-2000:],
    }


# ---------------------------------------------------------------------------- report
def markdown(report: dict[str, Any]) -> str:
    """The short human-readable version of the results."""
    m = report["machine"]
    lines = [
        f"# Conversation load benchmark — {report['started_utc']}",
        "",
        f"Machine: {m['nproc']} cores ({m['cpu_model']}), {m['memory_gb']} GB; Python "
        f"{m['python_bot']}, Rasa {m['rasa']}, rasa-sdk {m['rasa_sdk']}; load average at start "
        f"{m['load_average_at_start']}; CPU already busy before the run: "
        f"{report['machine_busy_before']:.0%}. Commit {m['git_commit']}.",
        f"Conversations: {', '.join(report.get('conversations', []))}.",
        "",
        "| run | citizens | p50 ms | p95 ms | p99 ms | msg/s | messages | errors | unexpected |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    single = report["single"]
    rows = [single.get("per_message_warm"), *single.get("levels", []), single.get("saturated")]
    for scale in (report.get("scale") or {}).get("setups", []):
        rows += scale["runs"]
    for r in rows:
        if r:
            lines.append(f"| {r['label']} | {r['concurrency']} | {r['p50_ms']} | {r['p95_ms']} | "
                         f"{r['p99_ms']} | {r['throughput_msg_s']} | {r['messages']} | "
                         f"{r['errors']} | {r['unexpected_replies']} |")
    nlu = single.get("nlu_parse_warm")
    if nlu:
        lines += ["", f"NLU alone (`/model/parse`, warm, {nlu['answered']} typed messages): "
                      f"p50 {nlu['p50_ms']} ms, p95 {nlu['p95_ms']} ms."]
    if single.get("memory"):
        lines += ["", "Memory (RSS / peak, MB): " + ", ".join(
            f"{k} {v['rss_mb']}/{v['peak_rss_mb']}" for k, v in single["memory"].items())]
    cpu_rows = [r for r in rows if r and r.get("cpu_cores_used")]
    if cpu_rows:
        lines += ["", "CPU used during each run (cores; the machine has "
                      f"{m['nproc']}):", ""]
        for r in cpu_rows:
            lines.append(f"- {r['label']}: " + ", ".join(
                f"{k} {v}" for k, v in r["cpu_cores_used"].items())
                + f"; whole machine busy {r['machine_cpu_busy']:.0%}")
    scale = report.get("scale")
    if scale and scale.get("comparison"):
        balancer = report["settings"].get("balancer", PYTHON_BALANCER)
        lines += ["", f"One instance vs two behind the balancer ({balancer}; PostgreSQL + "
                      "Redis):", ""]
        for item in scale["comparison"]["at_equal_concurrency"]:
            lines.append(f"- {item['concurrency']} citizens: {item['one']['msg_s']} → "
                         f"{item['two']['msg_s']} msg/s (×{item['ratio']}); p95 "
                         f"{item['one']['p95_ms']} → {item['two']['p95_ms']} ms")
        for item in scale["comparison"]["at_same_p95"]:
            flag = " (outside the measured range)" if item["outside_measured_range"] else ""
            lines.append(f"- at p95 {item['p95_ms']} ms: {item['one_msg_s']} → "
                         f"{item['two_msg_s']} msg/s (×{item['ratio']}){flag}")
    ceiling = scale["comparison"].get("cpu_ceiling") if scale and scale.get("comparison") else None
    if ceiling:
        def _costs(costs: dict[str, float]) -> str:
            return ", ".join(f"{k} {v}" for k, v in costs.items())

        lines += [
            f"- CPU per message at {ceiling['concurrency']} citizens (ms): one instance: "
            f"{_costs(ceiling['one_cpu_ms_per_message'])}; two instances: "
            f"{_costs(ceiling['two_cpu_ms_per_message'])}.",
            f"- with two instances a message costs {ceiling['two_cpu_ms_total']} ms of CPU in "
            f"all; {ceiling['cores']} cores can give at most "
            f"{ceiling['max_msg_s_on_these_cores']} msg/s, ×{ceiling['max_ratio_to_one']} of "
            "one instance at that concurrency — the ceiling of the ratio on this machine.",
        ]
    if scale and scale.get("skipped"):
        lines += ["", f"Scale-out comparison skipped: {scale['skipped']}"]
    training = report.get("training")
    if training:
        lines += ["", f"Training: {training['wall_s']} s wall clock, {training['cpu_s']} s CPU, "
                      f"peak {training['peak_rss_mb']} MB ({training['method']})."]
    if report["notes"]:
        lines += ["", "Notes:", *(f"- {n}" for n in report["notes"])]
    return "\n".join(lines) + "\n"


def _span(think: tuple[float, float]) -> str:
    return f"{think[0]:g}–{think[1]:g}"


def _levels(text: str) -> list[int]:
    return [int(x) for x in text.split(",") if x.strip()]


def _think(text: str) -> tuple[float, float]:
    low, _, high = text.partition("-")
    return float(low), float(high or low)


def default_model() -> str:
    """``$BHXH_MODEL``, else the model ``bin/train`` prints (training it if needed)."""
    model = os.environ.get("BHXH_MODEL", "")
    if model:
        return model
    return subprocess.run([str(ROOT / "bin" / "train")], cwd=ROOT, capture_output=True,
                          text=True, check=True).stdout.strip()


def main(argv: Sequence[str] | None = None) -> int:
    """Runs the benchmark; writes bench/results/<timestamp>.json and .md."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--model", help="trained model (default $BHXH_MODEL or bin/train)")
    parser.add_argument("--levels", type=_levels, default=[1, 20, 100])
    parser.add_argument("--duration", type=float, default=45.0, help="seconds per run")
    parser.add_argument("--think", type=_think, default=(1.0, 3.0), help="pause range, s")
    parser.add_argument("--realistic", type=_think, default=(5.0, 15.0),
                        help="pause range of an extra, twice as long run of 20 citizens")
    parser.add_argument("--no-realistic", dest="realistic", action="store_const", const=None)
    parser.add_argument("--saturated", type=int, default=20,
                        help="citizens of the no-pause run (0: skip)")
    parser.add_argument("--warm-messages", type=int, default=80)
    parser.add_argument("--single", action=argparse.BooleanOptionalAction, default=True,
                        help="parts 1–4 (one instance, SQLite)")
    parser.add_argument("--scale", action=argparse.BooleanOptionalAction, default=True,
                        help="part 5 (one vs two instances)")
    parser.add_argument("--scale-levels", type=_levels, default=[2, 4, 8])
    parser.add_argument("--scale-duration", type=float, default=20.0)
    parser.add_argument("--scale-rounds", type=int, default=2,
                        help="runs per level and set-up (alternating; the median is kept)")
    parser.add_argument("--balancer", choices=["auto", NGINX, PYTHON_BALANCER], default="auto",
                        help="balancer of part 5: nginx as in production (auto: when installed) "
                             "or stack.balancer")
    parser.add_argument("--train", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--quick", action="store_true",
                        help="10 s runs, levels 1,20, no training (a smoke test)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    # a SIGTERM unwinds like Ctrl-C, so that every process started is stopped
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if args.quick:
        args.duration, args.scale_duration, args.train = 10.0, 10.0, False
        args.levels, args.scale_levels, args.warm_messages = [1, 20], [2, 4], 30
        args.scale_rounds = 1
    if args.balancer == "auto":
        args.balancer = NGINX if nginx_path() else PYTHON_BALANCER
    model = os.path.realpath(args.model or default_model())
    started = datetime.now(timezone.utc)
    report: dict[str, Any] = {
        "started_utc": started.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "machine": machine(),
        "machine_busy_before": idle_busy(),
        "model": model,
        "settings": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "single": {"levels": []},
        "notes": [],
    }
    say(f"machine: {report['machine']}; CPU busy before start {report['machine_busy_before']:.0%}")
    if args.single:
        single_instance(args, model, report)
    else:
        report["conversations"] = [c.name for c in CONVERSATIONS]
    conversations = [c for c in CONVERSATIONS if c.name in report["conversations"]]
    if args.scale:
        if not (postgres_available() and redis_available()):
            report["scale"] = {"skipped": "PostgreSQL or Redis is not reachable on 127.0.0.1"}
        else:
            report["scale"] = scale_comparison(args, model, conversations)
            say(f"comparison: {report['scale']['comparison']}")
    if args.train:
        say("training a fresh model (timed) …")
        report["training"] = time_training()
        say(f"training: {report['training']}")
    args.out.mkdir(parents=True, exist_ok=True)
    stem = args.out / started.strftime("%Y%m%dT%H%M%SZ")
    stem.with_suffix(".json").write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n",
                                         encoding="utf-8")
    stem.with_suffix(".md").write_text(markdown(report), encoding="utf-8")
    print(markdown(report))
    say(f"results: {stem}.json, {stem}.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
