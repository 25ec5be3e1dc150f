"""The `/rollout` slash command.

Each request is answered in the acknowledgement itself (an ephemeral reply), so the
user hears back in one round trip. Everything is validated before the single write
a command makes, so a refusal stores nothing.

A subcommand's name, usage lines and parser are declared in handlers/grammar.py
(`SUBCOMMANDS`); what it does is its route here (`_ROUTES`, at the end).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.usecases import governance, life, registry, reports, roles
from cadence import calendar, rules
from cadence.figures import WeekFigures, meets_target, progress_to_target, sparkline
from handlers import checkins, grammar
from handlers.context import Services
from handlers.request import Request
from storage.governance import Governance
from storage.replay import Repeated
from storage.reports import Reports
from storage.store import CURATORS_CHANNEL, PlaybookState
from templates import render
from templates.refusals import Refusal

log = logging.getLogger(__name__)


def register(app: App, services: Services) -> None:
    @app.command("/rollout")
    def rollout(ack: Ack, command: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        reply, context["outcome"] = answer(services, client, command)
        ack(**reply) if reply else ack()


def answer(services: Services, client: WebClient, command: dict[str, Any]) -> tuple[dict[str, Any] | None, str]:
    """The ephemeral reply to one `/rollout` request (None: a form was opened instead),
    and its outcome for the metrics: ok, form, refused, failed or repeat."""
    request = Request(services, client, command.get("user_id", ""), command.get("channel_id", ""))
    try:
        parsed = grammar.parse(command.get("text", ""))
        if isinstance(parsed, grammar.OpenForm):
            opened = checkins.open_form(request, parsed.form, command.get("trigger_id", ""))
            return opened, "form" if opened is None else "refused"
        message, outcome = _ROUTES[type(parsed)](request, parsed), "ok"
    except Repeated:
        return None, "repeat"  # a replay: its first write found the request already handled
    except Refusal as refusal:
        message, outcome = (
            render(
                "refusal",
                problem=refusal.problem,
                suggestions=list(refusal.suggestions),
                usage=list(grammar.USAGE.get(refusal.usage or "", ())),
            ),
            "refused",
        )
    except Exception:
        # The exception's type only: its message can carry the user's text.
        log.error("/rollout %s failed", _subcommand(command), exc_info=True)
        message, outcome = render("failure"), "failed"
    return {"response_type": "ephemeral", **message}, outcome


def _subcommand(command: dict[str, Any]) -> str:
    word = (str(command.get("text") or "").split() or ["(form)"])[0].lower()
    return word if word in grammar.USAGE else "(unknown)"


def _week_context(state: PlaybookState, week: calendar.WeekRef) -> dict[str, Any]:
    return {
        "cycle": week.cycle,
        "week": week.week,
        "week_start": week.week_start.isoformat(),
        "slug": state.playbook.slug,
    }


# ---- subcommands ------------------------------------------------------------------


def _help(request: Request, cmd: grammar.Help) -> dict[str, Any]:
    topics = [cmd.topic] if cmd.topic else list(grammar.USAGE)
    return render("help", usage=[line for t in topics for line in grammar.USAGE[t]], topic=cmd.topic)


def _kpi(request: Request, cmd: grammar.Kpi) -> dict[str, Any]:
    state = request.playbook(cmd.playbook, "kpi")
    week = request.week(state, cmd.week, "kpi")
    checkins.record_kpi(request, state, week, cmd.value, cmd.percent, usage="kpi")
    playbook = state.playbook
    return render(
        "kpi_recorded",
        **_week_context(state, week),
        kpi=playbook.kpi_name,
        unit=playbook.kpi_unit,
        value=cmd.value,
        target=playbook.kpi_target,
        baseline=playbook.kpi_baseline,
        progress=progress_to_target(cmd.value, playbook.kpi_baseline, playbook.kpi_target),
    )


def _guardrail(request: Request, cmd: grammar.GuardrailReport) -> dict[str, Any]:
    state = request.playbook(cmd.playbook, "guardrail")
    week = request.week(state, cmd.week, "guardrail")
    if state.playbook.guardrail_name is not None:  # else the application layer says there is none
        request.require_member_or_owner(state, "guardrail")
    reports.record_guardrail(
        request.store, state, week, cmd.value, request.user_id, request.now, "guardrail", percent=cmd.percent
    )
    playbook = state.playbook
    verdict = rules.guardrail_state(cmd.value, playbook.guardrail_min, playbook.guardrail_max)
    return render(
        "guardrail_recorded",
        **_week_context(state, week),
        metric=playbook.guardrail_name,
        unit=state.guardrail_unit,
        value=cmd.value,
        minimum=playbook.guardrail_min,
        maximum=playbook.guardrail_max,
        breached=verdict == rules.BREACHED,
    )


def _attest(request: Request, cmd: grammar.Attest) -> dict[str, Any]:
    state = request.playbook(cmd.playbook, "attest")
    week = request.week(state, cmd.week, "attest")
    step = checkins.record_attestation(request, state, week, cmd.followed, cmd.step, cmd.note, usage="attest")
    return render(
        "attest_recorded",
        **_week_context(state, week),
        followed=cmd.followed,
        step=step.name if step else None,
        mode=step.mode if step else None,
        note=cmd.note,
    )


def _exception(request: Request, cmd: grammar.LogException) -> dict[str, Any]:
    state = request.playbook(cmd.playbook, "exception")
    step = request.step(state, cmd.step, "exception")
    week = request.current_week(state, "exception")
    request.require_owner_or_curator(state, "exception")
    reports.record_exception(request.store, state, step, week, cmd.reason, request.user_id, request.now, "exception")
    return render("exception_recorded", **_week_context(state, week), step=step.name, reason=cmd.reason)


def _cases(request: Request, cmd: grammar.Cases) -> dict[str, Any]:
    state = request.playbook(cmd.playbook, "cases")
    step = request.step(state, cmd.step, "cases")
    week = request.week(state, cmd.week, "cases")
    request.require_owner_or_curator(state, "cases")
    reports.record_cases(request.store, state, step, week, cmd.count, request.user_id, request.now, "cases")
    return render(
        "cases_recorded",
        **_week_context(state, week),
        step=step.name,
        count=cmd.count,
        min_cases=state.settings.min_cases,
    )


def _rubric(request: Request, cmd: grammar.Rubric) -> dict[str, Any]:
    state = request.playbook(cmd.playbook, "rubric")
    step = request.step(state, cmd.step, "rubric")
    week = request.week(state, cmd.week, "rubric")
    request.require_owner_or_curator(state, "rubric")
    reports.record_rubric(request.store, state, step, week, cmd.score, request.user_id, request.now, "rubric")
    return render(
        "rubric_recorded",
        **_week_context(state, week),
        step=step.name,
        score=cmd.score,
        threshold=state.playbook.rubric_threshold,
        floor=state.settings.floor_for(state.playbook.rubric_threshold),
    )


def _cycle_start(request: Request, cmd: grammar.CycleStart) -> dict[str, Any]:
    state = request.playbook(cmd.playbook, "cycle")
    started = life.start_cycle(request.store, state, cmd.starts_on, request.user_id, request.now)
    return _cycle_started(state, started.cycle, started.starts_on, started.moved_from)


def _cycle_started(
    state: PlaybookState, number: int, starts_on: date, moved_from: date | None = None
) -> dict[str, Any]:
    return render(
        "cycle_started",
        moved_from=moved_from.isoformat() if moved_from else None,
        slug=state.playbook.slug,
        cycle=number,
        starts_on=starts_on.isoformat(),
        channel=state.playbook.channel_id,
        stage=calendar.STAGES[1],
        ends_on=(starts_on + timedelta(days=calendar.DAYS_PER_CYCLE - 1)).isoformat(),
    )


def _mode(request: Request, cmd: grammar.SetMode) -> dict[str, Any]:
    state = request.playbook(cmd.playbook, "mode")
    step = request.step(state, cmd.step, "mode")
    done = governance.set_mode(request.store, state, step, cmd.mode, cmd.reason, request.user_id, request.now)
    return render(
        "mode_set",
        step=done.step,
        slug=state.playbook.slug,
        mode=done.mode,
        unfrozen=done.mode == "unfreeze",
        channel=state.playbook.channel_id,
        curators=done.curators_told,
    )


def _publish(request: Request, cmd: grammar.Publish) -> dict[str, Any]:
    return registry.publish(request.store, request.playbook(cmd.playbook, "publish"), request.user_id, request.now)


def _registry(request: Request, cmd: grammar.Registry) -> dict[str, Any]:
    return render("registry_list", entries=registry.entries(request.store, cmd.function), function=cmd.function)


def _adopt(request: Request, cmd: grammar.Adopt) -> dict[str, Any]:
    roles.require_curator(request.store, request.user_id, Refusal.of("curators_adopt", usage="adopt"))
    request.require_bot_in(cmd.channel_id, "adopt")
    if cmd.owner_id is not None:
        request.require_person(cmd.owner_id, "its owner", "adopt")
    return registry.adopt(
        request.store,
        cmd.playbook,
        cmd.version,
        cmd.channel_id,
        cmd.channel_name,
        cmd.owner_id,
        request.user_id,
        request.now,
        request.services.org_timezone,
        baseline=cmd.baseline,
        target=cmd.target,
        timezone=cmd.timezone,
        starts_on=cmd.starts_on,
    )


def _history(request: Request, cmd: grammar.History) -> dict[str, Any]:
    state = request.playbook(cmd.playbook, "history")
    step = request.step(state, cmd.step, "history") if cmd.step else None
    decisions = Governance(request.store.engine).history(state.playbook.id, step.id if step else None, cmd.limit)
    names = {s.id: s.name for s in state.steps}
    tz = state.playbook.timezone
    rows = [
        dict(
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
        for d in decisions
    ]
    return render("history", slug=state.playbook.slug, step=step.name if step else None, rows=rows, limit=cmd.limit)


def _pause(request: Request, cmd: grammar.Pause) -> dict[str, Any]:
    state = request.playbook(cmd.playbook, "retire" if cmd.retire else "pause")
    if cmd.retire:
        ended = life.retire(request.store, state, cmd.reason, request.user_id, request.now)
    else:
        ended = life.pause(request.store, state, cmd.reason, request.user_id, request.now)
    return render(
        "paused",
        slug=state.playbook.slug,
        status=ended.status,
        reason=cmd.reason,
        last_week=ended.last_week,
        closes=calendar.closing_words(ended.last_week.week_start, state.playbook.timezone, state.settings.grace_hours)
        if ended.last_week
        else None,
    )


def _resume(request: Request, cmd: grammar.Resume) -> dict[str, Any]:
    state = request.playbook(cmd.playbook, "resume")
    number, starts_on = life.resume(request.store, state, cmd.starts_on, request.user_id, request.now)
    return _cycle_started(state, number, starts_on)


def _hand_over(request: Request, cmd: grammar.HandOver) -> dict[str, Any]:
    state = request.playbook(cmd.playbook, "owner")
    request.require_owner_or_curator(state, "owner")  # before Slack is asked who the new owner is
    request.require_person(cmd.owner_id, "its owner", "owner")
    before = life.hand_over(request.store, state, cmd.owner_id, request.user_id, request.now)
    return render("owner_changed", slug=state.playbook.slug, owner=cmd.owner_id, before=before)


def _undo(request: Request, cmd: grammar.Undo) -> dict[str, Any]:
    state = request.playbook(cmd.playbook, "undo")
    owner_or_curator = request.is_owner(state) or request.store.is_curator(request.user_id)
    done = reports.undo(request.store, state, request.user_id, request.now, owner_or_curator)
    counting = done.counting
    counting_step = None
    if not isinstance(counting, int) and counting is not None and counting.step_id is not None:
        counting_step = next((s.name for s in state.steps if s.id == counting.step_id), None)
    return render(
        "undone",
        **_week_context(state, done.week),
        report=done.report,
        step=done.step,
        counting=counting,
        counting_is_count=isinstance(counting, int),
        counting_step=counting_step,
        kpi=state.playbook.kpi_name,
        unit=state.playbook.kpi_unit,
        yours=counting is not None and not isinstance(counting, int) and counting.reported_by == request.user_id,
    )


def _curator(request: Request, cmd: grammar.CuratorChange) -> dict[str, Any]:
    request.require_admin("curator")
    if cmd.add:
        request.require_person(cmd.user_id, "a curator", "curator")
        changed = request.store.add_curator(cmd.user_id, request.user_id, request.now)
    else:
        changed = request.store.remove_curator(cmd.user_id, request.user_id, request.now)
    return render("curator_changed", user=cmd.user_id, add=cmd.add, changed=changed)


def _curators_channel(request: Request, cmd: grammar.CuratorsChannel) -> dict[str, Any]:
    request.require_admin("curators-channel")
    request.store.set_setting(CURATORS_CHANNEL, cmd.channel_id, request.user_id, request.now)
    return render("curators_channel_set", channel=cmd.channel_id)


def _status(request: Request, cmd: grammar.Status) -> dict[str, Any]:
    if cmd.playbook is not None:
        return _playbook_status(request, request.playbook(cmd.playbook, "status"))
    here = request.store.playbook_states(channel_id=request.channel_id)
    if len(here) == 1:
        return _playbook_status(request, here[0])
    mine = request.store.playbooks_of(request.user_id)
    states = here or mine or request.store.playbook_states()
    rows = []
    for state in states:
        week = None
        if state.anchor is not None:
            week = calendar.week_containing(state.running(), request.today(state))
        rows.append(
            {
                "slug": state.playbook.slug,
                "title": state.playbook.title,
                "status": state.playbook.status,
                "function": state.playbook.function,
                "cycle": week.cycle if week else None,
                "week": week.week if week else None,
                "steps": len(state.steps),
            }
        )
    return render("status_list", playbooks=rows, in_channel=bool(here), yours=bool(mine) and not here)


def _kpi_trend(
    request: Request,
    state: PlaybookState,
    weeks: list[date],
    week: calendar.WeekRef | None,
    figures: WeekFigures | None,
) -> dict[tuple[int, date], float]:
    """The KPI of each of `weeks` (its latest report), keyed as Reports.kpi_series: this
    week's from `figures`, read anyway, and the others in one query."""
    playbook = state.playbook
    to_read = [w for w in weeks if week is None or figures is None or w != week.week_start]
    series = Reports(request.store.engine).kpi_series([playbook.id], to_read)
    if week is not None and figures is not None and figures.kpi is not None:
        series[(playbook.id, week.week_start)] = figures.kpi
    return series


def _playbook_status(request: Request, state: PlaybookState) -> dict[str, Any]:
    playbook = state.playbook
    week = None
    today = request.today(state)
    if state.anchor is not None:
        week = calendar.week_containing(state.running(), today)
    figures = request.store.week_figures(state, week.week_start) if week else None
    progress = None
    if figures is not None and figures.kpi is not None:
        progress = progress_to_target(figures.kpi, playbook.kpi_baseline, playbook.kpi_target)
    gov = Governance(request.store.engine)
    lookback = governance.thresholds(state).lookback_weeks
    history = gov.histories([state], lookback)
    proposals = gov.open_proposals(playbook.id)
    versions = gov.versions(playbook_id=playbook.id)
    names: dict[int | None, str] = {s.id: s.name for s in state.steps}
    rows = []
    for index, step in enumerate(state.steps):
        step_state = history.states[step.id]
        recent = [v.outcome for v in step_state.verdicts[-4:]]
        latest = step_state.since_change()[-1].outcome if step_state.since_change() else None
        rows.append(
            dict(
                name=step.name,
                mode=step.mode,
                pinned=step.pinned,
                frozen=step.frozen,
                proposal=step_state.open_proposal,
                recent=recent,
                streak_outcome=latest,
                streak=step_state.trailing(latest) if latest else 0,
                week=figures.steps[index] if figures else None,
            )
        )
    last = week.week_start if week else calendar.monday_of(today)
    trend_weeks = [last - timedelta(days=7 * i) for i in range(7, -1, -1)]
    series = _kpi_trend(request, state, trend_weeks, week, figures)
    trend = [series.get((playbook.id, w)) for w in trend_weeks]
    # The scale rule, week by week: which weeks of this cycle met the target so far.
    met_weeks = []
    if week is not None:
        for number in range(1, week.week + 1):
            value = series.get((playbook.id, week.cycle_start + timedelta(days=7 * (number - 1))))
            if value is not None and meets_target(value, playbook.kpi_target, playbook.kpi_direction):
                met_weeks.append(number)
    origin = None
    if playbook.adopted_from_id is not None:
        origin_version = next((v for v in gov.versions() if v.id == playbook.adopted_from_id), None)
        origin = f"{origin_version.slug} v{origin_version.version}" if origin_version else None
    # Owners and curators read who deviated or logged an exception, and why; members read
    # the counts and their own answer.
    full = request.is_owner(state) or request.store.is_curator(request.user_id)
    notes = []
    if figures is not None and week is not None and full:
        notes = [
            dict(step=a.step, who=a.user_id, why=a.note, what="deviation")
            for a in figures.attestations
            if a.attestation == "deviated"
        ] + [
            dict(step=names.get(e.step_id), who=e.reported_by, why=e.reason, what="exception")
            for e in request.store.exceptions_of(playbook.id, week.week_start)
        ]
    mine = next((a for a in figures.attestations if a.user_id == request.user_id), None) if figures else None
    return render(
        "status",
        full=full,
        notes=notes,
        mine=mine,
        playbook=playbook,
        anchor=state.anchor,
        week=week,
        stage=week.stage if week else None,
        figures=figures,
        progress=progress,
        step_rows=rows,
        versions=versions,
        origin=origin,
        trend=sparkline(trend),
        trend_known=sum(1 for v in trend if v is not None),
        met_weeks=met_weeks,
        scale_min_kpi_weeks=state.settings.scale_min_kpi_weeks,
        guardrail=None
        if playbook.guardrail_name is None or figures is None
        else dict(
            name=playbook.guardrail_name,
            unit=state.guardrail_unit,
            value=figures.guardrail,
            minimum=playbook.guardrail_min,
            maximum=playbook.guardrail_max,
            state=rules.guardrail_state(figures.guardrail, playbook.guardrail_min, playbook.guardrail_max),
        ),
        proposals=[
            dict(kind=p.kind, step=names.get(p.step_id), to_mode=p.to_mode, figures=p.figures) for p in proposals
        ],
    )


# The route of each type a parser in grammar.SUBCOMMANDS returns (but OpenForm, which
# opens a form: checkins.open_form). The other half of each subcommand's declaration:
# the grammar must stay pure (no Slack, no database), so what a command does is declared
# here. Keyed by type rather than by subcommand name, because the type is what a route
# reads (pause and retire share one, and a parser that starts returning a new type needs
# a route for it); tests/handlers/test_routes.py fails until every type a parser is
# annotated to return has a route here, and every route a type some parser returns.
_ROUTES: dict[type, Callable[[Request, Any], dict[str, Any]]] = {
    grammar.Help: _help,
    grammar.Status: _status,
    grammar.Kpi: _kpi,
    grammar.Attest: _attest,
    grammar.LogException: _exception,
    grammar.Cases: _cases,
    grammar.Rubric: _rubric,
    grammar.CycleStart: _cycle_start,
    grammar.SetMode: _mode,
    grammar.Publish: _publish,
    grammar.Registry: _registry,
    grammar.Adopt: _adopt,
    grammar.CuratorChange: _curator,
    grammar.CuratorsChannel: _curators_channel,
    grammar.Undo: _undo,
    grammar.History: _history,
    grammar.GuardrailReport: _guardrail,
    grammar.Pause: _pause,
    grammar.Resume: _resume,
    grammar.HandOver: _hand_over,
}
