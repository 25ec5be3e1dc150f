"""What the mode rules (cadence/rules.py) and people's decisions do to a step: a
transition, its kind and the rule that made it. Importable from cadence.rules too."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any


class Kind(StrEnum):
    """What a transition does to a step. A new kind is added here, mapped to its
    decision in cadence.decisions.decision_kind (the type checker insists), given to the
    rules that make it (`TransitionRule`), and worded in templates/mode_alert.json.j2."""

    DEMOTION = "demotion"
    PROMOTION = "promotion"
    WARNING = "warning"
    PROPOSAL = "proposal"
    WITHDRAWAL = "withdrawal"
    FREEZE = "freeze"
    OVERRIDE = "override"
    REJECTION = "rejection"
    UNFREEZE = "unfreeze"


class TransitionRule(StrEnum):
    """Why a transition happened: the rule that made it, or what a person did. Each member
    names the kinds it makes (`kinds`); a transition of another kind by it is refused when
    built. The value is kept as the decision's `rule` (its actor "rule:<value>"): never
    change one, add one. templates/mode_alert.json.j2 words every kind but a proposal
    (templates/proposal.json.j2) by kind and rule, and refuses a pair it has no words for."""

    kinds: frozenset[Kind]

    def __new__(cls, value: str, *kinds: Kind) -> TransitionRule:
        member = str.__new__(cls, value)
        member._value_ = value
        member.kinds = frozenset(kinds)
        return member

    CRITICAL = "critical", Kind.DEMOTION  # a FAIL over critical_multiplier x the cap
    OVER_CAP = "over-cap", Kind.DEMOTION  # a FAIL clearly over the cap: its 95% Wilson lower bound above it
    FAILS = "fails", Kind.DEMOTION  # demote_after_fails FAILs in demote_window_weeks
    UNOBSERVED = "unobserved", Kind.WARNING, Kind.DEMOTION  # an AI-led step MISSING weeks in a row
    GUARDRAIL = "guardrail", Kind.WITHDRAWAL, Kind.DEMOTION  # a BREACHED week; two in a row demote
    FAIL_WITHDRAWS = "fail-withdraws", Kind.WITHDRAWAL  # a FAIL week withdraws an open proposal
    STREAK = "streak", Kind.PROPOSAL  # promote_after_weeks PASS weeks in a row
    FREEZE = "freeze", Kind.FREEZE  # freeze_after_changes mode changes in freeze_window_weeks
    APPROVAL = "approval", Kind.PROMOTION  # a person approved the proposal
    RECOVERY = "recovery", Kind.PROMOTION  # recover_after PASS weeks under human-led review (demote_to)
    REJECTION = "rejection", Kind.REJECTION  # a person rejected it
    OVERRIDE = "override", Kind.OVERRIDE, Kind.WITHDRAWAL  # a person set the mode (withdrawing a proposal)
    UNFREEZE = "unfreeze", Kind.UNFREEZE  # a curator unfroze the step


@dataclass(frozen=True)
class Transition:
    kind: Kind
    rule: TransitionRule
    week_start: date
    from_mode: str
    to_mode: str | None = None
    counter: str = ""  # the counter that tripped, e.g. "FAIL 2 of last 4 weeks"
    figures: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind not in self.rule.kinds:
            raise ValueError(f"rule {self.rule} makes no {self.kind} (only {', '.join(sorted(self.rule.kinds))})")

    @property
    def changes_mode(self) -> bool:
        return self.to_mode is not None and self.to_mode != self.from_mode
