"""An ai-led step's fallback mode, and its end (usecases/escalation.py)."""

from __future__ import annotations

from cadence.state import PlaybookState
from usecases import escalation
from usecases.clock.job import ClockJob, Tick


def due(tick: Tick) -> list[PlaybookState] | None:
    return None if tick.people_held else [state for state, _ in tick.running]


def run(tick: Tick, running: list[PlaybookState]) -> None:
    fell = escalation.fallbacks(tick.store, running, tick.at)
    if fell:
        tick.report.counts[("fallback", "done")] += fell


JOB = ClockJob("fallbacks", due, run, after=("escalations",))
