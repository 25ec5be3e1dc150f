"""The pulse's form (usecases/pulse.py): opened by the week-4 check-in DM's *Pulse* and by
`/rollout pulse <playbook>`, submitted as one answer. The form keeps the playbook and the
cycle's week 4 in its private metadata; what it answers is read from its radio buttons,
whose values the bot wrote (anything else is refused on its question, nothing stored)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from cadence import keys
from cadence.pulse import AROUND, FREED, SCALE, Answer, BadAnswer, needed, questions
from handlers.actions import show_form
from handlers.checkins import open_typed_form
from handlers.errors import Malformed
from handlers.form_answers import Answering, FieldError, Submission, on_submit, short
from handlers.words import Words, playbook_name
from templates import render
from templates.refusals import Refusal, slack
from usecases import pulse
from usecases.shared import messages
from usecases.shared.caller import Caller
from usecases.shared.services import Services

QUESTIONS = ("trust", "around", "safety", "freed")


def register(app: App, services: Services) -> None:
    @app.action("pulse_open")
    def open_from_dm(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        ack()
        target = keys.read_checkin_button(action.get("value"))
        if target is None:
            raise Malformed("a pulse button with a value the bot never wrote")
        caller = Caller(services, client, (body.get("user") or {}).get("id", ""))
        try:
            form = pulse.open_sent(caller, target)
            view = view_of(form) if form is not None else None
        except Refusal as refusal:  # the cycle closed since the DM, the pulse was turned off...
            view = render("modal_notice", title="No pulse to answer", problem=slack(refusal))
        if view is not None:
            show_form(client, body.get("trigger_id", ""), view)

    on_submit(app, services, "pulse_form", _submit)


def _submit(ack: Ack, sent: Submission) -> None:
    target = keys.read_checkin_button(sent.view.get("private_metadata") or "")
    if target is None:
        raise Malformed("pulse form's metadata is not what the bot wrote")
    with Answering(ack, "freed", "the pulse form", refused=short) as answer:
        try:
            kept = pulse.submit(sent.caller, target, _answer(sent.values))
        except BadAnswer as bad:
            raise FieldError(bad.question, "That is not one of this question's answers.") from None
    if answer.stored:
        ack(response_action="update", view=render("modal_pulse_kept", slug=kept.slug, cycle=kept.cycle))


def _answer(values: dict[str, Any]) -> Answer:
    """The answer as the form's radio buttons give it (a question left blank: None)."""
    picked: dict[str, str | None] = {}
    for question in QUESTIONS:
        element = (values.get(question) or {}).get("value") or {}
        option = element.get("selected_option") if isinstance(element, dict) else None
        value = option.get("value") if isinstance(option, dict) else None
        picked[question] = value if isinstance(value, str) else None
    return Answer(
        trust=_scale("trust", picked["trust"]),
        around=picked["around"],
        safety=_scale("safety", picked["safety"]),
        freed=picked["freed"],
    )


def _scale(question: str, value: str | None) -> int | None:
    if value is None:
        return None
    if not (value.isascii() and value.isdigit() and len(value) == 1):
        raise BadAnswer(question)
    return int(value)


def parse(w: Words) -> messages.OpenForm:
    """`pulse <playbook>`: the cycle's anonymous pulse."""
    if len(w) != 2:
        raise Refusal.of("pulse_arguments", usage=pulse.USAGE)
    return messages.OpenForm("pulse", playbook_name(w.words[1]))


def view_of(form: pulse.PulseForm) -> dict[str, Any]:
    playbook = form.state.playbook
    return render(
        "modal_pulse",
        metadata=keys.checkin_button(playbook.id, form.week.week_start),
        title=playbook.title,
        cycle=form.week.cycle,
        needed=needed(form.state.settings.pulse_min_answers),
        questions=questions(playbook.slug),
        scale=[(str(n), str(n)) for n in SCALE],
        around=list(AROUND.items()),
        freed=list(FREED.items()),
    )


def open_form(caller: Caller, cmd: messages.OpenForm, trigger_id: str) -> dict[str, Any] | None:
    """`/rollout pulse <playbook>`: the form opens (None), or an ephemeral refusal comes back (Refusal)."""
    open_typed_form(caller, trigger_id, view_of(pulse.open_form(caller, cmd.playbook or "")), pulse.USAGE)
    return None
