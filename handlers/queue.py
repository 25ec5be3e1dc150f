"""The exception queue's buttons (Acknowledge, Resolve…, Accept… in the Monday DM and
the App Home) and the note form the last two open. The moves are usecases's."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from cadence import exception_queue, keys
from cadence.limits import MAX_TEXT_CHARS
from handlers.actions import show_form
from handlers.errors import Malformed
from handlers.form_answers import Answering, Submission, note, on_submit
from handlers.governance import _ephemeral, _on_click
from templates import render
from templates.refusals import plain
from usecases import exception_queue as queue
from usecases.shared.caller import Caller
from usecases.shared.services import Services

NOTED = {"item_resolve": exception_queue.RESOLVED, "item_accept": exception_queue.ACCEPTED}


def register(app: App, services: Services) -> None:
    @app.action("item_acknowledge")
    def acknowledge(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        ack()

        def act(caller: Caller) -> None:
            found = queue.move(caller, action.get("value"), exception_queue.ACKNOWLEDGED, None, _dm(body))
            _tell(client, body, caller.user_id, found, exception_queue.ACKNOWLEDGED)

        _on_click(services, client, body, act)

    @app.action("item_resolve")
    def resolve(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        _note_form(services, ack, body, action, client)

    @app.action("item_accept")
    def accept(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        _note_form(services, ack, body, action, client)

    on_submit(app, services, "item_note", _submit)


def _note_form(services: Services, ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
    """Resolve… and Accept… open the note form, unless the move is refused already: then
    the clicker is told, and no form opens."""
    ack()
    to = NOTED[action["action_id"]]

    def act(caller: Caller) -> None:
        shown = queue.form_for(caller, action.get("value"), to)
        dm = _dm(body)  # the DM the form came from, to show it answered
        shown["metadata"] += f"|{dm['channel']}|{dm['ts']}" if dm else ""
        show_form(client, body["trigger_id"], render("modal_item_note", limit=MAX_TEXT_CHARS, **shown))

    _on_click(services, client, body, act)


def _submit(ack: Ack, sent: Submission) -> None:
    """The note form: the move is made with its note, or refused on the note's field."""
    caller = sent.caller
    to, value, channel, ts = _metadata(sent.view.get("private_metadata"))
    with Answering(ack, "note", "the exception item's form", refused=plain) as answer:
        found = queue.move(caller, value, to, note(sent.values, "note"), {"channel": channel, "ts": ts})
    if answer.stored:
        ack()
        _tell(caller.client, {}, caller.user_id, found, to)


_DM = re.compile(r"[A-Z][A-Z0-9]{1,31}\|\d{1,12}\.\d{1,9}")  # a DM's channel and ts, as Slack gave them


def _metadata(text: object) -> tuple[str, str, str, str]:
    """The note form's metadata, as form_for and the click wrote it: the move, the item,
    and the DM it came from if it did (its channel and ts); anything else Malformed."""
    parts = text.split("|", 2) if isinstance(text, str) else []
    dm = parts[2] if len(parts) == 3 else ""
    if (
        len(parts) < 2
        or parts[0] not in exception_queue.WITH_NOTE
        or keys.read_exception_item(parts[1]) is None
        or (dm and not _DM.fullmatch(dm))
    ):
        raise Malformed("an exception item's note form with metadata the bot never wrote")
    channel, _, ts = dm.partition("|")
    return parts[0], parts[1], channel, ts


def _dm(body: dict[str, Any]) -> dict[str, str] | None:
    """The DM a button was clicked in (its channel and ts); None in the App Home."""
    container = body.get("container") or {}
    if container.get("type") != "message" or not container.get("channel_id") or not container.get("message_ts"):
        return None
    return {"channel": str(container["channel_id"]), "ts": str(container["message_ts"])}


def _tell(client: WebClient, body: dict[str, Any], user_id: str, found: queue.Target, to: str) -> None:
    """The mover hears it was done: ephemerally where they clicked, or by DM."""
    channel = (body.get("container") or {}).get("channel_id") or (body.get("channel") or {}).get("id")
    slug = found.state.playbook.slug
    _ephemeral(client, channel, user_id, render("item_moved", slug=slug, to=to))
