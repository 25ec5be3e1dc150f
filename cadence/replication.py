"""Replication that travels (docs/usage.md, "Replication"; docs/playbooks.md): when a playbook is ready to scale beyond its
KPI, how far an adopter may depart from the version it adopts, in which waves a version's
adopters come, and whether an adopting team replicated the origin's result.

Plain functions over plain data; each answer carries the numbers that decided it, for the
messages that show them and the decision rows that keep them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from statistics import median
from typing import Any, get_args

from cadence import inputs
from cadence.calendar import WEEKS_PER_CYCLE
from cadence.definition_parts import Overridable, ReplicationSpec
from cadence.exception_queue import OVERDUE_DAYS
from cadence.inputs import InputWeeks
from cadence.rules import critical_demotion
from cadence.verdicts import FAIL, Thresholds, WeekVerdict

# What `adopt` can set at all, in the grammar's order; the kit's `may_change` chooses
# among these (cadence.definition_parts.Overridable; by default DEFAULT_MAY_CHANGE).
ADOPT_OVERRIDES = get_args(Overridable)

READY = "ready"
NOT_READY = "not ready"

REPLICATED = "replicated"
ON_TRACK = "on track"
NOT_YET = "not yet"
# Why a cycle that hit its target and matched the origin is still not `replicated` (held_back).
NO_ORIGIN_CHANGE = "nothing to replicate against (the origin's change is unknown)"
NO_IMPROVEMENT = "nothing to replicate against (the origin's change was not an improvement)"
OVER_CAP = "exceptions over the cap: fix the rubric before scaling"
DECLARED = "baseline declared, not measured"


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

    @property
    def within_cap(self) -> bool:
        return self.evidence and not self.over_cap


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
) -> list[Criterion]:
    """The criteria, in the order docs/usage.md lists them:

    1. attestation rate over the cycles (`answered` of the `asked` check-ins of members who
       were not away) at least `min_attestation`;
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
    rate = answered / asked if asked else None
    over = [s for s in steps if s.over_cap]
    short = [s for s in steps if not s.evidence and not s.over_cap]
    without = [c for c in cycles if learnings.get(c, 0) == 0]
    wanted = len(cycles) if cycles_wanted is None else cycles_wanted
    return [
        Criterion(
            "attestation",
            rate is not None and rate >= min_attestation,
            dict(rate=rate, answered=answered, asked=asked, minimum=min_attestation),
        ),
        Criterion(
            "exceptions",
            bool(steps) and not over and not short,
            dict(
                steps=[
                    dict(step=s.step, exceptions=s.exceptions, cases=s.cases, ratio=s.ratio, cap=s.cap) for s in steps
                ],
                over=[s.step for s in over],
                short=[s.step for s in short],
                min_cases=max((s.min_cases for s in steps), default=1),
            ),
        ),
        _contract(inputs, outputs),
        Criterion(
            "learnings",
            not without and len(cycles) >= wanted,
            dict(per_cycle={str(c): learnings.get(c, 0) for c in cycles}, missing=without, wanted=wanted),
        ),
        ownership(owner_active, owners or [], unnamed or []),
        _calibrated(_accuracy(rubrics or [], rubric_threshold, len(cycles), wanted), calibration or {}),
        _reliability(inputs, input_checks, reliability, min_reliability, len(cycles) * WEEKS_PER_CYCLE),
        queue_criterion(overdue_items),
    ]


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
    steps = []
    for rubric in rubrics:
        judged = not rubric.by_design
        met_per_cycle = rubric.weeks_met(threshold) if judged else []
        scored_per_cycle = rubric.weeks_scored() if judged else []
        no_evidence = judged and any(n < RUBRIC_WEEKS_NEEDED for n in scored_per_cycle)
        met = not judged or (closed >= wanted and all(n >= RUBRIC_WEEKS_NEEDED for n in met_per_cycle))
        step: dict[str, Any] = dict(
            step=rubric.step, by_design=rubric.by_design, scored=judged, weeks_met=met_per_cycle, met=met
        )
        if rubric.by_design:
            step.update(reason=rubric.reason or "no rubric by design")
        if judged:
            step.update(evidence=scored_per_cycle, no_evidence=no_evidence)
        if judged and rubric.uncounted:
            step.update(uncounted=rubric.uncounted)
        if judged and (scores := rubric.score_range()) is not None:  # how far a step that missed was: its scores
            step.update(low=scores[0], high=scores[1], unscored=rubric.unscored())
            step.update({"lowest": rubric.lowest} if rubric.lowest else {})
        steps.append(step)
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


def refused_overrides(given: set[str], may_change: list[str] | tuple[str, ...]) -> list[str]:
    """The overrides an adopting team asked for that the version's kit does not allow,
    in the grammar's order."""
    return [o for o in ADOPT_OVERRIDES if o in given and o not in may_change]


@dataclass(frozen=True)
class Adopter:
    slug: str
    verdict: str | None  # its latest cycle's verdict; None before its first cycle ends
    replicated: bool = False  # any of its cycles was `replicated`
    adopted_at: datetime | None = None


@dataclass(frozen=True)
class WaveState:
    """Where a version stands in its waves: `number` is its newest wave with teams (1
    before any), `teams` that wave's, `size` a wave's places; the next wave opens when one
    of `teams` has `replicated` and the wave's learnings were `reviewed`. `allows`: the
    next adoption may join (the wave it falls in is 1, or the one before it has opened);
    `limit` is then how many teams may run once it has (what the adoption's transaction
    counts again)."""

    number: int
    size: int
    teams: tuple[Adopter, ...]
    replicated: bool
    reviewed: bool
    allows: bool
    limit: int

    @property
    def full(self) -> bool:
        return len(self.teams) >= self.size

    @property
    def next_open(self) -> bool:
        return self.replicated and self.reviewed


def wave_of(position: int, size: int) -> int:
    """The wave (from 1) of a version's adopter at `position` (from 0) in adoption order."""
    return position // size + 1


def waiting_wave(running: list[Adopter], size: int) -> int:
    """The wave whose opening the next adoption waits for (the one before the wave it falls in; 0: none)."""
    return wave_of(len(running), size) - 1


def first_unreviewed(running: list[Adopter], size: int, marked: set[int], newer_published: datetime | None) -> int:
    """The first wave with teams whose learnings are not reviewed yet (what `/rollout wave
    ... reviewed` marks), or else the newest wave with teams (1 before any)."""
    waves = wave_of(len(running) - 1, size) if running else 1
    for wave in range(1, waves + 1):
        if not wave_reviewed(running[(wave - 1) * size : wave * size], wave, marked, newer_published):
            return wave
    return waves


def wave_reviewed(teams: list[Adopter], wave: int, marked: set[int], newer_published: datetime | None) -> bool:
    """A wave's learnings are reviewed when marked so, or when a newer version of the
    origin was published after the wave's first adoption."""
    if wave in marked:
        return True
    first = teams[0].adopted_at if teams else None
    return newer_published is not None and first is not None and newer_published > first


def wave_state(
    running: list[Adopter], size: int, marked: set[int], newer_published: datetime | None, number: int | None = None
) -> WaveState:
    """A playbook's adopters, of any of its versions (active or paused, in adoption order:
    the caller passes those), in waves of `size`: the waves are the playbook's, so a newer
    version continues the count. Wave k+1 opens when one team of wave k has replicated and
    wave k's learnings are reviewed (`marked`, the waves marked reviewed, or
    `newer_published`, when the origin's newest version was published, if after the wave's
    first adoption). Shown: wave `number`, by default the newest with teams."""

    def teams(wave: int) -> list[Adopter]:
        return running[(wave - 1) * size : wave * size]

    def opened(wave: int) -> bool:  # the wave after `wave`
        members = teams(wave)
        return any(a.replicated for a in members) and wave_reviewed(members, wave, marked, newer_published)

    joins = wave_of(len(running), size)  # the wave the next adoption falls in
    if number is None:
        number = wave_of(len(running) - 1, size) if running else 1
    current = teams(number)
    return WaveState(
        number=number,
        size=size,
        teams=tuple(current),
        replicated=any(a.replicated for a in current),
        reviewed=wave_reviewed(current, number, marked, newer_published),
        allows=joins == 1 or opened(joins - 1),
        limit=joins * size,
    )


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
    keeps (cadence.decisions.result_figures, as they stood at publishing); its number and
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
