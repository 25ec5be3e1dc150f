"""The words of a shut gate (cadence/promotion_gates.py): what keeps a move up from being
approved now, on the refusal of the click and the card it redraws."""

from __future__ import annotations

from typing import Any

from cadence.promotion_gates import Gate
from templates.boundaries_words import vague_phrase
from templates.pulse_words import hold_phrase


def gate_phrase(gate: Gate) -> str:
    """One shut gate in a line."""
    v = gate.values
    if gate.key == "no_set":
        return "no calibration set: declare one (`calibration: {cases: N}`) and run it, or `calibration: none` with a reason"
    if gate.key == "calibration":
        return f"calibration {v['standing']}: run the set again (`/rollout calibrate`)"
    if gate.key == "vague":
        return vague_phrase(v)
    if gate.key == "trust_hold":
        return f"a trust hold: the team's pulse holds promotions to ai-led ({hold_phrase(v['why'])})"
    if gate.key == "usage_hold":
        return "a usage hold: the team's last two weeks were attested, but no one used the declared tool"
    if gate.key == "training":
        return f"the champion's training is not done ({v['done']} of {v['total']} items)"
    if gate.key == "streak":
        return streak_phrase(v)
    if gate.key == "pinned":
        return "the step is pinned: human-led by design, until an approved request unpins it"
    if gate.key == "unread":
        return "its gates could not be read"
    return f"the pilot's ceiling: in its first cycle an adopting team's step goes no higher than {v['ceiling']}"


def streak_phrase(v: dict[str, Any]) -> str:
    """The rules' streak gate: how many PASS weeks in a row it needs and the weeks it read."""
    weeks = v.get("weeks") or []
    read = ", ".join(f"{outcome} (week of {day})" for day, outcome in weeks) if weeks else "no closed week yet"
    return f"no streak of {v['needed']} PASS weeks in a row since its last mode change (its weeks: {read})"
