"""The value measure's reads (cadence/value.py): each playbook's count of its value event
per week, wherever the event arrives (a step's case count or the KPI that value events
carry, exceptions logged by the event, the measure's own events over the API, or a
source's weekly count), and who made a playbook's reports over a cycle (heroics). Each
read is a few statements, however many playbooks."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select

from storage.db import Bind, engine_of, reading
from storage.models import table_of
from storage.models.playbooks import Playbook, Step
from storage.models.reports import (
    CaseCount,
    CheckIn,
    ExceptionReport,
    GuardrailReading,
    KpiReading,
    RubricScore,
    SourceFetch,
    ValueCount,
)
from storage.types import one_of


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

    value: dict[str, Any]
    cost: dict[str, Any] | None
    value_events: list[dict[str, Any]]
    steps: dict[str, int]


class ValueCounts:
    def __init__(self, bind: Bind):
        self.bind, self.engine = bind, engine_of(bind)

    def measures(self, playbook_ids: list[int]) -> dict[int, Measure]:
        """The playbooks of these with a value measure: two statements, each reading only
        the parts of a definition the measure needs (a listing never decodes the whole)."""
        if not playbook_ids:
            return {}
        p, st = table_of(Playbook), table_of(Step)
        found: dict[int, tuple[dict[str, Any], Any, Any]] = {}
        with reading(self.bind) as s:
            c = s.connection()
            rows = c.execute(
                select(p.c.id, p.c.definition["value"], p.c.definition["cost"], p.c.definition["value_events"]).where(
                    one_of(p.c.id, "ids")
                ),
                {"ids": playbook_ids},
            )
            for pid, value, cost, events in rows:
                if isinstance(value, dict) and value.get("event") and value.get("minutes_saved") is not None:
                    found[pid] = (value, cost, events)
            steps: dict[int, dict[str, int]] = defaultdict(dict)
            if found:
                for step_id, pid, name in c.execute(
                    select(st.c.id, st.c.playbook_id, st.c.name).where(one_of(st.c.playbook_id, "ids")),
                    {"ids": list(found)},
                ):
                    steps[pid][name] = step_id
        return {
            pid: Measure(value, cost if isinstance(cost, dict) else None, list(events or []), steps[pid])
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
            if by_kind["cases"]:
                found.update(self._latest(c, table_of(CaseCount), "cases", by_kind["cases"], first, last, True))
            if by_kind["kpi"]:
                found.update(self._latest(c, table_of(KpiReading), "value", by_kind["kpi"], first, last, False))
            if by_kind["exception"]:
                found.update(self._exceptions(c, by_kind["exception"], first, last))
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

    def reporters(self, playbook_ids: list[int], first: date, last: date) -> dict[int, tuple[Counter[str], set[str]]]:
        """Each playbook's reports from `first` to `last` by who made them (case counts,
        reviews, exceptions, KPI and guardrail readings that count), and everyone who
        reported or checked in then (the team, as its work shows it)."""
        found: dict[int, tuple[Counter[str], set[str]]] = {pid: (Counter(), set()) for pid in playbook_ids}
        if not playbook_ids:
            return found
        with reading(self.bind) as s:
            c = s.connection()
            for model in (CaseCount, RubricScore, ExceptionReport, KpiReading, GuardrailReading):
                t = table_of(model)
                rows = c.execute(
                    select(t.c.playbook_id, t.c.reported_by, func.count())
                    .where(
                        one_of(t.c.playbook_id, "ids"),
                        t.c.week_start >= first,
                        t.c.week_start <= last,
                        t.c.withdrawn_at.is_(None),
                    )
                    .group_by(t.c.playbook_id, t.c.reported_by),
                    {"ids": playbook_ids},
                )
                for pid, by, n in rows:
                    found[pid][0][by] += n
                    found[pid][1].add(by)
            t = table_of(CheckIn)
            rows = c.execute(
                select(t.c.playbook_id, t.c.user_id)
                .distinct()
                .where(one_of(t.c.playbook_id, "ids"), t.c.week_start >= first, t.c.week_start <= last),
                {"ids": playbook_ids},
            )
            for pid, user in rows:
                found[pid][1].add(user)
        return found
