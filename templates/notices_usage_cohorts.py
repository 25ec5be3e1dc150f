"""The digest's usage cohorts thread (docs/usage-records.md, "Usage cohorts";
usecases/sections/usage_cohorts.py): the KPI's movement across the cohorts of
cadence/usage_cohorts.py, worded. Team counts and medians only, never a person's use."""

from __future__ import annotations

from typing import Any

from cadence.usage_cohorts import (
    HALF_ACTIVE,
    HEAVY,
    HEAVY_DAYS,
    LIGHT,
    LIGHT_DAYS,
    MIN_TEAMS,
    MODERATE,
    MOST_ACTIVE,
    NONE,
    Comparison,
)
from templates import render
from templates.numbers import number

# what each cohort means, as the thread says it beside its name
MEANS = {
    HEAVY: f"{MOST_ACTIVE:.0%} or more of the people active, {HEAVY_DAYS:g}+ days a week each",
    MODERATE: f"{HALF_ACTIVE:.0%} or more active, {LIGHT_DAYS:g}+ days a week each",
    LIGHT: f"under {HALF_ACTIVE:.0%} active, or under {LIGHT_DAYS:g} days a week each",
    NONE: "no one used a tool",
}


def share(value: float) -> str:
    """A movement as a share of the way to target, with the minus sign: "42%", "−12%"."""
    return f"{number(round(value * 100), 0)}%"


def digest_usage_cohorts(*, comparison: Comparison) -> dict[str, Any]:
    """The thread reply: each cohort's teams and, where compared, its median movement and
    95% interval; else why not (`comparison.why_not`)."""
    cohorts = [
        dict(
            name=c.cohort,
            means=MEANS[c.cohort],
            teams=c.teams,
            median=share(c.median) if c.median is not None else None,
            low=share(c.interval.low) if c.interval is not None else None,
            high=share(c.interval.high) if c.interval is not None else None,
        )
        for c in comparison.cohorts
    ]
    return render(
        "digest_usage_cohorts",
        cohorts=cohorts,
        why_not=comparison.why_not,
        left_out=comparison.left_out,
        min_teams=MIN_TEAMS,
    )
