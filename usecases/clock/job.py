"""A clock job and the tick it works in.

A `ClockJob` says what of its work is due in a tick (`due`: None when it has nothing to do
there) and does it (`run`), recording what it did in the tick's report. Each capability names its
jobs once (cadence/capabilities.py); usecases/clock/registry.py orders them by their `after`
and usecases/tick.py runs them one after the other.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any, Generic, TypeVar

from slack_sdk import WebClient

from cadence import keys
from cadence.change import Message
from cadence.schedule import Due, PlaybookClock, PlaybookWork, playbook_work
from cadence.state import PlaybookState
from slack_api.members import TeamDirectory
from storage.cadence_log import Work
from storage.store import Store
from usecases.digest import Digest
from usecases.shared import work as work_log
from usecases.tick_reads import TickReads, TickReport, playbook_clock

W = TypeVar("W")


@dataclass
class Tick:
    """One tick: its instant, what it read, what it reports, and what its jobs work with."""

    at: datetime
    reads: TickReads
    report: TickReport
    store: Store
    client: WebClient
    directory: TeamDirectory
    org_timezone: str
    clock: Callable[[], datetime]  # the real time, for the record
    admins: frozenset[str]
    digest: Digest

    @property
    def dry_run(self) -> bool:
        return self.store.dry_run

    @cached_property
    def plans(self) -> list[tuple[PlaybookState, PlaybookClock, PlaybookWork]]:
        """Every playbook the clock watches, its clock, and what of its own is due (paused and
        retired ones too: their last week still closes)."""
        cursors, plans = self.reads.cursors, []
        for state in self.reads.states:
            clock = playbook_clock(state, self.reads.holidays)
            plans.append((state, clock, playbook_work(clock, cursors.get(state.playbook.id, {}), self.at)))
        return plans

    @cached_property
    def running(self) -> list[tuple[PlaybookState, PlaybookClock]]:
        """The active playbooks' plans: only they send anything."""
        return [(state, clock) for state, clock, _ in self.plans if state.playbook.status == "active"]

    @cached_property
    def people_held(self) -> str | None:
        """Why Slack refuses the token, if it did before the owners' and curators' jobs
        began: the first of them to ask fixes it for them all, so a refusal one of them
        meets (asking for the owners' zones) skips none of the others."""
        return self.report.held

    def record(self, work: list[Work]) -> None:
        """Record `work` in a unit of work of its own, and in the report what was recorded."""
        self.report.add(work, work_log.record(self.store, work, self.clock()))


@dataclass(frozen=True)
class ClockJob(Generic[W]):
    """One job of the clock: `due(tick)` is its work in the tick (None: nothing to do),
    `run(tick, work)` does it and adds what it did to `tick.report`; `after` and `before`:
    the jobs (by name) a tick runs before and after it (usecases/clock/registry.py orders
    them so)."""

    name: str
    due: Callable[[Tick], W | None]
    run: Callable[[Tick, W], None]
    after: tuple[str, ...] = ()
    before: tuple[str, ...] = ()


def done(due: Due, messages: list[Message]) -> Work:
    return Work(due.key, due.kind, due.due_at, "done", due.playbook_id, due.week_start, due.user_id, messages=messages)


def skipped(due: Due, note: str) -> Work:
    return Work(due.key, due.kind, due.due_at, "skipped", due.playbook_id, due.week_start, due.user_id, note=note)


def posted(due: Due, to: str, message: dict[str, Any]) -> Work:
    """`due` done: its one message posted to `to` (a channel, or a person's DM)."""
    return done(due, [Message(keys.only_message(due.key), "chat.postMessage", to, message)])


def late(due: Due) -> str:
    return f"due {due.due_at.isoformat(timespec='minutes')}"
