"""The demo's owners report their week in one form (issue 58): `/rollout week <playbook>`,
then the form filled in and submitted as Slack sends it, through the real handlers.

Before the form, support-replies' owner typed five commands every Friday (three case
counts, two rubric scores); now one command opens the form and one submission records
them all (docs/judgement.md, "The owner's week in one form")."""

from __future__ import annotations

import json
from typing import Any, Protocol

from bot.demo.cast import PEOPLE


class Story(Protocol):
    http: Any
    slack: Any

    def command(self, user: str, channel: str, text: str, show_reply: bool = False) -> str: ...

    def did(self, what: str) -> None: ...


def _field(block: dict[str, Any]) -> tuple[str, str]:
    """An input of the week form as (what, step): ("cases", "draft"), ("kpi", "")."""
    kind, _, _ = str(block["block_id"]).partition(":")
    label = block["label"]["text"]
    step = label.split(" (")[0] if kind == "cases" else label.split(":")[0] if kind in ("reviewed", "passed") else ""
    return kind, step


def report_week(
    story: Story,
    user: str,
    channel: str,
    slug: str,
    cases: dict[str, int],
    reviews: dict[str, tuple[int, int]],
) -> str:
    """Open the week's form and submit it with each step's cases and review (passed,
    reviewed); returns the submission's answer (the list of what was recorded)."""
    story.command(user, channel, f"week {slug}")
    view = story.slack.opened_views[-1]
    answers: dict[str, str] = {}
    for block in view["blocks"]:
        if block.get("type") != "input":
            continue
        kind, step = _field(block)
        if kind == "cases" and step in cases:
            answers[block["block_id"]] = str(cases[step])
        elif kind in ("passed", "reviewed") and step in reviews:
            passed, reviewed = reviews[step]
            answers[block["block_id"]] = str(passed if kind == "passed" else reviewed)
    reply = story.http.submit_filled(user, view, answers)
    body = reply.body if isinstance(reply.body, dict) else {}
    said = json.dumps(body.get("view", {}).get("blocks", body.get("errors", {})), ensure_ascii=False)
    who = PEOPLE[user][0]
    if body.get("response_action") == "update":
        story.did(f"{who} reported the week of {slug} in one form: {said.count('• ')} numbers recorded")
    else:
        story.did(f"{who}'s week form for {slug} was refused: {said}")
    return said
