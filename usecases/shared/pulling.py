"""Asking the sources for pulled numbers (cadence/pulled.py), as the sourced numbers
(usecases/sources.py) and the inputs' checks (usecases/input_checks.py) both do: which
are due, one number fetched, and a pass's asks, none started after its deadline."""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Generic, TypeVar

from cadence import calendar, pulled
from cadence.inputs import InputCheck
from cadence.sources import Entry
from cadence.state import PlaybookState
from sources import Fetcher, Source, SourceFailed, Window, each
from storage.store import Store

P = TypeVar("P", Entry, InputCheck)  # a sourced number's `from:`, or an input's check


@dataclass(frozen=True)
class Job(Generic[P]):
    """One pulled number of one week, to ask its source for."""

    state: PlaybookState
    week: calendar.WeekRef
    number: P

    def key(self) -> tuple[int, date, str]:
        return (self.state.playbook.id, self.week.week_start, self.number.key)

    def source_key(self) -> tuple[int, date, str]:
        return (self.state.playbook.id, self.week.week_start, self.number.source)

    def closes_at(self) -> datetime:
        state = self.state
        return calendar.week_closes_at(self.week.week_start, state.playbook.timezone, state.settings.grace_hours)


@dataclass(frozen=True)
class Answer(Generic[P]):
    job: Job[P]
    value: float | None
    error: str | None
    at: datetime

    def asked(self) -> tuple[int, date, str, str, str]:
        """What it answers, as its row keeps it: the playbook, the week, the number, its
        source and what the source was asked."""
        job = self.job
        return job.state.playbook.id, job.week.week_start, job.number.key, job.number.source, job.number.asked


def window(week_start: date, tz: str) -> Window:
    """A week's bounds as instants in the playbook's zone: Monday 00:00 to the next Monday 00:00."""
    return Window(*pulled.week_bounds(week_start, tz))


async def fetch(
    fetcher: Fetcher, state: PlaybookState, entry: Entry, week_start: date, environ: Mapping[str, str]
) -> float:
    """The number `entry` asks its source for, of the week `week_start`. Raises SourceFailed."""
    spec = state.spec.sources.get(entry.source)
    if spec is None:
        raise SourceFailed(f"the playbook has no source {entry.source}")
    return await fetcher.fetch(Source.of(spec, environ), entry, window(week_start, state.playbook.timezone))


async def answered(asking: Awaitable[float]) -> tuple[float | None, str | None]:
    """The number asked for, or why it did not come (SourceFailed's words)."""
    try:
        return await asking, None
    except SourceFailed as err:
        return None, str(err)


Ask = Callable[[Fetcher, PlaybookState, P, date, Mapping[str, str]], Awaitable[float]]


class PullingClock(ABC, Generic[P]):
    """The clock's asks of one kind of pulled number in the sources' pass: the sourced
    numbers' (usecases/sources.py) or the inputs' checks' (usecases/input_checks.py). A
    kind says what its numbers are in a definition (`numbers`), when a week's are first
    asked (`opens_at`), how one is asked (`ask`), and what the clock asked before (`_asked`)."""

    numbers: Callable[[Mapping[str, Any]], Sequence[P]]
    opens_at: Callable[[date, str], datetime]
    ask: Ask[P]
    by_source = False  # a source's numbers of a week wait as one

    def __init__(
        self, store: Store, clock: Callable[[], datetime], environ: Mapping[str, str], workers: int, timeout: float
    ):
        self.store, self.clock, self.environ = store, clock, environ
        self.workers, self.timeout = workers, timeout

    @abstractmethod
    def _asked(self, weeks: list[date]) -> Mapping[tuple[int, date, str], pulled.Asked]:
        """What the clock asked before of these weeks' numbers, by (playbook, week, number)."""

    def due(self, states: list[PlaybookState], at: datetime) -> list[Job[P]]:
        """Every number of an open week of an active playbook whose asking has begun, not
        yet settled and due: never asked, or its next ask come (cadence.pulled.due). Never
        asked first, then the longest waiting."""
        candidates: list[Job[P]] = []
        for state in states:
            found = self.numbers(state.playbook.definition)
            if not found or state.playbook.status != "active" or state.cycle_anchor is None:
                continue
            tz, grace = state.playbook.timezone, state.settings.grace_hours
            for week in calendar.open_weeks(state.running(), tz, grace, at):
                if self.opens_at(week.week_start, tz) <= at:
                    candidates += [Job(state, week, number) for number in found]
        if not candidates:
            return []
        asked = self._asked([job.week.week_start for job in candidates])
        return pulled.due(candidates, asked, at, Job.key, Job.closes_at, Job.source_key if self.by_source else None)

    def _answers(self, jobs: list[Job[P]], deadline: datetime, stop: threading.Event | None = None) -> list[Answer[P]]:
        """Ask for each job, at most `workers` at once and in their order; none started at
        or after `deadline` (by the injected clock) or once `stop` is set."""

        async def answer(fetcher: Fetcher, job: Job[P]) -> Answer[P] | None:
            if (stop is not None and stop.is_set()) or self.clock() >= deadline:
                return None  # left for the next pass: not asked, nothing recorded
            value, error = await answered(self.ask(fetcher, job.state, job.number, job.week.week_start, self.environ))
            return Answer(job, value, error, self.clock())

        return [a for a in each(jobs, answer, min(self.workers, len(jobs)), self.timeout) if a is not None]
