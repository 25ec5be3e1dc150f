"""The post-pilot assessment's form (usecases/assessment.py): opened by `/rollout assess
<playbook>`, submitted as the assessment's next version. The form keeps the playbook's id in
its private metadata; each question has a box for its core items and one for its pilot
conditions, one item a line."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from cadence.assessment import KINDS, QUESTIONS, answers_of
from handlers.actions import show_form
from handlers.checkins import open_typed_form
from handlers.errors import Malformed
from handlers.form_answers import Answering, Submission, on_submit, short
from handlers.words import Words, playbook_name
from templates import render
from templates.refusals import Refusal, slack
from usecases import assessment
from usecases.shared import messages
from usecases.shared.caller import Caller
from usecases.shared.services import Services

LABELS = {"core": "Core: travels with a version", "pilot": "Pilot conditions: adopters replace them"}
BOX_CHARS = 3000  # Slack's longest plain_text_input


def register(app: App, services: Services) -> None:
    @app.action("assess_open")
    def open_from_dm(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        """The DM's *Assess the pilot* (usecases/shared/close/assessment_offer.py)."""
        ack()
        value = action.get("value") or ""
        if not (value.isascii() and value.isdigit() and len(value) <= 18):
            raise Malformed("an assessment button with a value the bot never wrote")
        caller = Caller(services, client, (body.get("user") or {}).get("id", ""))
        try:
            view = view_of(assessment.open_sent(caller, int(value)))
        except Refusal as refusal:  # not the owner (any more), or the playbook is gone
            view = render("modal_notice", title="No assessment to make", problem=slack(refusal))
        show_form(client, body.get("trigger_id", ""), view)

    on_submit(app, services, "assess_form", _submit)


def _submit(ack: Ack, sent: Submission) -> None:
    """The assessment stored, or its refusal on the first box; a failure is bot/app.py's."""
    metadata = sent.view.get("private_metadata") or ""
    if not (metadata.isascii() and metadata.isdigit() and len(metadata) <= 18):
        raise Malformed("assessment form's metadata is not what the bot wrote")
    with Answering(ack, "manual_core", "the assessment form", refused=short, failed=None) as answer:
        kept = assessment.submit(sent.caller, int(metadata), answers_of(_boxes(sent.values)))
    if answer.stored:
        ack(response_action="update", view=render("modal_assess_kept", kept=kept))


def _boxes(values: dict[str, Any]) -> dict[str, dict[str, str | None]]:
    """What each box holds (question -> kind -> text), as Slack sends the form's state."""
    boxes: dict[str, dict[str, str | None]] = {}
    for key, _ in QUESTIONS:
        for kind in KINDS:
            element = (values.get(f"{key}_{kind}") or {}).get("value") or {}
            typed = element.get("value") if isinstance(element, dict) else None
            boxes.setdefault(key, {})[kind] = typed if isinstance(typed, str) else None
    return boxes


def parse(w: Words) -> messages.OpenForm:
    """`assess <playbook>`."""
    if len(w) != 2:
        raise Refusal.of("assess_arguments", usage=assessment.USAGE)
    return messages.OpenForm("assess", playbook_name(w.words[1]))


def _box(items: list[str]) -> str:
    """A box's initial text: its items one a line, as many whole lines as fit."""
    text = ""
    for item in items:
        line = item if not text else "\n" + item
        if len(text) + len(line) > BOX_CHARS:
            break
        text += line
    return text


def view_of(form: assessment.AssessForm) -> dict[str, Any]:
    boxes = [
        (key, question, [(kind, LABELS[kind], _box((form.answers.get(key) or {}).get(kind) or [])) for kind in KINDS])
        for key, question in QUESTIONS
    ]
    return render(
        "modal_assess",
        metadata=str(form.state.playbook.id),
        title=form.state.playbook.title,
        number=form.number,
        boxes=boxes,
    )


def open_form(caller: Caller, cmd: messages.OpenForm, trigger_id: str) -> dict[str, Any] | None:
    """`/rollout assess <playbook>`: the form opens (None), or an ephemeral refusal comes back (Refusal)."""
    open_typed_form(caller, trigger_id, view_of(assessment.open_form(caller, cmd.playbook or "")), assessment.USAGE)
    return None
