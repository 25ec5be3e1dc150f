"""Form submissions: validated with Slack's own field errors, never dropped silently.

A valid answer is recorded and the check-in DM it came from is updated (through the
outbox) to show what was recorded.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from slack_bolt import Ack, App

from cadence import calendar, keys
from cadence.limits import MAX_TEXT_CHARS
from cadence.state import PlaybookState
from cadence.text import as_line_breaks, unstorable
from handlers import grammar
from handlers.errors import Malformed
from handlers.form_answers import FAILED, Answering, FieldError, Submission, on_submit
from handlers.form_answers import answered as _answered
from handlers.form_answers import metadata as _metadata
from handlers.form_answers import refusal_on as _refusal_on
from templates import render
from templates.refusals import Refusal, plain
from usecases import bar_approval, bus, checkins, commands, learnings, requests, stalls, waves
from usecases.shared import messages
from usecases.shared.caller import Caller
from usecases.shared.services import Services


def register(app: App, services: Services) -> None:
    on_submit(app, services, "checkin_attest", lambda ack, sent: _submit(ack, sent, "attest"))
    on_submit(app, services, "checkin_deviation", lambda ack, sent: _submit(ack, sent, "deviation"))
    on_submit(app, services, "checkin_kpi", lambda ack, sent: _submit(ack, sent, "kpi"))
    on_submit(app, services, "learning_add", _learning)
    on_submit(app, services, re.compile(r"^stall_(refine|rescope|retire)$"), _stall)
    on_submit(app, services, re.compile(r"^(request_(decline|override)|bar_decline)$"), _request_reason)
    on_submit(app, services, "wave_reviewed", _wave_note)
    on_submit(app, services, "request_form", _request_form)


def _checkin_metadata(view: dict[str, Any], form: str) -> dict[str, Any]:
    """A check-in form's metadata: the playbook chosen in the form, or the week it was sent for."""
    kept = _metadata(view, form)
    if kept.get("choose") is True:
        return kept
    if keys.read_checkin_button(kept) is None or not isinstance(kept.get("dm") or {}, dict):
        raise Malformed(f"{form} form's metadata is not what the bot wrote")
    return kept


def _value(values: dict[str, Any], block_id: str) -> str | None:
    element = (values.get(block_id) or {}).get("value") or {}
    if "selected_option" in element:
        return (element.get("selected_option") or {}).get("value")
    for picked in ("selected_conversation", "selected_user"):
        if picked in element:
            return element.get(picked)
    typed = element.get("value")
    # a field that takes lines stores Unicode's line separators as line breaks (cadence/text.py)
    return as_line_breaks(typed) if block_id in _LINES and isinstance(typed, str) else typed


def _submit(ack: Ack, sent: Submission, form: str) -> None:
    caller, values = sent.caller, sent.values
    metadata = _checkin_metadata(sent.view, form)
    # Errors go on the field that can fix them; problems of the whole form on its last field.
    general = {"attest": "note", "deviation": "reason", "kpi": "value"}[form]
    with Answering(ack, general, f"form {form}", failed=f"{FAILED} Please try again.") as answer:
        for block_id in values:
            _refuse_unstorable(
                values, block_id, block_id if block_id in ("note", "reason", "value", "step", "rest") else general
            )
        state, week = _target(caller, metadata, values, general)
        if form == "kpi":
            recorded = _kpi(caller, state, week, _value(values, "value") or "", _value(values, "rest") or "")
        elif form == "deviation":
            recorded = _deviation(caller, state, week, values)
        else:
            note = (_value(values, "note") or "").strip() or None
            if note and len(note) > MAX_TEXT_CHARS:
                raise FieldError("note", f"Keep it under {MAX_TEXT_CHARS} characters.")
            _refusal_on(general, checkins.attest_from_form, caller, state, week, None, note)
            recorded = {"followed": True}
    if answer.stored:
        ack()
        checkins.after_form(caller, state, week, metadata.get("dm") or {}, recorded)


def _required(values: dict[str, Any], field: str, missing: str) -> str:
    """A form's required text, as plain text: refused on its field when empty (`missing`),
    too long or unstorable."""
    _refuse_unstorable(values, field, field)
    text = grammar.plain_text(_value(values, field) or "").strip()
    if not text:
        raise FieldError(field, missing)
    if len(text) > MAX_TEXT_CHARS:
        raise FieldError(field, f"Keep it under {MAX_TEXT_CHARS} characters.")
    return text


def _learning(ack: Ack, sent: Submission) -> None:
    """The *Add a learning* form: the learning goes to the cycle the week-4 DM was about."""
    caller, values, view = sent.caller, sent.values, sent.view
    target = keys.read_checkin_button(view.get("private_metadata") or "")
    if target is None:
        raise Malformed("learning form's metadata is not what the bot wrote")

    def store() -> None:
        _refuse_unstorable(values, "text", "text")
        text = grammar.plain_text(_value(values, "text") or "").strip()
        if not text:
            raise FieldError("text", "Say what the team learned.")
        if _refusal_on("text", learnings.learn_from_form, caller, *target, text) is None:
            raise FieldError("text", "This playbook no longer exists; nothing was stored.")

    _answered(ack, "text", "the learning form", store)


def _stall(ack: Ack, sent: Submission) -> None:
    """A stalled playbook's form: the reason, then the decision row or the retirement."""
    caller, values, view = sent.caller, sent.values, sent.view
    target = keys.read_stall(view.get("private_metadata") or "")
    if target is None:
        raise Malformed("stall form's metadata is not what the bot wrote")
    answer = str(view.get("callback_id", "")).removeprefix("stall_")

    def store() -> None:
        _refuse_unstorable(values, "reason", "reason")
        reason = grammar.plain_text(_value(values, "reason") or "").strip()
        if _refusal_on("reason", stalls.answer, caller, answer, *target, reason) is None:
            raise FieldError("reason", "This playbook no longer exists; nothing was stored.")

    _answered(ack, "reason", "the stall form", store)


def _wave_note(ack: Ack, sent: Submission) -> None:
    """*Learnings reviewed*'s note: required; the wave marked with it. A refusal (marked
    meanwhile, not the owner or a curator) shows on the note, nothing stored."""
    caller, values, view = sent.caller, sent.values, sent.view
    target = keys.read_wave_button(view.get("private_metadata") or "")
    if target is None:
        raise Malformed("the wave's note form's metadata is not what the bot wrote")

    def store() -> None:
        note = _required(values, "note", "Say what the next wave should know: its teams get it with their adoption.")
        _refusal_on("note", waves.reviewed, caller, *target, note)

    _answered(ack, "note", "the wave's note form", store)


def _request_reason(ack: Ack, sent: Submission) -> None:
    """A request's Decline, or its approval past a refusal a reason passes (the wave, the
    team's load, a close match): the reason, then the decision. A refusal (decided
    meanwhile, the channel) shows on the reason."""
    caller, values, view = sent.caller, sent.values, sent.view
    value = view.get("private_metadata") or ""
    if keys.read_id(value) is None:
        raise Malformed("request's reason form's metadata is not what the bot wrote")

    def store() -> None:
        reason = _required(values, "reason", "Say why: it is recorded with the decision.")
        if view.get("callback_id") == "bar_decline":
            _refusal_on("reason", bar_approval.decline, caller, value, reason)
        elif view.get("callback_id") == "request_decline":
            _refusal_on("reason", requests.decline, caller, value, reason)
        else:
            _refusal_on("reason", requests.approve, caller, value, reason)

    _answered(ack, "reason", "the request's reason form", store)


_REQUEST_FIELDS = ("similar", "context", "capacity")
_CHANNEL_NAME = re.compile(r"[^\s|<>&]{1,80}")  # a Slack channel's name: no space, and nothing a mention parses


# The form's fields typed as the command's options (option: block id), in the command's order
_REQUEST_OPTIONS = {
    "baseline": "baseline",
    "target": "target",
    "cap": "cap",
    "rubric": "rubric",
    "tz": "timezone",
    "start": "start",
}


def _request_command(values: dict[str, Any], kept: dict[str, Any]) -> str:
    """The form as the `/rollout request` command it stands for; the channel by the name a
    typed command gave when it is still the one picked."""
    version_text = (_value(values, "version") or "").strip()
    team_channel = _value(values, "channel") or ""
    named = kept.get("channel_name") if kept.get("channel") == team_channel else None
    words = [
        "request",
        version_text,
        f"<#{team_channel}|{named}>" if isinstance(named, str) and _CHANNEL_NAME.fullmatch(named) else team_channel,
        "champion",
        f"<@{_value(values, 'champion') or ''}>",
    ]
    for option, block_id in _REQUEST_OPTIONS.items():
        given = (_value(values, block_id) or "").strip()
        if given:
            words.append(f"{option}:{given}")
    return " ".join(words)


def _with_criteria(parsed: messages.RequestAdoption, values: dict[str, Any]) -> messages.RequestAdoption:
    """The command with the expansion criteria, each required, and the optional why."""
    answers = {}
    for block_id in _REQUEST_FIELDS:
        text = grammar.plain_text(_value(values, block_id) or "").strip()
        if not text:
            raise FieldError(block_id, "Answer this: the curators decide on it.")
        if len(text) > MAX_TEXT_CHARS:
            raise FieldError(block_id, f"Keep it under {MAX_TEXT_CHARS} characters.")
        answers[block_id] = text
    why = grammar.plain_text(_value(values, "why") or "").strip()
    if len(why) > MAX_TEXT_CHARS:
        raise FieldError("why", f"Keep it under {MAX_TEXT_CHARS} characters.")
    return dataclasses.replace(
        parsed, why=why or None, similar=answers["similar"], context=answers["context"], capacity=answers["capacity"]
    )


def _request_form(ack: Ack, sent: Submission) -> None:
    """`/rollout request`'s form: what the command takes, and the expansion criteria, made
    the same command and handed to the same use case; the form then says it was sent."""
    caller, values, view = sent.caller, sent.values, sent.view
    kept = _metadata(view, "request")  # the channel's name a typed command gave
    if set(kept) - {"channel", "channel_name"}:
        raise Malformed("request form's metadata is not what the bot wrote")
    with Answering(ack, "version", "the request form") as answer:
        for block_id in values:
            _refuse_unstorable(values, block_id, block_id)
        parsed = _refusal_on("version", grammar.parse, _request_command(values, kept))
        if not isinstance(parsed, messages.RequestAdoption):
            raise FieldError("version", "Name a published playbook, e.g. support-replies or support-replies@v2.")
        command = _with_criteria(parsed, values)
        made, version, ask = _refusal_on("version", bus.handle, caller, commands.request, command)
    if not answer.stored:
        return
    shown = render(
        "modal_request_sent",
        slug=version.slug,
        version=version.version,
        channel=made.channel_id,
        champion=made.champion_id,
        ask=ask,
    )
    ack(response_action="update", view=shown)


# The fields that take lines (multiline inputs): line breaks pass there, nowhere else.
_LINES = frozenset({"note", "reason", "text", "similar", "context", "capacity", "why"})


def _refuse_unstorable(values: dict[str, Any], block_id: str, shown_on: str) -> None:
    """A field error on `shown_on` if the field holds a character never stored, named
    (cadence/text.py, the check every path shares; worded as a command's refusal)."""
    problem = unstorable(_value(values, block_id) or "", line_breaks=block_id in _LINES)
    if problem is not None:
        raise FieldError(shown_on, plain(Refusal.of("control_character", what=problem)))


def _target(
    caller: Caller, metadata: dict[str, Any], values: dict[str, Any], general: str
) -> tuple[PlaybookState, calendar.WeekRef]:
    if metadata.get("choose"):
        chosen_id = keys.read_id(_value(values, "playbook"))
        chosen = _refusal_on("playbook", checkins.chosen_playbook, caller, chosen_id) if chosen_id is not None else None
        if chosen is None:
            raise FieldError("playbook", "Pick one of the playbooks.")
        return chosen
    # The form answers for the week it was sent for, if that week still takes reports.
    target = keys.read_checkin_button(metadata)
    sent = _refusal_on(general, checkins.sent_week, caller, target) if target else None
    if sent is None:
        raise FieldError(general, "This playbook or week no longer exists; nothing was stored.")
    return sent


def _kpi(caller: Caller, state: PlaybookState, week: calendar.WeekRef, text: str, rest_text: str) -> dict[str, Any]:
    """The KPI form: this week's value, and with `compare` the rest's (either alone counts)."""
    value, percent = _refusal_on("value", grammar.parse_value, text.strip(), None) if text.strip() else (None, False)
    rest = _refusal_on("rest", grammar.parse_value, rest_text.strip(), None) if rest_text.strip() else None
    if value is None and rest is None:
        raise FieldError("value", "Give this week's value, the rest's, or both.")
    _refusal_on("value", checkins.kpi_from_form, caller, state, week, value, percent, rest)
    return {key: number for key, number in (("kpi", value), ("rest", rest and rest[0])) if number is not None}


def _deviation(caller: Caller, state: PlaybookState, week: calendar.WeekRef, values: dict[str, Any]) -> dict[str, Any]:
    step = _value(values, "step") or ""
    reason = grammar.plain_text(_value(values, "reason") or "").strip()
    if not reason:
        raise FieldError("reason", "Say what happened: it is what the owner reads.")
    if len(reason) > MAX_TEXT_CHARS:
        raise FieldError("reason", f"Keep it under {MAX_TEXT_CHARS} characters.")
    recorded = _refusal_on("step", checkins.attest_from_form, caller, state, week, step, reason)
    return {"followed": False, "step": recorded.name}
