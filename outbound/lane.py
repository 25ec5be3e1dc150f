"""The loop every outbound lane runs: the Slack outbox's dispatcher (slack_api/dispatch.py)
and the webhooks' lane (outbound/webhooks.py). Each lane says how it claims, posts and
records a round (`run_once`), when its next delivery comes due and what still waits; the
loop around it is this one:

- `recover`: leases held by a process of this host that is gone (a kill -9) are freed at
  once, instead of waiting for them to run out;
- `drain`: rounds until nothing is due, waiting for retries due within `max_wait` (its
  first call recovers, as `run_forever` does once: a caller that drains again and again,
  as `rollout demo` does each simulated hour, asks for dead holders once);
- `run_forever`: rounds until told to stop, resting `idle_seconds` when a round found
  nothing, and logging (never dying of) a round that failed.

A lease's holder is named `host:pid:...` (`worker_name`), which is how `recover` knows a
dead process of its own host.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

log = logging.getLogger(__name__)

HOST = socket.gethostname()


def worker_name(*more: object) -> str:
    """A lease holder's name: this host, this process, and what tells it apart in it."""
    return ":".join([HOST, str(os.getpid()), *map(str, more)])


class Lane(ABC):
    """The loop, for a lane that fills in the methods below it."""

    name = "lane"  # in its logs and its threads' names
    drain_wait = 600.0  # what `drain` waits for retries by default, in seconds
    clock: Callable[[], datetime]
    sleep: Callable[[float], None]
    _executor: ThreadPoolExecutor | None = None
    _recovered = False  # `drain` recovers at its first call only

    # ---- what each lane says ----

    @abstractmethod
    def run_once(self, stop: threading.Event | None = None) -> int:
        """Claim, post and record one round; how many deliveries it claimed (0: none due).
        Once `stop` is set, it claims no more."""
        ...

    @abstractmethod
    def next_due(self) -> datetime | None:
        """When a delivery can next be claimed (None: nothing waits)."""
        ...

    @abstractmethod
    def pending_count(self) -> int: ...

    @abstractmethod
    def leases_held(self, prefix: str) -> set[str]:
        """The holders named `prefix...` of leases that still run."""
        ...

    def dead_holder(self, holder: str) -> tuple[int, str] | None:
        """The process id in one of this lane's lease holders, and the name whose leases to
        free when that process is gone; None for a holder not of this lane."""
        pid = holder.split(":")[1] if holder.count(":") >= 1 else ""
        return (int(pid), holder) if pid.isdigit() else None

    @abstractmethod
    def release_holder(self, holder: str) -> int:
        """Free every lease `holder` (as `dead_holder` names it) has; how many."""
        ...

    def held(self) -> bool:
        """Whether delivery is held for now (the Slack outbox: a token refused)."""
        return False

    # ---- the loop ----

    def pool(self, workers: int) -> ThreadPoolExecutor:
        if self._executor is None:
            self._executor = ThreadPoolExecutor(workers, thread_name_prefix=self.name)
        return self._executor

    def recover(self) -> int:
        """Free the leases of this lane's processes that died on this host (their process is
        gone), instead of waiting for the leases to run out."""
        freed = 0
        for holder in self.leases_held(f"{HOST}:"):
            dead = self.dead_holder(holder)
            if dead is not None and dead[0] != os.getpid() and not _alive(dead[0]):
                freed += self.release_holder(dead[1])
        if freed:
            log.info("%s: recovered %d delivery(ies) from a process that died on this host", self.name, freed)
        return freed

    def drain(self, max_wait: float | None = None) -> int:
        """Deliver until nothing is due; waits for retries due within `max_wait` seconds
        (`drain_wait` if not given). Returns how many still wait afterwards."""
        max_wait = self.drain_wait if max_wait is None else max_wait
        if not self._recovered:
            self.recover()
            self._recovered = True
        started = self.clock()
        while True:
            if self.run_once():
                continue
            if self.held():
                return self.pending_count()
            due = self.next_due()
            if due is None:
                return 0
            if (due - started).total_seconds() > max_wait:
                return self.pending_count()
            self.sleep(max(0.05, min((due - self.clock()).total_seconds(), 5.0)))

    def run_forever(self, stop: threading.Event, idle_seconds: float = 1.0) -> None:
        try:
            self.recover()
        except Exception:
            log.exception("%s: could not recover leases; they run out by themselves", self.name)
        while not stop.is_set():
            try:
                if self.run_once(stop=stop):
                    continue
            except Exception:
                log.exception("%s: a round failed; retrying", self.name)
            stop.wait(idle_seconds)
        self.close()

    def close(self) -> None:
        """Let the lane's threads go (a later round starts new ones)."""
        if self._executor is not None:
            self._executor.shutdown(wait=False)
            self._executor = None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: alive
    return True
