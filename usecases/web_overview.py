"""The web view's org overview (handlers/web_view.py, "/"): every playbook by function with
its KPI, cycle and week, the sponsor's first screen (standings, the funnel, each active
playbook's way to target), and what the registered sections add to each line and to the
org's figures (usecases/sections/: the stall and standing, value, depth, the hero, setup
time). One read of each kind for all playbooks, on one connection (`store.reading()`),
however many there are (bench/week.py times 1,000)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from cadence import calendar, sponsor
from cadence.figures import progress_to_target
from cadence.replication import REPLICATED
from cadence.state import PlaybookState
from usecases import sections
from usecases.shared.services import Services
from usecases.web import Viewer

TREND_WEEKS = 26  # the overview's org trends: half a year of closed weeks (from the first with data)
PROGRESS_WEEKS = 8  # the overview's small charts: each active playbook's last 8 weeks, this one included


# The sections' fields the overview orders and counts by (the stall's section gives them)
STALLED, STANDING = "stalled", "standing"


@dataclass(frozen=True)
class PlaybookLine:
    """A playbook in its function's table: its KPI against baseline and target, its cycle
    and week, and what the sections add (`shown`: whether it stalled, its standing, its
    value, whether it plateaued or is carried by one person)."""

    slug: str
    title: str
    function: str
    status: str
    kpi_name: str
    unit: str | None
    kpi: float | None  # this week's, or last week's while this one has none yet
    baseline: float
    target: float
    progress: float | None  # the share of the way from baseline to target
    week: calendar.WeekRef | None
    shown: dict[str, Any]


@dataclass(frozen=True)
class WayToTarget:
    """An active playbook's standing and its last weeks' KPI as shares of the way to its
    target, from the first week with a KPI, with the small chart's words worked out."""

    slug: str
    title: str  # with its slug where another playbook has the same title
    standing: str
    weeks: list[str]  # the weeks' labels
    shares: list[float | None]
    latest: float | None
    known: int
    lowest: float | None
    highest: float | None


@dataclass(frozen=True)
class Stage:
    """A stage of the funnel: how many playbooks are at it, how many reached it."""

    stage: str
    at: int
    reached: int


@dataclass(frozen=True)
class TrendWeek:
    week: date
    exceptions: float | None
    attestation: float | None


@dataclass(frozen=True)
class OpenProposal:
    slug: str
    kind: str
    step: str | None
    to_mode: str | None


@dataclass(frozen=True)
class Overview:
    """The org overview (handlers/present_overview.py presents it)."""

    standings: dict[str, int]  # the active playbooks by standing
    funnel: list[Stage]
    progress: list[WayToTarget]  # risks first
    functions: list[tuple[str, list[PlaybookLine]]]  # by function; stalled first, then risks
    versions: int
    viewer: str
    trend: list[TrendWeek]  # from the first closed week with data
    cycles_completed: int
    adoptions: int
    proposals: list[OpenProposal]
    org: dict[str, Any]  # the sections' org figures (value, depth, plateaus, setup, the people lines name)


def overview(services: Services, viewer: Viewer) -> Overview:
    """Every playbook by function, stalled first, then risks: its KPI against baseline and target, its
    cycle and week; and the registry's size."""
    now = services.clock()
    monday = calendar.monday_of(calendar.local_date(now, services.org_timezone))
    trend_weeks = [monday - timedelta(days=7 * i) for i in range(TREND_WEEKS, 0, -1)]  # closed weeks
    with services.store.reading() as store:
        ratios = store.readouts.exception_ratios(trend_weeks)
        rates = store.readouts.attestation_rates(trend_weeks)
        counts = store.readouts.org_counts(now - timedelta(days=7), now)
        states = store.playbooks.listed_states()
        ids = [s.playbook.id for s in states]
        proposals = store.governance.open_proposals_of(ids)
        latest = _running_weeks(states, now)
        kpis = store.reports.week_kpis(_kpi_weeks(states, latest, now))
        step_names = store.governance.step_names([p.step_id for p in proposals if p.step_id])
        versions = store.registry.versions()
        proposed = store.governance.proposed_for_scale(ids)
        replications = store.registry.replication_verdicts(_adopters(states, versions))
        reading = sections.Reading(
            store, now, services.currency, services.hourly_rate, timezone=services.org_timezone, kpis=kpis
        )
        reads = sections.overview(reading, states)
        org = sections.overview_org(reading, reads)
    lines = [_line(s, latest.get(s.playbook.id), kpis, sections.overview_line(s, reads[s.playbook.id])) for s in states]
    slugs = {s.playbook.id: s.playbook.slug for s in states}
    standings, progress = _ways_to_target(lines, states, latest, kpis)
    return Overview(
        standings=sponsor.counts(standings),
        funnel=_funnel(states, proposed, versions, replications),
        progress=progress,
        functions=_by_function(lines),
        versions=len(versions),
        viewer=viewer.user_id,
        trend=_trend(trend_weeks, ratios, rates),
        cycles_completed=counts["cycles_total"],
        adoptions=counts["adoptions"],
        proposals=[
            OpenProposal(slugs.get(p.playbook_id, "?"), p.kind, step_names.get(p.step_id or 0), p.to_mode)
            for p in proposals
        ],
        org=org,
    )


def _running_weeks(states: list[PlaybookState], now: datetime) -> dict[int, calendar.WeekRef | None]:
    """The week each started playbook is in, where it is (None: between its runs)."""
    return {
        state.playbook.id: calendar.week_containing(state.running(), calendar.local_date(now, state.playbook.timezone))
        for state in states
        if state.anchor is not None
    }


def _adopters(states: list[PlaybookState], versions: list[Any]) -> list[int]:
    """The playbooks adopted from a version of the registry's."""
    adopted_from = {v.id: v.playbook_id for v in versions}
    return [s.playbook.id for s in states if s.playbook.adopted_from_id in adopted_from]


def _by_function(lines: list[PlaybookLine]) -> list[tuple[str, list[PlaybookLine]]]:
    """The playbooks by function; in each, stalled first, then risks: the furthest from
    target, then the rest."""
    by_function: dict[str, list[PlaybookLine]] = {}
    for line in lines:
        by_function.setdefault(line.function, []).append(line)
    for rows in by_function.values():
        rows.sort(
            key=lambda r: (
                r.shown.get(STALLED) is None,
                r.status != "active",
                -1e9 if r.progress is None else r.progress,
            )
        )
    return sorted(by_function.items())


def _trend(weeks: list[date], ratios: dict[date, float], rates: dict[date, float]) -> list[TrendWeek]:
    """The org's exception ratio and attestation rate, from the first week with either."""
    measured = [i for i, w in enumerate(weeks) if ratios.get(w) is not None or rates.get(w) is not None]
    trend_from = measured[0] if measured else len(weeks)
    return [TrendWeek(w, ratios.get(w), rates.get(w)) for w in weeks[trend_from:]]


def _kpi_weeks(
    states: list[PlaybookState], latest: dict[int, calendar.WeekRef | None], now: datetime
) -> list[tuple[int, date]]:
    """The weeks whose KPI the overview reads, in one read: each playbook's last
    PROGRESS_WEEKS weeks, this one included (the latest KPI, the running cycle's closed
    weeks and the small charts), and the weeks the sections' lines need (the plateau
    rule's)."""
    return sorted(
        {
            *(
                (pid, w.week_start - timedelta(days=7 * back))
                for pid, w in latest.items()
                if w
                for back in range(PROGRESS_WEEKS)
            ),
            *((s.playbook.id, week) for s in states for week in sections.overview_weeks(s, now)),
        }
    )


def _line(
    state: PlaybookState, week: calendar.WeekRef | None, kpis: dict[tuple[int, date], float], shown: dict[str, Any]
) -> PlaybookLine:
    p = state.playbook
    # The latest KPI: this week's, or last week's while this one has none yet.
    kpi = None
    if week is not None:
        kpi = kpis.get((p.id, week.week_start), kpis.get((p.id, week.week_start - timedelta(days=7))))
    return PlaybookLine(
        slug=p.slug,
        title=p.title,
        function=p.function,
        status=p.status,
        kpi_name=p.kpi_name,
        unit=p.kpi_unit,
        kpi=kpi,
        baseline=p.kpi_baseline,
        target=p.kpi_target,
        progress=progress_to_target(kpi, p.kpi_baseline, p.kpi_target) if kpi is not None else None,
        week=week,
        shown=shown,
    )


def _funnel(
    states: list[PlaybookState],
    proposed: set[int],
    versions: list[Any],
    replications: dict[int, list[dict[str, Any]]],
) -> list[Stage]:
    """The funnel from pilot to replicated: every playbook at its furthest stage."""
    origin_of = {v.id: v.playbook_id for v in versions}
    published = set(origin_of.values())
    adopted, replicated = set(), set()
    for state in states:
        origin = origin_of.get(state.playbook.adopted_from_id or 0)
        if origin is not None:
            adopted.add(origin)
            if any(v.get("verdict") == REPLICATED for v in replications.get(state.playbook.id, [])):
                replicated.add(origin)
    stages = [
        sponsor.stage(
            s.playbook.id in proposed, s.playbook.id in published, s.playbook.id in adopted, s.playbook.id in replicated
        )
        for s in states
    ]
    return [Stage(name, at, reached) for name, at, reached in sponsor.funnel(stages)]


def _ways_to_target(
    lines: list[PlaybookLine],
    states: list[PlaybookState],
    latest: dict[int, calendar.WeekRef | None],
    kpis: dict[tuple[int, date], float],
) -> tuple[list[str], list[WayToTarget]]:
    """What a sponsor asks first: the active playbooks' standings (their lines', as a
    playbook's page gives it) and each one's way from baseline to target over its last
    weeks, as a share of the way (cadence.figures.progress_to_target), risks first."""
    standings, progress = [], []
    for line, state in zip(lines, states, strict=True):
        if line.status != "active":
            continue
        standing = line.shown[STANDING]
        standings.append(standing)
        progress.append(_way(state, latest.get(state.playbook.id), kpis, standing))
    repeated = {t for t, n in Counter(row.title for row in progress).items() if n > 1}
    # an adopter keeps its origin's title: the slug tells them apart
    told = [replace(row, title=f"{row.title} ({row.slug})") if row.title in repeated else row for row in progress]
    told.sort(key=lambda p: (sponsor.SHOWN_FIRST[p.standing], p.title.lower(), p.slug))  # risks first, as the tables
    return standings, told


def _way(
    state: PlaybookState, week: calendar.WeekRef | None, kpis: dict[tuple[int, date], float], standing: str
) -> WayToTarget:
    """A playbook's last PROGRESS_WEEKS weeks as shares of the way, from the first with a KPI."""
    p = state.playbook
    weeks = [week.week_start - timedelta(days=7 * back) for back in range(PROGRESS_WEEKS - 1, -1, -1)] if week else []
    values = [kpis.get((p.id, w)) for w in weeks]
    first = next((i for i, v in enumerate(values) if v is not None), len(values))  # from the first with data
    shares = [None if v is None else progress_to_target(v, p.kpi_baseline, p.kpi_target) for v in values[first:]]
    known = [v for v in shares if v is not None]  # the small chart's words, worked out once here
    return WayToTarget(
        slug=p.slug,
        title=p.title,
        standing=standing,
        weeks=[state.week_label(w) for w in weeks[first:]],
        shares=shares,
        latest=known[-1] if known else None,
        known=len(known),
        lowest=min(known, default=None),
        highest=max(known, default=None),
    )
