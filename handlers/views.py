"""Form submissions: validated with Slack's own field errors, never dropped silently.

A valid answer is recorded and the check-in DM it came from is updated (through the
outbox) to show what was recorded.
"""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from cadence import calendar, keys
from handlers import grammar, home
from handlers.checkins import button_value, record_attestation, record_kpi, week_of
from handlers.context import Services
from handlers.request import Request
from storage.outbox import Message
from storage.store import PlaybookState
from templates import render
from templates.refusals import Refusal

log = logging.getLogger(__name__)


def register(app: App, services: Services) -> None:
    @app.view("checkin_attest")
    def attest(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        _submit(services, client, ack, body, view, "attest")

    @app.view("checkin_deviation")
    def deviation(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        _submit(services, client, ack, body, view, "deviation")

    @app.view("checkin_kpi")
    def kpi(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        _submit(services, client, ack, body, view, "kpi")


class FieldError(Exception):
    def __init__(self, block_id: str, message: str):
        super().__init__(message)
        self.block_id = block_id
        self.message = message


def _value(values: dict[str, Any], block_id: str) -> str | None:
    element = (values.get(block_id) or {}).get("value") or {}
    if "selected_option" in element:
        return (element.get("selected_option") or {}).get("value")
    return element.get("value")


def _submit(
    services: Services, client: WebClient, ack: Ack, body: dict[str, Any], view: dict[str, Any], form: str
) -> None:
    request = Request(services, client, body.get("user", {}).get("id", ""))
    values = (view.get("state") or {}).get("values") or {}
    try:
        metadata = json.loads(view.get("private_metadata") or "{}")
    except json.JSONDecodeError:
        metadata = {}
    # Errors go on the field that can fix them; problems of the whole form on its last field.
    general = {"attest": "note", "deviation": "reason", "kpi": "value"}[form]
    try:
        for block_id in values:
            problem = grammar.control_character(_value(values, block_id) or "")
            if problem is not None:
                raise FieldError(
                    block_id if block_id in ("note", "reason", "value", "step") else general,
                    f"This contains {problem}, which I can't store. Retype it without that character.",
                )
        state, week = _target(request, metadata, values, general)
        if form == "kpi":
            recorded = _kpi(request, state, week, _value(values, "value") or "")
        elif form == "deviation":
            recorded = _deviation(request, state, week, values)
        else:
            note = (_value(values, "note") or "").strip() or None
            if note and len(note) > grammar.MAX_FREE_TEXT_CHARS:
                raise FieldError("note", f"Keep it under {grammar.MAX_FREE_TEXT_CHARS} characters.")
            _refusal_on(general, record_attestation, request, state, week, True, None, note, None)
            recorded = {"followed": True}
    except FieldError as err:
        ack(response_action="errors", errors={err.block_id: err.message})
        return
    except Exception:
        log.exception("form %s failed", form)
        ack(
            response_action="errors",
            errors={general: "Something went wrong on my side; nothing was stored. Please try again."},
        )
        return
    ack()
    dm = metadata.get("dm") or {}
    if dm.get("channel") and dm.get("ts"):
        _update_dm(request, state, week, dm, recorded)
    refresh = home.refresh(request.store, request.user_id, request.now)
    if refresh is not None:
        request.services.outbox.enqueue([refresh], request.now)


def _update_dm(request: Request, state: PlaybookState, week, dm: dict[str, Any], recorded: dict[str, Any]) -> None:
    """Show in the DM what was recorded, so the buttons don't look unanswered."""
    playbook = state.playbook
    message = render(
        "checkin_recorded_dm",
        slug=playbook.slug,
        title=playbook.title,
        week=week,
        kpi_name=playbook.kpi_name,
        unit=playbook.kpi_unit,
        value=button_value(playbook.id, week.week_start),
        **recorded,
    )
    update = Message(
        key=keys.dm_update(uuid.uuid4().hex),
        method="chat.update",
        channel=dm["channel"],
        payload={"ts": dm["ts"], **message},
    )
    request.services.outbox.enqueue([update], request.now)


def _target(
    request: Request, metadata: dict[str, Any], values: dict[str, Any], general: str
) -> tuple[PlaybookState, Any]:
    if metadata.get("choose"):
        chosen = _value(values, "playbook")
        chosen_id = keys.read_id(chosen)
        state = request.store.playbook_state_by_id(chosen_id) if chosen_id is not None else None
        if state is None:
            raise FieldError("playbook", "Pick one of the playbooks.")
        week = _refusal_on("playbook", request.current_week, state, None)
        return state, week
    target = keys.read_checkin_button(metadata)
    state = request.store.playbook_state_by_id(target[0]) if target else None
    week = week_of(state, target[1]) if state and target else None
    if state is None or week is None:
        raise FieldError(general, "This playbook or week no longer exists; nothing was stored.")
    # The form answers for the week it was sent for, if that week still takes reports:
    # checked here, because private_metadata comes back from the client.
    return state, _refusal_on(general, request.open_week, state, week, None)


def _kpi(request: Request, state: PlaybookState, week, text: str) -> dict[str, Any]:
    value, percent = _refusal_on("value", grammar.parse_value, text.strip(), None)
    _refusal_on("value", record_kpi, request, state, week, value, percent, None)
    return {"kpi": value}


def _deviation(
    request: Request, state: PlaybookState, week: calendar.WeekRef, values: dict[str, Any]
) -> dict[str, Any]:
    step = _value(values, "step") or ""
    reason = grammar.plain_text(_value(values, "reason") or "").strip()
    if not reason:
        raise FieldError("reason", "Say what happened: it is what the owner reads.")
    if len(reason) > grammar.MAX_FREE_TEXT_CHARS:
        raise FieldError("reason", f"Keep it under {grammar.MAX_FREE_TEXT_CHARS} characters.")
    recorded = _refusal_on("step", record_attestation, request, state, week, False, step, reason, None)
    return {"followed": False, "step": recorded.name}


def _refusal_on(block_id: str, function, *args):
    try:
        return function(*args)
    except Refusal as refusal:
        raise FieldError(block_id, refusal.problem) from None
