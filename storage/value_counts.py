"""The value measure's reads (cadence/value.py): each playbook's count of its value event
per week, wherever the event arrives (a step's case count or the KPI that value events
carry, exceptions logged by the event, the measure's own events over the API, or a
source's weekly count), and who made a playbook's reports over a cycle (heroics). Each
read is a few statements, however many playbooks."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select

from cadence import heroics
from cadence.definition_parts import CostSpec, ValueEventSpec, ValueSpec
from cadence.report_kinds import ReportKind
from storage.db import Bind, engine_of, reading
from storage.models import table_of
from storage.models.governance import StepVerdict
from storage.models.playbooks import Playbook, Step
from storage.models.reports import (
    CaseCount,
    CheckIn,
    ExceptionItemEvent,
    ExceptionReport,
    GuardrailReading,
    KpiReading,
    RubricScore,
    SourceFetch,
    ValueCount,
)
from storage.types import one_of


@dataclass(frozen=True)
class QualityWork:
    """A playbook's quality work over a cycle (storage's read for cadence/heroics.py)."""

    reviews: list[heroics.Review]
    closed: Counter[str]  # exception items resolved or accepted, by who closed them
    team: set[str]


def _within(t: Any, first: date, last: date) -> list[Any]:
    """The reports of the playbooks `ids` that count, in the weeks from `first` to `last`."""
    counts = [t.c.withdrawn_at.is_(None)] if "withdrawn_at" in t.c else []
    return [one_of(t.c.playbook_id, "ids"), t.c.week_start >= first, t.c.week_start <= last, *counts]


@dataclass(frozen=True)
class OversightWork:
    """A playbook's oversight over some weeks (net value, cadence/value.py): each step-week's
    review that counts, as (reviewed cases, minutes typed as spent reviewing), a bare score
    counting the week's cases; and each exception item closed (resolved or accepted), as
    (its step, when it was closed)."""

    reviews: dict[tuple[int, date], tuple[float, float | None]]
    closes: list[tuple[int | None, datetime]]
    modes: dict[tuple[int, date], str] = field(default_factory=dict)  # each step-week's mode, as its verdict says


@dataclass(frozen=True)
class Ask:
    """Where one playbook's value event is counted: `kind` cases (of `step_id`), kpi,
    exception (of `step_id`, reason `event`), own (value_count) or source (source_fetch)."""

    playbook_id: int
    kind: str
    event: str
    step_id: int | None = None


WeekCounts = dict[tuple[int, date], float]


@dataclass(frozen=True)
class Measure:
    """A playbook's `value:` and `cost:` as its definition gives them, its value events,
    and its steps' ids by name."""

    value: ValueSpec  # with its minutes saved
    cost: CostSpec | None
    value_events: list[ValueEventSpec]
    steps: dict[str, int]


_MEASURED = ("value", "cost", "value_events")  # the parts of a definition a measure reads


class ValueCounts:
    def __init__(self, bind: Bind):
        self.bind, self.engine = bind, engine_of(bind)

    def measures(self, playbook_ids: list[int]) -> dict[int, Measure]:
        """The playbooks of these with a value measure: two statements, each reading only
        the parts of a definition the measure needs (a listing never decodes the whole)."""
        if not playbook_ids:
            return {}
        p, st = table_of(Playbook), table_of(Step)
        found: dict[int, tuple[ValueSpec, Any, Any]] = {}
        with reading(self.bind) as s:
            c = s.connection()
            rows = c.execute(
                select(p.c.id, *(p.c.definition[part] for part in _MEASURED)).where(one_of(p.c.id, "ids")),
                {"ids": playbook_ids},
            )
            for pid, value, cost, events in rows:
                measure = None if value is None else ValueSpec.model_validate(value)
                if measure is not None and measure.minutes_saved is not None:
                    found[pid] = (measure, cost, events)
            steps: dict[int, dict[str, int]] = defaultdict(dict)
            if found:
                for step_id, pid, name in c.execute(
                    select(st.c.id, st.c.playbook_id, st.c.name).where(one_of(st.c.playbook_id, "ids")),
                    {"ids": list(found)},
                ):
                    steps[pid][name] = step_id
        return {
            pid: Measure(
                value,
                None if cost is None else CostSpec.model_validate(cost),
                [ValueEventSpec.model_validate(e) for e in events or []],
                steps[pid],
            )
            for pid, (value, cost, events) in found.items()
        }

    def events(self, asks: list[Ask], first: date, last: date) -> WeekCounts:
        """Each (playbook id, week start) from `first` to `last` with events, and their count."""
        found: WeekCounts = {}
        by_kind: dict[str, list[Ask]] = defaultdict(list)
        for ask in asks:
            by_kind[ask.kind].append(ask)
        with reading(self.bind) as s:
            c = s.connection()
            if by_kind[ReportKind.CASES]:
                found.update(
                    self._latest(c, table_of(CaseCount), "cases", by_kind[ReportKind.CASES], first, last, True)
                )
            if by_kind[ReportKind.KPI]:
                found.update(
                    self._latest(c, table_of(KpiReading), "value", by_kind[ReportKind.KPI], first, last, False)
                )
            if by_kind[ReportKind.EXCEPTION]:
                found.update(self._exceptions(c, by_kind[ReportKind.EXCEPTION], first, last))
            if by_kind["own"]:
                found.update(self._own(c, by_kind["own"], first, last))
            if by_kind["source"]:
                found.update(self._fetched(c, by_kind["source"], first, last))
        return found

    @staticmethod
    def _latest(c: Any, t: Any, column: str, asks: list[Ask], first: date, last: date, on_step: bool) -> WeekCounts:
        """The week's latest count that counts: value events add to it as they arrive."""
        key = t.c.step_id if on_step else t.c.playbook_id
        ids = {(a.step_id if on_step else a.playbook_id): a.playbook_id for a in asks}
        latest = (
            select(func.max(t.c.id).label("id"))
            .where(one_of(key, "ids"), t.c.week_start >= first, t.c.week_start <= last, t.c.withdrawn_at.is_(None))
            .group_by(key, t.c.week_start)
            .subquery()
        )
        rows = c.execute(
            select(key, t.c.week_start, t.c[column]).join(latest, latest.c.id == t.c.id), {"ids": list(ids)}
        )
        return {(ids[k], w): float(v) for k, w, v in rows}

    @staticmethod
    def _exceptions(c: Any, asks: list[Ask], first: date, last: date) -> WeekCounts:
        t = table_of(ExceptionReport)
        events = {a.step_id: a for a in asks}
        rows = c.execute(
            select(t.c.step_id, t.c.week_start, t.c.reason).where(
                one_of(t.c.step_id, "ids"),
                t.c.week_start >= first,
                t.c.week_start <= last,
                t.c.withdrawn_at.is_(None),
            ),
            {"ids": list(events)},
        )
        found: Counter[tuple[int, date]] = Counter()
        for step_id, week, reason in rows:
            ask = events[step_id]
            if reason == ask.event or reason.startswith(ask.event + ": "):
                found[(ask.playbook_id, week)] += 1
        return {key: float(n) for key, n in found.items()}

    @staticmethod
    def _own(c: Any, asks: list[Ask], first: date, last: date) -> WeekCounts:
        t = table_of(ValueCount)
        events = {a.playbook_id: a.event for a in asks}
        rows = c.execute(
            select(t.c.playbook_id, t.c.week_start, t.c.event, func.sum(t.c.count))
            .where(
                one_of(t.c.playbook_id, "ids"),
                t.c.week_start >= first,
                t.c.week_start <= last,
                t.c.withdrawn_at.is_(None),
            )
            .group_by(t.c.playbook_id, t.c.week_start, t.c.event),
            {"ids": list(events)},
        )
        return {(pid, w): float(n) for pid, w, event, n in rows if events[pid] == event}

    @staticmethod
    def _fetched(c: Any, asks: list[Ask], first: date, last: date) -> WeekCounts:
        t = table_of(SourceFetch)
        rows = c.execute(
            select(t.c.playbook_id, t.c.week_start, t.c.value).where(
                one_of(t.c.playbook_id, "ids"),
                t.c.number == "value",
                t.c.outcome == "fetched",
                t.c.week_start >= first,
                t.c.week_start <= last,
            ),
            {"ids": [a.playbook_id for a in asks]},
        )
        return {(pid, w): float(v) for pid, w, v in rows if v is not None}

    def oversight(self, playbook_ids: list[int], first: date, last: date) -> dict[int, OversightWork]:
        """Each playbook's oversight from the week of `first` to that of `last`, and each
        step-week's mode (what a promotion earned): four statements, however many playbooks. Closes are read from a day before `first` to a
        day after the last week (the playbooks' zones), for the caller to put in their weeks."""
        found = {pid: OversightWork({}, []) for pid in playbook_ids}
        if not playbook_ids:
            return found
        span = {"ids": playbook_ids}
        with reading(self.bind) as s:
            c = s.connection()
            t = table_of(CaseCount)
            cases = {
                (step_id, week): count
                for step_id, week, count in c.execute(
                    select(t.c.step_id, t.c.week_start, t.c.cases).where(*_within(t, first, last)).order_by(t.c.id),
                    span,
                )
            }  # the latest counts
            t = table_of(RubricScore)
            rows = c.execute(
                select(t.c.playbook_id, t.c.step_id, t.c.week_start, t.c.reviewed, t.c.review_minutes)
                .where(*_within(t, first, last))
                .order_by(t.c.id),
                span,
            )
            for pid, step_id, week, reviewed, minutes in rows:  # each step-week's latest counts
                sample = reviewed if reviewed is not None else cases.get((step_id, week), 0)
                found[pid].reviews[(step_id, week)] = (float(sample), minutes)
            e, x, ch = table_of(ExceptionItemEvent), table_of(ExceptionReport), table_of(CheckIn)
            closes = c.execute(
                select(e.c.playbook_id, func.coalesce(x.c.step_id, ch.c.step_id), e.c.at)
                .select_from(
                    e.outerjoin(x, (e.c.source == "exception") & (x.c.id == e.c.report_id)).outerjoin(
                        ch, (e.c.source == "deviation") & (ch.c.id == e.c.report_id)
                    )
                )
                .where(
                    one_of(e.c.playbook_id, "ids"),
                    e.c.state.in_(("resolved", "accepted")),
                    e.c.at >= datetime.combine(first - timedelta(days=1), time(0), UTC),
                    e.c.at < datetime.combine(last + timedelta(days=8), time(0), UTC),
                )
                .order_by(e.c.id),
                span,
            )
            for pid, step_id, at in closes:
                found[pid].closes.append((step_id, at))
            v = table_of(StepVerdict)
            verdicts = c.execute(
                select(v.c.playbook_id, v.c.step_id, v.c.week_start, v.c.mode).where(
                    one_of(v.c.playbook_id, "ids"), v.c.week_start >= first, v.c.week_start <= last
                ),
                span,
            )
            for pid, step_id, week, mode in verdicts:
                found[pid].modes[(step_id, week)] = mode
        return found

    def costs(
        self, playbook_ids: list[int], first: date, last: date
    ) -> dict[tuple[int, date], tuple[float | None, str | None]]:
        """Each (playbook, week) from `first` to `last` whose cost (`cost: {source, …}`) was
        asked: the value fetched, or (None, the latest error) when every ask failed."""
        found: dict[tuple[int, date], tuple[float | None, str | None]] = {}
        if not playbook_ids:
            return found
        t = table_of(SourceFetch)
        with reading(self.bind) as s:
            rows = s.connection().execute(
                select(t.c.playbook_id, t.c.week_start, t.c.outcome, t.c.value, t.c.error)
                .where(
                    one_of(t.c.playbook_id, "ids"),
                    t.c.number == "cost",
                    t.c.week_start >= first,
                    t.c.week_start <= last,
                )
                .order_by(t.c.id),
                {"ids": playbook_ids},
            )
            for pid, week, outcome, value, error in rows:
                if found.get((pid, week), (None, None))[0] is not None:
                    continue  # fetched: the value stands
                found[(pid, week)] = (value, None) if outcome == "fetched" and value is not None else (None, error)
        return found

    def quality_work(self, playbook_ids: list[int], first: date, last: date) -> dict[int, QualityWork]:
        """Each playbook's quality work from the week of `first` to that of `last` (cadence/heroics.py):
        the reviews that count (each step-week's latest, with its reviewers and, for a bare
        score, the week's case count), the exception items closed (resolved or accepted)
        in those weeks by who closed them, and everyone who reported, reviewed or checked
        in then (the team, as its work shows it)."""
        found = {pid: QualityWork([], Counter(), set()) for pid in playbook_ids}
        if not playbook_ids:
            return found
        span = {"ids": playbook_ids}
        with reading(self.bind) as s:
            c = s.connection()
            cases: dict[tuple[int, date], int] = {}
            for model in (CaseCount, RubricScore, ExceptionReport, KpiReading, GuardrailReading, CheckIn):
                t = table_of(model)
                by = t.c.user_id if model is CheckIn else t.c.reported_by
                rows = c.execute(
                    select(t.c.playbook_id, by)
                    .distinct()
                    .where(*_within(t, first, last))
                    .group_by(t.c.playbook_id, by),
                    span,
                )
                for pid, person in rows:
                    found[pid].team.add(person)
            t = table_of(CaseCount)
            for step_id, week_start, count in c.execute(
                select(t.c.step_id, t.c.week_start, t.c.cases).where(*_within(t, first, last)).order_by(t.c.id), span
            ):
                cases[(step_id, week_start)] = count  # the latest counts
            t = table_of(RubricScore)
            latest: dict[tuple[int, date], Any] = {}
            for row in c.execute(select(t).where(*_within(t, first, last)).order_by(t.c.id), span):
                latest[(row.step_id, row.week_start)] = row
            for (step_id, week_start), row in latest.items():
                named = tuple((row.reviewers or "").split())
                found[row.playbook_id].reviews.append(
                    heroics.Review(row.reviewed, cases.get((step_id, week_start)), named, row.reported_by)
                )
                found[row.playbook_id].team.update(named)
            e = table_of(ExceptionItemEvent)
            closes = c.execute(
                select(e.c.playbook_id, e.c.by, func.count())
                .where(
                    one_of(e.c.playbook_id, "ids"),
                    e.c.state.in_(("resolved", "accepted")),
                    e.c.at >= datetime.combine(first, time(0), UTC),
                    e.c.at < datetime.combine(last + timedelta(days=7), time(0), UTC),
                )
                .group_by(e.c.playbook_id, e.c.by),
                span,
            )
            for pid, person, n in closes:
                found[pid].closed[person] += n
        return found
