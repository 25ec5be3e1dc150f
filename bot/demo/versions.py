"""The demo's versions and learnings that travel both ways (issue 59): the adopting team
in Singapore learns something, which reaches the origin's owner in her next 09:00 DM;
then the origin publishes v2, the team is told what changed with *Upgrade* and *Not
now*, and its owner upgrades, keeping the team's own numbers and zone."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.demo.cast import ADMIN, APAC, APAC_OWNER, CURATOR, CURATORS

ADOPTER = "support-replies-support-apac"
LEARNED = "Singapore customers read a draft faster when it opens with the refund decision"


def travel(story: Any, week_index: int, weekday: int, hour: datetime) -> None:
    """Called by the story each simulated hour (bot/demo/story.py `_scripted`)."""
    if week_index == 9 and weekday == 2 and hour.hour == 3:  # 11:00 in Singapore
        story.command(APAC_OWNER, APAC, f"learn {ADOPTER} {LEARNED}", show_reply=True)
    if week_index == 11 and weekday == 1 and hour.hour == 15:  # the origin's cycle 3 is under way: v2
        _publish_v2_and_upgrade(story)


def _publish_v2_and_upgrade(story: Any) -> None:
    """Cora publishes v2 (over readiness, so a second person approves it); Dan upgrades his team to it."""
    story.command(CURATOR, CURATORS, "publish support-replies override cycle 3 keeps the target", show_reply=True)
    story.dispatcher.drain(max_wait=0)
    _second_person(story)
    told = next(m for m in story.slack.posted(APAC_OWNER) if m["text"].startswith("support-replies v2"))
    upgrade = next(
        e for b in told["blocks"] if b["type"] == "actions" for e in b["elements"] if e["action_id"] == "upgrade_now"
    )
    story.http.click(APAC_OWNER, "upgrade_now", upgrade["value"], "D" + APAC_OWNER[1:], told["ts"], "upgrade")
    story.did("Dan (owner, support APAC) clicked Upgrade in his DM: his team runs v2, its own numbers kept")


def _second_person(story: Any) -> None:
    """Published over readiness, Cora's override is a request: Ada (admin; Cora is the one
    curator, and asked) publishes it from its card (issue 93, item 5)."""
    cards = [m for m in story.slack.posted(CURATORS) if "publishing over readiness asked" in m["text"]]
    if not cards:
        return  # ready: Cora's publication was hers alone
    publish = next(
        e
        for b in cards[-1]["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == "publish_approve"
    )
    story.http.click(ADMIN, "publish_approve", publish["value"], CURATORS, cards[-1]["ts"], block_id="publish_request")
    story.dispatcher.drain(max_wait=0)
    story.did("Ada (admin) published v2 over readiness from Cora's request: the version says so wherever it is listed")
