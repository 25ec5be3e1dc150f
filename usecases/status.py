"""What `/rollout status` and `/rollout history` show, and to whom: one playbook's week
(figures, steps, proposals, the KPI's trend and the scale rule's weeks so far), the list
of playbooks here or yours, and a playbook's decisions with their numbers. Owners and
curators read who deviated or logged an exception and why; members read the counts and
their own answer. Each returns what its template (templates/status*.j2, history.j2) shows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from slack_sdk.errors import SlackApiError

from cadence import calendar, cycle_rules, verdicts
from cadence.calendar import WeekRef
from cadence.figures import Attestation, StepWeek, WeekFigures, meets_target, progress_to_target
from cadence.judgement import KpiChange, kpi_change
from cadence.state import PlaybookState
from slack_api.members import DirectoryUnavailable
from storage.models.governance import Decision
from storage.store import Store
from usecases import sections
from usecases.shared import governance, messages, roles
from usecases.shared.caller import Caller, Step
from usecases.shared.listings import HISTORY_LEARNINGS

LEARNINGS_SHOWN = 3  # the running cycle's newest, in status; history shows more


@dataclass(frozen=True)
class Shown:
    """A template's name and what it shows."""

    template: str
    context: dict[str, Any]


def status(caller: Caller, cmd: messages.Status) -> PlaybookStatus | StatusList:
    """One playbook's status: the one named, or this channel's only one; else the list of
    this channel's playbooks, or the caller's, or every one. It only reads, a dozen
    things, so its reads share one connection (a Reading, storage/store.py)."""
    with caller.store.reading() as store:
        return _status(caller.on(store), cmd.playbook)


@dataclass(frozen=True)
class ListedPlaybook:
    slug: str
    title: str
    status: str
    function: str | None
    week: WeekRef | None  # the running one's
    steps: int


@dataclass(frozen=True)
class StatusList:
    """Several playbooks, one line each: this channel's, else the caller's, else every one."""

    playbooks: list[ListedPlaybook]
    in_channel: bool
    yours: bool


@dataclass(frozen=True)
class StepStatus:
    """A step in status: its mode, its last verdicts and its streak, this week's numbers."""

    name: str
    mode: str
    pinned: bool
    frozen: bool
    proposal: Any
    recent: list[str]  # the last four verdicts' outcomes
    streak_outcome: str | None
    streak: int
    week: StepWeek | None
    unsure: Unsure | None  # the latest of those four weeks that was INCONCLUSIVE
    fallback_mode: str | None = None  # the mode it runs in while escalated items wait (Handoffs with a fallback)


@dataclass(frozen=True)
class Unsure:
    week: date
    why: str | None


@dataclass(frozen=True)
class PlaybookStatus:
    """One playbook's week, as the caller may read it (templates/status.json.j2 shows it
    through handlers/present_status.py)."""

    state: PlaybookState
    full: bool  # owners and curators read who deviated or logged an exception, and why
    notes: list[dict[str, Any]]
    mine: Attestation | None  # the caller's own answer this week
    week: WeekRef | None
    figures: WeekFigures | None
    progress: float | None
    steps: list[StepStatus]
    versions: list[Any]
    trend: list[float | None]  # the KPI of the last eight weeks
    met_weeks: list[int]  # the scale rule, week by week: which weeks of this cycle met the target so far
    away: list[tuple[str, date]]  # who of the team is away, and until when
    learnings: list[Any]
    kpi_moved: KpiChange | None
    owner_deactivated: bool
    guardrail_state: str | None
    proposals: list[Any]
    sections: dict[str, Any] = field(default_factory=dict)  # each registered section's model (usecases/sections)


def _status(caller: Caller, slug: str | None) -> PlaybookStatus | StatusList:
    if slug is not None:
        return playbook_status(caller, caller.playbook(slug, "status"))
    here = caller.store.playbooks.states(channel_id=caller.channel_id)
    if len(here) == 1:
        return playbook_status(caller, here[0])
    mine = caller.store.playbooks.of_person(caller.user_id)
    states = here or mine or caller.store.playbooks.states()
    rows = [
        ListedPlaybook(
            slug=state.playbook.slug,
            title=state.playbook.title,
            status=state.playbook.status,
            function=state.playbook.function,
            week=calendar.week_containing(state.running(), caller.today(state)) if state.anchor is not None else None,
            steps=len(state.steps),
        )
        for state in states
    ]
    return StatusList(rows, in_channel=bool(here), yours=bool(mine) and not here)


def _kpi_trend(
    caller: Caller, state: PlaybookState, weeks: list[date], figures: WeekFigures | None
) -> dict[tuple[int, date], float]:
    """The KPI of each of `weeks` (consecutive, the last this week's: its latest report),
    keyed by playbook id and week: this week's from `figures`, read anyway, and the
    weeks before it in one statement (WeeklyReports.kpi_range)."""
    pid = state.playbook.id
    last = weeks[-1] if figures is None else weeks[-1] - timedelta(days=7)
    series = {(pid, w): v for w, v in caller.store.reports.kpi_range(pid, weeks[0], last).items()}
    if figures is not None and figures.kpi is not None:
        series[(pid, figures.week_start)] = figures.kpi
    return series


def playbook_status(caller: Caller, state: PlaybookState) -> PlaybookStatus:
    playbook = state.playbook
    today = caller.today(state)
    week = calendar.week_containing(state.running(), today) if state.anchor is not None else None
    figures = caller.store.reports.week_figures(state, week.week_start) if week else None
    history = caller.store.governance.histories([state], governance.thresholds(state).lookback_weeks)
    last = week.week_start if week else calendar.monday_of(today)
    trend_weeks = [last - timedelta(days=7 * i) for i in range(7, -1, -1)]
    series = _kpi_trend(caller, state, trend_weeks, figures)
    kpis = {w: v for (_, w), v in series.items()}
    full = roles.sees_names(caller.store, state, caller.user_id)
    services = caller.services
    reading = sections.Reading(
        caller.store, caller.now, services.currency, services.hourly_rate, weeks=trend_weeks, kpis=series
    )
    return PlaybookStatus(
        state=state,
        full=full,
        notes=reasons(caller.store, state, figures) if figures is not None and full else [],
        mine=_own_answer(figures, caller.user_id),
        week=week,
        figures=figures,
        progress=_progress(state, figures),
        steps=_steps(state, history, figures),
        versions=caller.store.registry.versions(playbook_id=playbook.id),
        trend=[kpis.get(w) for w in trend_weeks],
        met_weeks=_met_weeks(state, week, kpis),
        away=_away(caller, state, today),
        learnings=_learnings(caller.store, state, week),
        kpi_moved=_kpi_moved(state, week, kpis),
        owner_deactivated=_owner_deactivated(caller, state),
        guardrail_state=_guardrail_state(state, figures),
        proposals=history.proposals,  # the steps' and the playbook's, read with the verdicts
        sections=sections.status(caller, reading, [state])[playbook.id],
    )


def _own_answer(figures: WeekFigures | None, user_id: str) -> Attestation | None:
    """The caller's own check-in this week."""
    return next((a for a in figures.attestations if a.user_id == user_id), None) if figures else None


def _learnings(store: Store, state: PlaybookState, week: WeekRef | None) -> list[Any]:
    """The running cycle's newest learnings, and whether there are more (one more read)."""
    return store.learnings.of(state.playbook.id, [week.cycle], limit=LEARNINGS_SHOWN + 1) if week else []


def _progress(state: PlaybookState, figures: WeekFigures | None) -> float | None:
    if figures is None or figures.kpi is None:
        return None
    playbook = state.playbook
    return progress_to_target(figures.kpi, playbook.kpi_baseline, playbook.kpi_target)


def _steps(state: PlaybookState, history: Any, figures: WeekFigures | None) -> list[StepStatus]:
    th = governance.thresholds(state)
    rows = []
    for index, step in enumerate(state.steps):
        step_state = history.states[step.id]
        latest = step_state.since_change()[-1].outcome if step_state.since_change() else None
        unsure = next((v for v in reversed(step_state.verdicts[-4:]) if v.outcome == verdicts.INCONCLUSIVE), None)
        rows.append(
            StepStatus(
                name=step.name,
                mode=step.mode,
                pinned=step.pinned,
                frozen=step.frozen,
                proposal=step_state.open_proposal,
                recent=[v.outcome for v in step_state.verdicts[-4:]],
                streak_outcome=latest,
                streak=step_state.trailing(latest) if latest else 0,
                week=figures.steps[index] if figures else None,
                unsure=None if unsure is None else Unsure(unsure.week_start, governance.why_unsure(unsure, th)),
                fallback_mode=step.fallback_mode,
            )
        )
    return rows


def _met_weeks(state: PlaybookState, week: WeekRef | None, kpis: dict[date, float]) -> list[int]:
    """The scale rule, week by week: which weeks of this cycle met the target so far."""
    if week is None:
        return []
    p = state.playbook
    return [
        number
        for number in range(1, week.week + 1)
        if (value := kpis.get(week.cycle_start + timedelta(days=7 * (number - 1)))) is not None
        and meets_target(value, p.kpi_target, p.kpi_direction)
    ]


def _kpi_moved(state: PlaybookState, week: WeekRef | None, kpis: dict[date, float]) -> KpiChange | None:
    """The KPI's change from the baseline over this cycle's weeks so far."""
    if week is None:
        return None
    return kpi_change(
        [kpis.get(week.cycle_start + timedelta(days=7 * i)) for i in range(week.week)], state.playbook.kpi_baseline
    )


def _away(caller: Caller, state: PlaybookState, today: date) -> list[tuple[str, date]]:
    """Who of the team is away today, and until when, the soonest back first."""
    away = sorted(_away_on_team(caller, state, today).items(), key=lambda item: item[1][1])
    return [(user, last) for user, (first, last) in away if first <= today]


def _owner_deactivated(caller: Caller, state: PlaybookState) -> bool:
    if state.owner_deactivated is not None:
        return state.owner_deactivated
    return bool(caller.store.people.deactivated([state.playbook.owner_id]))


def _guardrail_state(state: PlaybookState, figures: WeekFigures | None) -> str | None:
    p = state.playbook
    if p.guardrail_name is None or figures is None:
        return None
    return cycle_rules.guardrail_state(figures.guardrail, p.guardrail_min, p.guardrail_max)


def reasons(store: Store, state: PlaybookState, figures: WeekFigures) -> list[dict[str, Any]]:
    """Who deviated or logged an exception in the week of `figures`, and why: what the
    owner and the curators see (roles.sees_names), in status and on the web view."""
    names = {s.id: s.name for s in state.steps}
    return [
        dict(step=a.step, who=a.user_id, why=a.note, what="deviation")
        for a in figures.attestations
        if a.attestation == "deviated"
    ] + [
        dict(step=names.get(e.step_id), who=e.reported_by, why=e.reason, what="exception")
        for e in store.reports.exceptions_of(state.playbook.id, figures.week_start)
    ]


def history(caller: Caller, cmd: messages.History) -> Shown:
    with caller.store.reading() as store:
        return _history(caller.on(store), cmd.playbook, cmd.step, cmd.limit)


def _history(caller: Caller, slug: str, step_name: str | None, limit: int) -> Shown:
    state = caller.playbook(slug, "history")
    tz = state.playbook.timezone
    removed = _removed_step(caller, state, step_name) if step_name else None
    step = removed or (caller.step(state, step_name, "history") if step_name else None)
    decisions = caller.store.governance.history(state.playbook.id, step.id if step else None, limit)
    names = {s.id: s.name for s in [*state.steps, *([removed] if removed else [])]}
    rows = [_decision_row(state, names, d) for d in decisions]
    learnings = [] if step else caller.store.learnings.of(state.playbook.id, limit=HISTORY_LEARNINGS + 1)
    sources = {} if step else _report_sources(caller, state)
    return Shown(
        "history",
        dict(
            slug=state.playbook.slug,
            unit=state.playbook.kpi_unit,
            step=step.name if step else None,
            removed=calendar.local_date(removed.retired_at, tz).isoformat() if removed and removed.retired_at else None,
            rows=rows,
            limit=limit,
            learnings=[
                dict(cycle=x.cycle, text=x.text, by=x.added_by, when=calendar.local_date(x.added_at, tz).isoformat())
                for x in learnings[:HISTORY_LEARNINGS]
            ],
            more_learnings=len(learnings) > HISTORY_LEARNINGS,
            sources=[dict(by=by, what=", ".join(kinds)) for by, kinds in sources.items()],
            sources_weeks=SOURCES_WEEKS,
        ),
    )


def _decision_row(state: PlaybookState, names: dict[int, str], d: Decision) -> dict[str, Any]:
    tz = state.playbook.timezone
    return dict(
        when=calendar.local_date(d.decided_at, tz).isoformat(),
        week=governance.week_label(state, d.week_start) if d.week_start else None,
        kind=d.kind,
        step=names.get(d.step_id) if d.step_id else None,
        from_mode=d.from_mode,
        to_mode=d.to_mode,
        rule=d.rule,
        person=None if ":" in d.actor else d.actor,
        actor=d.actor,
        summary=d.summary,
        f=d.figures or {},
    )


def _report_sources(caller: Caller, state: PlaybookState) -> dict[str, list[str]]:
    """Who reported the last weeks' numbers: people, and the systems with tokens
    (provenance), each with what they reported."""
    today = calendar.local_date(caller.now, state.playbook.timezone)
    since = calendar.monday_of(today) - timedelta(days=7 * (SOURCES_WEEKS - 1))
    sources: dict[str, list[str]] = {}
    for by, kind, count in caller.store.readouts.report_sources(state.playbook.id, since):
        one, many = _REPORT_NAMES[kind]
        sources.setdefault(by, []).append(f"{count} {one if count == 1 else many}")
    return sources


def _removed_step(caller: Caller, state: PlaybookState, name: str) -> Step | None:
    """A step taken out of the playbook's definition, by its name, whose history is kept
    and readable; None if the playbook has a step of that name now (or never had one)."""
    if state.step(name) is not None:
        return None
    wanted = name.lower()
    return next((s for s in caller.store.playbooks.removed_steps(state.playbook.id) if s.name.lower() == wanted), None)


SOURCES_WEEKS = 4  # history names who reported the last weeks' numbers
_REPORT_NAMES = {
    "KPI": ("KPI reading", "KPI readings"),
    "guardrail": ("guardrail reading", "guardrail readings"),
    "cases": ("case count", "case counts"),
    "rubric": ("rubric score", "rubric scores"),
    "exception": ("exception", "exceptions"),
}


def _away_on_team(caller: Caller, state: PlaybookState, today: date) -> dict[str, tuple[date, date]]:
    """The team's people who said they are away today or later; none if Slack does not
    say who is on the team (status shows the rest all the same)."""
    try:
        channel = state.playbook.channel_id
        known = None if state.channel_changes is None else {channel: state.channel_changes}
        team = caller.services.directory.teams(caller.client, [channel], known)
    except (DirectoryUnavailable, SlackApiError, OSError, TimeoutError):
        return {}
    people = team.get(channel) or []
    return caller.store.people.away([p.user_id for p in people], through=today) if people else {}
