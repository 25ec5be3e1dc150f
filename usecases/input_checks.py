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
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from cadence import calendar, inputs, keys
from cadence.change import Message
from cadence.inputs import InputCheck
from cadence.limits import MAX_VALUE
from cadence.pulled import Asked
from cadence.state import PlaybookState
from sources import Fetcher, SourceFailed, each
from storage.cadence_log import Work
from storage.input_checks import AlreadyChecked, check_row
from storage.store import Store
from templates import notices_inputs
from usecases.shared import pulling
from usecases.shared import work as work_log

log = logging.getLogger(__name__)

CheckAnswer = pulling.Answer[InputCheck]  # a checked input of a week, and what its source said


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


async def ask(
    fetcher: Fetcher, state: PlaybookState, check: InputCheck, week_start: date, environ: Mapping[str, str]
) -> float:
    """An input's check for a week: its source's number. Raises SourceFailed."""
    value = await pulling.fetch(fetcher, state, check.entry, week_start, environ)
    if abs(value) > MAX_VALUE:
        raise SourceFailed(f"out of range: {value:g}")
    return value


class InputClock(pulling.PullingClock[InputCheck]):
    """Each checked input, asked from its week's Sunday 12:00."""

    numbers, opens_at, ask = staticmethod(inputs.checks), staticmethod(inputs.opens_at), staticmethod(ask)

    def _asked(self, weeks: list[date]) -> dict[tuple[int, date, str], Asked]:
        return self.store.input_checks.asked(weeks)

    def run(
        self, states: list[PlaybookState], at: datetime, deadline: datetime, stop: threading.Event | None = None
    ) -> Checked:
        """Ask every check due, none started at or after `deadline` (the pass's, by the
        injected clock) or once `stop` is set; store each result, and tell what fell below."""
        jobs = self.due(states, at)
        done = Checked()
        if not jobs:
            return done
        answers = self._answers(jobs, deadline, stop)
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
            recorded = work_log.claim(uow, work, self.clock())
            uow.commit()
        return sorted(recorded)

    def _told(self, found: CheckAnswer) -> Work:
        """One DM to the exception owner (else the owner): the input fell below its min."""
        job, check = found.job, found.job.number
        playbook = job.state.playbook
        to = job.state.spec.exception_owner or playbook.owner_id
        payload = notices_inputs.input_below(
            slug=playbook.slug,
            title=playbook.title,
            input_name=check.name,
            value=found.value,
            minimum=check.min,
            source=check.source,
            week=job.week.week_start.isoformat(),
            when_missing=check.when_missing,
            owner=check.owner,
        )
        unit = keys.input_below(playbook.id, job.week.week_start, check.name)
        message = Message(keys.to_audience(unit, "owner"), "chat.postMessage", to, payload)
        return Work(unit, "input-below", found.at, "done", playbook.id, job.week.week_start, messages=[message])


def _row(found: CheckAnswer) -> dict[str, Any]:
    return check_row(*found.asked(), found.job.number.min, found.at, found.value, found.error)


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
        return Tried(check, *await pulling.answered(ask(fetcher, state, check, week_start, environ)))

    return each(checks, one, min(workers, len(checks)), timeout) if checks else []
