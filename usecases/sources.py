"""Numbers pulled from the systems that hold them (docs/sources.md).

The clock's part (`SourceClock.run`, a pass of its own beside the tick, never inside
it: bot/processes.py): from a week's end (Monday 00:00 in the playbook's zone) until it
closes, every sourced number of an active playbook that is still missing is asked for;
a source that fails is asked again after 30 minutes, then less and less often
(cadence.sources.next_ask). At most 16 fetches at once, each with its own 10 s timeout,
and no fetch starts after the pass's deadline (45 s): what it did not reach stays due
for the next pass, so a pass ends within its minute, and a source that hangs costs its
timeout and no more. A value becomes a report by
`source:<name>` through the path every report takes (recording.report_row, then
store.reports.add_reports, with its `source_fetch` row in the same unit of work). A
failure stores no number: its `source_fetch` row, and one message per source and week
to the owner and the curators channel.

Also `rollout source test` (asks now, stores nothing), `rollout source list`, and input
reliability (status, `rollout playbook show`, the web view, readiness).
"""

from __future__ import annotations

import logging
import os
import threading
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from cadence import calendar, keys, pulled, sources
from cadence.change import Message
from cadence.limits import MAX_COUNT, MAX_VALUE
from cadence.pulled import Asked
from cadence.state import PlaybookState
from sources import Fetcher, SourceFailed, each
from storage.cadence_log import Work
from storage.report_batches import NewReport
from storage.source_fetches import AlreadyFetched, fetch_row
from storage.store import CURATORS_CHANNEL, Store, WeekClosed
from templates import notices
from templates.refusals import Refusal, plain
from usecases.input_checks import Checked, InputClock
from usecases.shared import messages, pulling, recording
from usecases.shared import work as work_log
from usecases.shared.pulling import window
from usecases.shared.reliability import Reliability, reliability

# input reliability, for status, the web view and the CLI; the week a source is asked about
__all__ = ["Reliability", "reliability", "window"]

log = logging.getLogger(__name__)

WORKERS = 16  # fetches at once
PASS_SECONDS = 45.0  # no fetch starts later in a pass: with its 10 s timeout, a pass ends within its minute


Job = pulling.Job[sources.Entry]  # one sourced number of one week, to ask its source for
Answer = pulling.Answer[sources.Entry]


@dataclass
class Fetched:
    """What one run did: numbers stored, failures said, and how long the fetches took."""

    asked: int = 0
    stored: int = 0
    failed: int = 0
    seconds: float = 0.0
    deferred: int = 0  # due, but not reached before the pass's deadline: the next pass's
    checks: Checked = field(default_factory=Checked)  # the inputs' checks (usecases/input_checks.py)

    def summary(self) -> str:
        parts = [f"{self.stored} stored", f"{self.failed} failed"] if self.asked else []
        parts += [f"{self.deferred} left for the next pass"] if self.deferred else []
        said = [f"sourced numbers: {', '.join(parts)}"] if parts else []
        return "; ".join(said + ([self.checks.summary()] if self.checks.summary() else []))


class Sample(float):
    """A rubric score fetched as a sample (`rubric: {passed, reviewed}`): passed ÷ reviewed,
    carrying its reviewed count to the report (a float, so it is stored and shown as any
    fetched value is: the fetch row keeps the score)."""

    reviewed: int
    dimensions: tuple[tuple[str, int], ...]  # a review by dimension's counts; `passed`: the lowest

    def __new__(cls, passed: int, reviewed: int, dimensions: tuple[tuple[str, int], ...] = ()) -> Sample:
        made = super().__new__(cls, round(passed / reviewed, 6))
        made.reviewed, made.dimensions = reviewed, dimensions
        return made


async def _count(fetcher: Fetcher, state: PlaybookState, entry: sources.Entry, week_start: date, environ: Any) -> int:
    value = await pulling.fetch(fetcher, state, entry, week_start, environ)
    if not (value >= 0 and float(value).is_integer() and value <= MAX_COUNT):
        raise SourceFailed(f"not a count: {value:g} (a whole number from 0 to {MAX_COUNT:,} was expected)")
    return int(value)


async def _sample(
    fetcher: Fetcher, state: PlaybookState, entry: sources.Entry, week_start: date, environ: Mapping[str, str]
) -> Sample:
    """A rubric from a sample: its passed count (`entry`) and its reviewed count, each a
    count, at least one reviewed, no more passed than reviewed. Raises SourceFailed."""
    assert entry.reviewed is not None
    passed = await _count(fetcher, state, entry, week_start, environ)
    reviewed = await _count(fetcher, state, entry.reviewed, week_start, environ)
    if reviewed == 0:
        raise SourceFailed("no case reviewed: the reviewed count is 0")
    if passed > reviewed:
        raise SourceFailed(f"{passed} passed is more than the {reviewed} reviewed")
    return Sample(passed, reviewed)


async def _by_dimension(
    fetcher: Fetcher, state: PlaybookState, entry: sources.Entry, week_start: date, environ: Mapping[str, str]
) -> Sample:
    """A review by rubric dimension: its reviewed count (`entry`) and each dimension's
    passed count, each a count, at least one reviewed, none passed above it."""
    reviewed = await _count(fetcher, state, entry, week_start, environ)
    if reviewed == 0:
        raise SourceFailed("no case reviewed: the reviewed count is 0")
    counts = []
    for name, counted in entry.dimensions:
        passed = await _count(fetcher, state, counted, week_start, environ)
        if passed > reviewed:
            raise SourceFailed(f"{name}: {passed} passed is more than the {reviewed} reviewed")
        counts.append((name, passed))
    return Sample(min(passed for _, passed in counts), reviewed, tuple(counts))


async def ask(
    fetcher: Fetcher, state: PlaybookState, entry: sources.Entry, week_start: date, environ: Mapping[str, str]
) -> float:
    """One sourced number of a week, checked to fit what it feeds. Raises SourceFailed."""
    if entry.reviewed is not None:
        return await _sample(fetcher, state, entry, week_start, environ)
    if entry.dimensions:
        return await _by_dimension(fetcher, state, entry, week_start, environ)
    value = await pulling.fetch(fetcher, state, entry, week_start, environ)
    if entry.feeds in ("cases", "exceptions", "value") and not (
        value >= 0 and float(value).is_integer() and value <= MAX_COUNT
    ):
        raise SourceFailed(f"not a count: {value:g} (a whole number from 0 to {MAX_COUNT:,} was expected)")
    if entry.feeds == "cost" and not value >= 0:
        raise SourceFailed(f"not a cost: {value:g} (0 or more a month was expected)")
    if entry.feeds == "rubric" and not 0 <= value <= 1:
        raise SourceFailed(f"not a rubric score: {value:g} (from 0 to 1 was expected)")
    if abs(value) > MAX_VALUE:
        raise SourceFailed(f"out of range: {value:g}")
    return value


def _command(state: PlaybookState, entry: sources.Entry, value: float) -> messages.ReportCommand:
    slug = state.playbook.slug
    if entry.feeds == "kpi":
        return messages.Kpi(slug, value)
    if entry.feeds == "guardrail":
        return messages.GuardrailReport(slug, value)
    if entry.feeds == "rest":  # the rest of the work's KPI (`rest_query`, with `compare`)
        return messages.Kpi(slug, None, rest=value)
    step = entry.step or ""
    if entry.feeds == "cases":
        return messages.Cases(slug, step, int(value))
    if entry.feeds == "exceptions":
        return messages.LogException(slug, step, f"counted by source {entry.source}")
    reviewed, counts = getattr(value, "reviewed", None), getattr(value, "dimensions", ())
    return messages.Rubric(slug, step, float(value), reviewed=reviewed, dimensions=counts)


class SourceClock(pulling.PullingClock[sources.Entry]):
    """Each sourced number, asked from its week's end; a source's numbers of a week wait
    as one (next_ask over those still missing)."""

    numbers, opens_at, ask = staticmethod(sources.entries), staticmethod(pulled.week_ends_at), staticmethod(ask)
    by_source = True

    def __init__(
        self,
        store: Store,
        clock: Callable[[], datetime],
        environ: Mapping[str, str] | None = None,
        workers: int = WORKERS,
        timeout: float = 10.0,
        pass_seconds: float = PASS_SECONDS,
    ):
        super().__init__(store, clock, environ if environ is not None else os.environ, workers, timeout)
        self.pass_seconds = pass_seconds

    def _asked(self, weeks: list[date]) -> dict[tuple[int, date, str], Asked]:
        return self.store.sources.asked(weeks)

    def run_due(self, at: datetime, stop: threading.Event | None = None) -> Fetched:
        """The clock's pass: every number due at `at`, of the playbooks as they are now,
        then the inputs' checks due, within the same deadline."""
        deadline = self.clock() + timedelta(seconds=self.pass_seconds)
        states = self.store.playbooks.clock_states()
        done = self.run(states, at, stop)
        checks = InputClock(self.store, self.clock, self.environ, self.workers, self.timeout)
        done.checks = checks.run(states, at, deadline, stop)
        return done

    def run(self, states: list[PlaybookState], at: datetime, stop: threading.Event | None = None) -> Fetched:
        """Ask for every number due, at most `workers` at once, none started after the
        pass's deadline (by the injected clock) or once `stop` is set; store what came back."""
        jobs = self.due(states, at)
        done = Fetched()
        if not jobs:
            return done
        started = self.clock()
        answers = self._answers(jobs, started + timedelta(seconds=self.pass_seconds), stop)
        done.asked, done.deferred = len(answers), len(jobs) - len(answers)
        done.seconds = (self.clock() - started).total_seconds()
        done.stored = self._store(answers)
        failures = [a for a in answers if a.error is not None]
        self._say(failures)
        done.failed = len(failures)
        return done

    def _store(self, answers: list[Answer]) -> int:
        """The values, each through the path every report takes, with its fetch row, in one
        unit of work; if a week closed meanwhile, playbook by playbook (the closed one
        stores nothing). A value the playbook refuses becomes a failure."""
        by_playbook: dict[int, tuple[list[NewReport], list[dict[str, Any]]]] = defaultdict(lambda: ([], []))
        for index, answer in enumerate(answers):
            if answer.value is None:
                continue
            job = answer.job
            try:
                row = self._row(job, answer.value, answer.at)
            except Refusal as refusal:
                answers[index] = replace(answer, value=None, error=f"refused: {plain(refusal)}")
                continue
            rows, fetches = by_playbook[job.state.playbook.id]
            if row is not None:
                rows.append(row)
            fetches.append(fetch_row(*answer.asked(), answer.at, answer.value, answer.error))
        if not by_playbook:
            return 0
        try:
            self._write(list(by_playbook.values()))
        except (WeekClosed, AlreadyFetched):
            for group in by_playbook.values():
                try:
                    self._write([group])
                except (WeekClosed, AlreadyFetched) as err:
                    log.info("a sourced number not stored: %s", type(err).__name__)  # closed, or another clock's
                    group[1].clear()
        return sum(len(fetches) for _, fetches in by_playbook.values())

    def _write(self, groups: list[tuple[list[NewReport], list[dict[str, Any]]]]) -> None:
        rows = [row for group_rows, _ in groups for row in group_rows]
        fetches = [f for _, group_fetches in groups for f in group_fetches]
        with self.store.unit_of_work() as uow:  # a fetched value and the record of its fetch, or neither
            uow.reports.add_reports(rows)
            uow.sources.record(fetches)
            uow.commit()

    @staticmethod
    def _row(job: Job, value: float, at: datetime) -> NewReport | None:
        state, entry = job.state, job.number
        if entry.feeds in ("value", "cost"):  # the week's count of value events, or the cost: its fetch row alone
            return None
        step = state.step(entry.step) if entry.step else None
        if entry.step and step is None:
            raise Refusal.of("no_step", slug=state.playbook.slug, step=entry.step, steps="")
        cmd = _command(state, entry, value)
        row = recording.report_row(state, job.week, step, cmd, sources.BY_PREFIX + entry.source, at, None)
        if entry.feeds == "exceptions":
            return replace(row, times=int(value)) if value else None
        return row

    def _say(self, failures: list[Answer]) -> None:
        """The failures' rows, and one message per source and week to the owner and the
        curators channel, in one unit of work (a later failure of the same week says
        nothing again). An owner Slack calls deactivated gets no DM: the curators get the
        message saying so (each curator by DM when there is no curators channel), as with
        the owner's other messages (usecases/people.py)."""
        if not failures:
            return
        curators = self.store.org.setting(CURATORS_CHANNEL)
        grouped: dict[tuple[int, date, str], list[Answer]] = defaultdict(list)
        for answer in failures:
            job = answer.job
            grouped[(job.state.playbook.id, job.week.week_start, job.number.source)].append(answer)
        gone = self.store.people.deactivated(sorted({a.job.state.playbook.owner_id for a in failures}))
        curator_dms = sorted(self.store.org.curators()) if gone and not curators else []
        work = []
        for (pid, week_start, source), answers in grouped.items():
            state = answers[0].job.state
            playbook = state.playbook
            owner_gone = playbook.owner_id in gone
            payload = notices.source_failed(
                slug=playbook.slug,
                title=playbook.title,
                source=source,
                week=week_start.isoformat(),
                closes=calendar.closing_words(week_start, playbook.timezone, state.settings.grace_hours),
                failures=[
                    {"what": a.job.number.words(playbook.kpi_name, playbook.guardrail_name or ""), "error": a.error}
                    for a in answers
                ],
                owner_gone=playbook.owner_id if owner_gone else None,
            )
            unit = keys.source_failed(pid, week_start, source)
            sent = []
            if not owner_gone:
                sent.append(Message(keys.to_audience(unit, "owner"), "chat.postMessage", playbook.owner_id, payload))
            if curators:
                sent.append(Message(keys.to_audience(unit, "curators"), "chat.postMessage", curators, payload))
            elif owner_gone:
                sent += [Message(keys.to_audience(unit, c), "chat.postMessage", c, payload) for c in curator_dms]
            at = answers[0].at
            work.append(Work(unit, "source-failed", at, "done", pid, week_start, messages=sent))
        with self.store.unit_of_work() as uow:  # the failures' rows with what is said of them
            uow.sources.record([fetch_row(*a.asked(), a.at, a.value, a.error) for a in failures])
            work_log.claim(uow, work, self.clock())
            uow.commit()


# ---- rollout source test / list ----


@dataclass(frozen=True)
class Tried:
    entry: sources.Entry
    value: float | None
    error: str | None


def last_ended_week(state: PlaybookState, now: datetime) -> date:
    """The Monday of the last week that ended, in the playbook's zone."""
    return calendar.monday_of(calendar.local_date(now, state.playbook.timezone)) - timedelta(days=7)


def test(state: PlaybookState, week_start: date, environ: Mapping[str, str], timeout: float = 10.0) -> list[Tried]:
    """Ask every source of a playbook now for the week `week_start`; store nothing."""
    entries = sources.entries(state.playbook.definition)

    async def one(fetcher: Fetcher, entry: sources.Entry) -> Tried:
        return Tried(entry, *await pulling.answered(ask(fetcher, state, entry, week_start, environ)))

    return each(entries, one, min(WORKERS, len(entries)), timeout) if entries else []


@dataclass(frozen=True)
class Listed:
    slug: str
    source: str
    kind: str
    feeds: list[str]
    last_at: datetime | None
    last_week: date | None
    last_value: float | None
    last_error: str | None


def listing(store: Store) -> list[Listed]:
    """Every source of every playbook, the numbers it feeds, and its last fetch."""
    last = store.sources.last_fetches()
    found = []
    for state in store.playbooks.states():
        entries = sources.entries(state.playbook.definition)
        for name, spec in sorted(state.spec.sources.items()):
            row = last.get((state.playbook.id, name))
            found.append(
                Listed(
                    state.playbook.slug,
                    name,
                    spec.kind,
                    [e.key for e in entries if e.source == name],
                    row.fetched_at if row else None,
                    row.week_start if row else None,
                    row.value if row else None,
                    row.error if row else None,
                )
            )
    return found


# ---- provenance: what status, the web view, the API and the CSV show ----


def provenance(store: Store, state: PlaybookState, weeks: list[date]) -> dict[date, list[dict[str, Any]]]:
    """Each week's sourced numbers as the clock left them, in the playbook's order: the
    value and where and when it came from, the error it failed with, or an override
    typed in its place. One read of the playbook's fetches."""
    entries = sources.entries(state.playbook.definition)
    if not entries or not weeks:
        return {}
    latest: dict[tuple[date, str], Any] = {}
    for row in store.sources.of_playbook(state.playbook.id, min(weeks)):
        if row.week_start in weeks:
            earlier = latest.get((row.week_start, row.number))
            if earlier is None or earlier.outcome == "failed" or row.outcome != "failed":
                latest[(row.week_start, row.number)] = row  # a value, once there, is not undone by a failure
    playbook = state.playbook
    shown: dict[date, list[dict[str, Any]]] = {}
    for week in weeks:
        for entry in entries:
            found = latest.get((week, entry.key))
            shown.setdefault(week, []).append(
                dict(
                    number=entry.key,
                    what=entry.words(playbook.kpi_name, playbook.guardrail_name or ""),
                    source=entry.source,
                    value=found.value if found is not None and found.outcome != "failed" else None,
                    at=found.fetched_at.astimezone(ZoneInfo(playbook.timezone)) if found is not None else None,
                    typed=found is not None and found.outcome == "typed",
                    error=found.error if found is not None and found.outcome == "failed" else None,
                )
            )
    return shown


def in_words(item: dict[str, Any], unit: str = "") -> str:
    """One sourced number as people read it: "14.5 min, from helpdesk at 2027-01-11 00:00"."""
    if item["value"] is not None:
        number = f"{item['value']:g}{' ' + unit if unit else ''}"
        if item["typed"]:
            return f"{number}, typed in place of {item['source']} (override)"
        return f"{number}, from {item['source']} at {item['at']:%Y-%m-%d %H:%M}"
    if item["error"] is not None:
        return f"MISSING (source failed: {item['error']})"
    return f"not fetched yet, from {item['source']}"
