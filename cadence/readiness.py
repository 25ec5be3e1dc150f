"""Ready to scale (docs/usage.md, "Replication"): what readiness means beyond the KPI, one
`Criterion` each (attestation, exceptions, the input contract, learnings, an owner, the
rubric's accuracy and reliability, the exception queue), each met, not met or declared out
on purpose, with the numbers that decided it. Its own room: a new criterion lands here and
nowhere else in cadence/. What an adopter may change, its waves and whether it replicated
are cadence/replication.py's and cadence/waves.py's."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from cadence import inputs
from cadence.calendar import WEEKS_PER_CYCLE
from cadence.exception_queue import OVERDUE_DAYS
from cadence.inputs import InputWeeks

READY = "ready"
NOT_READY = "not ready"


@dataclass(frozen=True)
class Criterion:
    """One of the things "ready to scale" means, in one of three states, with its numbers:
    met, not met (or not declared), or declared out on purpose by the playbook (`none`, its
    reason: counts as met)."""

    name: str  # attestation | exceptions | contract | learnings | owner | accuracy | reliability | queue
    met: bool
    figures: dict[str, Any] = field(default_factory=dict)
    none: str | None = None  # "none: <reason>": the playbook declares it out on purpose

    def kept(self) -> dict[str, Any]:
        """As a proposal's, a message's and a decision row's figures."""
        return dict(name=self.name, met=self.met, **self.figures, **({"none": self.none} if self.none else {}))


@dataclass(frozen=True)
class StepRatio:
    """A step's exceptions and cases over the last cycle's closed weeks with a case count,
    and its cap; `min_cases`: the fewest cases that are evidence."""

    step: str
    exceptions: int
    cases: int
    cap: float
    min_cases: int = 1

    @property
    def ratio(self) -> float | None:
        return self.exceptions / self.cases if self.cases else None

    @property
    def evidence(self) -> bool:
        """Evidence needs cases: at least `min_cases` of them (no cases is never within the cap)."""
        return self.cases > 0 and self.cases >= self.min_cases

    @property
    def over_cap(self) -> bool:
        """Exceptions without cases exceed any cap; a ratio under `min_cases` cases is no evidence either way."""
        if not self.cases:
            return self.exceptions > 0
        return self.cases >= self.min_cases and self.exceptions / self.cases > self.cap


# Criterion (6), output accuracy: a scored step met the rubric threshold in at least this
# many of the weeks of each cycle the KPI held in.
RUBRIC_WEEKS_NEEDED = 3


@dataclass(frozen=True)
class StepRubric:
    """A step's weekly rubric scores over the cycles the KPI held in: one list per cycle,
    oldest first, each week's score or None (none reported, or not evidence: no case count
    or under `min_cases`). `by_design`: `rubric: none`, with its `reason` if it gives one."""

    step: str
    cycles: list[list[float | None]]
    by_design: bool = False
    lowest: str | None = None  # by dimension, its lowest week's: "accuracy 17/20 = 85%, lowest of 3"
    reason: str | None = None
    uncounted: int = 0  # weeks whose review was kept but is not evidence (no case count, or too few cases)

    @property
    def scored(self) -> bool:
        return any(score is not None for cycle in self.cycles for score in cycle)

    def score_range(self) -> tuple[float, float] | None:
        """The lowest and the highest weekly score, or None without any."""
        scores = [score for cycle in self.cycles for score in cycle if score is not None]
        return (min(scores), max(scores)) if scores else None

    def unscored(self) -> int:
        """The weeks without a score (none of them met the threshold)."""
        return sum(1 for cycle in self.cycles for score in cycle if score is None)

    def weeks_scored(self) -> list[int]:
        """Per cycle, the weeks with a counted score (the evidence, met or not)."""
        return [sum(1 for score in cycle if score is not None) for cycle in self.cycles]

    def weeks_met(self, threshold: float) -> list[int]:
        """Per cycle, the weeks whose score met the threshold (a week without one did not)."""
        return [sum(1 for score in cycle if score is not None and score >= threshold) for cycle in self.cycles]


def readiness(
    asked: int,
    answered: int,
    min_attestation: float,
    steps: list[StepRatio],
    inputs: list[Any],
    outputs: list[str],
    learnings: dict[int, int],
    cycles: list[int],
    owner_active: bool,
    cycles_wanted: int | None = None,
    reliability: tuple[int, int] | None = None,
    min_reliability: float = 0.9,
    rubrics: list[StepRubric] | None = None,
    rubric_threshold: float = 1.0,
    overdue_items: tuple[int, int] = (0, 0),
    calibration: Mapping[str, str] | None = None,
    owners: list[tuple[str, str, bool]] | None = None,
    input_checks: list[InputWeeks] | None = None,
    unnamed: list[str] | None = None,
    usage: tuple[bool, int] | None = None,
) -> list[Criterion]:
    """The criteria, in the order docs/usage.md lists them:

    1. attestation rate over the cycles (`answered` of the `asked` check-ins of members who
       were not away) at least `min_attestation`; where a usage source checks the playbook
       (`usage`: checked, and the weeks attested without usage), only the answers of weeks
       attested and used are in `answered`; without, it says so ("not checked");
    2. every step's exception ratio over the last cycle's closed weeks within its cap, on
       at least `min_cases` cases (no cases is never within the cap);
    3. an input contract: `inputs` (as declared: names or contracts) and `outputs` both
       declared, and every input with its owner, refresh and when-missing;
    4. at least one learning in each of `cycles` (`learnings`: count per cycle number), and
       as many cycles as `cycles_wanted` (a publish before the scale rule's cycles closed);
    5. ownership: the owner (`owner_active`) and every other person the playbook names to
       own it (`owners`: role, user id, active), the exception owner and the operational
       owners, are active Slack users, and no operational owner is left unnamed (`unnamed`:
       the roles, in words);
    6. output accuracy: every step with a rubric (`rubrics`, per cycle and week) has a
       counted score in, and met `rubric_threshold` in, at least RUBRIC_WEEKS_NEEDED of the
       weeks of each of `cycles`, and as many cycles as `cycles_wanted`: no evidence is not
       a pass; a step with `rubric: none` (by design) is judged on cases and exceptions alone
       (every step so: "none: <reason>");
    7. input reliability: every input checked or `check: none` with a reason, each checked
       input (`input_checks`: its value in each week it was checked) at its min in 7 in 8
       of those weeks, at least 4 (cadence/inputs.py); every input `check: none`: "none:
       <reason>". Beside it, not a criterion, metric delivery: the share of the
       cycles' sourced numbers (`reliability`: arrived, of how many) that arrived from
       their source before their week closed, against `min_reliability`;
    8. no exception item open longer than 14 days (`overdue_items`: how many are, and
       the oldest's age in days).

    `calibration`: the steps whose declared calibration set has no current run at or
    above the threshold, with why (cadence/calibration.py): output accuracy is not met."""
    wanted = len(cycles) if cycles_wanted is None else cycles_wanted
    return [
        _attestation(asked, answered, min_attestation, usage),
        _exceptions(steps),
        _contract(inputs, outputs),
        _learnings(learnings, cycles, wanted),
        ownership(owner_active, owners or [], unnamed or []),
        _calibrated(_accuracy(rubrics or [], rubric_threshold, len(cycles), wanted), calibration or {}),
        _reliability(inputs, input_checks, reliability, min_reliability, len(cycles) * WEEKS_PER_CYCLE),
        queue_criterion(overdue_items),
    ]


def _attestation(asked: int, answered: int, minimum: float, usage: tuple[bool, int] | None) -> Criterion:
    """Criterion (1): the share of the check-ins asked that were answered (in weeks
    attested and used, where usage checks them). `usage_checked`, `unused_weeks`: whether
    a usage source checked them, and the weeks whose answers did not count; absent from a
    judgement made before usage was read (its words are as they were)."""
    rate = answered / asked if asked else None
    figures: dict[str, Any] = dict(rate=rate, answered=answered, asked=asked, minimum=minimum)
    if usage is not None:
        figures.update(usage_checked=usage[0], unused_weeks=usage[1])
    return Criterion("attestation", rate is not None and rate >= minimum, figures)


def _exceptions(steps: list[StepRatio]) -> Criterion:
    """Criterion (2): every step within its cap, on enough cases (`over`, `short`: those not)."""
    over = [s for s in steps if s.over_cap]
    short = _short_of_evidence(steps)
    figures = dict(
        steps=[dict(step=s.step, exceptions=s.exceptions, cases=s.cases, ratio=s.ratio, cap=s.cap) for s in steps],
        over=[s.step for s in over],
        short=[s.step for s in short],
        min_cases=max((s.min_cases for s in steps), default=1),
    )
    return Criterion("exceptions", bool(steps) and not over and not short, figures)


def _short_of_evidence(steps: list[StepRatio]) -> list[StepRatio]:
    """The steps within their cap on too few cases to tell."""
    return [s for s in steps if not s.evidence and not s.over_cap]


def _learnings(learnings: dict[int, int], cycles: list[int], wanted: int) -> Criterion:
    """Criterion (4): a learning in each cycle (`missing`: the cycles without), and as many
    cycles as `wanted`."""
    without = [c for c in cycles if learnings.get(c, 0) == 0]
    figures = dict(per_cycle={str(c): learnings.get(c, 0) for c in cycles}, missing=without, wanted=wanted)
    return Criterion("learnings", not without and len(cycles) >= wanted, figures)


def _contract(declared: list[Any], outputs: list[str]) -> Criterion:
    """Criterion (3): inputs and outputs declared, each input with its whole contract
    (`lacking`: the inputs without, and what each lacks)."""
    lacking = inputs.lacking(declared)
    figures = dict(inputs=len(declared), outputs=len(outputs), lacking=lacking)
    return Criterion("contract", bool(declared) and bool(outputs) and not lacking, figures)


def ownership(owner_active: bool, owners: list[tuple[str, str, bool]], unnamed: list[str]) -> Criterion:
    """Criterion (5); its figures name the roles besides the owner (`others`), of all,
    those Slack calls deactivated (`inactive`, with who), and the operational owners the
    playbook does not name (`unnamed`)."""
    others = [(role, user, active) for role, user, active in owners if role != "owner"]
    inactive = [dict(role="owner", user=None)] if not owner_active else []
    inactive += [dict(role=role, user=user) for role, user, active in others if not active]
    figures: dict[str, Any] = dict(active=owner_active, others=[role for role, _, _ in others], inactive=inactive)
    figures.update(unnamed=list(unnamed))
    return Criterion("owner", not inactive and not unnamed, figures)


def _accuracy(rubrics: list[StepRubric], threshold: float, closed: int, wanted: int) -> Criterion:
    """No evidence is not a pass (docs/playbooks.md, "Evidence of quality"): every step
    with a rubric needs a counted score in RUBRIC_WEEKS_NEEDED of the weeks of each cycle
    (`evidence`: per cycle, the weeks with one), and those scores meet the threshold."""
    steps = [_step_accuracy(rubric, threshold, closed >= wanted) for rubric in rubrics]
    below = [s["step"] for s in steps if not s["met"]]
    figures = dict(
        steps=steps,
        below=below,
        threshold=threshold,
        needed=RUBRIC_WEEKS_NEEDED,
        weeks=WEEKS_PER_CYCLE,
        cycles=closed,
        wanted=wanted,
    )
    by_design = bool(steps) and all(s["by_design"] for s in steps)
    none = "; ".join(f"{s['step']}: {s['reason']}" for s in steps) if by_design else None
    return Criterion("accuracy", not below, figures, none)


def _step_accuracy(rubric: StepRubric, threshold: float, enough_cycles: bool) -> dict[str, Any]:
    """A step's figures of output accuracy: declared out by design (with its reason), or
    judged on its scores: the weeks met and scored per cycle, and how far a step that
    missed was (its scores' range, the weeks unscored, its lowest dimension)."""
    if rubric.by_design:
        reason = rubric.reason or "no rubric by design"
        return dict(step=rubric.step, by_design=True, scored=False, weeks_met=[], met=True, reason=reason)
    met_per_cycle, scored_per_cycle = rubric.weeks_met(threshold), rubric.weeks_scored()
    met = enough_cycles and all(n >= RUBRIC_WEEKS_NEEDED for n in met_per_cycle)
    step: dict[str, Any] = dict(step=rubric.step, by_design=False, scored=True, weeks_met=met_per_cycle, met=met)
    step.update(evidence=scored_per_cycle, no_evidence=any(n < RUBRIC_WEEKS_NEEDED for n in scored_per_cycle))
    if rubric.uncounted:
        step.update(uncounted=rubric.uncounted)
    if (scores := rubric.score_range()) is not None:
        step.update(low=scores[0], high=scores[1], unscored=rubric.unscored())
        step.update({"lowest": rubric.lowest} if rubric.lowest else {})
    return step


def _calibrated(accuracy: Criterion, held: Mapping[str, str]) -> Criterion:
    """Output accuracy also needs each declared calibration set's latest run, current and
    at or above the threshold: `held`, the steps whose run is not, with why."""
    if not held:
        return accuracy
    return Criterion("accuracy", False, {**accuracy.figures, "calibration": dict(held)})


def _reliability(
    declared: list[Any],
    checked: list[InputWeeks] | None,
    delivery: tuple[int, int] | None,
    minimum: float,
    weeks: int,
) -> Criterion:
    """(7) input reliability, the AI's inputs checked; metric delivery in its figures, shown
    on a line of its own and judging nothing."""
    met, none, figures = inputs.reliability(declared, checked, weeks)
    delivered: dict[str, Any] = dict(applies=False, minimum=minimum)
    if delivery is not None:
        arrived, pairs = delivery
        share = arrived / pairs if pairs else None
        delivered = dict(applies=True, arrived=arrived, pairs=pairs, share=share, minimum=minimum)
    return Criterion("reliability", met, dict(figures, delivery=delivered), none)


def queue_criterion(overdue_items: tuple[int, int]) -> Criterion:
    """Criterion (8): no exception item open more than OVERDUE_DAYS days; `overdue_items`
    is how many are, and the oldest's age in days, at the moment it is judged."""
    count, oldest = overdue_items
    return Criterion("queue", count == 0, dict(overdue=count, oldest_days=oldest, limit_days=OVERDUE_DAYS))


def is_ready(criteria: list[Criterion]) -> bool:
    return all(c.met for c in criteria)


def missing(criteria: list[Criterion]) -> list[str]:
    return [c.name for c in criteria if not c.met]
