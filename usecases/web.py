"""The web view (handlers/web_view.py): who is signed in, and what each page shows them
(the org overview: usecases/web_overview.py).
Read-only; who sees what is `/rollout status`'s rule (roles.sees_names)."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from cadence import calendar
from cadence.judgement import kpi_change
from cadence.replication import cycle_median
from storage.store import PlaybookState, Store
from storage.uow import Reading
from templates import ID_IN_TEXT, criterion_phrase
from usecases import sources as pulled
from usecases import status
from usecases import value as worth
from usecases.shared import champions, depth, queue, readiness, registry, roles, stalling
from usecases.shared import versions as upgrades
from usecases.shared.governance import thresholds, why_unsure
from usecases.shared.listings import PLAYBOOK_LEARNINGS
from usecases.shared.services import Services

LINK_VALID = timedelta(minutes=10)
SESSION = timedelta(hours=12)  # a session's life from sign-in; sign-out ends it sooner
CHART_WEEKS = 104  # a playbook page's charts: two years of weeks, from its first cycle on
TABLE_WEEKS = 26  # its tables and grid: half a year at a time, earlier ones a page back
REPORTS_SHOWN = 200  # a playbook page's newest reports, with who sent each


@dataclass(frozen=True)
class Viewer:
    """Who is signed in: a Slack user of this workspace."""

    user_id: str


def one_time_link(services: Services, user_id: str, web_url: str) -> str:
    """A sign-in link for `user_id`, good once and for ten minutes (`/rollout web`)."""
    token = secrets.token_urlsafe(32)
    services.store.web_logins.add(_hash(token), user_id, services.clock() + LINK_VALID)
    return f"{web_url.rstrip('/')}/web/login?token={token}"


def sign_in(services: Services, token: str) -> Viewer | None:
    """The viewer a one-time link signs in, using it up; None if it is unknown, used or old."""
    if not token or len(token) > 100:
        return None
    user_id = services.store.web_logins.use(_hash(token), services.clock())
    return Viewer(user_id) if user_id else None


def sign_in_with_slack(
    services: Services, code: str, redirect_uri: str, nonce: str, workspace_team: str | None
) -> Viewer | str:
    """Whoever Slack signed in with `code`, in the sign-in that sent `nonce`, if they are a
    user of this workspace. Otherwise why not, as the sign-in page words it:
    "not_started_here" when Slack refuses the code or its ID token is of another sign-in
    (a code carried over from someone else's), "other_workspace" for anyone else."""
    signin = services.sign_in_with_slack
    if signin is None or not code or len(code) > 200 or not nonce:
        return "not_started_here"
    identity = signin.identity(code, redirect_uri, nonce)
    if identity is None:
        return "not_started_here"
    if workspace_team is None or identity[1] != workspace_team:
        return "other_workspace"
    return Viewer(identity[0])


def start_session(services: Services, viewer: Viewer) -> str:
    """A session for `viewer`, of 12 hours: its id, for the cookie (only its hash is kept)."""
    session_id = secrets.token_urlsafe(32)
    now = services.clock()
    services.store.web_logins.add_session(_hash(session_id), viewer.user_id, now, now + SESSION)
    return session_id


def session_viewer(services: Services, session_id: str) -> Viewer | None:
    """Who the session signs in, if it has neither ended (sign-out) nor expired."""
    if not session_id or len(session_id) > 100:
        return None
    user_id = services.store.web_logins.session_user(_hash(session_id), services.clock())
    return Viewer(user_id) if user_id else None


def end_session(services: Services, session_id: str) -> None:
    """Sign-out: the session signs nobody in from now on, whoever holds its cookie."""
    if session_id and len(session_id) <= 100:
        services.store.web_logins.end_session(_hash(session_id))


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def playbook_page(services: Services, viewer: Viewer, slug: str, until: date | None = None) -> dict[str, Any] | None:
    """One playbook over months: the KPI and guardrail charted over up to two years in
    their units; the steps × weeks grid of verdicts with their numbers, this week, the
    modes over time, decisions, learnings, the kit and each report with who sent it, for
    the half year up to `until` (the latest by default); deviation and exception reasons
    only for its owner and the curators (as `/rollout status`)."""
    now = services.clock()
    with Reading(services.store) as store:
        state = store.playbooks.state(slug)
        if state is None:
            return None
        this_week = calendar.monday_of(calendar.local_date(now, state.playbook.timezone))
        first = calendar.first_day(state.running()) if state.anchor is not None else this_week
        charted = _weeks_back(this_week, CHART_WEEKS, first)
        last = min(max(calendar.monday_of(until), first), this_week) if until else this_week
        weeks = _weeks_back(last, TABLE_WEEKS, first)
        pid = state.playbook.id
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
        learnings = store.learnings.of(pid, limit=PLAYBOOK_LEARNINGS)
        sources = store.readouts.report_sources(pid, weeks[0], weeks[-1])
        log = store.readouts.report_log(pid, weeks[0], weeks[-1], REPORTS_SHOWN)
        sourced = pulled.provenance(store, state, weeks)
        reliable = pulled.reliability(store, state, services.clock())
        full = roles.sees_names(store, state, viewer.user_id)
        notes = status.reasons(store, state, figures[(pid, this_week)]) if full else []
        months = depth.months(store, this_week - timedelta(days=7), pid, first)
        flagged = depth.plateaus(store, [state], now)[pid]
        items = queue.open_items(store, [state], now)[pid]
        moves = store.exception_items.events_of(pid)
        checklist = champions.checklist_of(store, state.playbook) if state.playbook.champion_id else []
        latest_readiness = _readiness(store, state, decisions, now)
        measure = worth.of_playbook(store, state, services.currency)
        carried = worth.heroes(store, [state], {state.playbook.id: this_week}).get(state.playbook.id)
        stall = stalling.stalled(store, [state]).get(pid)
        last_hit = store.governance.last_hits([pid])[0].get(pid)
    p = state.playbook
    now_week = (
        calendar.week_containing(state.running(), calendar.local_date(now, p.timezone))
        if state.anchor is not None
        else None
    )
    steps = {s.id: s.name for s in state.steps}
    verdicts = {(v.week_start, step.id): v for step in state.steps for v in history.states[step.id].verdicts}
    rows = []
    th = thresholds(state)
    for w in weeks:
        f = figures.get((p.id, w))
        measured = {s.name: s for s in f.steps} if f else {}
        cells = []
        for step in state.steps:
            verdict, live = verdicts.get((w, step.id)), measured.get(step.name)
            numbers: tuple[int | None, int | None, float | None, int | None] = (None, None, None, None)
            if verdict is not None:  # what it was judged on (a sample too small: no rubric)
                n = verdict.numbers
                numbers = (n.cases, n.exceptions, n.rubric, n.reviewed)
            elif live is not None:
                numbers = (live.cases, live.total_exceptions, live.counted_rubric, live.reviewed)
            cases, exceptions, rubric, reviewed = numbers
            outcome = verdict.outcome if verdict else None
            why = why_unsure(verdict, th) if verdict else None  # an INCONCLUSIVE week's reason, by its kept rule
            cells.append(
                dict(name=step.name, verdict=outcome, cases=cases, exceptions=exceptions, rubric=rubric, why=why)
                | dict(reviewed=reviewed)
            )
        rows.append(
            dict(
                week=w,
                label=week_label(state, w),
                kpi=kpis.get(w),
                guardrail=guardrails.get(w),
                guardrail_state=history.guardrail.get(p.id, {}).get(w),
                steps=cells,
            )
        )
    if weeks[0] == first and any(_has_data(r) for r in rows):  # the first weeks: from the first with data
        while not _has_data(rows[0]):
            rows.pop(0)
    current = figures[(p.id, this_week)]
    decision_rows = _decision_rows(state, decisions)
    shown = dict(
        playbook=p,
        standing=stalling.standing(state, now_week, kpis, stall is not None, last_hit),
        stalled=stall.phrase if stall else None,
        plateau=flagged,
        depth=[dict(m, label=week_label(state, m["week"])) for m in months],
        cycles=_cycle_changes(state, charted, kpis),
        cap=thresholds(state).exception_cap,
        rubric_threshold=thresholds(state).rubric_threshold,
        steps=state.steps,
        rows=rows,
        full=full,
        notes=notes,
        deviations=sum(1 for a in current.attestations if a.attestation == "deviated"),
        decisions=decision_rows,
        readiness=latest_readiness,
        modes=[d for d in decision_rows if d["kind"] == "mode-change"],
        learnings=learnings,
        sources=sources,
        sourced=[
            dict(week=w, label=week_label(state, w), **item, said=pulled.in_words(item))
            for w in reversed(weeks)
            for item in sourced.get(w, [])
        ],
        reliability=None if reliable is None else reliable.words(),
        # the exception queue: its open items by step, and every item's moves (reasons and
        # notes, as in status, only for the owner and the curators)
        queue=queue.per_step(state, [dict(i, reason=i["reason"] if full else None) for i in items]),
        item_moves=[
            dict(
                at=m.at,
                item=m.item.key,
                source=m.item.source,
                step=steps.get(m.item.step_id or 0),
                logged_at=m.item.logged_at,
                logged_by=m.item.logged_by,
                reason=m.item.reason if full else None,
                state=m.state,
                note=m.note if full else None,
                by=m.by,
            )
            for m in moves
        ],
        reports_shown=REPORTS_SHOWN,
        reports=[
            dict(
                at=r.reported_at,
                week=week_label(state, r.week_start),
                kind=r.kind,
                step=steps.get(r.step_id or 0),
                number=r.number,
                # An exception's reason: as in status, only the owner and the curators read it.
                reason=r.reason if full else None,
                by=r.reported_by,
                withdrawn_by=r.withdrawn_by if r.withdrawn_at else None,
            )
            for r in log
        ],
        charted=dict(
            labels=[week_label(state, w) for w in charted],
            kpi=[kpis.get(w) for w in charted],
            guardrail=[guardrails.get(w) for w in charted],
        ),
        window=TABLE_WEEKS,
        this_monday=this_week,
        earlier=weeks[0] - timedelta(days=7) if weeks[0] > first else None,
        later=min(weeks[-1] + timedelta(days=7 * TABLE_WEEKS), this_week) if weeks[-1] < this_week else None,
        this_week=dict(
            label=week_label(state, this_week),
            kpi=current.kpi,
            checkins=len(current.attestations),
            followed=current.followed,
        ),
        kit=p.definition.get("replication") or {},
        runs=upgrades.runs(services.store.registry.versions(), p.adopted_from_id) if p.adopted_from_id else None,
        from_adopters=upgrades.from_adopters(services.store, p.id, PLAYBOOK_LEARNINGS),
        value=measure,
        value_words=worth.words(measure),
        hero_id=carried.person if carried else None,
        hero_share=carried.share if carried else None,
        champion=p.champion_id,
        checklist=checklist,
        guardrail=dict(
            name=p.guardrail_name, unit=state.guardrail_unit, minimum=p.guardrail_min, maximum=p.guardrail_max
        )
        if p.guardrail_name
        else None,
    )
    return with_names(services.store, shown, [p.owner_id, *(x.added_by for x in learnings)], [p.channel_id])


def _has_data(row: dict[str, Any]) -> bool:
    """Whether a week of the playbook page's table has anything to show: a KPI, a
    guardrail reading, a step's numbers or a verdict on them (MISSING is none)."""
    return (
        row["kpi"] is not None
        or row["guardrail"] is not None
        or any(
            c["cases"] is not None
            or c["exceptions"]
            or c["rubric"] is not None
            or c["verdict"] not in (None, "MISSING")
            for c in row["steps"]
        )
    )


def _readiness(store: Store, state: PlaybookState, decisions: list[Any], now: datetime) -> dict[str, Any] | None:
    """The latest judgement of readiness, each criterion as the proposal words it, with
    the exception queue as it stands `now` (a publish would judge it so)."""
    judged = readiness.latest(decisions)
    if judged is None:
        return None
    criteria = readiness.queue_now(store, state, judged["criteria"], now)
    lines = [criterion_phrase(c, today=True) for c in criteria]
    return dict(
        judged,
        criteria=criteria,
        ready=all(c["met"] for c in criteria),
        missing=[c["name"] for c in criteria if not c["met"]],
        when=calendar.local_date(judged["at"], state.playbook.timezone),
        lines=lines,
    )


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


def _decision_rows(state: PlaybookState, decisions: list[Any]) -> list[dict[str, Any]]:
    p = state.playbook
    steps = {s.id: s.name for s in state.steps}
    return [
        dict(
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
    entries = registry.entries(services.store, None)
    for entry in entries:
        for adopter in entry["adopters"]:
            adopter["verdicts"] = [
                dict(v, delta=_difference(v), median=cycle_median(v.get("weekly") or [])) for v in adopter["verdicts"]
            ]
    return with_names(services.store, dict(entries=entries, viewer=viewer.user_id))


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


def _difference(verdict: dict[str, Any]) -> float | None:
    """How much further (or less far) than its origin an adopter's cycle got."""
    own, origin = verdict.get("progress"), verdict.get("origin_progress")
    return own - origin if own is not None and origin is not None else None


def _weeks_back(last: date, count: int, first: date) -> list[date]:
    """The Mondays of the `count` weeks up to `last`, none before `first` (but `last`)."""
    weeks = [last - timedelta(days=7 * i) for i in range(count - 1, -1, -1)]
    return [w for w in weeks if w >= first] or [last]


def week_label(state: PlaybookState, week_start: date) -> str:
    if state.anchor is None:
        return week_start.isoformat()
    week = calendar.week_containing(state.running(), week_start)
    return f"C{week.cycle}W{week.week}" if week else "–"
