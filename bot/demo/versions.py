"""The demo's versions and learnings that travel both ways (issue 59): the adopting team
in Singapore learns something, which reaches the origin's owner in her next 09:00 DM;
then the origin publishes v2, the team is told what changed with *Upgrade* and *Not
now*, and its owner upgrades, keeping the team's own numbers and zone."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.demo.cast import APAC, APAC_OWNER, CURATOR, CURATORS

ADOPTER = "support-replies-support-apac"
LEARNED = "Singapore customers read a draft faster when it opens with the refund decision"


def travel(story: Any, week_index: int, weekday: int, hour: datetime) -> None:
    """Called by the story each simulated hour (bot/demo/story.py `_scripted`)."""
    if week_index == 9 and weekday == 2 and hour.hour == 3:  # 11:00 in Singapore
        story.command(APAC_OWNER, APAC, f"learn {ADOPTER} {LEARNED}", show_reply=True)
    if week_index == 11 and weekday == 1 and hour.hour == 15:  # the origin's cycle 3 is under way: v2
        story.command(CURATOR, CURATORS, "publish support-replies override cycle 3 keeps the target", show_reply=True)
        story.dispatcher.drain(max_wait=0)
        told = next(m for m in story.slack.posted(APAC_OWNER) if m["text"].startswith("support-replies v2"))
        upgrade = next(
            e
            for b in told["blocks"]
            if b["type"] == "actions"
            for e in b["elements"]
            if e["action_id"] == "upgrade_now"
        )
        story.http.click(APAC_OWNER, "upgrade_now", upgrade["value"], "D" + APAC_OWNER[1:], told["ts"], "upgrade")
        story.did("Dan (owner, support APAC) clicked Upgrade in his DM: his team runs v2, its own numbers kept")
