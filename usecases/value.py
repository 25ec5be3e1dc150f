"""Value the sponsor can weigh (docs/playbooks.md, "Value"): each playbook's hours saved per closed week,
estimated from its value events (cadence/value.py), the cost per hour saved and its net
value (the org's sum: usecases/org_value.py). Read-only; what the web view, status, the
digest, the API's playbook read and the CSVs show."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property
from typing import Any

from cadence import calendar, value
from cadence.definition import PlaybookSpec
from cadence.definition_intake import NO_VALUE_EVENT
from cadence.definition_parts import CostSpec
from cadence.report_kinds import ReportKind
from cadence.state import PlaybookState
from cadence.value import NetWeek, Oversight, Spend, StepOversight, WeekValue
from storage.store import Store
from storage.value_counts import Ask, Measure, OversightWork

VALUE_WEEKS = 26  # the weeks of hours saved shown: half a year


@dataclass(frozen=True)
class PlaybookValue:
    """A playbook's value measure: its event, minutes per event, each closed week's
    estimate (oldest first), the last 4 closed weeks' hours and the cost per hour saved;
    and net of the oversight it cost (each week's, aligned with `weeks`; net value,
    cadence/value.py): net hours, the cost per net hour and, with ROLLOUT_HOURLY_RATE
    (`rate`), the net value in money. `spend`: what its `cost:` says it costs a month
    (cadence.value.Spend: none declared, given, or pulled from a source and perhaps unknown)."""

    event: str
    minutes: float
    weeks: list[WeekValue] = field(default_factory=list)
    spend: Spend = value.NONE_DECLARED
    currency: str = value.DEFAULT_CURRENCY
    oversight: list[Oversight] = field(default_factory=list)
    rate: float | None = None
    # what a promotion earned: "send ai-led since cycle 2: oversight 16 h → 7 h a cycle"
    promotions: list[str] = field(default_factory=list)
    slug: str = ""  # whose: the org's net names the playbooks it counts

    @property
    def per_month(self) -> float | None:
        """The cost a month (None: none declared, or not known)."""
        return self.spend.per_month

    @property
    def cost_said(self) -> str | None:
        """A cost pulled from a source: why none counts (a week's ask failed, or none came)."""
        return self.spend.said

    @cached_property  # worked out once: the overview, its sums and its rows all ask
    def last_hours(self) -> float | None:
        return value.last_weeks_hours(self.weeks)

    @cached_property
    def counted_weeks(self) -> int:
        """The last 4 closed weeks whose events were counted: those whose cost is charged."""
        return value.counted_weeks(self.weeks)

    @cached_property
    def cost_per_hour(self) -> float | None:
        return value.cost_per_hour(self.per_month, self.last_hours, self.counted_weeks)

    @cached_property
    def net_weeks(self) -> list[NetWeek]:
        unpriced = Oversight((), None, None)
        priced = self.oversight or [unpriced] * len(self.weeks)
        return [NetWeek(w, o) for w, o in zip(self.weeks, priced, strict=True)]

    @cached_property
    def last_net(self) -> tuple[float | None, int]:
        """The net hours over the last 4 closed weeks whose net is known, and how many."""
        return value.last_weeks_net(self.net_weeks)

    @cached_property
    def cost_per_net_hour(self) -> float | None:
        net, weeks = self.last_net
        return value.cost_per_net_hour(self.per_month, net, weeks)

    @cached_property
    def worth(self) -> value.NetValue | None:
        """The net value with its words (None without a rate or net hours; its amount None
        while the spend is unknown)."""
        net, weeks = self.last_net
        return value.net_value(net, weeks, self.rate, self.spend, self.currency)

    @property
    def net_value(self) -> float | None:
        return None if self.worth is None else self.worth.amount

    @cached_property
    def net_parts(self) -> tuple[float, float, float] | None:
        """Over the last 4 closed weeks whose net is known: (net, saved, oversight) hours."""
        known = [w for w in self.net_weeks[-value.COST_WEEKS :] if w.hours is not None]
        if not known:
            return None
        saved = sum(w.saved.hours or 0 for w in known)
        over = sum(w.oversight.hours or 0 for w in known)
        return saved - over, saved, over

    @property
    def spend_over_net_weeks(self) -> float | None:
        """The cost over the weeks whose net is known (None: none declared, or not known)."""
        _, weeks = self.last_net
        return None if self.per_month is None else value.spend_over(self.per_month, weeks)

    def net_words(self) -> str:
        """The last 4 weeks' net, its inputs said: "33 h net over the last closed week whose
        oversight is known (41 h saved − 8 h oversight)"; or why there is none."""
        net, weeks = self.last_net
        if net is None or self.net_parts is None:
            return f"net: {value.NOT_REPORTED}"
        _, saved, over = self.net_parts
        span = "the last closed week" if weeks == 1 else f"{weeks} of the last closed weeks"
        net_said, saved_said, over_said = value.net_sum(saved, over)
        said = f"{net_said} net over {span} whose oversight is known ({saved_said} saved − {over_said} oversight)"
        if net < 0:
            said += ": oversight exceeds what it saves"
        if self.cost_per_net_hour is not None:
            said += f"; {value.money(self.cost_per_net_hour, self.currency)} per net hour"
        elif self.per_month is not None:
            said += "; no net hours saved, so cost per net hour cannot be given"
        if self.worth is not None:
            said += f"; {self.worth.words}"
        return said

    def summary(self) -> str:
        """One line: the last closed week's estimate (net of its oversight where known),
        the last 4 weeks' total, the cost (per net hour where oversight is known), the net."""
        if not self.weeks:
            return f"no closed week yet to count `{self.event}` events in"
        parts = [self.net_weeks[-1].words()]
        hours = self.last_hours
        if hours is not None:
            parts.append(f"last {min(len(self.weeks), value.COST_WEEKS)} closed weeks: {value.hours_text(hours)}")
        net, _ = self.last_net
        if self.cost_said is not None:
            parts.append(self.cost_said)
        if net is None:
            if self.cost_per_hour is not None:
                parts.append(value.cost_per_hour_words(self.cost_per_hour, self.currency, self.counted_weeks))
            elif self.per_month is not None:  # a cost, and no hour saved to divide it by
                parts.append(value.no_cost_per_hour(min(len(self.weeks), value.COST_WEEKS)))
        parts.append(self.net_words())
        parts.extend(self.promotions)
        return "; ".join(parts)

    def as_data(self) -> dict[str, Any]:
        """For the API's playbook read and the CSVs (net value's fields added, none changed)."""
        net, net_weeks = self.last_net
        return dict(
            event=self.event,
            minutes_saved=self.minutes,
            estimate=True,
            weeks=[
                dict(
                    week=str(n.saved.week_start),
                    events=n.saved.events,
                    hours_saved=n.saved.hours,
                    said=n.saved.words(),
                    reviewed=n.oversight.reviewed if n.oversight.reported else None,
                    review_minutes_typed=n.oversight.typed,
                    exceptions_closed=n.oversight.closed,
                    oversight_hours=n.oversight.hours,
                    oversight_said=n.oversight.words(),
                    net_hours=n.hours,
                    net_said=n.words(),
                )
                for n in self.net_weeks
            ],
            last_4_weeks_hours=self.last_hours,
            cost_per_month=self.per_month,
            cost_per_hour_saved=self.cost_per_hour,
            cost_weeks=self.counted_weeks if self.per_month is not None else None,
            currency=self.currency,
            cost_said=self.cost_said,
            review_minutes=self.oversight[-1].review_minutes if self.oversight else None,
            exception_minutes=self.oversight[-1].exception_minutes if self.oversight else None,
            net_hours=net,
            net_weeks=net_weeks,
            cost_per_net_hour=self.cost_per_net_hour,
            hourly_rate=self.rate,
            net_value=self.net_value,
            net_value_said=None if self.worth is None else self.worth.words,
            spend_declared=self.spend.declared,
            net_said=self.net_words(),
            promotions=list(self.promotions),
        )


def _ask(pid: int, measure: Measure) -> Ask | None:
    """Where a playbook's value event is counted (None: its step is gone)."""
    event = measure.value.event
    if measure.value.from_ is not None:
        return Ask(pid, "source", event)
    spec = next((e for e in measure.value_events if e.name == event), None)
    if spec is None:
        return Ask(pid, "own", event)
    if spec.counts == "kpi":
        return Ask(pid, ReportKind.KPI, event)
    step_id = measure.steps.get(str(spec.step))
    if step_id is None:
        return None
    return Ask(pid, ReportKind.CASES if spec.counts == "cases" else ReportKind.EXCEPTION, event, step_id)


def closed_weeks(state: PlaybookState, count: int) -> list[date]:
    """The playbook's last `count` closed weeks, oldest first: none before its first close,
    nor before it existed (no week it did not exist in is "no events"): the week its row was
    made in, or its cycles' first week when they began earlier (a playbook loaded after
    the day its cycle starts on, or by a clock other than the world's: its weeks are its own)."""
    last = state.playbook.closed_through
    if last is None:
        return []
    first = _first_week(state)
    weeks = [last - timedelta(days=7 * back) for back in range(count - 1, -1, -1)]
    return [week for week in weeks if week >= first]


def _first_week(state: PlaybookState) -> date:
    """The first week the playbook existed in: the week its row was made in, or the first of
    its cycles' (a baseline week's) started rows when earlier."""
    made = calendar.monday_of(calendar.local_date(state.playbook.created_at, state.playbook.timezone))
    ran = [
        calendar.monday_of(day)
        for cycle in (state.anchor, state.previous)
        if cycle is not None
        for day in (cycle.starts_on, cycle.baseline_week)
        if day is not None
    ]
    return min([made, *ran])


def _oversight(state: PlaybookState, measure: Measure, work: OversightWork, weeks: list[date]) -> list[Oversight]:
    """Each closed week's oversight, priced by the measure's minutes: each step's review
    that counts (its typed minutes winning) and the exception items closed that week."""
    tz = state.playbook.timezone
    closed: Counter[tuple[int | None, date]] = Counter(
        (step, calendar.monday_of(calendar.local_date(at, tz))) for step, at in work.closes
    )
    steps = sorted({step for step, _ in work.reviews} | {step for step, _ in closed}, key=lambda s: (s is None, s))
    priced = measure.value.review_minutes, measure.value.exception_minutes
    found = []
    for week in weeks:
        parts = []
        for step in steps:
            review = work.reviews.get((step, week)) if step is not None else None
            n = closed.get((step, week), 0)
            if review is not None or n:
                reviewed, typed = review if review is not None else (None, None)
                parts.append(StepOversight(reviewed, typed, n))
        found.append(Oversight(tuple(parts), *priced))
    return found


def _spend(
    cost: CostSpec | None, weeks: list[date], costs: dict[tuple[int, date], tuple[float | None, str | None]], pid: int
) -> Spend:
    """What `cost:` says the playbook spends a month over the last 4 closed weeks (of
    `weeks`, those its cycles ran): none declared, `per_month` as given, or a source's
    answers for those weeks (cadence.value.spend_pulled: unknown where any is missing)."""
    if cost is None or not cost.source:
        return value.spend_given(None if cost is None else cost.per_month)
    answers = [(week, *costs.get((pid, week), (None, None))) for week in weeks[-value.COST_WEEKS :]]
    return value.spend_pulled(cost.source, answers)


def _promotions(state: PlaybookState, measure: Measure, work: OversightWork) -> list[str]:
    """For each step whose mode changed in the weeks read, its oversight hours per cycle
    in the mode before and in the mode since its last change (cadence.value.promotion_words)."""
    anchor, tz = state.cycle_anchor, state.playbook.timezone
    if anchor is None:
        return []
    priced = measure.value.review_minutes, measure.value.exception_minutes
    closed = Counter((step, calendar.monday_of(calendar.local_date(at, tz))) for step, at in work.closes)
    said = []
    for step in state.steps:
        weeks = sorted(week for (step_id, week) in work.modes if step_id == step.id)
        modes = [work.modes[(step.id, week)] for week in weeks]
        changes = [i for i in range(1, len(modes)) if modes[i] != modes[i - 1]]
        if not changes:
            continue
        at = changes[-1]
        cycles: dict[bool, dict[int, float]] = {False: {}, True: {}}  # before, since: hours by cycle
        for i, week in enumerate(weeks):
            ref = calendar.week_containing(anchor, week)
            if ref is None or (i < at and modes[i] != modes[at - 1]) or (i >= at and modes[i] != modes[at]):
                continue
            review = work.reviews.get((step.id, week))
            reviewed, typed = review if review is not None else (None, None)
            hours = Oversight((StepOversight(reviewed, typed, closed.get((step.id, week), 0)),), *priced).hours
            if hours is not None:
                side = cycles[i >= at]
                side[ref.cycle] = side.get(ref.cycle, 0.0) + hours
        since = calendar.week_containing(anchor, weeks[at])
        if since is not None:
            before, after = list(cycles[False].values()), list(cycles[True].values())
            said.append(value.promotion_words(step.name, modes[at], since.cycle, before, after))
    return said


@dataclass(frozen=True)
class _Read:
    """What the playbooks' values are figured from, read once for all of them: each one's
    closed weeks, the events counted, the oversight done and the costs pulled."""

    closed: dict[int, list[date]]
    counts: dict[tuple[int, date], float]
    work: dict[int, OversightWork]
    costs: dict[tuple[int, date], tuple[float | None, str | None]]


def _read(store: Store, states: list[PlaybookState], measures: dict[int, Measure], weeks: int) -> _Read:
    asks = {pid: _ask(pid, measure) for pid, measure in measures.items()}
    closed = {s.playbook.id: closed_weeks(s, weeks) for s in states if asks.get(s.playbook.id) is not None}
    spans = [w for ws in closed.values() for w in ws]
    if not spans:
        return _Read(closed, {}, {}, {})
    first, last = min(spans), max(spans)
    counts = store.value.events([a for a in asks.values() if a is not None], first, last)
    work = store.value.oversight(list(closed), first, last)
    pulled = [pid for pid in closed if (cost := measures[pid].cost) is not None and cost.source]
    costs = store.value.costs(pulled, first, last) if pulled else {}
    return _Read(closed, counts, work, costs)


def _of_one(state: PlaybookState, measure: Measure, read: _Read, currency: str, rate: float | None) -> PlaybookValue:
    pid = state.playbook.id
    event, minutes = measure.value.event, float(measure.value.minutes_saved or 0)
    closed = read.closed.get(pid, [])
    ours = {w: read.counts[(pid, w)] for w in closed if (pid, w) in read.counts}
    done = read.work.get(pid, OversightWork({}, []))
    ran = [w for w in closed if state.cycle_anchor and w >= calendar.first_day(state.cycle_anchor)]
    return PlaybookValue(
        event,
        minutes,
        value.week_values(event, minutes, closed, ours),
        _spend(measure.cost, ran, read.costs, pid),
        currency,
        _oversight(state, measure, done, closed),
        rate,
        _promotions(state, measure, done),
        state.playbook.slug,
    )


def of_playbooks(
    store: Store,
    states: list[PlaybookState],
    currency: str,
    weeks: int = VALUE_WEEKS,
    measures: dict[int, Measure] | None = None,
    rate: float | None = None,
) -> dict[int, PlaybookValue | None]:
    """Each playbook's value measure over its last `weeks` closed weeks (None without `value:`);
    `measures`: theirs when the caller has them (else read, store.value.measures); `rate`:
    ROLLOUT_HOURLY_RATE, which turns net hours into money."""
    if measures is None:
        measures = store.value.measures([s.playbook.id for s in states])
    read = _read(store, states, measures, weeks)
    found: dict[int, PlaybookValue | None] = {}
    for state in states:
        measure = measures.get(state.playbook.id)
        found[state.playbook.id] = None if measure is None else _of_one(state, measure, read, currency, rate)
    return found


def of_playbook(store: Store, state: PlaybookState, currency: str, rate: float | None = None) -> PlaybookValue | None:
    """One playbook's, its measure taken from the definition and steps its state holds."""
    return of_states(store, [state], currency, rate)[state.playbook.id]


def of_states(
    store: Store, states: list[PlaybookState], currency: str, rate: float | None = None
) -> dict[int, PlaybookValue | None]:
    """Each playbook's, its measure taken from its state (no read of the measures)."""
    measures = {pid: m for state in states for pid, m in _measure_of(state).items()}
    return of_playbooks(store, states, currency, measures=measures, rate=rate)


def _measure_of(state: PlaybookState) -> dict[int, Measure]:
    """What store.value.measures reads of one playbook, from its state: its `value:` (if it
    names an event), `cost:`, value events and steps by name (a value event's step is one
    of the definition's, never a retired one)."""
    spec = state.spec
    if spec.value is None or spec.value.minutes_saved is None:
        return {}  # a value event with no minutes saved is counted, but no hours are estimated
    steps = {s.name: s.id for s in state.steps}
    return {state.playbook.id: Measure(spec.value, spec.cost, list(spec.value_events), steps)}


def words(measure: PlaybookValue | None) -> str:
    """What status, the digest and the pages say of a playbook's value."""
    return value.NO_MEASURE if measure is None else measure.summary()


def status_words(spec: PlaybookSpec, measure: PlaybookValue | None) -> str:
    """`words`, and what a playbook without a value event is asked: what will it count?"""
    event = spec.value.event if spec.value is not None else None
    if not event:
        return NO_VALUE_EVENT
    if measure is None:
        return f"counts `{event}`; no minutes saved given, so no hours are estimated"
    return measure.summary()
