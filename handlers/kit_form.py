"""The kit form: `/rollout kit <playbook>` and the week-3 nudge's *Package it* open it;
its submission revises the playbook (usecases/kit_form.py). Each problem shows on its
field (`response_action: errors`), and nothing is stored."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from cadence import keys
from cadence.text import plain_text, unstorable
from handlers.errors import Malformed
from handlers.form_answers import Submission, metadata, on_submit
from handlers.playbook_form import answer
from templates import render
from templates.kit_form import CALLBACK_ID, kit_form
from templates.playbook_form import revised_notice
from templates.refusals import Refusal, plain, slack
from usecases import kit_form as kits
from usecases import kit_texts
from usecases import playbook_form as forms
from usecases.shared import messages
from usecases.shared.caller import Caller
from usecases.shared.services import Services

log = logging.getLogger(__name__)
_TEXTS = tuple(row.block_id for row in kits.ROWS if row.kind in kits.TEXT_KINDS)
_SHOWN = {*kits.FIELDS, "why", "override"}


def register(app: App, services: Services) -> None:
    on_submit(app, services, CALLBACK_ID, _submit)

    @app.action("kit_open")
    def package_it(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        """The week-3 nudge's *Package it*: the form, or why not to the clicker alone."""
        ack()
        playbook_id = keys.read_id(action.get("value"))
        if playbook_id is None:
            raise Malformed("a Package it button with a value the bot never wrote")
        user = (body.get("user") or {}).get("id", "")
        channel = (body.get("container") or {}).get("channel_id") or (body.get("channel") or {}).get("id") or ""
        caller = Caller(services, client, user, channel)
        try:
            form = kits.open_by_id(caller, playbook_id)
            if form is not None:
                _open(caller, form, body.get("trigger_id", ""))
        except Refusal as refusal:
            told = render("refusal", problem=slack(refusal), suggestions=[], usage=[])
            try:
                client.chat_postEphemeral(channel=channel, user=user, **told)
            except (SlackApiError, OSError, TimeoutError):
                log.warning("could not tell %s why the kit form did not open", user)
        except (SlackApiError, OSError, TimeoutError):  # the button can be clicked again
            log.warning("views.open: the kit form did not open")


def _open(caller: Caller, form: kits.KitForm, trigger_id: str) -> None:
    rows = [(row.block_id, row.kind) for row in kits.ROWS]
    texts = [{**vars(t), "editable": t.editable} for t in form.texts]
    view = kit_form(
        form.slug,
        rows,
        form.values,
        form.metadata,
        form.adopted_from,
        form.missing,
        form.started,
        form.replicates,
        texts,
    )
    caller.client.views_open(trigger_id=trigger_id, view=view)


def open_form(caller: Caller, parsed: messages.OpenForm, trigger_id: str) -> dict[str, Any] | None:
    """`/rollout kit <playbook>`: the form opens (None), or the refusal is raised for the reply."""
    form = kits.open_kit(caller, parsed.playbook or "")
    try:
        _open(caller, form, trigger_id)
    except SlackApiError as err:
        log.warning("views.open failed: %s", err.response.get("error"))
        raise Refusal.of("form_refused", usage="kit", error=err.response.get("error")) from err
    except (OSError, TimeoutError) as err:
        raise Refusal.of("slack_busy_form", usage="kit") from err
    return None


def _element(values: dict[str, Any], block_id: str) -> dict[str, Any]:
    element = (values.get(block_id) or {}).get("value") or {}
    return element if isinstance(element, dict) else {}


def _chosen(values: dict[str, Any], block_id: str) -> list[str]:
    options = _element(values, block_id).get("selected_options") or []
    return [str(o.get("value")) for o in options if isinstance(o, dict)]


def _choice(values: dict[str, Any], block_id: str) -> str:
    picked = _element(values, block_id).get("selected_option")
    return str(picked.get("value") or "") if isinstance(picked, dict) else ""


# How a kit row's answer is read from its element, by the row's kind (kits.ROWS)
_READ: dict[str, Callable[[dict[str, Any], str], Any]] = {
    "user": lambda values, block_id: str(_element(values, block_id).get("selected_user") or ""),
    "channel": lambda values, block_id: str(_element(values, block_id).get("selected_conversation") or ""),
    "choices": _chosen,
    "flag": lambda values, block_id: (
        "yes" in _chosen(values, block_id) if block_id in values else None
    ),  # None: not sent
    "choice": _choice,
}


def _answers(values: dict[str, Any]) -> kits.KitAnswers:
    texts = {b: str(_element(values, b).get("value") or "") for b in (*_TEXTS, "why", "override")}
    problems = {}
    for block_id, text in texts.items():
        problem = unstorable(text, line_breaks=block_id != "runbook")
        if problem is not None:
            problems[block_id] = plain(Refusal.of("control_character", what=problem))
    if problems:
        raise forms.FormProblems(problems)
    # as typed (a modal's text is not escaped); the inputs keep `<@U…>`, an owner's mention
    texts = {b: (t if b == "inputs" else plain_text(t)).strip() for b, t in texts.items()}
    given: dict[str, Any] = {b: texts[b] for b in _TEXTS} | _step_texts(values)
    for row in kits.ROWS:
        read = _READ.get(row.kind)
        if read is not None:
            given[row.block_id] = read(values, row.block_id)
    return kits.KitAnswers(given, why=texts["why"] or None, override=texts["override"] or None)


def _step_texts(values: dict[str, Any]) -> dict[str, str]:
    """Each step's prompt and rubric text the form showed as a field, as typed (a prompt's
    `<`, `&` and mentions are its own: kept), lines and tabs kept."""
    texts = {b: str(_element(values, b).get("value") or "") for b in values if b.startswith(kit_texts.PREFIXES)}
    problems = {}
    for block_id, text in texts.items():
        problem = unstorable(text.replace("\t", " "), line_breaks=True)
        if problem is not None:
            problems[block_id] = plain(Refusal.of("control_character", what=problem))
    if problems:
        raise forms.FormProblems(problems)
    return texts


def _metadata(view: dict[str, Any]) -> tuple[int, str]:
    kept = metadata(view, "kit")
    playbook = keys.read_id(kept.get("playbook"))
    if playbook is None or not isinstance(kept.get("opened"), str):
        raise Malformed("kit form's metadata is not what the bot wrote")
    return playbook, kept["opened"]


def _submit(ack: Ack, sent: Submission) -> None:
    playbook, opened = _metadata(sent.view)

    def made() -> dict[str, Any]:
        revised = kits.save(sent.caller, playbook, opened, _answers(sent.values))
        return revised_notice(revised.slug, revised.changes, revised.waiting, revised.named)

    # a problem on a field of this form (a stale form's on the first)
    answer(ack, made, "inputs", "the kit form", _shown_at)


def _shown_at(where: str) -> str:
    """The field a problem shows on: its own, a step text's too, else the first."""
    return where if where in _SHOWN or where.startswith(kit_texts.PREFIXES) else "inputs"
