"""The decisions of a playbook's run of cycles: a cycle started, moved, paused or retired and
resumed; its result, a stall and the answer to it; ready to scale or not yet; an adopting
cycle against its origin's. Built as every `Decision` is (cadence/decisions.py), one row of
the audit trail each."""

from __future__ import annotations

from datetime import date
from typing import Any

from cadence.cycle_rules import CycleResult
from cadence.decisions import Decision, DecisionKind, DecisionRule, by_rule


def result_figures(r: CycleResult) -> dict[str, Any]:
    """A cycle result as plain data for decisions, proposals and messages."""
    return {
        "cycle": r.cycle,
        "kpi_weeks": r.kpi_weeks,
        "mean": r.mean,
        "target": r.target,
        "direction": r.direction,
        "hit": r.hit,
        "weeks_met": r.weeks_met,
        "met": list(r.met),
        "breached": r.breached,
        "interrupted": r.interrupted,
    }


MISSED = "missed the target"


def missed_why(weeks_met: int, needed: int, breached: bool, against_the_rest: str | None) -> str:
    """Why a completed cycle counts as missing its target, in words: it missed it (fewer
    than `needed` weeks met it), or it met it and something else held it short: its
    guardrail breached, or the comparison with the rest (`against_the_rest`, as
    cadence.cycle_end says it: "no better than the rest, within noise")."""
    if weeks_met < needed:
        return MISSED
    if breached:
        return "met its target but breached its guardrail"
    if against_the_rest is None:
        return "met its target but did not count (held short by its guardrail or by the rest)"
    if against_the_rest.startswith("too few"):
        return f"met its target but had {against_the_rest} with the rest"
    return f"met its target but was {against_the_rest}"


def stall_why(figures: dict[str, Any]) -> str:
    """Why a cycle's close stalled the playbook, in words, each cycle with its own reason
    where one did not simply miss the target: "cycle 1 missed the target, and cycle 3 met
    its target but was no better than the rest, within noise" (`why`, kept by stalls
    recorded since it was; older ones say "cycles 1 and 3 missed the target")."""
    if figures.get("reason") != "missed":
        return f"cycle {figures.get('cycle')}'s median KPI moved less than a tenth of the way to the target"
    why = [(int(c), str(w)) for c, w in figures.get("why") or []]
    if any(w != MISSED for _, w in why):
        return ", and ".join(f"cycle {c} {w}" for c, w in why)
    return f"cycles {' and '.join(str(c) for c in figures.get('cycles', []))} {MISSED}"


def of_stall(playbook_id: int, week_start: date, figures: dict[str, Any]) -> Decision:
    """A completed cycle left the playbook stalled: the figures say why (cadence.judgement.stall_figures)."""
    return by_rule(
        DecisionKind.STALLED,
        DecisionRule.STALL,
        playbook_id,
        week_start,
        summary=f"stalled at the end of cycle {figures['cycle']}: {stall_why(figures)}",
        figures=figures,
    )


STALL_ANSWERS = {"refine": DecisionKind.STALL_REFINE, "rescope": DecisionKind.STALL_RESCOPE}


_STALL_WORDS = {"refine": "refine the steps or the rubric", "rescope": "re-scope the KPI"}


def of_stall_answer(playbook_id: int, slug: str, cycle: int, answer: str, reason: str, by: str) -> Decision:
    """The owner or a curator answered a stall with *Refine* or *Re-scope*, and why."""
    return Decision(
        kind=STALL_ANSWERS[answer],
        rule=DecisionRule.STALL,
        actor=by,
        playbook_id=playbook_id,
        summary=f"{slug} stalled at cycle {cycle}: {_STALL_WORDS[answer]}; reason: {reason}",
        figures={"cycle": cycle, "answer": answer, "reason": reason},
    )


def of_cycle_result(playbook_id: int, week_start: date, result: CycleResult) -> Decision:
    return by_rule(
        DecisionKind.CYCLE_RESULT,
        DecisionRule.SCALE,
        playbook_id,
        week_start,
        summary=f"cycle {result.cycle} {'hit' if result.hit else 'missed'} the target",
        figures=result_figures(result),
    )


def of_run_ended(
    playbook_id: int, slug: str, status: str, before: str, reason: str, ends_after: date | None, by: str
) -> Decision:
    """A pause or a retirement: the run of cycles ends after the week `ends_after`."""
    return Decision(
        kind=DecisionKind.PAUSED if status == "paused" else DecisionKind.RETIRED,
        rule=DecisionRule.SLACK if by.startswith("rule:") else None,
        actor=by,
        playbook_id=playbook_id,
        week_start=ends_after,
        summary=f"{slug} {status} (was {before}): {reason}",
        figures={"reason": reason, "ends_after": ends_after.isoformat() if ends_after else None},
    )


def of_resume(playbook_id: int, slug: str, cycle: int, starts_on: date, by: str) -> Decision:
    return Decision(
        kind=DecisionKind.RESUMED,
        actor=by,
        playbook_id=playbook_id,
        week_start=starts_on,
        summary=f"{slug} resumed: cycle {cycle} starts on {starts_on.isoformat()}.",
        figures={"cycle": cycle},
    )


def of_cycle_moved(playbook_id: int, slug: str, cycle: int, before: date, starts_on: date, by: str) -> Decision:
    """A cycle that had not begun starts on another Monday: recorded as its start was."""
    return Decision(
        kind=DecisionKind.CYCLE_STARTED,
        actor=by,
        playbook_id=playbook_id,
        week_start=starts_on,
        summary=f"{slug}: cycle {cycle} starts on {starts_on.isoformat()} (moved from {before.isoformat()}).",
        figures={"cycle": cycle, "moved_from": before.isoformat()},
    )


def of_cycle_started(playbook_id: int, cycle: int, starts_on: date, by: str) -> Decision:
    return Decision(
        kind=DecisionKind.CYCLE_STARTED,
        actor=by,
        playbook_id=playbook_id,
        week_start=starts_on,
        summary=f"Cycle {cycle} starts on {starts_on.isoformat()}.",
        figures={"cycle": cycle},
    )


def of_scale_proposal(playbook_id: int, week_start: date, cycles: int, figures: dict[str, Any]) -> Decision:
    return by_rule(
        DecisionKind.SCALE_PROPOSAL,
        DecisionRule.SCALE,
        playbook_id,
        week_start,
        summary=f"ready to scale: {cycles} cycles hit the target",
        figures=figures,
    )


def of_not_ready(playbook_id: int, week_start: date, figures: dict[str, Any], missing: list[str]) -> Decision:
    """The scale rule held at a cycle's close, but not every criterion of readiness."""
    return by_rule(
        DecisionKind.NOT_READY,
        DecisionRule.READINESS,
        playbook_id,
        week_start,
        summary=f"KPI sustained, not yet ready: {', '.join(missing)}",
        figures={**figures, "missing": missing},
    )


def of_replication(playbook_id: int, week_start: date, cycle: int, verdict: str, figures: dict[str, Any]) -> Decision:
    """An adopting playbook's completed cycle against the origin's."""
    return by_rule(
        DecisionKind.REPLICATION,
        DecisionRule.REPLICATION,
        playbook_id,
        week_start,
        summary=f"cycle {cycle}: {verdict}" + (f"; {figures['why']}" if figures.get("why") else ""),
        figures={"cycle": cycle, "verdict": verdict, **figures},
    )
