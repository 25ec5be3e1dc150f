"""Replication that travels (docs/usage.md, "Replication"; docs/playbooks.md): how far an
adopter may depart from the version it adopts, and whether an adopting team replicated the
origin's result (the cycle's progress, its match to the origin, the verdict and what holds
it back), with the checklist an adopter starts from. When a playbook is ready to scale is
cadence/readiness.py's; the adopters' waves cadence/waves.py's.

Plain functions over plain data; each answer carries the numbers that decided it, for the
messages that show them and the decision rows that keep them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from statistics import median
from typing import Any, get_args

from cadence.definition_parts import Overridable, ReplicationSpec
from cadence.rules import critical_demotion
from cadence.verdicts import FAIL, Thresholds, WeekVerdict

# What `adopt` can set at all, in the grammar's order; the kit's `may_change` chooses
# among these (cadence.definition_parts.Overridable; by default DEFAULT_MAY_CHANGE).
ADOPT_OVERRIDES = get_args(Overridable)


REPLICATED = "replicated"
ON_TRACK = "on track"
NOT_YET = "not yet"
# Why a cycle that hit its target and matched the origin is still not `replicated` (held_back).
NO_ORIGIN_CHANGE = "nothing to replicate against (the origin's change is unknown)"
NO_IMPROVEMENT = "nothing to replicate against (the origin's change was not an improvement)"
OVER_CAP = "exceptions over the cap: fix the rubric before scaling"
DECLARED = "baseline declared, not measured"


def refused_overrides(given: set[str], may_change: list[str] | tuple[str, ...]) -> list[str]:
    """The overrides an adopting team asked for that the version's kit does not allow,
    in the grammar's order."""
    return [o for o in ADOPT_OVERRIDES if o in given and o not in may_change]


def progress(value: float, baseline: float, target: float) -> float:
    """How far `value` has come from `baseline` towards `target`, as a share of the
    distance (1.0 at target; negative when it moved the wrong way). Direction is in the
    sign of target - baseline."""
    return (value - baseline) / (target - baseline)


def cycle_median(weekly_kpi: list[float | None]) -> float | None:
    """A cycle's KPI as replication judges it: the median of its weekly values (one
    outlier week moves it less than a mean); None without a value."""
    values = [v for v in weekly_kpi if v is not None]
    return median(values) if values else None


def cycle_progress(weekly_kpi: list[float | None], baseline: float, target: float) -> float | None:
    """A cycle's progress: the median of its weekly KPI values as a share of the
    baseline → target distance; None without a value."""
    middle = cycle_median(weekly_kpi)
    return None if middle is None else progress(middle, baseline, target)


def relative_change(value: float | None, baseline: float) -> float | None:
    """How far `value` moved from `baseline`, as a share of the baseline, signed as the KPI
    moved (-0.58: 58% below it); None without a value or with a zero baseline."""
    return None if value is None or baseline == 0 else (value - baseline) / abs(baseline)


def improvement(change: float, direction: str) -> float:
    """A relative change with improvement positive: a fall is one for a KPI whose direction is down."""
    return -change if direction == "down" else change


def origin_change(results: list[dict[str, Any]], baseline: float) -> tuple[int, float] | None:
    """The origin's relative change in the cycle its version was published from: the last
    cycle completed (not interrupted) when it was published, of the `results` the version
    keeps (cadence.cycle_decisions.result_figures, as they stood at publishing); its number and
    change, or None without such a cycle or a mean in it."""
    completed = [r for r in results if not r.get("interrupted") and r.get("mean") is not None]
    if not completed:
        return None
    last = max(completed, key=lambda r: int(r["cycle"]))
    change = relative_change(float(last["mean"]), baseline)
    return None if change is None else (int(last["cycle"]), change)


@dataclass(frozen=True)
class Match:
    """An adopting cycle's relative KPI change against the origin's (both signed as the KPI
    moved): the share of the origin's improvement it reached, and the share it needs."""

    own: float | None
    origin: float | None
    direction: str
    needed: float  # replicate_share

    @property
    def share(self) -> float | None:
        """Own improvement ÷ the origin's; None when either is unknown or the origin made none."""
        if self.own is None or self.origin is None or improvement(self.origin, self.direction) <= 0:
            return None
        return improvement(self.own, self.direction) / improvement(self.origin, self.direction)

    @property
    def met(self) -> bool:
        """At least `needed` of the origin's change. Without the origin's numbers (no completed
        cycle at publishing, or one that did not improve) there is nothing to match: met,
        and nothing to replicate against either (`nothing_against`)."""
        if self.origin is None or improvement(self.origin, self.direction) <= 0:
            return True
        return self.share is not None and self.share >= self.needed

    @property
    def nothing_against(self) -> str | None:
        """Why there is no origin change to replicate against (None: there is one that improved)."""
        if self.origin is None:
            return NO_ORIGIN_CHANGE
        return NO_IMPROVEMENT if improvement(self.origin, self.direction) <= 0 else None

    def figures(self) -> dict[str, Any]:
        return dict(change=self.own, origin_change=self.origin, share=self.share, replicate_share=self.needed)


def cycle_match(
    weekly_kpi: list[float | None], baseline: float, direction: str, origin: float | None, needed: float
) -> Match:
    """An adopting cycle's match: the mean of its weekly KPI values against its own baseline."""
    values = [v for v in weekly_kpi if v is not None]
    own = relative_change(sum(values) / len(values), baseline) if values else None
    return Match(own, origin, direction, needed)


def target_ask(baseline: float, target: float, direction: str, origin: float | None, needed: float) -> Match | None:
    """What a team's own target asks, (target - baseline) ÷ baseline, against the origin's
    change: a Match when it asks for less than `needed` of it (told at adopt and request
    time, not refused), else None."""
    match = Match(relative_change(target, baseline), origin, direction, needed)
    return None if match.met else match


def over_cap_at_once(week: WeekVerdict, t: Thresholds) -> bool:
    """A FAIL week over critical_multiplier x the cap or clearly over it: one that demotes
    a step above the floor at once (cadence.rules.critical_demotion; a human-led step had it too)."""
    return week.outcome == FAIL and critical_demotion(week, t) is not None


def over_cap_steps(cycle: Mapping[str, tuple[list[WeekVerdict], set[date]]], t: Thresholds) -> list[str]:
    """The steps that held an adopting cycle back for their exceptions (`cycle`: by step,
    its weeks' verdicts in the cycle and the weeks it was demoted in): demoted for a FAIL
    week of the cycle (too many exceptions or a rubric below its floor: not for weeks
    nobody reported, nor by a person), or with a week over twice its cap or clearly over
    it (over_cap_at_once)."""
    return [
        step
        for step, (weeks, demoted) in cycle.items()
        if any(over_cap_at_once(w, t) or (w.outcome == FAIL and w.week_start in demoted) for w in weeks)
    ]


def declared(own: float, version: float | None, compared: bool, measured: float | None = None) -> bool:
    """An adopter's KPI baseline is declared, not measured, when it set one of its own (at
    adopt, or since) other than the version's: nothing measured it as the team works
    today. Measured: its baseline week's mean (`measured`) is the baseline it is judged by.
    With `compare: rest` the rest measures it week by week: never declared."""
    if compared or (measured is not None and own == measured):
        return False
    return version is not None and own != version


def held_back(match: Match, over_cap: list[str], declared: bool, evidence: str | None = None) -> str | None:
    """What keeps an adopting cycle from `replicated` whatever its numbers (docs/judgement.md,
    "Replication on real numbers"): no origin change that improved to replicate against; a
    step demoted in the cycle or with a week over twice or clearly over its cap
    (`over_cap`: those steps); a baseline declared at adopt, not measured in a baseline week;
    no evidence or a FAIL week (`evidence`, cadence/replication_evidence.py). None: nothing does."""
    if match.nothing_against is not None:
        return match.nothing_against
    if over_cap:
        return OVER_CAP
    return DECLARED if declared else evidence


def replication_verdict(
    hit: bool, own_progress: float | None, origin_progress: float | None, matched: bool = True, held: str | None = None
) -> str:
    """`replicated`: the cycle hit its own target by the scale rule and `matched` the origin's
    relative change (Match.met), with nothing holding it back (`held`, held_back's: then a
    hit is `on track`, and says why). `on track`: it did not, but its progress is at least
    half the origin's in its cycle with the same number. `not yet` otherwise, and when
    either progress is unknown or the origin made none."""
    if hit and matched:
        return REPLICATED if held is None else ON_TRACK
    if own_progress is None or origin_progress is None or origin_progress <= 0:
        return NOT_YET
    return ON_TRACK if own_progress >= origin_progress / 2 else NOT_YET


def learning_cycle(running: int, week: int, named: int | None) -> int | None:
    """The cycle a learning is for: the running one, unless `cycle:N` names another. In
    week 1 of a cycle, N may still name the one that just ended. None: N names a cycle
    that takes no learnings now. In an adopter's baseline week (cycle 0) it is for cycle 1,
    the cycle the week comes before."""
    if running == 0:
        return 1 if named in (None, 1) else None
    if named is None or named == running:
        return running
    if week == 1 and named == running - 1:
        return named
    return None


@dataclass(frozen=True)
class ChecklistItem:
    """One item of a champion's checklist: a line of the kit's `training` or `checks`."""

    index: int  # its place in the checklist (training first, then checks): what its button carries
    kind: str  # training | check
    text: str


def checklist(kit: ReplicationSpec) -> list[ChecklistItem]:
    """The champion's checklist from a playbook's kit: its training, then its checks."""
    lines = [("training", t) for t in kit.training] + [("check", c) for c in kit.checks]
    return [ChecklistItem(i, kind, text) for i, (kind, text) in enumerate(lines)]
