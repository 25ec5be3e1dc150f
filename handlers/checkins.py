"""The check-in forms (modals): built here, opened by a bare `/rollout attest` or
`/rollout kpi` and by the check-in DM's buttons (handlers/actions.py); and the request's
form, opened by `/rollout request`."""

from __future__ import annotations

import json
import logging
from decimal import Decimal
from typing import Any

from slack_sdk.errors import SlackApiError

from cadence import calendar
from cadence.definition_compare import Compare
from cadence.limits import MAX_TEXT_CHARS
from cadence.state import PlaybookState
from templates import render
from templates.refusals import Refusal
from usecases import checkins, requests
from usecases.shared.caller import Caller
from usecases.shared.messages import OpenForm, RequestAdoption

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
        compared=False,
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
            compared=Compare.of(playbook.definition) is not None,  # asks the rest's KPI too
        )
    return render(f"modal_{form}", **context)


def open_form(
    caller: Caller, form: str, trigger_id: str, request: RequestAdoption | None = None
) -> dict[str, Any] | None:
    """Bare `/rollout attest` or `/rollout kpi`: the form for this channel's playbook, or
    a form that asks which playbook; `/rollout request`: its form, filled in with what
    the command said (`request`). Returns an ephemeral message only if it failed."""
    view = request_form(request) if form == "request" else _checkin_form(caller, form)
    open_typed_form(caller, trigger_id, view, form)
    return None


def open_typed_form(caller: Caller, trigger_id: str, view: dict[str, Any], usage: str) -> None:
    """views.open for a typed command's form: Slack's refusal or silence is the person's
    refusal (Refusal), said at once, never a wait."""
    try:
        caller.client.views_open(trigger_id=trigger_id, view=view)
    except SlackApiError as err:
        log.warning("views.open failed: %s", err.response.get("error"))
        raise Refusal.of("form_refused", usage=usage, error=err.response.get("error")) from err
    except (OSError, TimeoutError) as err:  # Slack is slow or rate limits us: never make the person wait
        raise Refusal.of("slack_busy_form", usage=usage) from err


def open_checkin(caller: Caller, cmd: OpenForm, trigger_id: str) -> dict[str, Any] | None:
    """Bare `/rollout attest` or `/rollout kpi`: its form (open_form)."""
    return open_form(caller, cmd.form, trigger_id)


def open_request(caller: Caller, cmd: RequestAdoption | OpenForm, trigger_id: str) -> dict[str, Any] | None:
    """`/rollout request`: its form. Only the form asks the expansion criteria, so a typed
    request is refused now if it cannot go, else the form opens with what it said."""
    if isinstance(cmd, OpenForm):
        return open_form(caller, "request", trigger_id)
    requests.may_go(caller, cmd)
    return open_form(caller, "request", trigger_id, cmd)


def request_form(request: RequestAdoption | None) -> dict[str, Any]:
    """The request's form, with what a typed `/rollout request` gave filled in (numbers
    written out whole, as typed: 1234567, not 1.23457e+06), and the channel's name kept
    in the form's metadata for the decision's words."""
    fields = ("version", "channel", "champion", "baseline", "target", "cap", "rubric", "timezone", "start", "why")
    given = dict.fromkeys(fields, "")
    kept: dict[str, str] = {}
    if request is not None:
        version = f"{request.playbook}@v{request.version}" if request.version is not None else request.playbook
        given.update(version=version, channel=request.channel_id, champion=request.champion_id)
        for field, value in (
            ("baseline", request.baseline),
            ("target", request.target),
            ("cap", request.exception_cap),
            ("rubric", request.rubric_threshold),
            ("timezone", request.timezone),
            ("start", request.starts_on),
            ("why", request.why),
        ):
            if value is not None:
                given[field] = _written_out(value) if isinstance(value, float) else str(value)
        if request.channel_name:  # the name Slack gave with the channel
            kept = {"channel": request.channel_id, "channel_name": request.channel_name}
    metadata = json.dumps(kept, separators=(",", ":")) if kept else ""
    return render("modal_request", limit=MAX_TEXT_CHARS, given=given, metadata=metadata)


def request_form_for(version: str) -> dict[str, Any]:
    """The request's form with only its version filled in (`slug@vN`): *Adopt it* beside a
    close match (handlers/playbook_form.py)."""
    form = request_form(None)
    for block in form["blocks"]:
        if block.get("block_id") == "version":
            block["element"]["initial_value"] = version
    return form


def _written_out(value: float) -> str:
    """A number as a person types it: every digit it has, no exponent, no trailing zeros."""
    text = format(Decimal(repr(value)), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


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
