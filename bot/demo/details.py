"""Two details of the demo, told through the real handlers.

- A prompt kept as text and revised with its why (docs/playbooks.md, "Prompts and rubrics
  as text"): once the refunds team has packaged refund-triage (bot/demo/packaged.py), its
  owner keeps classify's prompt in the kit form (`/rollout kit`) in cycle 2's first week,
  and two weeks later revises it there, with his why: misfiled claims taught the prompt
  to send a damaged item's claim to its own category. The playbook's web page shows both
  edits, newest first, each as a diff (usecases/sections/step_texts.py).
- How setup went (docs/programme.md, "Setup in under an hour"): the adopting team's
  champion, Eve, gets the DM *Tell us how setup went* with support-apac's first check-in
  answered; an hour later she clicks it and sends the form (minutes, and whether a meeting
  was needed), so the registry's line says the minutes said beside those in the forms.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Protocol

from bot.demo.cast import CHAMPION, PEOPLE
from bot.demo.made import IN_SLACK
from cadence import step_texts

OWNER, CHANNEL, STEP = "UBEN000001", "CREFUNDS01", "classify"
ADOPTER = "support-replies-support-apac"
FIELD = f"prompt_text:{STEP}"  # the kit form's field of classify's prompt (usecases/kit_texts.py)
PROMPT = (
    "Read the refund request and the order.\n"
    "Pick one category: wrong item, late delivery, changed mind.\n"
    "Unsure: leave it for a person."
)
REVISED = (
    "Read the refund request and the order.\n"
    "Pick one category: wrong item, damaged item, late delivery, changed mind.\n"
    "A photo of damage: damaged item, whatever the customer picked.\n"
    "Unsure: leave it for a person."
)
KEPT_WHY = "The prompt classify runs with, kept with the kit so it is refined in one place"
REVISED_WHY = "Misfiled claims #1040-#1045 were damaged items filed as wrong items"
SETUP_MINUTES, MEETING = 50, "no"  # what Eve says of support-apac's setup


class Story(Protocol):
    http: Any
    slack: Any
    store: Any

    def at(self, day: Any, hour: int, minute: int = 0) -> datetime: ...

    def command(self, user: str, channel: str, text: str, show_reply: bool = False) -> str: ...

    def did(self, what: str) -> None: ...


KEEP = {FIELD: PROMPT, "why": KEPT_WHY}  # what the packaging's kit form adds (bot/demo/packaged.py)


def kept(story: Story) -> None:
    """Said once the packaging's kit form, which kept classify's prompt, is saved."""
    lines = len(PROMPT.splitlines())
    story.did(
        f"{PEOPLE[OWNER][0]} kept classify's prompt in the same kit form: {lines} lines, with its why, “{KEPT_WHY}”"
    )


def _revise(story: Story, nudge: dict[str, Any]) -> None:
    """The owner answers week 3's nudge of cycle 2 from its *Package it*: the kit form, the
    prompt revised, his why."""
    button = next(b["accessory"] for b in nudge["blocks"] if b.get("block_id") == "refine")  # *Refine the texts*
    story.http.click(OWNER, "kit_open", button["value"], CHANNEL, nudge["ts"], block_id="refine")
    story.http.submit_saved(OWNER, story.slack.opened_views[-1], {FIELD: REVISED, "why": REVISED_WHY}, "kit form")
    state = story.store.playbooks.state(IN_SLACK)
    edits = step_texts.revisions(story.store.calibrations.revision_rows(state.playbook.id))
    newest = step_texts.of_step(edits, STEP, "prompt_text")[0]
    changed = [line.text for line in newest.lines() if line.kind in ("added", "removed")]
    story.did(
        f"{PEOPLE[OWNER][0]} clicked Refine the texts on cycle 2's week-3 nudge and revised classify's prompt, why:"
        f" “{REVISED_WHY}”; the playbook's web page shows the diff, newest first: " + " / ".join(changed)
    )
    story.did(
        "what the misfiled claims taught went into the prompt itself, kept as text with who, when and why,"
        " not into a chat thread"
    )


def _texts_nudges(story: Story, seen: set[str], hour: datetime) -> list[tuple[datetime, Callable[[], object]]]:
    """Week 3's nudges asking what the exceptions taught the prompt: the first is the one
    the kit was packaged from (bot/demo/packaged.py); the second, a cycle on, is answered."""
    later: list[tuple[datetime, Callable[[], object]]] = []
    for message in story.slack.posted(CHANNEL):
        key = f"texts:{message['ts']}"
        if key in seen or "teach about the prompt" not in message["text"] + str(message.get("blocks")):
            continue
        seen.add(key)
        if "texts:first" not in seen:
            seen.add("texts:first")
        elif "texts:revised" not in seen:
            seen.add("texts:revised")
            later.append((hour + timedelta(hours=1), functools.partial(_revise, story, message)))
    return later


def on_the_hour(story: Story, seen: set[str], hour: datetime) -> list[tuple[datetime, Callable[[], object]]]:
    """The refunds owner's answer to cycle 2's week-3 nudge; the champion's *Tell us how
    setup went*, answered an hour after it came."""
    later = _texts_nudges(story, seen, hour)
    for message in story.slack.posted(CHAMPION):
        key = f"setup:{message['ts']}"
        if key not in seen and message["text"].startswith(f"{ADOPTER}: how did setup go?"):
            seen.add(key)
            later.append((hour + timedelta(hours=1), functools.partial(_setup_said, story, message)))
    return later


def _setup_said(story: Story, dm: dict[str, Any]) -> None:
    button = next(
        e for b in dm["blocks"] if b["type"] == "actions" for e in b["elements"] if e["action_id"] == "setup_said_open"
    )
    story.http.click(CHAMPION, "setup_said_open", button["value"], "D" + CHAMPION[1:], dm["ts"])
    values = {
        "minutes": {"type": "number_input", "value": str(SETUP_MINUTES)},
        "meeting": {"type": "radio_buttons", "selected_option": {"value": MEETING}},
    }
    reply = story.http.submit(CHAMPION, story.slack.opened_views[-1], values)
    body = reply.body if isinstance(reply.body, dict) else {}
    if body.get("response_action") == "errors":
        raise RuntimeError(f"the demo's setup form was refused: {body.get('errors')}")
    meeting = "a meeting was needed" if MEETING == "yes" else "no meeting was needed"
    story.did(
        f"{PEOPLE[CHAMPION][0]} (champion) clicked Tell us how setup went on the DM support-apac's first check-in"
        f" brought, and sent the form: {SETUP_MINUTES} min all in, {meeting}"
    )
