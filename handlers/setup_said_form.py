"""Setup as the seed means it (usecases/setup_said.py): the DM's *Tell us how setup went*
opens a form of two questions, the minutes the setup took all in and whether a meeting was
needed to understand it; its submission is kept once a playbook. The form keeps the
playbook's id in its private metadata; the minutes are checked here (cadence/setup_said.py),
the meeting is read from the radio buttons the bot wrote; anything else is refused on its
question, nothing stored."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from cadence import keys
from cadence.setup_said import MOST_MINUTES, BadMinutes, minutes_of
from cadence.state import PlaybookState
from handlers.actions import show_form
from handlers.errors import Malformed
from handlers.form_answers import Answering, FieldError, Submission, on_submit, short
from templates import render
from templates.refusals import Refusal, plain, slack
from usecases import setup_said
from usecases.shared.caller import Caller
from usecases.shared.services import Services

MEETING = {"yes": True, "no": False}


def register(app: App, services: Services) -> None:
    @app.action("setup_said_open")
    def open_from_dm(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        """The DM's *Tell us how setup went* (usecases/shared/setup_said.py)."""
        ack()
        playbook_id = keys.read_id(action.get("value"))
        if playbook_id is None:
            raise Malformed("a setup button with a value the bot never wrote")
        caller = Caller(services, client, (body.get("user") or {}).get("id", ""))
        try:
            view = view_of(setup_said.open_sent(caller, playbook_id))
        except Refusal as refusal:  # told already, not the champion, the playbook gone
            view = render("modal_notice", title="How setup went", problem=slack(refusal))
        show_form(client, body.get("trigger_id", ""), view)

    on_submit(app, services, "setup_said_form", _submit)


def view_of(state: PlaybookState) -> dict[str, Any]:
    playbook = state.playbook
    return render(
        "modal_setup_said", playbook_id=playbook.id, slug=playbook.slug, title=playbook.title, most=MOST_MINUTES
    )


def _submit(ack: Ack, sent: Submission) -> None:
    playbook_id = keys.read_id(sent.view.get("private_metadata") or "")
    if playbook_id is None:
        raise Malformed("setup form's metadata is not what the bot wrote")
    with Answering(ack, "minutes", "the setup form", refused=short) as answer:
        setup_said.submit(sent.caller, playbook_id, _minutes(sent.values), _meeting(sent.values))
    if answer.stored:
        ack()


def _picked(values: dict[str, Any], block_id: str) -> dict[str, Any]:
    element = (values.get(block_id) or {}).get("value")
    return element if isinstance(element, dict) else {}


def _minutes(values: dict[str, Any]) -> int:
    try:
        return minutes_of(_picked(values, "minutes").get("value"))
    except BadMinutes:
        raise FieldError("minutes", plain(Refusal.of("setup_said_minutes", most=MOST_MINUTES))) from None


def _meeting(values: dict[str, Any]) -> bool:
    option = _picked(values, "meeting").get("selected_option")
    value = option.get("value") if isinstance(option, dict) else None
    if value not in MEETING:
        raise FieldError("meeting", plain(Refusal.of("setup_said_meeting")))
    return MEETING[value]
