"""The AI's inputs, checked (docs/sources.md, "Input checks").

The clock's part (`InputClock.run`, in the sources' pass beside the tick, never inside
it: usecases/sources.py `SourceClock.run_due`): each checked input of an active playbook
in a running cycle is asked once a week, from the week's Sunday 12:00 (playbook time)
until the week closes, with the sources' fetchers, timeouts and deadline. A check that
fails or times out is a `failed` row, shown as failed, asked again like a sourced number
(cadence.sources.next_ask) and never holds the clock. A value below its min is a `below`
row and one DM to the exception owner (else the owner) quoting `when_missing`, in the
same unit of work: once per input per week, through the outbox.

Also what status and the web view show (`latest`), `rollout source test`'s checks
(`test`); readiness's weeks met are usecases/shared/reliability.py's `input_weeks`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from cadence import calendar, inputs, keys
from cadence.inputs import InputCheck
from cadence.limits import MAX_VALUE
from cadence.sources import next_ask
from sources import Fetcher, Source, SourceFailed, Window, each
from storage.cadence_log import Work
from storage.input_checks import AlreadyChecked, check_row
from storage.outbox import Message
from storage.store import PlaybookState, Store
from templates import notices_inputs

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CheckJob:
    """One checked input of one week, to ask its source about."""

    state: PlaybookState
    week_start: date
    check: InputCheck

    def key(self) -> tuple[int, date, str]:
        return (self.state.playbook.id, self.week_start, self.check.name)


@dataclass(frozen=True)
class CheckAnswer:
    job: CheckJob
    value: float | None
    error: str | None
    at: datetime


@dataclass
class Checked:
    """What one pass did with the inputs' checks."""

    asked: int = 0
    met: int = 0
    below: int = 0
    failed: int = 0
    deferred: int = 0
    told: list[str] = field(default_factory=list)  # the DMs' keys recorded

    def summary(self) -> str:
        parts = [f"{self.met} met", f"{self.below} below their min", f"{self.failed} failed"] if self.asked else []
        parts += [f"{self.deferred} left for the next pass"] if self.deferred else []
        return f"input checks: {', '.join(parts)}" if parts else ""


def _window(week_start: date, tz: str) -> Window:
    zone = ZoneInfo(tz)
    start = datetime.combine(week_start, time(0), tzinfo=zone)
    return Window(start, datetime.combine(week_start + timedelta(days=7), time(0), tzinfo=zone))


async def ask(
    fetcher: Fetcher, state: PlaybookState, check: InputCheck, week_start: date, environ: Mapping[str, str]
) -> float:
    """An input's check for a week: its source's number. Raises SourceFailed."""
    spec = (state.playbook.definition.get("sources") or {}).get(check.source)
    if spec is None:
        raise SourceFailed(f"the playbook has no source {check.source}")
    value = await fetcher.fetch(Source.of(spec, environ), check.entry, _window(week_start, state.playbook.timezone))
    if abs(value) > MAX_VALUE:
        raise SourceFailed(f"out of range: {value:g}")
    return value


class InputClock:
    def __init__(
        self, store: Store, clock: Callable[[], datetime], environ: Mapping[str, str], workers: int, timeout: float
    ):
        self.store, self.clock, self.environ = store, clock, environ
        self.workers, self.timeout = workers, timeout

    def due(self, states: list[PlaybookState], at: datetime) -> list[CheckJob]:
        """Every checked input of an open week of an active playbook whose Sunday 12:00
        has come, not yet settled, and due: never asked, or its next ask come. Never
        asked first, then the longest waiting."""
        candidates: list[CheckJob] = []
        for state in states:
            checks = inputs.checks(state.playbook.definition)
            if not checks or state.playbook.status != "active" or state.cycle_anchor is None:
                continue
            tz, grace = state.playbook.timezone, state.settings.grace_hours
            for week in calendar.open_weeks(state.running(), tz, grace, at):
                if inputs.opens_at(week.week_start, tz) <= at:
                    candidates += [CheckJob(state, week.week_start, check) for check in checks]
        if not candidates:
            return []
        asked = self.store.input_checks.asked([job.week_start for job in candidates])
        jobs: list[tuple[datetime, CheckJob]] = []
        for job in candidates:
            before = asked.get(job.key())
            if before is None:
                jobs.append((datetime.min.replace(tzinfo=at.tzinfo), job))
            elif not before.settled:
                playbook = job.state.playbook
                closes = calendar.week_closes_at(job.week_start, playbook.timezone, job.state.settings.grace_hours)
                if next_ask(before.last_at, before.failures, closes) <= at:
                    jobs.append((before.last_at, job))
        return [job for _, job in sorted(jobs, key=lambda pair: pair[0])]

    def run(
        self, states: list[PlaybookState], at: datetime, deadline: datetime, stop: threading.Event | None = None
    ) -> Checked:
        """Ask every check due, none started at or after `deadline` (the pass's, by the
        injected clock) or once `stop` is set; store each result, and tell what fell below."""
        jobs = self.due(states, at)
        done = Checked()
        if not jobs:
            return done

        async def answer(fetcher: Fetcher, job: CheckJob) -> CheckAnswer | None:
            if (stop is not None and stop.is_set()) or self.clock() >= deadline:
                return None  # the next pass's: not asked, nothing recorded
            try:
                value = await ask(fetcher, job.state, job.check, job.week_start, self.environ)
                return CheckAnswer(job, value, None, self.clock())
            except SourceFailed as err:
                return CheckAnswer(job, None, str(err), self.clock())

        answers = [a for a in each(jobs, answer, min(self.workers, len(jobs)), self.timeout) if a is not None]
        done.asked, done.deferred = len(answers), len(jobs) - len(answers)
        for found in answers:
            outcome = _row(found)["outcome"]
            done.met += outcome == "met"
            done.below += outcome == "below"
            done.failed += outcome == "failed"
        done.told = self._store(answers)
        return done

    def _store(self, answers: list[CheckAnswer]) -> list[str]:
        """The results, and a DM for each below its min, in one unit of work; if another
        clock settled one meanwhile, one answer at a time (the settled one keeps nothing)."""
        told: list[str] = []
        try:
            told = self._write(answers)
        except AlreadyChecked:
            for found in answers:
                try:
                    told += self._write([found])
                except AlreadyChecked:
                    log.info("an input check not stored: another clock's")
        return told

    def _write(self, answers: list[CheckAnswer]) -> list[str]:
        rows = [_row(a) for a in answers]
        work = [self._told(a) for a, row in zip(answers, rows, strict=True) if row["outcome"] == "below"]
        with self.store.unit_of_work() as uow:  # a result and its DM, or neither
            uow.input_checks.record(rows)
            recorded = uow.cadence_log.record(work, self.clock())
            uow.commit()
        return sorted(recorded)

    def _told(self, found: CheckAnswer) -> Work:
        """One DM to the exception owner (else the owner): the input fell below its min."""
        job, check = found.job, found.job.check
        playbook = job.state.playbook
        to = playbook.definition.get("exception_owner") or playbook.owner_id
        payload = notices_inputs.input_below(
            slug=playbook.slug,
            title=playbook.title,
            input_name=check.name,
            value=found.value,
            minimum=check.min,
            source=check.source,
            week=job.week_start.isoformat(),
            when_missing=check.when_missing,
            owner=check.owner,
        )
        unit = keys.input_below(playbook.id, job.week_start, check.name)
        message = Message(keys.to_audience(unit, "owner"), "chat.postMessage", to, payload)
        return Work(unit, "input-below", found.at, "done", playbook.id, job.week_start, messages=[message])


def _row(found: CheckAnswer) -> dict[str, Any]:
    job, check = found.job, found.job.check
    return check_row(
        job.state.playbook.id,
        job.week_start,
        check.name,
        check.source,
        check.asked,
        check.min,
        found.at,
        found.value,
        found.error,
    )


# ---- what status, the web view, `source test` and readiness read ----


@dataclass(frozen=True)
class Shown:
    """A checked input's latest result: its value against its min, or why it failed."""

    name: str
    minimum: float
    source: str
    week: date | None
    value: float | None
    outcome: str | None  # met, below, failed; None: not asked yet
    error: str | None
    at: datetime | None


def latest(store: Store, state: PlaybookState, now: datetime, weeks: int = 2) -> list[Shown]:
    """Each checked input's newest result of the last `weeks` weeks before `now` (a value,
    once there, is not undone by a later failure of the same week)."""
    checks = inputs.checks(state.playbook.definition)
    if not checks:
        return []
    first = calendar.monday_of(calendar.local_date(now, state.playbook.timezone)) - timedelta(days=7 * weeks)
    newest: dict[str, Any] = {}
    for result in store.input_checks.of_playbook(state.playbook.id, first):
        before = newest.get(result.input)
        if before is None or result.week_start > before.week_start or before.outcome == "failed":
            newest[result.input] = result
    shown = []
    for check in checks:
        row = newest.get(check.name)
        shown.append(
            Shown(
                check.name,
                check.min,
                check.source,
                row.week_start if row else None,
                row.value if row else None,
                row.outcome if row else None,
                row.error if row else None,
                row.checked_at.astimezone(ZoneInfo(state.playbook.timezone)) if row else None,
            )
        )
    return shown


@dataclass(frozen=True)
class Tried:
    check: InputCheck
    value: float | None
    error: str | None


def test(
    state: PlaybookState, week_start: date, environ: Mapping[str, str], workers: int, timeout: float
) -> list[Tried]:
    """Ask every input's check now for the week `week_start`; store nothing."""
    checks = inputs.checks(state.playbook.definition)

    async def one(fetcher: Fetcher, check: InputCheck) -> Tried:
        try:
            return Tried(check, await ask(fetcher, state, check, week_start, environ), None)
        except SourceFailed as err:
            return Tried(check, None, str(err))

    return each(checks, one, min(workers, len(checks)), timeout) if checks else []
