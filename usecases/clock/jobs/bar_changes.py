"""Approved bar changes due from the week now open: after the week closes, so the week
closed is judged on the bar it ran under. Only when weeks closed, and not on a dry run."""

from __future__ import annotations

from usecases import bar_requests
from usecases.clock.job import ClockJob, Tick


def due(tick: Tick) -> bool | None:
    closed = any(work.closes for _, _, work in tick.plans)
    return True if closed and not tick.dry_run else None


def run(tick: Tick, _: bool) -> None:
    bar_requests.apply_due(tick.store, tick.org_timezone, tick.clock())


JOB = ClockJob("bar changes due", due, run, after=("week closes",))  # the bar changes the week's close made due
