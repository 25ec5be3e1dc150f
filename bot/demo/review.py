"""lead-research's `research` step demoted to human-led review and back (docs/judgement.md,
"Demoted to human-led review"; cadence/recovery.py).

The demo's lead-research declares, on research, `demote_to: human-led` and
`recover_after: 2` (added here, so examples/lead-research.yaml keeps its pinned canonical
definition). AI-led from cycle 2, research has a bad week in cycle 3's week 2: Cora, the
curator, logs 4 exceptions on its 15 cases, 27%, over twice the 10% cap, and the close
demotes it straight to human-led. Its next two weeks PASS under human-led review: Gia's
status between them says "recovering: 1 of 2 PASS weeks", and cycle 3's last close returns
it to collaborative. Two weeks after that leave the usual promotion rules no streak to
propose from."""

from __future__ import annotations

from typing import Any, Protocol

from bot.demo.cast import CURATOR

STEP = "research"
RECOVER_AFTER = 2
WEEK = 8  # the story's week (from 0) of the exceptions: lead-research's cycle 3, week 2
EXCEPTIONS = ("A prospect researched from last year's account list",) * 4  # 4 of 15 cases
SALES = "CSALES0001"


class Story(Protocol):
    def command(self, user: str, channel: str, text: str, show_reply: bool = False) -> str: ...


def with_review(document: dict[str, Any]) -> dict[str, Any]:
    """lead-research's document, research demoted to human-led review and back after
    RECOVER_AFTER PASS weeks."""
    steps = [
        {**step, "demote_to": "human-led", "recover_after": RECOVER_AFTER} if step.get("name") == STEP else step
        for step in document["steps"]
    ]
    return {**document, "steps": steps}


def exceptions(story: Story, week: int) -> None:
    """Cora, the curator, reviewing the sales team's week, logs research's exceptions of the
    story's week `week` (only an owner or a curator may; Chloé's commands are counted): none
    but in WEEK."""
    if week != WEEK:
        return
    for i, what in enumerate(EXCEPTIONS):
        story.command(CURATOR, SALES, f"exception lead-research {STEP} {what} #{i + 1}", show_reply=i == 0)
