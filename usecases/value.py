"""Value the sponsor can weigh (docs/playbooks.md, "Value"): each playbook's hours saved per closed week,
estimated from its value events (cadence/value.py), the cost per hour saved, the org's
hours per week for the sponsor's first screen, and heroics. Read-only; what the web view,
status, the digest, the API's playbook read and the CSVs show."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property
from typing import Any

from cadence import calendar, heroics, value
from cadence.definition_intake import NO_VALUE_EVENT
from cadence.heroics import Hero
from cadence.value import WeekValue
from storage.playbooks import PlaybookState
from storage.store import Store
from storage.value_counts import Ask, Measure

VALUE_WEEKS = 26  # the weeks of hours saved shown: half a year
PERSON_RE = re.compile(r"^[UW][A-Z0-9]{6,19}$")  # a Slack user: sources and tokens are no team member


@dataclass(frozen=True)
class PlaybookValue:
    """A playbook's value measure: its event, minutes per event, each closed week's
    estimate (oldest first), the last 4 closed weeks' hours and the cost per hour saved."""

    event: str
    minutes: float
    weeks: list[WeekValue] = field(default_factory=list)
    per_month: float | None = None
    currency: str = value.DEFAULT_CURRENCY

    @cached_property  # worked out once: the overview, its sums and its rows all ask
    def last_hours(self) -> float | None:
        return value.last_weeks_hours(self.weeks)

    @cached_property
    def cost_per_hour(self) -> float | None:
        return value.cost_per_hour(self.per_month, self.last_hours)

    def summary(self) -> str:
        """One line: the last closed week's estimate, the last 4 weeks' total, the cost."""
        if not self.weeks:
            return f"no closed week yet to count `{self.event}` events in"
        parts = [self.weeks[-1].words()]
        hours = self.last_hours
        if hours is not None:
            parts.append(f"last {min(len(self.weeks), value.COST_WEEKS)} closed weeks: {value.hours_text(hours)}")
        if self.cost_per_hour is not None:
            parts.append(f"{value.money(self.cost_per_hour, self.currency)} per hour saved")
        elif self.per_month is not None:  # a cost, and no hour saved to divide it by
            parts.append(value.no_cost_per_hour(min(len(self.weeks), value.COST_WEEKS)))
        return "; ".join(parts)

    def as_data(self) -> dict[str, Any]:
        """For the API's playbook read and the CSVs."""
        return dict(
            event=self.event,
            minutes_saved=self.minutes,
            estimate=True,
            weeks=[
                dict(week=str(w.week_start), events=w.events, hours_saved=w.hours, said=w.words()) for w in self.weeks
            ],
            last_4_weeks_hours=self.last_hours,
            cost_per_month=self.per_month,
            cost_per_hour_saved=self.cost_per_hour,
            currency=self.currency,
        )


def _ask(pid: int, measure: Measure) -> Ask | None:
    """Where a playbook's value event is counted (None: its step is gone)."""
    event = str(measure.value["event"])
    if measure.value.get("from"):
        return Ask(pid, "source", event)
    spec = next((e for e in measure.value_events if e.get("name") == event), None)
    if spec is None:
        return Ask(pid, "own", event)
    if spec.get("counts") == "kpi":
        return Ask(pid, "kpi", event)
    step_id = measure.steps.get(str(spec.get("step")))
    if step_id is None:
        return None
    return Ask(pid, "cases" if spec.get("counts") == "cases" else "exception", event, step_id)


def _closed_weeks(state: PlaybookState, count: int) -> list[date]:
    """The playbook's last `count` closed weeks, oldest first (none before its first close)."""
    last = state.playbook.closed_through
    if last is None:
        return []
    return [last - timedelta(days=7 * back) for back in range(count - 1, -1, -1)]


def of_playbooks(
    store: Store,
    states: list[PlaybookState],
    currency: str,
    weeks: int = VALUE_WEEKS,
    measures: dict[int, Measure] | None = None,
) -> dict[int, PlaybookValue | None]:
    """Each playbook's value measure over its last `weeks` closed weeks (None without `value:`);
    `measures`: theirs when the caller has them (else read, store.value.measures)."""
    if measures is None:
        measures = store.value.measures([s.playbook.id for s in states])
    asks = {pid: _ask(pid, measure) for pid, measure in measures.items()}
    closed = {s.playbook.id: _closed_weeks(s, weeks) for s in states if asks.get(s.playbook.id) is not None}
    spans = [w for ws in closed.values() for w in ws]
    counts = store.value.events([a for a in asks.values() if a is not None], min(spans), max(spans)) if spans else {}
    found: dict[int, PlaybookValue | None] = {}
    for state in states:
        pid = state.playbook.id
        measure = measures.get(pid)
        if measure is None:
            found[pid] = None
            continue
        event, minutes = str(measure.value["event"]), float(measure.value["minutes_saved"])
        ours = {w: counts[(pid, w)] for w in closed.get(pid, []) if (pid, w) in counts}
        found[pid] = PlaybookValue(
            event,
            minutes,
            value.week_values(event, minutes, closed.get(pid, []), ours),
            (measure.cost or {}).get("per_month"),
            currency,
        )
    return found


def of_playbook(store: Store, state: PlaybookState, currency: str) -> PlaybookValue | None:
    """One playbook's, its measure taken from the definition and steps its state holds."""
    return of_playbooks(store, [state], currency, measures=_measure_of(state))[state.playbook.id]


def _measure_of(state: PlaybookState) -> dict[int, Measure]:
    """What store.value.measures reads of one playbook, from its state: its `value:` (if it
    names an event), `cost:`, value events and steps by name (a value event's step is one
    of the definition's, never a retired one)."""
    definition = state.playbook.definition
    measure, cost = definition.get("value"), definition.get("cost")
    if not isinstance(measure, dict) or not measure.get("event") or measure.get("minutes_saved") is None:
        return {}  # a value event with no minutes saved is counted, but no hours are estimated
    steps = {s.name: s.id for s in state.steps}
    events = list(definition.get("value_events") or [])
    return {state.playbook.id: Measure(measure, cost if isinstance(cost, dict) else None, events, steps)}


def words(measure: PlaybookValue | None) -> str:
    """What status, the digest and the pages say of a playbook's value."""
    return value.NO_MEASURE if measure is None else measure.summary()


def status_words(definition: dict[str, Any], measure: PlaybookValue | None) -> str:
    """`words`, and what a playbook without a value event is asked: what will it count?"""
    event = (definition.get("value") or {}).get("event")
    if not event:
        return NO_VALUE_EVENT
    if measure is None:
        return f"counts `{event}`; no minutes saved given, so no hours are estimated"
    return measure.summary()


@dataclass(frozen=True)
class OrgValue:
    """The org's hours saved per week (the weeks any playbook's value measure counted),
    the last 4 closed weeks' total, and the cost per hour saved where costs are given."""

    weeks: list[dict[str, Any]]
    last_hours: float | None
    cost_per_hour: float | None
    currency: str
    measured: int  # playbooks with a value measure
    playbooks: int
    costed: int = 0  # playbooks that give a cost: with cost_per_hour None, they saved no hours

    @property
    def no_cost_per_hour(self) -> str | None:
        """Why no cost per hour saved is given though a cost is: no hours saved to divide it
        by. Where other playbooks saved hours, it says the costed ones saved none."""
        if not self.costed or self.cost_per_hour is not None:
            return None
        return value.no_cost_per_hour(costed=self.costed if self.last_hours else None)


def of_org(measures: dict[int, PlaybookValue | None], currency: str) -> OrgValue:
    hours: dict[Any, float] = {}
    counted: Counter[Any] = Counter()  # the playbooks whose events a week counted
    for measure in measures.values():
        for w in measure.weeks if measure else []:
            if w.hours is not None:
                hours[w.week_start] = hours.get(w.week_start, 0.0) + w.hours
                counted[w.week_start] += 1
    shown = sorted(hours)
    last = shown[-value.COST_WEEKS :]
    last_hours = sum(hours[w] for w in last) if last else None
    # Costs over those weeks: only the playbooks that give one, against their own hours.
    costed = [m for m in measures.values() if m is not None and m.per_month is not None]
    cost_hours = sum(m.last_hours or 0.0 for m in costed)
    total_cost = sum((m.per_month or 0.0) for m in costed)
    per_hour = value.cost_per_hour(total_cost, cost_hours) if costed else None
    return OrgValue(
        weeks=[dict(week=w, hours=hours[w], playbooks=counted[w]) for w in shown],
        last_hours=last_hours,
        cost_per_hour=per_hour,
        currency=currency,
        measured=sum(1 for m in measures.values() if m is not None),
        playbooks=len(measures),
        costed=len(costed),
    )


def completed_cycle(state: PlaybookState, today: date) -> tuple[date, date] | None:
    """The first and last Monday of the playbook's last completed cycle, if one closed."""
    if state.anchor is None or state.playbook.closed_through is None:
        return None
    week = calendar.week_containing(state.running(), today)
    if week is None:
        return None
    if week.cycle < 2:
        return None
    last = week.cycle_start - timedelta(days=7)
    if last > state.playbook.closed_through:
        return None
    return last - timedelta(days=21), last


def heroes(store: Store, states: list[PlaybookState], today: dict[int, date]) -> dict[int, Hero]:
    """Each playbook whose last completed cycle's quality work one person carried: its
    reviewed cases or its closed exception items (cadence/heroics.py)."""
    cycles = {s.playbook.id: completed_cycle(s, today[s.playbook.id]) for s in states}
    found: dict[int, Hero] = {}
    by_span: dict[tuple[date, date], list[int]] = {}
    for pid, span in cycles.items():
        if span is not None:
            by_span.setdefault(span, []).append(pid)
    for (first, last), pids in by_span.items():
        for pid, work in store.value.quality_work(pids, first, last).items():
            people = {p for p in work.team | set(work.closed) if PERSON_RE.match(p)}
            carried = heroics.hero(heroics.reviewed_by(work.reviews), work.closed, len(people), people)
            if carried is not None:
                found[pid] = carried
    return found
