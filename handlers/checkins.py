"""Check-ins and KPI reports, shared by the slash command and the forms (modals)."""

from __future__ import annotations

import json
import logging
from datetime import date
from typing import Any

from slack_sdk.errors import SlackApiError

from cadence import calendar
from handlers.grammar import Refusal
from storage.store import PlaybookState
from templates import render

log = logging.getLogger(__name__)


def record_kpi(
    request, state: PlaybookState, week: calendar.WeekRef, value: float, percent: bool, usage: str | None
) -> None:
    playbook = state.playbook
    if percent and playbook.kpi_unit.strip() != "%":
        unit = f"in {playbook.kpi_unit}" if playbook.kpi_unit else "as a plain number"
        raise Refusal(f"{playbook.kpi_name} is measured {unit}; send the number without “%”.", usage=usage)
    request.require_member_or_owner(state, usage)
    request.store.add_kpi_reading(playbook.id, week.week_start, value, request.user_id, request.now)


def record_attestation(
    request,
    state: PlaybookState,
    week: calendar.WeekRef,
    followed: bool,
    step_name: str | None,
    note: str | None,
    usage: str | None,
):
    """Records the check-in; returns the step deviated on (None when followed)."""
    step = None if followed else request.step(state, step_name or "", usage)
    request.require_member(state, usage)
    request.store.add_checkin(
        state.playbook.id,
        week.week_start,
        request.user_id,
        "followed" if followed else "deviated",
        step.id if step else None,
        note,
        request.now,
    )
    return step


def button_value(playbook_id: int, week_start: date) -> str:
    """What a check-in button carries back to us: which playbook and which week."""
    return json.dumps({"playbook": playbook_id, "week": week_start.isoformat()}, separators=(",", ":"))


def week_of(state: PlaybookState, week_start: date) -> calendar.WeekRef | None:
    if state.anchor is None:
        return None
    return calendar.week_containing(calendar.CycleAnchor(state.anchor.number, state.anchor.starts_on), week_start)


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


def open_form(request, form: str, trigger_id: str) -> dict[str, Any] | None:
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
            raise Refusal("No playbook has a cycle running yet, so there is nothing to check in for.", usage=form)
        choices = [{"label": f"{s.playbook.title} ({s.playbook.slug})", "value": str(s.playbook.id)} for s in states]
        view = form_view(form, None, None, {"choose": True}, choices)
    try:
        request.client.views_open(trigger_id=trigger_id, view=view)
    except SlackApiError as err:
        log.warning("views.open failed: %s", err.response.get("error"))
        raise Refusal(
            f"Slack wouldn't open the form ({err.response.get('error')}). Type the command in full instead.", usage=form
        ) from err
    except (OSError, TimeoutError) as err:  # Slack is slow or rate limits us: never make the person wait
        raise Refusal(
            "Slack is busy and didn't open the form in time. Try again in a minute, or type the command in full.",
            usage=form,
        ) from err
    return None
