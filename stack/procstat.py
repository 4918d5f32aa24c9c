"""Memory and CPU time of a process and its descendants, read from ``/proc`` (Linux only)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")


@dataclass(frozen=True)
class TreeStats:
    """Resource use of one process tree at one moment.

    Attributes:
        processes: how many processes the tree has.
        rss_bytes: resident memory now, summed over the tree.
        peak_rss_bytes: the largest resident memory each process has had (VmHWM), summed.
        cpu_seconds: user + system CPU time consumed so far, summed over the tree.
    """

    processes: int
    rss_bytes: int
    peak_rss_bytes: int
    cpu_seconds: float


def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # the command name is in parentheses and may contain spaces
        fields = stat[stat.rfind(")") + 2 :].split()
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    return children


def tree_pids(pid: int) -> list[int]:
    """``pid`` and all its descendants that exist now."""
    children = _children_map()
    found: list[int] = []
    todo = [pid]
    while todo:
        current = todo.pop()
        if (PROC / str(current)).exists():
            found.append(current)
            todo.extend(children.get(current, []))
    return found


def _status_kb(pid: int, key: str) -> int:
    try:
        for line in (PROC / str(pid) / "status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process (without its children); 0 when it is gone."""
    try:
        stat = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return 0.0
    fields = stat[stat.rfind(")") + 2 :].split()
    ticks = int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return ticks / os.sysconf("SC_CLK_TCK")


def tree_stats(pid: int) -> TreeStats:
    """Memory and CPU time of ``pid`` and its descendants (zeros when it has exited)."""
    pids = tree_pids(pid)
    return TreeStats(
        processes=len(pids),
        rss_bytes=sum(_status_kb(p, "VmRSS") for p in pids) * 1024,
        peak_rss_bytes=sum(_status_kb(p, "VmHWM") for p in pids) * 1024,
        cpu_seconds=sum(cpu_seconds(p) for p in pids),
    )
