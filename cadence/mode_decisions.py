"""The decisions of a step's mode: a week's verdict, a transition the rules made (a demotion,
a proposal, a freeze...), a person's approval, a mode declared in the definition, and a
closed week's guardrail. Built as every `Decision` is (cadence/decisions.py), one row of the
audit trail each."""

from __future__ import annotations

from datetime import date
from typing import Any

from cadence.decisions import Decision, DecisionKind, DecisionRule, by_rule, decision_kind
from cadence.judgement import Evidence
from cadence.rules import Transition
from cadence.verdicts import Thresholds, VerdictRule, WeekNumbers


def of_transition(
    t: Transition,
    playbook_id: int,
    step_id: int | None,
    step_name: str,
    actor: str | None,
    reason: str | None = None,
) -> Decision:
    """The record of a transition: what, which rule, the numbers, who (a person's id, or
    the rule itself when `actor` is None)."""
    change = f"{t.from_mode} → {t.to_mode}" if t.to_mode else t.from_mode
    summary = f"{step_name}: {t.kind} ({change}); rule {t.rule}"
    if t.counter:
        summary += f"; {t.counter}"
    if reason:
        summary += f"; reason: {reason}"
    return Decision(
        kind=decision_kind(t.kind),
        rule=t.rule,
        actor=actor or f"rule:{t.rule}",
        playbook_id=playbook_id,
        step_id=step_id,
        week_start=t.week_start,
        from_mode=t.from_mode,
        to_mode=t.to_mode if t.changes_mode else None,
        summary=summary,
        figures={**t.figures, "counter": t.counter, **({"reason": reason} if reason else {})},
    )


def of_verdict(
    playbook_id: int,
    step_id: int,
    step_name: str,
    mode: str,
    week_start: date,
    outcome: str,
    rule: VerdictRule,
    numbers: WeekNumbers,
    th: Thresholds,
    pooled: Evidence | None = None,
    pool: dict[str, Any] | None = None,
) -> Decision:
    """A step's weekly verdict: the rule decided it, on these numbers (and, under
    `judgement: confident`, on the weeks pooled for a PASS; or on the small weeks of its
    cycle `pool`ed with it, cadence.closing.pool_figures)."""
    figures: dict[str, Any] = {
        "outcome": outcome,
        "cases": numbers.cases,
        "exceptions": numbers.exceptions,
        "ratio": numbers.ratio,
        "rubric": numbers.rubric,
        **({"reviewed": numbers.reviewed} if numbers.reviewed is not None else {}),
        **({"dimensions": numbers.dimensions} if numbers.dimensions else {}),
        "cap": th.exception_cap,
        "threshold": th.rubric_threshold,
        "floor": th.rubric_floor,
        "min_cases": th.min_cases,
        "mode": mode,
    }
    if pooled is not None:
        figures["evidence"] = pooled._asdict()
    if pool is not None:
        figures["pool"] = pool
    return Decision(
        kind=DecisionKind.VERDICT,
        rule=rule,
        actor="rule:verdict",
        playbook_id=playbook_id,
        step_id=step_id,
        week_start=week_start,
        summary=f"{step_name}: {outcome} ({rule})",
        figures=figures,
    )


def of_guardrail(
    playbook_id: int,
    week_start: date,
    state: str,
    value: float | None,
    minimum: float | None,
    maximum: float | None,
    name: str,
) -> Decision:
    return by_rule(
        DecisionKind.GUARDRAIL,
        DecisionRule.GUARDRAIL,
        playbook_id,
        week_start,
        summary=f"{name}: {state}",
        figures={"state": state, "value": value, "min": minimum, "max": maximum, "name": name},
    )


def of_declared_mode(playbook_id: int, step_id: int, step: str, before: str, after: str, by: str) -> Decision:
    """A step's mode changed because its definition now declares another."""
    return Decision(
        kind=DecisionKind.MODE_CHANGE,
        rule=DecisionRule.DEFINITION,
        actor=by,
        playbook_id=playbook_id,
        step_id=step_id,
        from_mode=before,
        to_mode=after,
        summary=f"{step}: {before} → {after} (declared in the definition).",
    )


def of_approval(
    playbook_id: int,
    step_id: int,
    step_name: str,
    week_start: date,
    from_mode: str,
    to_mode: str | None,
    by: str,
    proposal_key: str,
) -> Decision:
    return Decision(
        kind=DecisionKind.PROPOSAL_APPROVED,
        rule=DecisionRule.APPROVAL,
        actor=by,
        playbook_id=playbook_id,
        step_id=step_id,
        week_start=week_start,
        from_mode=from_mode,
        to_mode=to_mode,
        summary=f"{step_name}: proposal approved",
        figures={"proposal": proposal_key},
    )
