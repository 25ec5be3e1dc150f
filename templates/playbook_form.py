"""The playbook's form (`/rollout new`, `/rollout edit`): a Slack modal built from the
values usecases/playbook_form.py gives, within Slack's limits (at most 100 blocks; a
plain-text input holds at most 3,000 characters)."""

from __future__ import annotations

import json
from typing import Any

from templates import with_mentions

MAX_MODAL_BLOCKS = 100
MAX_INPUT = 3000

_LABELS = {
    "title": "Title",
    "function": "Function",
    "channel": "Team channel",
    "kpi_name": "KPI",
    "kpi_unit": "KPI unit (min, %, tickets, …)",
    "direction": "Better is",
    "baseline": "KPI baseline",
    "target": "KPI target",
    "steps": "Steps, one a line as name: mode",
    "cap": "Exception cap",
    "rubric": "Rubric threshold",
    "timezone": "Time zone",
    "guardrail_name": "Guardrail (optional)",
    "guardrail_bound": "The guardrail holds when the value is at least (min) or at most (max)",
    "guardrail_value": "Guardrail bound",
    "cases_per_week": "How often the work happens: cases a week",
    "minutes_per_case": "What one case costs today: minutes",
    "structured": "Is the work structured?",
    "contract": "The minimum input contract: what must every case come with?",
    "trust": "How will its outputs become trustworthy?",
    "operator": "Who runs it once the pilot team moves on?",
    "template": "Which version does it replicate? (or new)",
    "value_event": "Value event: name the one event you will count",
    "value_minutes": "Minutes saved per event",
    "cost": "Cost per month (optional)",
    "start": "First cycle's Monday",
    "override": "Override reason (curators: a change past the kit's may_change)",
    "why": "Why (needed when a change loosens the bar)",
}
_HINTS = {
    "steps": "human-led, collaborative or ai-led; `human-led pinned` for a step never proposed for promotion. "
    "e.g. draft: collaborative; cases it never takes: send: collaborative out of scope: refund over 500 EUR; legal threat",
    "cap": "The share of a step's cases that may be exceptions: 10% or 0.1",
    "rubric": "The rubric score a step's output must reach: 90% or 0.9",
    "timezone": "An IANA zone, e.g. Europe/Berlin",
    "guardrail_name": "A number that must not suffer, e.g. CSAT; leave empty for none",
    "cases_per_week": "Fewer than 10 a week, or work that is not structured: you may be funding a demo",
    "minutes_per_case": "The minutes one case takes today, by hand, e.g. 9",
    "contract": "e.g. the ticket text, the customer's plan and the refund policy. Becomes its first input",
    "trust": "e.g. a rubric of tone and accuracy, and a calibration set of 40 past tickets: they start your kit",
    "operator": "Named as its business rules and model updates owner",
    "template": "A published version as /rollout registry lists it, e.g. support-replies v2: your kit starts "
    "from its kit (adopt it instead?); or new",
    "value_event": "An event counted each closed week (one of the playbook's value events, or its own sent "
    "over the API), e.g. reply_accepted",
    "why": "A higher cap, a lower threshold or target, a moved baseline...: a curator decides, from the next "
    "cycle, and reads this. Tightening applies at once.",
    "value_minutes": "Optional: the owner's estimate of the minutes each event saves: more than 0, at most 1440 "
    "(a day); empty: the event is counted, no hours are estimated",
}
_OPTIONAL = {
    "kpi_unit",
    "guardrail_name",
    "guardrail_bound",
    "guardrail_value",
    "structured",  # a checkbox: unticked is an answer
    "contract",  # the self-check: an empty answer is kept, and called vague ("funding a demo?")
    "trust",
    "operator",
    "template",
    "value_minutes",
    "cost",
    "override",
    "why",
}
_OPTIONAL_ON_EDIT = {"cases_per_week", "minutes_per_case", "value_event"}  # a YAML playbook may have none
_LIMITS = {
    "contract": 300,
    "trust": 300,
    "template": 80,
    "title": 200,
    "function": 80,
    "kpi_name": 80,
    "kpi_unit": 20,
    "guardrail_name": 80,
    "timezone": 64,
}


def _text(value: str) -> dict[str, str]:
    return {"type": "plain_text", "text": value}


def _option(value: str, label: str) -> dict[str, Any]:
    return {"text": _text(label), "value": value}


_NEW_ONLY = {"start", "contract", "trust", "operator", "template"}  # asked when it is made


def _element(block_id: str, value: str) -> dict[str, Any]:
    if block_id == "operator":
        element: dict[str, Any] = {"type": "users_select", "action_id": "value"}
        if value:
            element["initial_user"] = value
        return element
    if block_id == "channel":
        element = {
            "type": "conversations_select",
            "action_id": "value",
            "filter": {"include": ["public", "private"], "exclude_bot_users": True},
        }
        if value:
            element["initial_conversation"] = value
        return element
    if block_id in ("direction", "guardrail_bound"):
        options = (
            [_option("down", "lower (down)"), _option("up", "higher (up)")]
            if block_id == "direction"
            else [_option("min", "min: at least"), _option("max", "max: at most")]
        )
        element = {"type": "static_select", "action_id": "value", "options": options}
        chosen = next((o for o in options if o["value"] == value), None)
        if chosen is not None:
            element["initial_option"] = chosen
        return element
    if block_id == "structured":
        option = _option("structured", "Yes: each case follows the same steps, with clear inputs and outputs")
        element = {"type": "checkboxes", "action_id": "value", "options": [option]}
        if value:
            element["initial_options"] = [option]
        return element
    if block_id == "start":
        element = {"type": "datepicker", "action_id": "value"}
        if value:
            element["initial_date"] = value
        return element
    multiline = block_id in ("steps", "override", "why", "contract", "trust")
    element = {
        "type": "plain_text_input",
        "action_id": "value",
        "multiline": multiline,
        "max_length": _LIMITS.get(block_id, MAX_INPUT if multiline else 40),
    }
    if value:
        element["initial_value"] = value
    return element


def playbook_form(
    values: dict[str, str],
    fields: tuple[str, ...],
    metadata: dict[str, Any],
    functions: list[str],
    slug: str | None = None,
    adopted_from: str | None = None,
    focus: tuple[str, ...] = (),
    currency: str = "USD",
) -> dict[str, Any]:
    """The modal: `/rollout new`'s (no `slug`) or `/rollout edit`'s; `focus`: the fields a
    stall's answer opens it at, first; `adopted_from`: an adopted playbook's origin (the
    override field shows); `currency`: ROLLOUT_CURRENCY, the cost's (its hint). No box for a
    changed prompt or model: a step's `model` and `prompt` (YAML, the kit form) make its
    calibration stale by themselves when they change."""
    shown = [f for f in fields if f not in _NEW_ONLY or slug is None]
    shown = [f for f in focus if f in shown] + [f for f in shown if f not in focus]
    shown += ["override"] if adopted_from is not None else []
    shown += ["why"] if slug is not None else []
    blocks: list[dict[str, Any]] = [{"type": "section", "text": {"type": "mrkdwn", "text": _intro(slug, adopted_from)}}]
    for block_id in shown:
        blocks.append(_input(block_id, values.get(block_id, ""), slug is not None, functions, currency))
    callback_id, title, submit = (
        ("playbook_new", "New playbook", "Create") if slug is None else ("playbook_edit", "Edit playbook", "Save")
    )
    return as_code_modal(callback_id, metadata, title, submit, blocks)


def as_code_modal(
    callback_id: str, metadata: dict[str, Any], title: str, submit: str, blocks: list[dict[str, Any]]
) -> dict[str, Any]:
    """A playbook's modal (this form, the kit form): `blocks`, then the hint that the
    playbook is code too, and Cancel."""
    blocks.append(
        {
            "type": "context",
            "elements": [
                {
                    "type": "mrkdwn",
                    "text": "As code: `rollout playbook export` prints it as YAML, `rollout playbook load` takes it back.",
                }
            ],
        }
    )
    assert len(blocks) <= MAX_MODAL_BLOCKS
    return {
        "type": "modal",
        "callback_id": callback_id,
        "private_metadata": json.dumps(metadata, separators=(",", ":")),
        "title": _text(title),
        "submit": _text(submit),
        "close": _text("Cancel"),
        "blocks": blocks,
    }


def _intro(slug: str | None, adopted_from: str | None) -> str:
    if slug is None:
        return (
            "Start a playbook for your team: you become its owner and its first cycle is set. "
            "The team channel gets its mode map; the curators hear of it, for information."
        )
    intro = f"Change *{slug}*: a change is a revision, applied from the open week. Sources, the kit and rule settings stay as they are; a step's mode changes with `/rollout mode`. A change that loosens the bar waits for a curator: say why."
    if adopted_from is not None:
        intro += f" It is adopted from *{adopted_from}*: its kit's `may_change` says what may change here."
    return intro


def _input(block_id: str, value: str, editing: bool, functions: list[str], currency: str) -> dict[str, Any]:
    """A field's input block, with its hint: the functions in use beside the function's,
    the deployment's currency beside the cost's."""
    block: dict[str, Any] = {
        "type": "input",
        "block_id": block_id,
        "label": _text(_LABELS[block_id]),
        "element": _element(block_id, value),
        "optional": block_id in _OPTIONAL or (editing and block_id in _OPTIONAL_ON_EDIT),
    }
    hint = _HINTS.get(block_id)
    if block_id == "function" and functions:
        hint = "In use: " + ", ".join(functions)[:140] + "; or name a new one"
    if block_id == "cost":
        hint = f"In {currency} (this deployment's ROLLOUT_CURRENCY), e.g. 1200; leave empty for none"
    if hint:
        block["hint"] = _text(hint)
    return block


def made_notice(
    slug: str, starts_on: str, channel: str, warning: str | None = None, replicates: str | None = None
) -> dict[str, Any]:
    """What the form turns into once the playbook is made; `warning`: "funding a demo? …";
    `replicates`: the published version its self-check named."""
    return _notice(
        "Playbook created",
        f":seedling: *{slug}* is yours: cycle 1 starts on {starts_on}. Its mode map went to <#{channel}>. "
        f"`/rollout edit {slug}` changes it."
        + (
            f"\n:package: It replicates *{replicates}*: `/rollout kit {slug}` starts from that version's kit, "
            "for you to check and save."
            if replicates
            else ""
        )
        + (f"\n:warning: {warning}: the curators hear it too. The playbook is made all the same." if warning else ""),
    )


def revised_notice(
    slug: str, changes: list[str], waiting: list[str] | None = None, named: frozenset[str] = frozenset()
) -> dict[str, Any]:
    """What the form turns into once a revision is recorded: each change, and each bar change
    asked of the curators; the ids the changes name (`named`: the people and channels of
    the definitions, cadence.decisions.named_ids) as mentions, which Slack shows by name."""
    if not changes and not waiting:
        return _notice("Nothing changed", f"*{slug}*: nothing changed, so nothing was recorded.")
    listed = _clipped([f"• {with_mentions(c, named)}" for c in changes])
    text = f"*{slug}* revised, from the open week:\n{listed}\n" if changes else ""
    if waiting:
        asked = _clipped([f"• {with_mentions(c, named)}" for c in waiting])
        text += f"These change the bar without tightening it, so a curator decides on them (from the next cycle):\n{asked}\n"
    return _notice("Playbook revised", f"{text}`/rollout history {slug}` lists it.")


def _clipped(lines: list[str], limit: int = 1400) -> str:
    """Lines of mrkdwn, one a line, as many whole lines as fit in `limit` characters (a
    mention or an escape is never cut in two), and "…" for the rest."""
    kept: list[str] = []
    for line in lines:
        if sum(len(k) + 1 for k in kept) + len(line) > limit:
            return "\n".join([*kept, "…"] if kept else [line[:limit] + "…"])  # one line past it: cut, as before
        kept.append(line)
    return "\n".join(kept)


def _notice(title: str, text: str) -> dict[str, Any]:
    return {
        "type": "modal",
        "title": _text(title),
        "close": _text("OK"),
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}],
    }
