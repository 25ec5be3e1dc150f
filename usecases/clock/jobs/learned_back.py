"""What the adopters of a playbook learned, told back to its owner (usecases/learned_back.py)."""

from __future__ import annotations

from storage.cadence_log import Work
from usecases import learned_back
from usecases.clock import reach
from usecases.clock.job import ClockJob, Tick


def due(tick: Tick) -> list[Work] | None:
    if tick.people_held:
        return None
    reads = tick.reads
    return learned_back.due(tick.store, reads.cursors, tick.at, reads.adopters, lambda s: reach.owner_zones(tick, s))


def run(tick: Tick, work: list[Work]) -> None:
    tick.record(work)


JOB = ClockJob("learned back", due, run, after=("fallbacks",))
