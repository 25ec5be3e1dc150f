"""The check-in forms (modals): built here, opened by a bare `/rollout attest` or
`/rollout kpi` and by the check-in DM's buttons (handlers/actions.py)."""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_sdk.errors import SlackApiError

from cadence import calendar
from cadence.limits import MAX_TEXT_CHARS
from templates import render
from templates.refusals import Refusal
from usecases import checkins
from usecases.shared.caller import Caller, PlaybookState

log = logging.getLogger(__name__)


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


def open_form(caller: Caller, form: str, trigger_id: str) -> dict[str, Any] | None:
    """Bare `/rollout attest` or `/rollout kpi`: the form for this channel's playbook, or
    a form that asks which playbook; bare `/rollout request`: its form. Returns an
    ephemeral message only if it failed."""
    view = render("modal_request", limit=MAX_TEXT_CHARS) if form == "request" else _checkin_form(caller, form)
    try:
        caller.client.views_open(trigger_id=trigger_id, view=view)
    except SlackApiError as err:
        log.warning("views.open failed: %s", err.response.get("error"))
        raise Refusal.of("form_refused", usage=form, error=err.response.get("error")) from err
    except (OSError, TimeoutError) as err:  # Slack is slow or rate limits us: never make the person wait
        raise Refusal.of("slack_busy_form", usage=form) from err
    return None


def _checkin_form(caller: Caller, form: str) -> dict[str, Any]:
    target = checkins.form_target(caller, form)
    if target.state is not None and target.week is not None:
        metadata = {"playbook": target.state.playbook.id, "week": target.week.week_start.isoformat()}
        view = form_view(form, target.state, target.week, metadata)
    else:
        choices = [
            {"label": f"{s.playbook.title} ({s.playbook.slug})", "value": str(s.playbook.id)} for s in target.choices
        ]
        view = form_view(form, None, None, {"choose": True}, choices)
    return view
