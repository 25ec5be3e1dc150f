"""The decisions of the people's trust and of a handoff's fallback: a cycle's pulse at its
close and the promotions it holds, and an ai-led step falling back while escalated items
wait and its return. Built as every `Decision` is (cadence/decisions.py), one row of the
audit trail each; none of them is a mode change."""

from __future__ import annotations

from datetime import date
from typing import Any

from cadence.decisions import Decision, DecisionKind, DecisionRule


def of_fallback(playbook_id: int, step_id: int, step: str, mode: str, waiting: int) -> Decision:
    """An ai-led step runs in its fallback `mode` while `waiting` escalated items wait: a line
    in history, not a mode change (its mode stays ai-led, no cooldown)."""
    items = f"{waiting} escalated item{'s' if waiting != 1 else ''}"
    summary = f"{step}: falls back to {mode} while {items} wait{'s' if waiting == 1 else ''}; not a demotion"
    return _of_handoff(DecisionKind.FALLBACK, playbook_id, step_id, summary, {"fallback": mode, "waiting": waiting})


def of_fallback_ended(playbook_id: int, step_id: int, step: str, mode: str, why: str) -> Decision:
    """The fallback ended: the step runs in its own `mode` again, `why`."""
    return _of_handoff(
        DecisionKind.FALLBACK_ENDED, playbook_id, step_id, f"{step}: {mode} again: {why}", {"mode": mode, "why": why}
    )


def _of_handoff(kind: DecisionKind, playbook_id: int, step_id: int, summary: str, figures: dict[str, Any]) -> Decision:
    """A decision of the handoff rule (a step's fallback, or its end): the rule's own."""
    return Decision(
        kind=kind,
        rule=DecisionRule.HANDOFF,
        actor=f"rule:{DecisionRule.HANDOFF}",
        playbook_id=playbook_id,
        step_id=step_id,
        summary=summary,
        figures=figures,
    )


def of_pulse(playbook_id: int, week_start: date, figures: dict[str, Any]) -> Decision:
    """A cycle's pulse at its close (`week_start`: its week 4), as it may be shown:
    `figures` are cadence.pulse.Pulse.figures(), aggregates only, never an answer."""
    cycle, answers, needed = figures["cycle"], figures["answers"], figures["needed"]
    hidden = figures.get("hidden") or {}
    if figures.get("shown"):
        said = f"{answers} answered"
    elif answers >= needed:
        said = f"{answers} answered, too few to any one question to show ({needed} needed)"
    else:
        said = f"too few answers to show ({answers}; {needed} needed)"
    if figures.get("shown") and hidden:
        named = {"around": "worked around", "freed": "freed time"}
        said += "; too few answers to show " + ", ".join(f"{named.get(q, q)} ({n})" for q, n in hidden.items())
    return Decision(
        kind=DecisionKind.PULSE,
        actor="rule:pulse",
        summary=f"Pulse of cycle {cycle}: {said}.",
        rule=DecisionRule.PULSE,
        playbook_id=playbook_id,
        week_start=week_start,
        figures=figures,
    )


def of_pulse_hold(playbook_id: int, week_start: date, cycle: int, why: dict[str, Any]) -> Decision:
    """The pulse of cycle `cycle` holds the playbook's promotion proposals to ai-led through
    the next cycle (`why`: cadence.pulse.holds); it never demotes."""
    reasons = ", ".join(k.replace("_", " ") for k in why)
    return Decision(
        kind=DecisionKind.PULSE_HOLD,
        actor="rule:pulse",
        summary=f"Promotions to ai-led held through cycle {cycle + 1}: the pulse of cycle {cycle} ({reasons}).",
        rule=DecisionRule.PULSE,
        playbook_id=playbook_id,
        week_start=week_start,
        figures={"cycle": cycle, "through": cycle + 1, **why},
    )
