"""Escalation's buttons (usecases/escalation.py): Escalate… on an exception item (the Monday
DM, the App Home) and the form it opens, which asks why; Acknowledge on an escalation."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from cadence import keys
from cadence.limits import MAX_TEXT_CHARS
from handlers.actions import show_form
from handlers.errors import Malformed
from handlers.form_answers import Answering, Submission, note, on_submit
from handlers.governance import _ephemeral, _on_click
from handlers.queue import _dm
from templates import render
from templates.refusals import plain
from usecases import escalation
from usecases.shared.caller import Caller
from usecases.shared.services import Services


def register(app: App, services: Services) -> None:
    @app.action("item_escalate")
    def escalate_form(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        """Escalate… opens the form that asks why, unless the escalation is refused already."""
        ack()

        def act(caller: Caller) -> None:
            shown = escalation.form_for(caller, action.get("value"))
            dm = _dm(body)  # the DM the form came from, to show the item escalated
            shown["metadata"] += f"|{dm['channel']}|{dm['ts']}" if dm else ""
            show_form(client, body["trigger_id"], render("modal_item_escalate", limit=MAX_TEXT_CHARS, **shown))

        _on_click(services, client, body, act)

    on_submit(app, services, "item_escalate", _submit)

    @app.action("escalation_acknowledge")
    def acknowledge(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        ack()

        def act(caller: Caller) -> None:
            state = escalation.acknowledge(caller, action.get("value"), _dm(body))
            channel = (body.get("container") or {}).get("channel_id")
            told = render("item_escalated", slug=state.playbook.slug, done="acknowledged", to="")
            _ephemeral(client, channel, caller.user_id, told)

        _on_click(services, client, body, act)


def _submit(ack: Ack, sent: Submission) -> None:
    """The form: the item escalated with its reason, or refused on the reason's field."""
    caller = sent.caller
    value, channel, ts = _metadata(sent.view.get("private_metadata"))
    with Answering(ack, "why", "the escalation form", refused=plain) as answer:
        found, to = escalation.escalate(caller, value, note(sent.values, "why"), {"channel": channel, "ts": ts})
    if answer.stored:
        ack()
        told = render("item_escalated", slug=found.state.playbook.slug, done="escalated", to=to)
        _ephemeral(caller.client, None, caller.user_id, told)


_DM = re.compile(r"[A-Z][A-Z0-9]{1,31}\|\d{1,12}\.\d{1,9}")  # a DM's channel and ts, as Slack gave them


def _metadata(text: object) -> tuple[str, str, str]:
    """The form's metadata as the click wrote it: the item, and the DM it came from if it
    did (its channel and ts); anything else Malformed."""
    parts = text.split("|", 1) if isinstance(text, str) else []
    dm = parts[1] if len(parts) == 2 else ""
    if not parts or keys.read_exception_item(parts[0]) is None or (dm and not _DM.fullmatch(dm)):
        raise Malformed("an escalation form with metadata the bot never wrote")
    channel, _, ts = dm.partition("|")
    return parts[0], channel, ts
