"""Escalations and fallbacks judged by their effect (docs/judgement.md, "The bar judged by
its effect"): each ai-led step's open escalated items judged again, now, under the handoff
terms before and the asked ones by the clock's own judge (cadence/escalation.py
`fallback_mode`). A fallback in force that would end, or would be to collaborative rather
than human-led, is easier. Without such items the handoff's own judge
(cadence/bar_structure.py: `handoff` removed, its hours raised, its fallback eased) stands
as the probe. Pure: definitions and what was read in, the lines a card shows out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cadence.definition_handoff import HandoffSpec
from cadence.escalation import Escalated, fallback_mode


@dataclass(frozen=True)
class Escalations:
    """What the replay reads of escalations, at `now`: each step's name, its own mode and
    its open escalated items."""

    now: datetime
    steps: tuple[tuple[str, str, tuple[Escalated, ...]], ...] = ()


def terms(definition: dict[str, Any]) -> HandoffSpec | None:
    given = definition.get("handoff")
    return HandoffSpec.model_validate(given) if given else None


def replay(before: dict[str, Any], after: dict[str, Any], read: Escalations | None) -> list[str]:
    """Each fallback the asked terms would end now, or ease, in words."""
    if read is None:
        return []
    old, new = terms(before), terms(after)
    found = []
    for name, mode, items in read.steps:
        was, now = fallback_mode(mode, old, list(items), read.now), fallback_mode(mode, new, list(items), read.now)
        if was is not None and now is None:
            found.append(
                f"under the asked bar, {name}'s fallback to {was} would end now: "
                f"its {len(items)} escalated item{'s' if len(items) != 1 else ''} would no longer hold it"
            )
        elif was == "human-led" and now == "collaborative":
            found.append(f"under the asked bar, {name} would fall back to collaborative now, not human-led")
    return found
