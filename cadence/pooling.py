"""Small weeks are pooled (docs/judgement.md, "Small weeks are pooled"): a step's week under
`min_cases` is pooled with the next weeks of its cycle (since the step's last mode change)
until the pool reaches `min_cases`, and the pool is judged once, as a week is, by the
thresholds of its last week (cadence/closing.py), and says so when the bar was another in
an earlier week of the pool (a tightening applies at once: `Bar`, `changed`). A week
without a case count adds nothing to a pool and does not end it. Plain data in, plain
data out."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, NamedTuple

from cadence.rules import StepState
from cadence.verdicts import MISSING, Thresholds, VerdictRule, WeekNumbers, WeekVerdict


class Bar(NamedTuple):
    """The part of the bar a week is judged by: the figures a verdict keeps of it
    (cadence.mode_decisions.of_verdict), None where an older verdict kept none."""

    cap: float | None
    threshold: float | None
    floor: float | None
    min_cases: int | None

    @classmethod
    def of(cls, th: Thresholds) -> Bar:
        return cls(th.exception_cap, th.rubric_threshold, th.rubric_floor, th.min_cases)

    @classmethod
    def kept(cls, figures: Mapping[str, Any]) -> Bar:
        """The bar a verdict's figures say it was judged by."""
        return cls(*(figures.get(name) for name in cls._fields))


class Pool(NamedTuple):
    """Small weeks pooled: the weeks (oldest first, the week being closed last) and their
    numbers together, judged once as a week is; `bars`: the bar each earlier week was
    judged by, where it was read (oldest first, as `weeks`)."""

    weeks: tuple[date, ...]
    numbers: WeekNumbers
    bars: tuple[Bar | None, ...] = ()


def short_weeks(week_start: date, before: StepState, cycle_start: date) -> tuple[date, ...]:
    """The step's weeks of the same cycle before `week_start` that were too few to judge
    (TOO_FEW_CASES) since its last mode change, back to the last week judged, oldest
    first: the weeks a close of `week_start` would pool (a close reads their bars)."""
    return tuple(v.week_start for v in _short(week_start, before, cycle_start))


def _short(week_start: date, before: StepState, cycle_start: date) -> list[WeekVerdict]:
    short: list[WeekVerdict] = []
    for v in reversed(before.since_change()):
        if v.week_start < cycle_start or v.week_start >= week_start:
            break
        if v.outcome == MISSING:
            continue
        if v.rule != VerdictRule.TOO_FEW_CASES:
            break
        short.append(v)
    return short[::-1]


def pool(
    numbers: WeekNumbers,
    week_start: date,
    before: StepState,
    cycle_start: date,
    bars: Mapping[date, Bar] | None = None,
) -> Pool | None:
    """The week being closed pooled with the step's short weeks before it (`short_weeks`);
    None when there are none, or when this week has no case count (a review without its
    week's case count is no evidence). Rubric scores pool as the cases that passed review
    of the cases reviewed (a bare score: of the week's cases). `bars`: the bar each
    earlier week was judged by, by week start, as read (kept on the pool)."""
    if numbers.cases is None:
        return None
    short = _short(week_start, before, cycle_start)
    if not short:
        return None
    together = _together([*(v.numbers for v in short), numbers])
    earlier = tuple(v.week_start for v in short)
    return Pool((*earlier, week_start), together, tuple((bars or {}).get(w) for w in earlier))


def _together(weeks: list[WeekNumbers]) -> WeekNumbers:
    """The weeks with a case count as one: their cases and exceptions summed, their rubric
    scores pooled (_reviewed)."""
    counted = [w for w in weeks if w.cases is not None]
    return WeekNumbers(sum(w.cases or 0 for w in counted), sum(w.exceptions for w in counted), *_reviewed(counted))


def _reviewed(counted: list[WeekNumbers]) -> tuple[float | None, int | None]:
    """The weeks' rubric scores as one: the cases that passed review of the cases reviewed
    (a bare score: of the week's cases), and how many were reviewed; None, None for none."""
    scored = _scored(counted)
    sample = sum(n or 0 for n, _ in scored)
    passed = sum(round(min(max(r, 0.0), 1.0) * (n or 0)) for n, r in scored)
    return passed / sample if sample else None, sample if scored and sample else None


def _scored(counted: list[WeekNumbers]) -> list[tuple[int | None, float]]:
    """The weeks with a rubric score, as (its sample: the cases reviewed, or a bare score's week's cases; the score)."""
    return [(w.cases if w.reviewed is None else w.reviewed, w.rubric) for w in counted if w.rubric is not None]


def changed(found: Pool, bar: Bar) -> dict[str, list[Any]]:
    """What of `bar` (the last week's, which judges the pool) was another in the pool's
    earlier weeks: each such figure's earlier values, oldest first, once each. Empty
    when the bar held through the pool, or its earlier weeks' bars are unknown."""
    before: dict[str, list[Any]] = {}
    for earlier in found.bars:
        if earlier is None:
            continue
        for name, then, now in zip(Bar._fields, earlier, bar, strict=True):
            if then is not None and then != now and then not in before.get(name, []):
                before.setdefault(name, []).append(then)
    return before
