"""Starts the system's processes for tests and benchmarks, and stops them again.

The pieces, one module each:

* :mod:`stack.ports` — free TCP ports;
* :mod:`stack.process` — one managed process: start, wait until healthy, stop, kill, log tail;
* :mod:`stack.procstat` — memory (RSS) and CPU time of a process tree, from ``/proc``;
* :mod:`stack.endpoints`, :mod:`stack.credentials` — the Rasa files written for each run;
* :mod:`stack.backing` — PostgreSQL, Redis and RabbitMQ on 127.0.0.1: reachability checks and
  temporary, uniquely named resources (a database, a key prefix, a queue);
* :mod:`stack.tracker_migration` — the tracker store migration (index on ``events.sender_id``);
* :mod:`stack.balancer` — a tiny asyncio round-robin HTTP reverse proxy;
* :mod:`stack.system` — the whole system (intake, N action servers, M Rasa servers, balancers)
  as one context manager.

Typical use::

    from stack import StackConfig, running_stack

    with running_stack(StackConfig(model=os.environ["BHXH_MODEL"]), work_dir) as system:
        replies = system.say("citizen-1", "xin chào")

Nothing runs at import time; every process started is stopped when the context ends.
"""

from __future__ import annotations

from stack.process import ManagedProcess, StackError
from stack.system import RunningStack, StackConfig, running_stack

__all__ = ["ManagedProcess", "RunningStack", "StackConfig", "StackError", "running_stack"]
