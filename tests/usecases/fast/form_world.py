"""The playbook's forms on the fakes: the form a use case opens (usecases/playbook_form.py,
usecases/kit_form.py) and its submission as the handler reads it (handlers/playbook_form.py's
_submit, handlers/kit_form.py's: the fields read into answers, the use case called, its
answer or each problem on its field), and a `/rollout` command's reply
(handlers/commands.py's answer): no Slack, Bolt or database."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

from handlers import commands, present_status, replies
from handlers import kit_form as kit_handler
from handlers import playbook_form as handler
from handlers.form_answers import submission
from templates.kit_form import kit_form
from templates.playbook_form import playbook_form
from tests import fakes
from tests.fakes import CHANNEL, MEMBER, OWNER
from usecases import kit_form as kits
from usecases import playbook_form as forms
from usecases import status
from usecases.shared import messages
from usecases.shared.services import Services

NOW = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)  # Wednesday, in week 1 of a cycle begun Monday 16 November

NEW_VALUES = {
    "title": "Refund triage",
    "function": "Support",
    "channel": CHANNEL,
    "cases_per_week": "120",
    "minutes_per_case": "9",
    "structured": "structured",
    "value_event": "refund_done",
    # the self-check (docs/programme.md), answered clearly: no "funding a demo?"
    "contract": "the refund request, the order and the policy",
    "trust": "a rubric of accuracy and a calibration set",
    "operator": OWNER,
    "template": "new",
    "kpi_name": "Refund cycle time",
    "kpi_unit": "days",
    "direction": "down",
    "baseline": "5",
    "target": "2",
    "steps": "classify: ai-led\napprove: collaborative\npayout: human-led pinned",
    "cap": "10%",
    "rubric": "90%",
    "timezone": "Europe/Berlin",
    "guardrail_name": "",
    "guardrail_bound": "min",
    "guardrail_value": "",
    "start": "2026-11-23",
}


def a_playbook(slug: str = "support-replies", **more: Any) -> Any:
    """support-replies as the database tests' `playbook`: cycle 1 begun Monday 16 November."""
    return fakes.a_playbook(slug, cycle_started=date(2026, 11, 16), org_timezone="UTC", **more)


def world(*states: Any, **more: Any) -> Services:
    return fakes.services(*states, now=NOW, org_timezone="UTC", **more)


def submit(services: Services, form: forms.Form, values: dict[str, str], user: str) -> dict[str, Any]:
    """`form` submitted with `values` by `user`, as Slack sends it: the answer acked."""
    view = {
        "callback_id": "playbook_new" if form.metadata.get("new") else "playbook_edit",
        "private_metadata": json.dumps(form.metadata),
        "state": {"values": {field: {"value": {"value": value}} for field, value in values.items()}},
    }
    acked: dict[str, Any] = {}
    handler._submit(lambda **answer: acked.update(answer), submission(services, None, {"user": {"id": user}}, view))  # type: ignore[arg-type]
    return acked


def open_new(services: Services, user: str = MEMBER, channel: str = CHANNEL) -> forms.Form:
    return forms.new_form(fakes.caller(services, user, channel))


def open_edit(services: Services, slug: str = "support-replies", user: str = OWNER) -> forms.Form:
    return forms.edit_form(fakes.caller(services, user), slug)


def command(services: Services, text: str, user: str = OWNER) -> dict[str, Any]:
    """`/rollout <text>`'s reply, as the handler answers it."""
    reply, _ = commands.answer(services, None, {"text": text, "user_id": user, "channel_id": CHANNEL})  # type: ignore[arg-type]
    assert reply is not None
    return reply


def decisions(services: Services) -> list[dict[str, Any]]:
    return fakes.store_of(services).held.decisions


# ---- the kit form (usecases/kit_form.py) ----


def open_kit(services: Services, slug: str = "support-replies", user: str = OWNER) -> kits.KitForm:
    return kits.open_kit(fakes.caller(services, user), slug)


def kit_view(form: kits.KitForm) -> dict[str, Any]:
    """The kit form's view, as the handler opens it."""
    rows = [(row.block_id, row.kind) for row in kits.ROWS]
    texts = [{**vars(t), "editable": t.editable} for t in form.texts]
    return kit_form(
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


def _element(kind: str, value: Any) -> dict[str, Any]:
    if kind == "user":
        return {"selected_user": value or None}
    if kind == "channel":
        return {"selected_conversation": value or None}
    if kind in ("choices", "flag"):
        chosen = (["yes"] if value else []) if isinstance(value, bool) else value
        return {"selected_options": [{"value": v} for v in chosen]}
    if kind == "choice":
        return {"selected_option": {"value": value} if value else None}
    return {"value": value or None}


def submit_kit(services: Services, form: kits.KitForm, values: dict[str, Any], user: str) -> dict[str, Any]:
    """The kit form submitted with `values` by `user`, as Slack sends it: the answer acked."""
    kinds = {row.block_id: row.kind for row in kits.ROWS}
    state = {field: {"value": _element(kinds.get(field, "text"), value)} for field, value in values.items()}
    view = {"private_metadata": json.dumps(form.metadata), "state": {"values": state}}
    acked: dict[str, Any] = {}
    kit_handler._submit(lambda **answer: acked.update(answer), submission(services, None, {"user": {"id": user}}, view))  # type: ignore[arg-type]
    return acked


def history(services: Services, slug: str, user: str = OWNER) -> str:
    """`/rollout history <slug>`'s reply, as JSON text."""
    asked, caller = messages.History(slug), fakes.caller(services, user)
    return json.dumps(replies.history(caller, asked, status.history(caller, asked)), ensure_ascii=False)


def form_view(form: forms.Form) -> dict[str, Any]:
    """The playbook form's view, as the handler opens it."""
    focus = forms.FOCUS.get(form.focus or "", ())
    return playbook_form(
        form.values, forms.FIELDS, form.metadata, form.functions, form.slug, form.adopted_from, focus, form.currency
    )


def status_of(services: Services, slug: str, user: str = OWNER) -> str:
    """`/rollout status <slug>`'s reply, as JSON text."""
    found = status.status(fakes.caller(services, user), messages.Status(slug))
    return json.dumps(present_status.status(found), ensure_ascii=False)
