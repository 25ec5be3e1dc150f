"""The kit form (`/rollout kit <playbook>`, usecases/kit_form.py): a Slack modal of one
block a field, within Slack's limits (at most 100 blocks; a plain-text input holds at
most 3,000 characters)."""

from __future__ import annotations

from typing import Any

from templates.playbook_form import as_code_modal

MAX_INPUT = 3000
CALLBACK_ID = "playbook_kit"

_LABELS = {
    "inputs": "Inputs, one a line",
    "outputs": "Outputs, one a line",
    "exception_owner": "Exception owner (empty: the owner)",
    "runbook": "Runbook link",
    "training": "Training, one a line",
    "checks": "Checks before the first cycle, one a line",
    "requires": "Requirements, one a line",
    "may_change": "What adopting teams may change",
    "requires_champion": "Champion",
    "business_rules": "Owner of the business rules",
    "model_updates": "Owner of the model and prompt updates",
    "sla_hours": "Exception SLA, in hours",
    "resolve_hours": "Hours an acknowledged item may stay open",
    "fallback": "Fallback mode of an AI-led step while escalated items wait",
    "escalate_person": "Escalate to a person",
    "escalate_channel": "or to a channel (empty both: the curators channel)",
    "dimensions": "Rubric dimensions, comma-separated",
    "calibration_cases": "Calibration set: its number of cases",
    "step_models": "Each step's model and prompt, one step a line",
    "override": "Override reason (curators: a change past the kit's may_change)",
    "why": "Why (needed when a change loosens the bar)",
}
_HINTS = {
    "inputs": "name | owner | refresh | when missing | no check: reason, e.g. refund export | @dana | daily | "
    "triage by hand; the owner @name or <@U0123456789>. Readiness wants every part; checks are set in the YAML.",
    "outputs": "What the workflow produces, e.g. approved refund",
    "exception_owner": "Who moves the exception queue's items and gets its Monday DM",
    "runbook": "An http:// or https:// link: how to run the workflow",
    "training": "Links or plain lines, for the teams that adopt it",
    "checks": "Tests an adopting team passes before its first cycle",
    "requires": "Integrations and inputs an adopting team needs",
    "business_rules": "Who owns the rules the workflow applies; readiness needs them active",
    "model_updates": "Who owns prompt and model changes; readiness needs them active",
    "sla_hours": "An exception item neither acknowledged nor closed this long is escalated once; empty: never",
    "resolve_hours": "An acknowledged item still open this long after it is escalated again, once; empty: 72",
    "fallback": "While an escalated item waits past its SLA or its resolve hours, an AI-led step runs so until it "
    "closes; a looser fallback (human-led → collaborative) waits for a curator",
    "dimensions": "What a review scores, each out of the reviewed count, e.g. tone, accuracy, policy; empty: one score",
    "calibration_cases": "Cases with known right answers the team keeps; `/rollout calibrate` records a run",
    "step_models": "step | model | prompt, e.g. draft | gpt-5.1 2026-09 | v7; a change of either makes the step's "
    "calibration stale",
}
_CHOICES = {
    "may_change": [
        ("baseline", "baseline"),
        ("target", "target"),
        ("timezone", "time zone"),
        ("exception_cap", "exception cap"),
        ("rubric_threshold", "rubric threshold"),
    ],
    "requires_champion": [("yes", "adopters' steps stay human-led until their champion's training is done")],
    "fallback": [("collaborative", "collaborative (the default)"), ("human-led", "human-led")],
}


def _text(value: str) -> dict[str, str]:
    return {"type": "plain_text", "text": value}


def _element(block_id: str, kind: str, value: Any) -> dict[str, Any]:
    if kind == "user":
        element: dict[str, Any] = {"type": "users_select", "action_id": "value"}
        if value:
            element["initial_user"] = value
        return element
    if kind == "channel":
        element = {"type": "conversations_select", "action_id": "value", "filter": {"include": ["public", "private"]}}
        if value:
            element["initial_conversation"] = value
        return element
    if kind == "choice":
        options = [{"text": _text(label), "value": v} for v, label in _CHOICES[block_id]]
        element = {"type": "radio_buttons", "action_id": "value", "options": options}
        initial = [o for o in options if o["value"] == value]
        if initial:
            element["initial_option"] = initial[0]
        return element
    if kind in ("choices", "flag"):
        options = [{"text": _text(label), "value": v} for v, label in _CHOICES[block_id]]
        chosen = set(value) if kind == "choices" else ({"yes"} if value else set())
        element = {"type": "checkboxes", "action_id": "value", "options": options}
        initial = [o for o in options if o["value"] in chosen]
        if initial:
            element["initial_options"] = initial
        return element
    multiline = kind in ("inputs", "lines", "models")
    element = {
        "type": "plain_text_input",
        "action_id": "value",
        "multiline": multiline,
        "max_length": MAX_INPUT if multiline else 500,
    }
    if value:
        element["initial_value"] = value
    return element


_TEXT_NAMES = {"prompt_text": "prompt", "rubric_text": "rubric"}


def _text_block(text: dict[str, Any]) -> dict[str, Any]:
    """A step's prompt or rubric as text: a multi-line field, or, longer than a field
    holds, a line saying it is edited by file."""
    named = f"{text['step']}: its {_TEXT_NAMES[text['key']]} as text"
    if not text["editable"]:
        said = (
            f"*{named}* runs to {len(text['value']):,} characters, more than a field here holds ({MAX_INPUT:,}): "
            "edit it by file, `rollout playbook export` then `rollout playbook load`. It is kept as it is."
        )
        return {"type": "section", "block_id": text["block_id"], "text": {"type": "mrkdwn", "text": said}}
    element: dict[str, Any] = {"type": "plain_text_input", "action_id": "value", "multiline": True}
    element["max_length"] = MAX_INPUT
    if text["value"]:
        element["initial_value"] = text["value"]
    hint = "Each edit is a revision with its why (the Why field below); it makes the step's calibration stale"
    return {
        "type": "input",
        "block_id": text["block_id"],
        "label": _text(named[:150]),
        "element": element,
        "optional": True,
        "hint": _text(hint),
    }


# The fields the self-check's answers may start, as the intro names them
_STARTED = {
    "inputs": "inputs",
    "outputs": "outputs",
    "runbook": "runbook",
    "training": "training",
    "checks": "checks",
    "requires": "requirements",
    "dimensions": "rubric dimensions",
    "calibration_cases": "calibration set",
}


def kit_form(
    slug: str,
    rows: list[tuple[str, str]],
    values: dict[str, Any],
    metadata: dict[str, Any],
    adopted_from: str | None = None,
    missing: list[str] | None = None,
    started: list[str] | None = None,
    replicates: str | None = None,
    texts: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The modal: `rows` are the fields (block id, kind) in order; `missing`: the
    readiness criteria the playbook still lacks, named at the top; `started`: the fields
    filled in from `/rollout new`'s answers and `replicates`, the version it replicates;
    `texts`: each step's prompt and rubric texts (`block_id`, `step`, `key`, `value`,
    `editable`: within a field's 3,000 characters, else said to be edited by file)."""
    intro = (
        f"Package *{slug}* for the teams that adopt it. A change is a revision, applied from the open week; "
        "an input's check stays as its YAML has it."
    )
    if missing:
        intro += "\nStill missing for readiness: " + "; ".join(missing) + "."
    if started:
        source = "your answers to `/rollout new`" + (
            f" and *{replicates}*, the version it replicates" if replicates else ""
        )
        intro += (
            f"\nFilled in from {source}: {', '.join(_STARTED[b] for b in started)}. "
            "Check them: they count only once you save."
        )
    if adopted_from is not None:
        intro += f" It is adopted from *{adopted_from}*: its kit's `may_change` says what may change here."
    blocks: list[dict[str, Any]] = [{"type": "section", "text": {"type": "mrkdwn", "text": intro}}]
    shown = [*rows, *([("override", "lines")] if adopted_from is not None else []), ("why", "lines")]
    for block_id, kind in shown:
        block: dict[str, Any] = {
            "type": "input",
            "block_id": block_id,
            "label": _text(_LABELS[block_id]),
            "element": _element(block_id, kind, values.get(block_id, "")),
            "optional": True,
        }
        hint = _HINTS.get(block_id)
        if hint:
            block["hint"] = _text(hint)
        blocks.append(block)
        if block_id == "step_models":
            blocks += [_text_block(t) for t in texts or []]
    return as_code_modal(CALLBACK_ID, metadata, "Package playbook", "Save", blocks)
