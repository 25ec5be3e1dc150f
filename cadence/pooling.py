"""Small weeks are pooled (docs/judgement.md, "Small weeks are pooled"): a step's week under
`min_cases` is pooled with the next weeks of its cycle (since the step's last mode change)
until the pool reaches `min_cases`, and the pool is judged once, as a week is, by the
thresholds of its last week (cadence/closing.py). A week without a case count adds nothing
to a pool and does not end it. Plain data in, plain data out."""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

from cadence.rules import MISSING, StepState, VerdictRule, WeekNumbers, WeekVerdict


class Pool(NamedTuple):
    """Small weeks pooled: the weeks (oldest first, the week being closed last) and their
    numbers together, judged once as a week is."""

    weeks: tuple[date, ...]
    numbers: WeekNumbers


def pool(numbers: WeekNumbers, week_start: date, before: StepState, cycle_start: date) -> Pool | None:
    """The week being closed pooled with the step's weeks of the same cycle before it that
    were too few to judge (TOO_FEW_CASES) since its last mode change, back to the last
    week judged; None when there are none, or when this week has no case count (a review
    without its week's case count is no evidence). Rubric scores pool as the cases that
    passed review of the cases reviewed (a bare score: of the week's cases)."""
    if numbers.cases is None:
        return None
    short: list[WeekVerdict] = []
    for v in reversed(before.since_change()):
        if v.week_start < cycle_start or v.week_start >= week_start:
            break
        if v.outcome == MISSING:
            continue
        if v.rule != VerdictRule.TOO_FEW_CASES:
            break
        short.append(v)
    if not short:
        return None
    weeks = [*(v.numbers for v in reversed(short)), numbers]
    counted = [w for w in weeks if w.cases is not None]
    scored = [(w.cases if w.reviewed is None else w.reviewed, w.rubric) for w in counted if w.rubric is not None]
    sample = sum(n or 0 for n, _ in scored)
    passed = sum(round(min(max(r, 0.0), 1.0) * (n or 0)) for n, r in scored)
    together = WeekNumbers(
        sum(w.cases or 0 for w in counted),
        sum(w.exceptions for w in counted),
        passed / sample if sample else None,
        sample if scored and sample else None,
    )
    return Pool((*(v.week_start for v in reversed(short)), week_start), together)
