"""Exception items unanswered past their SLA, escalated to the curators
(usecases/escalation.py)."""

from __future__ import annotations

from cadence.state import PlaybookState
from usecases import escalation
from usecases.clock.job import ClockJob, Tick


def due(tick: Tick) -> list[PlaybookState] | None:
    return None if tick.people_held else [state for state, _ in tick.running]


def run(tick: Tick, running: list[PlaybookState]) -> None:
    escalated = escalation.escalate_due(tick.store, running, tick.reads.curators_channel, tick.at)
    if escalated:
        tick.report.counts[("escalation", "done")] += escalated


JOB = ClockJob("escalations", due, run, after=("escalation summaries",))
