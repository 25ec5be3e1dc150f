"""The readiness notice, told once to the playbooks owed it (usecases/readiness_news.py)."""

from __future__ import annotations

from usecases.clock.job import ClockJob, Tick
from usecases.readiness_news import tell_once


def due(tick: Tick) -> list[int] | None:
    return None if tick.people_held else tick.reads.owed


def run(tick: Tick, owed: list[int]) -> None:
    tell_once(tick.store, owed, tick.at, tick.clock(), tick.report)


JOB = ClockJob("readiness news", due, run, after=("learned back",))
