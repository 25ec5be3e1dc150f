"""Check-ins and KPI reports, shared by the slash command and the forms (modals)."""

from __future__ import annotations

import json
import logging
from datetime import date
from typing import Any

from slack_sdk.errors import SlackApiError

from bot.usecases import reports
from cadence import calendar, keys
from handlers.request import Request
from storage.models import Step
from storage.store import PlaybookState
from templates import render
from templates.refusals import Refusal

log = logging.getLogger(__name__)


def record_kpi(
    request: Request,
    state: PlaybookState,
    week: calendar.WeekRef,
    value: float,
    percent: bool,
    usage: str | None,
) -> None:
    """A KPI reading from a member or the owner."""
    request.require_member_or_owner(state, usage)
    reports.record_kpi(request.store, state, week, value, percent, request.user_id, request.now, usage)


def record_attestation(
    request: Request,
    state: PlaybookState,
    week: calendar.WeekRef,
    followed: bool,
    step_name: str | None,
    note: str | None,
    usage: str | None,
) -> Step | None:
    """Records a member's check-in; returns the step deviated on (None when followed)."""
    step = None if followed else request.step(state, step_name or "", usage)
    request.require_member(state, usage)
    reports.record_attestation(request.store, state, week, step, note, request.user_id, request.now, usage)
    return step


button_value = keys.checkin_button  # what a check-in button carries back: which playbook and week


def week_of(state: PlaybookState, week_start: date) -> calendar.WeekRef | None:
    """The cycle week that starts on `week_start`; None for any other date (a button or
    form carries the week it was sent for, and a forged one names no week)."""
    anchor = state.cycle_anchor
    week = calendar.week_containing(anchor, week_start) if anchor else None
    return week if week is not None and week.week_start == week_start else None


def form_view(
    form: str,
    state: PlaybookState | None,
    week: calendar.WeekRef | None,
    metadata: dict[str, Any],
    choices: list[dict[str, str]] | None = None,
) -> dict[str, Any]:
    """The modal for a check-in form: `attest`, `deviation` or `kpi`."""
    context: dict[str, Any] = dict(
        metadata=json.dumps(metadata, separators=(",", ":")),
        choices=choices or [],
        week=week,
        title="",
        steps=[],
        kpi_name="",
        baseline=0,
        target=0,
        unit="",
    )
    if state is not None:
        playbook = state.playbook
        context.update(
            title=playbook.title,
            steps=state.steps,
            kpi_name=playbook.kpi_name,
            baseline=playbook.kpi_baseline,
            target=playbook.kpi_target,
            unit=playbook.kpi_unit,
        )
    return render(f"modal_{form}", **context)


def open_form(request: Request, form: str, trigger_id: str) -> dict[str, Any] | None:
    """Bare `/rollout attest` or `/rollout kpi`: the form for this channel's playbook, or
    a form that asks which playbook. Returns an ephemeral message only if it failed."""
    here = [s for s in request.store.playbook_states(channel_id=request.channel_id) if s.anchor is not None]
    if len(here) == 1:
        state = here[0]
        week = request.current_week(state, form)
        view = form_view(form, state, week, {"playbook": state.playbook.id, "week": week.week_start.isoformat()})
    else:
        states = [s for s in request.store.active_states()]
        if not states:
            raise Refusal.of("no_forms_yet", usage=form)
        choices = [{"label": f"{s.playbook.title} ({s.playbook.slug})", "value": str(s.playbook.id)} for s in states]
        view = form_view(form, None, None, {"choose": True}, choices)
    try:
        request.client.views_open(trigger_id=trigger_id, view=view)
    except SlackApiError as err:
        log.warning("views.open failed: %s", err.response.get("error"))
        raise Refusal.of("form_refused", usage=form, error=err.response.get("error")) from err
    except (OSError, TimeoutError) as err:  # Slack is slow or rate limits us: never make the person wait
        raise Refusal.of("slack_busy_form", usage=form) from err
    return None
