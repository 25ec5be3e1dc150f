"""The web view (handlers/web_view.py): who is signed in (signing in: usecases/web_signin.py),
and what each page shows them (the org overview: usecases/web_overview.py). Read-only; who
sees what is `/rollout status`'s rule (roles.sees_names)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields, is_dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from cadence import calendar
from cadence.figures import WeekFigures
from cadence.judgement import kpi_change
from cadence.replication import cycle_median
from cadence.state import PlaybookState
from cadence.verdicts import Thresholds
from storage.store import Store
from templates import ID_IN_TEXT
from usecases import sections, status
from usecases.shared import registry_list, roles
from usecases.shared.governance import thresholds, why_unsure
from usecases.shared.listings import PLAYBOOK_LEARNINGS
from usecases.shared.services import Services

CHART_WEEKS = 104  # a playbook page's charts: two years of weeks, from its first cycle on
TABLE_WEEKS = 26  # its tables and grid: half a year at a time, earlier ones a page back
REPORTS_SHOWN = 200  # a playbook page's newest reports, with who sent each


@dataclass(frozen=True)
class Viewer:
    """Who is signed in: a Slack user of this workspace."""

    user_id: str


@dataclass(frozen=True)
class StepCell:
    """One step's week on a playbook page's grid: the numbers its verdict was judged on
    (a week no verdict judged: as reported) and, when judged, the verdict."""

    name: str
    verdict: str | None
    cases: int | None
    exceptions: int | None
    rubric: float | None
    why: str | None  # an INCONCLUSIVE week's reason, by its kept rule
    reviewed: int | None


@dataclass(frozen=True)
class WeekRow:
    week: date
    kpi: float | None
    guardrail: float | None
    guardrail_state: str | None
    steps: list[StepCell]

    def has_data(self) -> bool:
        """Whether the week has anything to show: a KPI, a guardrail reading, a step's
        numbers or a verdict on them (MISSING is none)."""
        return (
            self.kpi is not None
            or self.guardrail is not None
            or any(
                c.cases is not None or c.exceptions or c.rubric is not None or c.verdict not in (None, "MISSING")
                for c in self.steps
            )
        )


@dataclass(frozen=True)
class ReportLine:
    """A report, with who sent it; an exception's reason only for the owner and the curators."""

    at: datetime
    week: date
    kind: str
    step: str | None
    number: float | None
    reason: str | None
    by: str
    withdrawn_by: str | None


@dataclass(frozen=True)
class DecisionLine:
    """A decision as the page lists it, on the day it was taken where the playbook is."""

    when: date
    kind: str
    summary: str
    figures: dict[str, Any]
    rule: str | None
    actor: str
    step: str | None
    from_mode: str | None
    to_mode: str | None


@dataclass(frozen=True)
class PlaybookPage:
    """What a playbook's page shows (handlers/web_playbook.py presents it): read, and
    with what the viewer may not see left out."""

    state: PlaybookState
    this_week: date
    first: date
    weeks: list[date]  # the table's, oldest first
    charted: list[date]  # the charts', from the first week with a number
    kpis: dict[date, float]
    guardrails: dict[date, float]
    rows: list[WeekRow]  # the table's weeks, from the first with data
    thresholds: Thresholds
    full: bool  # the viewer reads reasons and notes (roles.sees_names)
    notes: list[dict[str, Any]]
    current: WeekFigures
    cycles: list[dict[str, Any]]
    decisions: list[DecisionLine]  # newest first
    learnings: list[Any]
    sources: Any
    reports: list[ReportLine]
    people: dict[str, str]
    channels: dict[str, str]
    sections: dict[str, Any] = field(default_factory=dict)  # each registered section's model (usecases/sections)


def playbook_page(services: Services, viewer: Viewer, slug: str, until: date | None = None) -> PlaybookPage | None:
    """One playbook over months: the KPI and guardrail charted over up to two years in
    their units; the steps × weeks grid of verdicts with their numbers, this week, the
    modes over time, decisions, learnings, the kit and each report with who sent it, for
    the half year up to `until` (the latest by default); deviation and exception reasons
    only for its owner and the curators (as `/rollout status`)."""
    now = services.clock()
    with services.store.reading() as store:
        state = store.playbooks.state(slug)
        if state is None:
            return None
        this_week = calendar.monday_of(calendar.local_date(now, state.playbook.timezone))
        first = calendar.first_day(state.running()) if state.anchor is not None else this_week
        weeks = _table_weeks(this_week, first, until)
        pid = state.playbook.id
        charted = _weeks_back(this_week, CHART_WEEKS, first)
        kpis, guardrails = store.reports.week_series(pid, charted[0], charted[-1])
        # The charts start at the first week with a number (a cycle may begin before its reports).
        charted = [w for w in charted if w >= min([*kpis, *guardrails], default=charted[0])]
        evaluated = (this_week - weeks[0]).days // 7 + 1  # the rules' windows count evaluated weeks: at most these
        history = store.governance.histories([state], max(evaluated, thresholds(state).lookback_weeks))
        # A judged week shows the numbers its verdicts were judged on; the figures are read
        # for this week, and for any week of the window that no verdict judged (paused).
        judged = {v.week_start for step in state.steps for v in history.states[step.id].verdicts}
        figures = store.reports.week_figures_many([(state, w) for w in sorted({*weeks, this_week} - judged)])
        decisions = store.governance.history(pid, None, 100)
        full = roles.sees_names(store, state, viewer.user_id)
        money = services.currency, services.hourly_rate
        charted_kpis = {(pid, w): v for w, v in kpis.items()}
        reading = sections.Reading(
            store,
            now,
            *money,
            decisions={pid: decisions},
            weeks=charted,
            table_weeks=weeks,
            kpis=charted_kpis,
            full={pid: full},
        )
        page = PlaybookPage(
            state=state,
            this_week=this_week,
            first=first,
            weeks=weeks,
            charted=charted,
            kpis=kpis,
            guardrails=guardrails,
            rows=_rows(state, weeks, first, _grid(state, weeks, figures, history, kpis, guardrails)),
            thresholds=thresholds(state),
            full=full,
            notes=status.reasons(store, state, figures[(pid, this_week)]) if full else [],
            current=figures[(pid, this_week)],
            cycles=_cycle_changes(state, charted, kpis),
            decisions=_decisions(state, decisions),
            learnings=store.learnings.of(pid, limit=PLAYBOOK_LEARNINGS),
            sources=store.readouts.report_sources(pid, weeks[0], weeks[-1]),
            reports=_reports(state, store.readouts.report_log(pid, weeks[0], weeks[-1], REPORTS_SHOWN), full),
            people={},
            channels={},
            sections=sections.page(reading, [state])[pid],
        )
    return _named(services.store, page)


def _table_weeks(this_week: date, first: date, until: date | None) -> list[date]:
    """The table's weeks: the half year up to `until`'s week, none before the first cycle
    nor after this week."""
    last = min(max(calendar.monday_of(until), first), this_week) if until else this_week
    return _weeks_back(last, TABLE_WEEKS, first)


def _grid(
    state: PlaybookState,
    weeks: list[date],
    figures: dict[tuple[int, date], WeekFigures],
    history: Any,
    kpis: dict[date, float],
    guardrails: dict[date, float],
) -> list[WeekRow]:
    """The steps × weeks grid: each week's verdicts with the numbers they were judged on."""
    p = state.playbook
    th = thresholds(state)
    verdicts = {(v.week_start, step.id): v for step in state.steps for v in history.states[step.id].verdicts}
    rows = []
    for w in weeks:
        f = figures.get((p.id, w))
        measured = {s.name: s for s in f.steps} if f else {}
        cells = [_cell(step.name, verdicts.get((w, step.id)), measured.get(step.name), th) for step in state.steps]
        rows.append(WeekRow(w, kpis.get(w), guardrails.get(w), history.guardrail.get(p.id, {}).get(w), cells))
    return rows


def _cell(name: str, verdict: Any, live: Any, th: Any) -> StepCell:
    """A step's week: what its verdict was judged on (a sample too small: no rubric), or
    without a verdict, its numbers as reported."""
    if verdict is not None:
        n = verdict.numbers
        return StepCell(name, verdict.outcome, n.cases, n.exceptions, n.rubric, why_unsure(verdict, th), n.reviewed)
    if live is not None:
        return StepCell(name, None, live.cases, live.total_exceptions, live.counted_rubric, None, live.reviewed)
    return StepCell(name, None, None, None, None, None, None)


def _rows(state: PlaybookState, weeks: list[date], first: date, rows: list[WeekRow]) -> list[WeekRow]:
    """The first weeks shown from the first with data (an earlier page shows its all)."""
    if weeks[0] == first and any(r.has_data() for r in rows):
        while not rows[0].has_data():
            rows.pop(0)
    return rows


def _reports(state: PlaybookState, log: list[Any], full: bool) -> list[ReportLine]:
    steps = {s.id: s.name for s in state.steps}
    return [
        ReportLine(
            at=r.reported_at,
            week=r.week_start,
            kind=r.kind,
            step=steps.get(r.step_id or 0),
            number=r.number,
            # An exception's reason: as in status, only the owner and the curators read it.
            reason=r.reason if full else None,
            by=r.reported_by,
            withdrawn_by=r.withdrawn_by if r.withdrawn_at else None,
        )
        for r in log
    ]


def _named(store: Store, page: PlaybookPage) -> PlaybookPage:
    """`page` with the names of the people and channels it holds by id, as the clock kept them."""
    p = page.state.playbook
    users, places = {p.owner_id, *(x.added_by for x in page.learnings)}, {p.channel_id}
    _ids_in(page, users, places)
    return replace(page, people=store.people.names(users), channels=store.people.channel_names(places))


def _cycle_changes(state: PlaybookState, weeks: list[date], kpis: dict[date, float]) -> list[dict[str, Any]]:
    """Each cycle of the charted weeks with its KPI change from the baseline and the
    change's 95% t-interval (cadence.judgement.kpi_change, as status and the week-4 close
    have it), newest first; the running cycle's so far."""
    if state.anchor is None:
        return []
    cycles: dict[int, list[float | None]] = {}
    for w in weeks:
        week = calendar.week_containing(state.running(), w)
        if week is not None:
            cycles.setdefault(week.cycle, []).append(kpis.get(w))
    return [
        dict(cycle=cycle, weeks=len(values), change=kpi_change(values, state.playbook.kpi_baseline))
        for cycle, values in sorted(cycles.items(), reverse=True)
    ]


def _decisions(state: PlaybookState, decisions: list[Any]) -> list[DecisionLine]:
    p = state.playbook
    steps = {s.id: s.name for s in state.steps}
    return [
        DecisionLine(
            when=calendar.local_date(d.decided_at, p.timezone),
            kind=d.kind,
            summary=d.summary,
            figures=d.figures or {},
            rule=d.rule,
            actor=d.actor,
            step=steps.get(d.step_id),
            from_mode=d.from_mode,
            to_mode=d.to_mode,
        )
        for d in decisions
    ]


def registry_page(services: Services, viewer: Viewer) -> dict[str, Any]:
    """Every version with its results, kit and learnings; its adopters' verdicts cycle by
    cycle beside the origin's, with the difference in points of the way to target."""
    entries = registry_list.entries(services.store, None)
    for entry in entries:
        for adopter in entry["adopters"]:
            adopter["verdicts"] = [
                dict(v, delta=_difference(v), median=cycle_median(v.get("weekly") or [])) for v in adopter["verdicts"]
            ]
    shown = sections.registry_page(sections.Reading(services.store, services.clock(), services.currency))
    return with_names(services.store, dict(entries=entries, viewer=viewer.user_id, **shown))


_USER_ID = re.compile(r"[UW][A-Z0-9]{2,}")  # Slack's user ids
_CHANNEL_ID = re.compile(r"[CG][A-Z0-9]{2,}")  # and its channels' (private ones are G…)


def with_names(
    store: Store, shown: dict[str, Any], people: list[str] | None = None, channels: list[str] | None = None
) -> dict[str, Any]:
    """`shown` with the names of the people and channels it holds by id (`people`,
    `channels`: more of them, held in objects), as the clock kept them: the pages and
    their CSVs show a name wherever one is known (templates/pages.py)."""
    users, places = set(people or []), set(channels or [])
    _ids_in(shown, users, places)
    shown["people"] = store.people.names(users)
    shown["channels"] = store.people.channel_names(places)
    return shown


def _ids_in(value: Any, users: set[str], channels: set[str]) -> None:
    """Every text of `value` (its dicts, lists and tuples, at any depth) that is a Slack id."""
    if isinstance(value, str):
        if _USER_ID.fullmatch(value):
            users.add(value)
        elif _CHANNEL_ID.fullmatch(value):
            channels.add(value)
        else:  # ids inside text: a decision's summary names people and channels by them
            for token in ID_IN_TEXT.findall(value):
                (users if token[0] in "UW" else channels).add(token)
    elif isinstance(value, dict):
        for item in value.values():
            _ids_in(item, users, channels)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _ids_in(item, users, channels)
    elif is_dataclass(value) and not isinstance(value, type):  # a read model's, at any depth
        for f in fields(value):
            _ids_in(getattr(value, f.name), users, channels)


def _difference(verdict: dict[str, Any]) -> float | None:
    """How much further (or less far) than its origin an adopter's cycle got."""
    own, origin = verdict.get("progress"), verdict.get("origin_progress")
    return own - origin if own is not None and origin is not None else None


def _weeks_back(last: date, count: int, first: date) -> list[date]:
    """The Mondays of the `count` weeks up to `last`, none before `first` (but `last`)."""
    weeks = [last - timedelta(days=7 * i) for i in range(count - 1, -1, -1)]
    return [w for w in weeks if w >= first] or [last]
