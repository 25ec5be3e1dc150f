"""The rules a cycle and its guardrail answer to (docs/usage.md, "How steps gain and lose autonomy").

A cycle's result (`cycle_result`: three of its four weeks meet the KPI's target, no guardrail
breached, not interrupted), when a playbook is ready to scale (`ready_to_scale`), a closed
week's guardrail state and the demotion two breached weeks make. A step's week-by-week
transitions are cadence/rules.py's; its verdicts cadence/verdicts.py's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from cadence.figures import meets_target
from cadence.rules import Kind, StepState, Transition, TransitionRule
from cadence.verdicts import MISSING, Thresholds


@dataclass(frozen=True)
class CycleResult:
    cycle: int
    kpi_weeks: int  # weeks of the cycle with a KPI value
    mean: float | None
    target: float
    direction: str
    hit: bool
    weeks_met: int = 0  # weeks whose KPI met the target (unknown, 0, for results older than the count)
    met: tuple[bool | None, ...] = ()  # week by week: met, missed, or no value
    breached: bool = False  # a week of the cycle breached the guardrail: no hit, whatever the KPI
    interrupted: bool = False  # paused or retired before its fourth week: never a hit


def cycle_result(
    cycle: int,
    weekly_kpi: list[float | None],
    target: float,
    direction: str,
    t: Thresholds,
    guardrail_breached: bool = False,
    interrupted: bool = False,
) -> CycleResult:
    """Scale rule: a cycle hits target when at least `scale_min_kpi_weeks` (3) of its 4 weeks
    each have a KPI value that meets the target (lower is better for direction 'down').
    Week by week, so one outlier week cannot carry a cycle as it would carry a mean."""
    values = [v for v in weekly_kpi if v is not None]
    mean = sum(values) / len(values) if values else None
    met = tuple(None if v is None else meets_target(v, target, direction) for v in weekly_kpi)
    weeks_met = sum(1 for m in met if m)
    hit = weeks_met >= t.scale_min_kpi_weeks and not guardrail_breached and not interrupted
    return CycleResult(
        cycle, len(values), mean, target, direction, hit, weeks_met, met, guardrail_breached, interrupted
    )


HOLDS, BREACHED = "HOLDS", "BREACHED"


def guardrail_state(value: float | None, minimum: float | None, maximum: float | None) -> str:
    """A closed week's guardrail: MISSING without a report, BREACHED past its bound, else HOLDS."""
    if value is None:
        return MISSING
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        return BREACHED
    return HOLDS


def guardrail_demotion(
    state: StepState, week_start: date, breaches: int, figures: dict[str, Any] | None = None
) -> Transition | None:
    """Two BREACHED weeks in a row take an AI-led step back to collaborative."""
    if state.mode != "ai-led" or breaches < 2:
        return None
    counter, figures = f"guardrail BREACHED {breaches} weeks in a row", {**(figures or {}), "breaches": breaches}
    return Transition(Kind.DEMOTION, TransitionRule.GUARDRAIL, week_start, "ai-led", "collaborative", counter, figures)


def ready_to_scale(results: list[CycleResult], t: Thresholds) -> bool:
    """The last `scale_after_cycles` cycles (counted since the last publish or scale
    proposal, which the caller passes) all hit target."""
    recent = results[-t.scale_after_cycles :]
    return len(recent) == t.scale_after_cycles and all(r.hit for r in recent)
