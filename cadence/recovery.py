"""A step's demotion straight to human-led review and its way back (docs/judgement.md,
"Demoted to human-led review"; docs/playbooks.md, a step's `demote_to`, `recover_after`).

A step that declares `demote_to: human-led` is demoted by every demotion of the rules
(cadence/rules.py, a guardrail's in cadence/cycle_rules.py) straight to human-led, its
decision's figures saying so (`demote_to`, `recover_after`). While that demotion is its
last mode change, the step is *recovering*: `recover_after` PASS weeks in a row under
human-led review (a FAIL, an INCONCLUSIVE or a MISSING week starts the count again)
return it to collaborative at a close, a move up the rules make (rule `recovery`) and
cadence/mode_move.py clears; from there, the usual promotion rules. Pure."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date
from typing import Any

from cadence.transitions import Kind, Transition

HUMAN_LED = "human-led"
BACK_TO = "collaborative"  # where a recovery returns the step
RECOVER_AFTER = 2  # PASS weeks in a row under review, where `recover_after` is not given


def recover_after(definition: dict[str, Any], step: str) -> int | None:
    """The PASS weeks in a row that return `step` from human-led review (None: it declares
    no `demote_to`), from its canonical definition."""
    for declared in definition.get("steps") or []:
        if str(declared.get("name")) == step:
            if declared.get("demote_to") != HUMAN_LED:
                return None
            given = declared.get("recover_after")
            return RECOVER_AFTER if given is None else int(given)
    return None


def to_review(t: Transition | None, weeks: int | None) -> Transition | None:
    """A demotion of a step that declares `demote_to: human-led` (`weeks`: its
    recover_after; None: it declares none), taken straight to human-led and said so in its
    figures; anything else as it is."""
    if t is None or weeks is None or t.kind is not Kind.DEMOTION:
        return t
    return replace(t, to_mode=HUMAN_LED, figures={**t.figures, "demote_to": HUMAN_LED, "recover_after": weeks})


def review_since(changes: Iterable[tuple[date | None, str | None, dict[str, Any] | None]]) -> date | None:
    """The week a demotion took a step to human-led review, while it is the step's last
    mode change: `changes`, its mode changes (week, to_mode, figures) in the order decided."""
    since = None
    for week, to_mode, figures in changes:
        under_review = to_mode == HUMAN_LED and (figures or {}).get("demote_to") == HUMAN_LED
        since = week if under_review else None
    return since


def words(passes: int, needed: int) -> str:
    """A recovering step's mode in words: "human-led review, recovering: 1 of 2 PASS weeks"."""
    return f"human-led review, recovering: {min(passes, needed)} of {needed} PASS weeks"
