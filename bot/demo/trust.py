"""The people's trust and a handoff's fallback in the demo (docs/usage.md, "The pulse";
docs/playbooks.md, "Escalation with a clock"), told through the real handlers.

- The finance team (six in #finance-paris) answers the anonymous pulse of invoice-matching
  in cycle 1 and cycle 2 with `/rollout pulse`. Cycle 1 is shown at its close. In cycle 2
  an extract exception waited a week (below), and the team's trust falls clearly: the
  difference's 95% interval is wholly below zero. That holds the playbook's promotions to
  ai-led through cycle 3, the owner told once why; so when match, fixed and its
  calibration set run again, passes 3 weeks in a row in cycle 3, no proposal comes.
- invoice-matching's handoff terms (an SLA of 72 h, escalating to the team channel): Ida
  logs an exception on extract, AI-led, on cycle 2's first Friday; nobody answers it while
  she is at the month-end close, so the clock escalates it on Monday and extract runs
  collaborative while it waits, the team channel told. A week later Ida resolves it from
  her Monday DM and extract is ai-led again, told again.
- The support team's four answer once (bot/demo/story.py): too few to show.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any, Protocol

from bot.demo.cast import FINANCE, PEOPLE

IDA, CHANNEL, SLUG = "UIDA000001", "CFINANCE01", "invoice-matching"
CALIBRATION = 40  # match's calibration set: 40 invoices with their known purchase orders
SLA_HOURS = 72  # logged Friday afternoon, escalated Monday afternoon
EXCEPTION = "Read the total from the wrong line of a two-page invoice"
NOTE = "Two-page invoices now go through the ERP's import check first"
# Each member's answers (trust, worked around, safety, freed time), in FINANCE's order: a
# cycle that trusted match and extract, then one that did not (its trust's fall unmistakable).
PULSES = {
    1: [
        ("5", "never", "4", "quality"),
        ("5", "never", "4", "new"),
        ("4", "never", "5", "same"),
        ("5", "never", "4", "quality"),
        ("5", "never", "4", "new"),
        ("4", "never", "4", "same"),
    ],
    2: [
        ("2", "never", "4", "none"),
        ("1", "sometimes", "4", "same"),
        ("2", "never", "5", "none"),
        ("2", "never", "4", "same"),
        ("1", "never", "4", "none"),
        ("2", "never", "4", "quality"),
    ],
}


class Story(Protocol):
    http: Any
    slack: Any
    clock: Any

    def command(self, user: str, channel: str, text: str, show_reply: bool = False) -> str: ...

    def did(self, what: str) -> None: ...


def with_terms(document: dict[str, Any]) -> dict[str, Any]:
    """invoice-matching's document with its handoff terms and a calibration set for match,
    a quarter of it messy cases (the example file declares neither)."""
    steps = [
        {**step, "calibration": {"cases": CALIBRATION, "messy": CALIBRATION // 4}} if step["name"] == "match" else step
        for step in document["steps"]
    ]
    return {**document, "steps": steps, "handoff": {"sla_hours": SLA_HOURS, "escalate_to": CHANNEL}}


def match_review(week: int) -> tuple[int, int]:
    """match's review each week (passed, reviewed): 85% through cycle 2, so never ready to
    scale; 95% in cycle 3 (the story's weeks 8 on), once the team fixed it: PASS weeks that
    would earn a promotion to ai-led, were it not held by the pulse."""
    return (19, 20) if week >= 8 else (17, 20)


def _pulse(cycle: int) -> Callable[[Story], None]:
    def answer(story: Story) -> None:
        for user, picked in zip(FINANCE, PULSES[cycle], strict=True):
            story.clock.at += timedelta(seconds=1)
            story.http.command(f"pulse {SLUG}", user, CHANNEL)  # not an owner's report: not tallied
            values = {
                block: {"type": "radio_buttons", "selected_option": {"value": value}}
                for block, value in zip(("trust", "around", "safety", "freed"), picked, strict=True)
            }
            story.http.submit(user, story.slack.opened_views[-1], values)
        story.did(f"the finance team answered cycle {cycle}'s anonymous pulse (/rollout pulse): 6 of 6, enough to show")

    return answer


def _exception(story: Story) -> None:
    story.command(IDA, CHANNEL, f"exception {SLUG} extract {EXCEPTION}")


def _calibrate(story: Story) -> None:
    note = "after the new rule for invoices with many open orders"
    story.command(IDA, CHANNEL, f"calibrate {SLUG} match 38/{CALIBRATION} {note}", show_reply=True)


def _resolve(story: Story) -> None:
    """Ida, back, resolves the item from her Monday DM."""
    dm = next(
        m
        for m in reversed(story.slack.posted(IDA))
        if m["text"].startswith(f"{SLUG}: 1 exception item")
        and any(e.get("action_id") == "item_resolve" for b in m["blocks"] for e in b.get("elements", []))
    )
    button = next(
        e for b in dm["blocks"] if b["type"] == "actions" for e in b["elements"] if e["action_id"] == "item_resolve"
    )
    story.http.click(IDA, "item_resolve", button["value"], "D" + IDA[1:], dm["ts"], "item")
    story.http.submit(IDA, story.slack.opened_views[-1], {"note": {"type": "plain_text_input", "value": NOTE}})
    story.did(f"{PEOPLE[IDA][0]}, back from the month-end close, resolved the escalated extract item: “{NOTE}”")


# The hours of this part of the script, as story.py's _ACTED: (week from 0, weekday, hour UTC).
ACTED: dict[tuple[int, int, int], Callable[[Story], None]] = {
    (3, 3, 17): _pulse(1),  # cycle 1's week 4, Thursday evening in Paris
    (4, 4, 15): _exception,  # cycle 2's first Friday: extract misreads an invoice
    (6, 0, 10): _resolve,  # a week after it was escalated
    (7, 2, 10): _calibrate,  # match fixed: its calibration set run before cycle 3
    (7, 3, 17): _pulse(2),  # cycle 2's week 4
}


def act(story: Story, when: tuple[int, int, int]) -> None:
    if when in ACTED:
        ACTED[when](story)
