"""The KPI against the rest of the same work (docs/playbooks.md, "Compared with the rest"):
each week's delta, run − rest, and a cycle's mean delta with its 95% t-interval (n − 1
degrees of freedom, as every KPI change: cadence/judgement.py), the difference-in-
differences beside it when both baselines are given, and what that says of the cycle.
Pure: the close reads the weekly numbers (usecases/shared/weeks.py) and
cadence/cycle_end.py asks here."""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from cadence.calendar import WeekRef
from cadence.judgement import KpiChange, kpi_change

MIN_DELTAS = 2  # fewer weekly deltas than this: "too few weeks to compare"

BETTER, WITHIN_NOISE, WORSE, TOO_FEW = "better", "within-noise", "worse", "too-few"


def week_delta(run: float | None, rest: float | None) -> float | None:
    """A week's delta, run − rest; a week with only one of the two numbers has none."""
    return None if run is None or rest is None else run - rest


@dataclass(frozen=True)
class Comparison:
    """A cycle's weeks against the rest: the weekly deltas, their mean with its interval,
    and, with both baselines, the difference-in-differences over the weeks that have a
    delta (the run's mean change from its baseline minus the rest's from its own)."""

    direction: str  # the KPI's: "down" (lower is better) or "up"
    deltas: tuple[float | None, ...]
    change: KpiChange  # the mean weekly delta (from zero) and its 95% t-interval
    did: float | None = None

    @property
    def verdict(self) -> str:
        """`better` only when the whole interval lies on the good side of zero."""
        interval = self.change.interval
        if self.change.values < MIN_DELTAS or interval is None:
            return TOO_FEW
        good = interval.high < 0 if self.direction == "down" else interval.low > 0
        bad = interval.low > 0 if self.direction == "down" else interval.high < 0
        return BETTER if good else WORSE if bad else WITHIN_NOISE

    @property
    def better(self) -> bool:
        return self.verdict == BETTER

    def figures(self) -> dict[str, Any]:
        """As a decision keeps it (plain data)."""
        interval = self.change.interval
        return {
            "deltas": list(self.deltas),
            "mean_delta": self.change.change,
            "delta_weeks": self.change.values,
            "low": interval.low if interval else None,
            "high": interval.high if interval else None,
            "did": self.did,
            "verdict": self.verdict,
        }


def compare_cycle(
    run: Sequence[float | None],
    rest: Sequence[float | None],
    direction: str,
    baseline: float | None = None,
    rest_baseline: float | None = None,
) -> Comparison:
    """A cycle's weeks (`run` and `rest`, week by week, the same length) compared."""
    deltas = tuple(week_delta(r, o) for r, o in zip(run, rest, strict=True))
    change = kpi_change(deltas, 0.0)
    paired = [(r, o) for r, o in zip(run, rest, strict=True) if r is not None and o is not None]
    did = None
    if paired and baseline is not None and rest_baseline is not None:
        run_change = statistics.fmean(r for r, _ in paired) - baseline
        rest_change = statistics.fmean(o for _, o in paired) - rest_baseline
        did = run_change - rest_change
    return Comparison(direction, deltas, change, did)


def cycle_so_far(
    week: WeekRef,
    kpis: Mapping[date, float],
    rests: Mapping[date, float],
    direction: str,
    baseline: float | None = None,
    rest_baseline: float | None = None,
) -> Comparison:
    """The cycle of `week`, from its first week to `week`, against the rest (status and the
    API's playbook read): `kpis` and `rests` by week's Monday."""
    weeks = [week.cycle_start + timedelta(days=7 * i) for i in range(week.week)]
    return compare_cycle(
        [kpis.get(w) for w in weeks], [rests.get(w) for w in weeks], direction, baseline, rest_baseline
    )
