"""In the demo, the refunds team packages the playbook it made with `/rollout new`, and its
exception queue runs on a clock (docs/playbooks.md, "Escalation with a clock").

On the Monday of week 3 its owner clicks *Package it* on the stage nudge and fills in the
kit form as Slack sends it: the inputs (`name | owner | refresh | when missing`), the
outputs, a runbook and the handoff terms (an SLA of 72 hours, escalating to the curators
channel), keeping the rubric's dimension the form started from his self-check's answer
("a rubric of accuracy …"). Readiness's input contract is then met without YAML. From then on he resolves
the items of his Monday DM each Monday, before their SLA runs out; one Monday he does
not get to it, so that weekend's item is escalated by the clock to the curators channel,
and the curator, having read the playbook's status, acknowledges it from the
escalation. Still open 3 days after that (`resolve_hours`, 72 by default), it is escalated
again, once, and she acknowledges that too. The playbook still stalls later."""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from bot.demo import details
from bot.demo.cast import CURATOR, CURATORS, PEOPLE
from bot.demo.made import IN_SLACK
from usecases.shared import readiness

OWNER, MEMBER, CHANNEL = "UBEN000001", "UELI000001", "CREFUNDS01"
SLA_HOURS = 72  # an item logged Friday afternoon is escalated Monday afternoon, unanswered
MISSED_MONDAY = 5  # the story's week (from 0) whose Monday DM the owner does not get to
NOTE = "Reclassified by hand and the claim form's category fixed"
# The kit form as the refunds owner fills it in (templates/kit_form.py's fields).
KIT = {
    "inputs": "\n".join(
        (
            f"refund request | <@{MEMBER}> | hourly | triage by hand",
            f"ledger export | <@{OWNER}> | daily | hold payouts until it arrives",
        )
    ),
    "outputs": "approved refund\npayout file",
    "runbook": "https://wiki.example.com/refunds/triage",
    "sla_hours": f"{SLA_HOURS}",
}


def on_the_hour(story: Any, seen: set[str], hour: datetime, start: date) -> list[tuple[datetime, Callable[[], object]]]:
    """What the refunds team and the curator answer this hour: the week-3 nudge's *Package
    it*, the owner's Monday DM of exception items, and the escalation's *Acknowledge*; each
    an hour after it arrived (the curator's the next morning, in Berlin)."""
    later = _package_it(story, seen, hour, start)
    later += _clear_queues(story, seen, hour, start)
    later += _acknowledge_escalations(story, seen, hour)
    return later


def _package_it(story: Any, seen: set[str], hour: datetime, start: date) -> list[tuple[datetime, Callable[[], object]]]:
    """The week-3 nudge's *Package it*, once: at the first nudge."""
    later: list[tuple[datetime, Callable[[], object]]] = []
    for message in story.slack.posted(CHANNEL):
        key = f"packaged:{message['ts']}"
        if key not in seen and _button(message, "kit_open") and "kit" not in seen:
            seen.update((key, "kit"))  # once: the first week 3's nudge
            later.append((hour + timedelta(hours=1), functools.partial(_package, story, message, start)))
    return later


def _clear_queues(
    story: Any, seen: set[str], hour: datetime, start: date
) -> list[tuple[datetime, Callable[[], object]]]:
    """The owner's Monday DMs of exception items, each read once; cleared from the packaging on,
    but for the Monday the story misses."""
    later: list[tuple[datetime, Callable[[], object]]] = []
    for message in story.slack.posted(OWNER):  # the Monday DMs from the packaging's on, each once
        key = f"queue:{message['ts']}"
        if key in seen or not message["text"].startswith(f"{IN_SLACK}: ") or not _button(message, "item_resolve"):
            continue
        seen.add(key)
        if "kit" in seen and (hour.date() - start).days // 7 != MISSED_MONDAY:
            later.append((hour + timedelta(hours=1), functools.partial(_clear_queue, story, message)))
    return later


def _acknowledge_escalations(story: Any, seen: set[str], hour: datetime) -> list[tuple[datetime, Callable[[], object]]]:
    """Each escalation's *Acknowledge*, by the curator the next morning."""
    later: list[tuple[datetime, Callable[[], object]]] = []
    for message in story.slack.posted(CURATORS):
        key = f"escalated:{message['ts']}"
        if key not in seen and message["text"].startswith(f"Escalated: {IN_SLACK} /"):
            seen.add(key)
            later.append(
                (story.at(hour.date() + timedelta(days=1), 8), functools.partial(_acknowledge, story, message))
            )
    return later


def _button(message: dict[str, Any], action_id: str) -> dict[str, Any] | None:
    for block in message.get("blocks", []):
        for element in [*block.get("elements", []), block.get("accessory") or {}]:
            if isinstance(element, dict) and element.get("action_id") == action_id:
                return element
    return None


def _package(story: Any, nudge: dict[str, Any], start: date) -> None:
    button = _button(nudge, "kit_open")
    assert button is not None
    story.http.click(OWNER, "kit_open", button["value"], CHANNEL, nudge["ts"], block_id="kit")
    view = copy.deepcopy(story.slack.opened_views[-1])
    for block in view["blocks"]:  # the channel he picks to escalate to
        if block.get("block_id") == "escalate_channel":
            block["element"]["initial_conversation"] = CURATORS
    story.http.submit_saved(OWNER, view, {**KIT, **details.KEEP}, "kit form")  # classify's prompt too
    who = PEOPLE[OWNER][0]
    story.did(
        f"{who} clicked Package it on week 3's nudge and filled in the kit form: 2 inputs "
        f"(name | owner | refresh | when missing), 2 outputs, a runbook, exception SLA {SLA_HOURS} h, "
        "escalate to #rollout-curators, and kept the rubric dimension his /rollout new answer named (accuracy); "
        "a revision, no YAML"
    )
    details.kept(story)
    state = story.store.playbooks.state(IN_SLACK)
    contract = next(c for c in readiness.criteria(story.store, state, [(1, start)]) if c.name == "contract")
    mark = "✅ met" if contract.met else "❌ not met"
    figures = ", ".join(f"{n} {what}" for what, n in contract.figures.items())
    story.did(f"{IN_SLACK}'s readiness, criterion 3 (an input contract): {mark}, {figures}, without YAML")


def _clear_queue(story: Any, dm: dict[str, Any]) -> None:
    """The owner resolves every item his Monday DM lists, each with its note."""
    resolved = 0
    for block in dm["blocks"]:
        for element in block.get("elements", []) if block["type"] == "actions" else []:
            if element.get("action_id") != "item_resolve":
                continue
            story.http.click(OWNER, "item_resolve", element["value"], "D" + OWNER[1:], dm["ts"], "item")
            view = story.slack.opened_views[-1]
            story.http.submit(OWNER, view, {"note": {"type": "plain_text_input", "value": NOTE}})
            resolved += 1
    items = f"{resolved} exception item" + ("s" if resolved != 1 else "")
    story.did(f"{PEOPLE[OWNER][0]} resolved {items} of {IN_SLACK} from his Monday DM, within its SLA: “{NOTE}”")


def _acknowledge(story: Any, escalation: dict[str, Any]) -> None:
    """The curator reads the playbook's status (the item shows escalated), then answers for it."""
    story.command(CURATOR, CURATORS, f"status {IN_SLACK}", show_reply=True)
    button = _button(escalation, "escalation_acknowledge")
    assert button is not None
    story.http.click(CURATOR, "escalation_acknowledge", button["value"], CURATORS, escalation["ts"], "escalation")
    story.did(f"Cora (curator) acknowledged the escalated {IN_SLACK} item from its message in #rollout-curators")
