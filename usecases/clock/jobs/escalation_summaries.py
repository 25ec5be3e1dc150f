"""Once for each playbook, before its first escalation: a summary of the exception items
logged before its handoff terms began (usecases/escalation.py)."""

from __future__ import annotations

from cadence.state import PlaybookState
from usecases import escalation
from usecases.clock.job import ClockJob, Tick


def due(tick: Tick) -> list[PlaybookState] | None:
    return None if tick.people_held else [state for state, _ in tick.running]


def run(tick: Tick, running: list[PlaybookState]) -> None:
    summaries = escalation.tell_backlogs(tick.store, running, tick.reads.curators_channel, tick.at)
    if summaries:
        tick.report.counts[("escalation summary", "done")] += summaries


JOB = ClockJob("escalation summaries", due, run, after=("exception queues",))
