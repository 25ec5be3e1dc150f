"""Judgement worth trusting (docs/judgement.md):
how sure a verdict is, and the rules that look past one week.

- `wilson`, `ratio_interval`, `rubric_interval`: a week's exception ratio and rubric
  score with their 95% Wilson interval: the ratio's on the week's cases, the rubric's on
  the cases reviewed (`18/20`: 18 of 20 reviewed passed), or on the week's cases for a
  bare score (every case reviewed).
- `kpi_change`: a cycle's KPI change (mean of its weekly values minus the baseline) with
  a 95% t-interval (n - 1 degrees of freedom, none below 2 values), "within noise" when
  the interval includes zero.
- `clearly_over_cap`: a week whose ratio's lower bound is above the cap: demoted at once
  in either judgement mode (cadence.rules, rule `over-cap`).
- `confident_rule`, `evidence`: the verdict of `judgement: confident`, by the intervals'
  bounds: a FAIL on the week's own cases, a PASS on the week's pooled with the step's
  last weeks since its mode changed (cadence.verdicts.judge_with_rule asks it; `classic`
  never does).
- `stall`, `plateau`, `pilot_ceiling`: a playbook stalled, its cases flat while its KPI is
  off target, and the mode an adopting team's first cycle may not be proposed above.

The statistics are scipy's (scipy.stats.binomtest's Wilson interval, scipy.stats.t), not
formulas written here. scipy is imported when first needed: it takes about a second to
import, which a `rollout` command that judges nothing should not pay. Intervals depend
only on whole counts, so they are cached: a close judges thousands of steps on a few
hundred distinct (count, cases) pairs.

Plain data in, plain data out; nothing here reads the clock, Slack or the database.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any, NamedTuple, TypeVar

from cadence.definition import MODES
from cadence.figures import meets_target, progress_to_target

T = TypeVar("T")
CONFIDENCE = 0.95
CLASSIC, CONFIDENT = "classic", "confident"
JUDGEMENTS = (CLASSIC, CONFIDENT)


class Interval(NamedTuple):
    low: float
    high: float

    def includes(self, value: float) -> bool:
        return self.low <= value <= self.high


@lru_cache(maxsize=1 << 16)
def wilson(successes: int, trials: int) -> Interval:
    """The 95% Wilson score interval of `successes` out of `trials` (trials >= 1)."""
    from scipy.stats import binomtest  # imported when first needed: see the module's note

    ci = binomtest(successes, trials).proportion_ci(confidence_level=CONFIDENCE, method="wilson")
    return Interval(float(ci.low), float(ci.high))


def ratio_interval(exceptions: int, cases: int | None) -> Interval | None:
    """The exception ratio's interval; None without cases. Exceptions counted past the
    cases (deviations of members on top of the owner's log) count as every case."""
    if not cases:
        return None
    return wilson(min(max(exceptions, 0), cases), cases)


def clearly_over_cap(exceptions: int, cases: int | None, cap: float, min_cases: int) -> Interval | None:
    """The week's exception-ratio interval when it is clearly over the cap (its 95% Wilson
    lower bound above the cap, on at least `min_cases` cases): the `over-cap` demotion
    (cadence.rules). None when the week is within noise of the cap, or too small to say."""
    interval = ratio_interval(exceptions, cases) if cases is not None and cases >= min_cases else None
    return interval if interval is not None and interval.low > cap else None


def rubric_interval(rubric: float | None, cases: int | None, reviewed: int | None = None) -> Interval | None:
    """The rubric score's interval, read as round(rubric x n) of n reviewed cases passing
    review: n is `reviewed` when the report said its sample, else the week's cases (a
    bare score: every case reviewed). None without a rubric score or without a sample."""
    sample = reviewed if reviewed is not None else cases
    if rubric is None or not sample:
        return None
    return wilson(round(min(max(rubric, 0.0), 1.0) * sample), sample)


# The verdict rules of `judgement: confident`, as cadence.verdicts.VerdictRule values: the
# "c" marks a rule decided by an interval's bound rather than by the point value.
CONFIDENT_OVER_CAP = "3c-exceptions-surely-over-cap"
CONFIDENT_BELOW_FLOOR = "3c-rubric-surely-below-floor"
CONFIDENT_RUBRIC_MET = "4c-surely-within-cap-rubric-met"
CONFIDENT_AI_LED_NO_RUBRIC = "4c-surely-within-cap-ai-led-no-rubric"
CONFIDENT_UNSURE = "5c-interval-spans-a-bound"
NO_RUBRIC = "5-no-rubric"  # as classic: a step that is not AI-led and reported no rubric


EVIDENCE_WEEKS = 4  # a PASS's evidence: this week and the step's 3 evaluated weeks before it


class Evidence(NamedTuple):
    """The cases a confident PASS is judged on: the week's own pooled with the step's
    evaluated weeks before it since its mode last changed, up to EVIDENCE_WEEKS in all
    (a rubric score counts as round(score x n) of n reviewed cases passing review, n the
    week's sample, or its cases for a bare score)."""

    weeks: int
    cases: int
    exceptions: int
    rubric_cases: int  # the cases reviewed in the weeks that reported a rubric score
    passed: int  # of those, the cases that passed review

    @property
    def ratio(self) -> Interval | None:
        return wilson(self.exceptions, self.cases) if self.cases else None

    @property
    def rubric(self) -> Interval | None:
        return wilson(self.passed, self.rubric_cases) if self.rubric_cases else None


def evidence(weeks: Sequence[tuple[Any, ...]]) -> Evidence:
    """`weeks`: (cases, exceptions, rubric[, reviewed]) of the week being judged and the
    ones before it, in any order (cadence.verdicts.WeekNumbers are such tuples); weeks
    without a case count add nothing. The caller picks the weeks (cadence.verdicts.judge_with_rule)."""
    counted = _counted(weeks)
    scored = _scored(counted)
    return Evidence(
        weeks=len(counted),
        cases=sum(c for c, _, _, _ in counted),
        exceptions=sum(e for _, e, _, _ in counted),
        rubric_cases=sum(c for c, _ in scored),
        passed=sum(round(min(max(r, 0.0), 1.0) * c) for c, r in scored),
    )


def _counted(weeks: Sequence[tuple[Any, ...]]) -> list[tuple[Any, Any, Any, Any]]:
    """The weeks with a case count, as (cases, exceptions within 0 and the cases, rubric, reviewed or None)."""
    return [(w[0], min(max(w[1], 0), w[0]), w[2], w[3] if len(w) > 3 else None) for w in weeks if w[0]]


def _scored(counted: list[tuple[Any, Any, Any, Any]]) -> list[tuple[Any, Any]]:
    """The counted weeks with a rubric score and a sample, as (cases reviewed, score): a
    bare score's sample is the week's cases."""
    return [(c if n is None else n, r) for c, _, r, n in counted if r is not None and (n is None or n > 0)]


def confident_rule(
    cases: int,
    exceptions: int,
    rubric: float | None,
    ai_led: bool,
    cap: float,
    threshold: float,
    floor: float,
    pooled: Evidence | None = None,
    reviewed: int | None = None,
) -> str:
    """Verdict rules 3 to 5 under `judgement: confident` (rules 1 and 2, no case count and
    too few cases, are the caller's and unchanged). FAIL when the week's ratio's lower
    bound exceeds the cap or its rubric's upper bound is below the floor: a demotion needs
    only a clear failure of one week. PASS when the week meets the cap and the threshold
    and the evidence (`pooled`, the week's own cases without it) is sure of both: the
    ratio's upper bound within the cap and the rubric's lower bound at the threshold (an
    AI-led step without a rubric: the ratio alone decides). Otherwise INCONCLUSIVE."""
    failed = _clearly_failed(cases, exceptions, rubric, reviewed, cap, floor)
    if failed is not None:
        return failed
    sure = pooled if pooled is not None else evidence([(cases, exceptions, rubric, reviewed)])
    ratio_within = _surely_within_cap(sure, cases, exceptions, cap)
    if rubric is not None:
        met = _surely_met(sure, rubric, threshold)
        return CONFIDENT_RUBRIC_MET if ratio_within and met else CONFIDENT_UNSURE
    if ai_led:
        return CONFIDENT_AI_LED_NO_RUBRIC if ratio_within else CONFIDENT_UNSURE
    return NO_RUBRIC


def _clearly_failed(
    cases: int, exceptions: int, rubric: float | None, reviewed: int | None, cap: float, floor: float
) -> str | None:
    """The week's own FAIL: its ratio's lower bound over the cap, or its rubric's upper bound below the floor."""
    ratio = ratio_interval(exceptions, cases)
    score = rubric_interval(rubric, cases, reviewed)
    if ratio is not None and ratio.low > cap:
        return CONFIDENT_OVER_CAP
    if score is not None and score.high < floor:
        return CONFIDENT_BELOW_FLOOR
    return None


def _surely_within_cap(sure: Evidence, cases: int, exceptions: int, cap: float) -> bool:
    """The week's ratio within the cap, and the evidence's upper bound too."""
    sure_ratio = sure.ratio
    return sure_ratio is not None and cases > 0 and exceptions / cases <= cap and sure_ratio.high <= cap


def _surely_met(sure: Evidence, rubric: float, threshold: float) -> bool:
    """The week's rubric at the threshold, and the evidence's lower bound too."""
    sure_score = sure.rubric
    return rubric >= threshold and sure_score is not None and sure_score.low >= threshold


@lru_cache(maxsize=256)
def _t_quantile(df: int) -> float:
    from scipy.stats import t  # imported when first needed: see the module's note

    return float(t.ppf((1 + CONFIDENCE) / 2, df))


def warm() -> None:
    """Import the statistics library now: a long-running process (the clock) calls this at
    start, as it loads its templates, so that no week close pays scipy's import."""
    wilson(1, 2)
    _t_quantile(1)


class KpiChange(NamedTuple):
    """A cycle's KPI change from the baseline: None without a value; no interval below 2."""

    change: float | None
    values: int
    interval: Interval | None

    @property
    def within_noise(self) -> bool:
        """The interval includes zero change (a change without an interval is not labelled)."""
        return self.interval is not None and self.interval.includes(0.0)


def kpi_change(weekly_kpi: Sequence[float | None], baseline: float) -> KpiChange:
    """The mean of the cycle's weekly values minus the baseline, with its 95% t-interval
    (standard error of the mean, n - 1 degrees of freedom)."""
    values = [v for v in weekly_kpi if v is not None]
    if not values:
        return KpiChange(None, 0, None)
    change = statistics.fmean(values) - baseline
    if len(values) < 2:
        return KpiChange(change, 1, None)
    half = _t_quantile(len(values) - 1) * statistics.stdev(values) / math.sqrt(len(values))
    return KpiChange(change, len(values), Interval(change - half, change + half))


class CycleKpi(NamedTuple):
    """What the stall rule reads of one cycle."""

    cycle: int
    hit: bool  # hit target (cadence.cycle_rules.cycle_result)
    interrupted: bool  # paused or retired before its end: not a completed cycle
    weekly_kpi: tuple[float | None, ...]


STALL_MISSED_CYCLES = 2
STALL_MIN_PROGRESS = 0.1  # a tenth of the way from baseline to target


class Stall(NamedTuple):
    reason: str  # "missed" (the last completed cycles missed target) or "barely-moved"
    cycles: tuple[int, ...]  # the cycles that made it
    progress: float | None  # the latest cycle's median weekly KPI, as a share of the way to target


def stall(cycles: Sequence[CycleKpi], baseline: float, target: float) -> Stall | None:
    """At the end of the latest of `cycles` (oldest first): stalled when the last 2
    completed (not interrupted) cycles missed their target, or when that cycle's median
    weekly KPI moved less than a tenth of the way from baseline to target. An interrupted
    cycle ends nothing here, and is passed over when counting completed cycles."""
    if not cycles or cycles[-1].interrupted:
        return None
    completed = [c for c in cycles if not c.interrupted]
    latest = completed[-1]
    progress = _median_progress(latest, baseline, target)
    recent = completed[-STALL_MISSED_CYCLES:]
    if _all_missed(recent):
        return Stall("missed", tuple(c.cycle for c in recent), progress)
    if progress is not None and progress < STALL_MIN_PROGRESS:
        return Stall("barely-moved", (latest.cycle,), progress)
    return None


def _median_progress(cycle: CycleKpi, baseline: float, target: float) -> float | None:
    """The cycle's median weekly KPI as a share of the way from baseline to target; None without a value."""
    values = [v for v in cycle.weekly_kpi if v is not None]
    return progress_to_target(statistics.median(values), baseline, target) if values else None


def _all_missed(recent: Sequence[CycleKpi]) -> bool:
    """The last STALL_MISSED_CYCLES completed cycles are there, and each missed its target."""
    return len(recent) == STALL_MISSED_CYCLES and not any(c.hit for c in recent)


def stall_figures(found: Stall, cycles: Sequence[CycleKpi], baseline: float, target: float) -> dict[str, Any]:
    """A stall's numbers, as its decision keeps them and its message shows them: why, the
    completed cycles that missed the target among the last two, and the latest cycle's
    median weekly KPI with its share of the way from baseline to target."""
    completed = [c for c in cycles if not c.interrupted]
    latest = completed[-1]
    values = [v for v in latest.weekly_kpi if v is not None]
    return {
        "cycle": latest.cycle,
        "reason": found.reason,
        "cycles": list(found.cycles),
        "missed": [c.cycle for c in completed[-STALL_MISSED_CYCLES:] if not c.hit],
        "median": statistics.median(values) if values else None,
        "progress": found.progress,
        "baseline": baseline,
        "target": target,
        "weekly": list(latest.weekly_kpi),
    }


def stalled_since(stalls: Mapping[int, T], completed: Sequence[int]) -> tuple[int, T] | None:
    """Is a playbook stalled now, and since when? `stalls`: what each cycle that ended in a
    stall left (by cycle number); `completed`: its completed (not interrupted) cycles, in
    order. Stalled while its latest completed cycle ended in a stall; since the first of
    the unbroken run of such cycles: that cycle and what it left. A completed cycle that
    did not stall ends the run; an interrupted one neither ends nor extends it."""
    if not completed or completed[-1] not in stalls:
        return None
    first = completed[-1]
    for cycle in reversed(completed):
        if cycle not in stalls:
            break
        first = cycle
    return first, stalls[first]


PLATEAU_WEEKS = 8


def plateau(weekly_cases: Sequence[int | None], latest_kpi: float | None, target: float, direction: str) -> bool:
    """A playbook's cases (all steps, per week, oldest first, the latest week last) have
    not grown in 8 weeks while its KPI is off target: no week of the last 8 had more
    cases than the best week before them, and the latest KPI value misses the target.
    Fewer than 9 weeks of history, or no KPI value, flag nothing."""
    if latest_kpi is None or meets_target(latest_kpi, target, direction) or len(weekly_cases) <= PLATEAU_WEEKS:
        return False
    before = [c for c in weekly_cases[:-PLATEAU_WEEKS] if c is not None]
    recent = [c for c in weekly_cases[-PLATEAU_WEEKS:] if c is not None]
    return bool(before and recent) and max(recent) <= max(before)


def pilot_ceiling(adopted_mode: str | None, in_first_cycle: bool) -> str | None:
    """The highest mode a promotion proposal may take a step to: during an adopting team's
    first cycle, the mode the step had in the version it adopted (a step the version did
    not have: no step above human-led, as its origin never ran it); else no ceiling."""
    if not in_first_cycle:
        return None
    return adopted_mode if adopted_mode in MODES else MODES[0]


def above(mode: str, ceiling: str | None) -> bool:
    """`mode` is above `ceiling` (never, without one)."""
    return ceiling is not None and MODES.index(mode) > MODES.index(ceiling)
