"""The KPI's target and the guardrail's bounds judged by their effect (docs/judgement.md,
"The bar judged by its effect"), not by their direction: the playbook's last closed
cycles, and its closed weeks' guardrail readings, judged again under the bar before and
the asked bar by the close's own judges (cadence/rules.py `cycle_result`, the scale rule
week by week, and `guardrail_state`). A cycle that missed its target and would have hit
it, or a week that breached the guardrail and would have held, is easier; so is a probe
at a bound of either bar that moves so. Pure: definitions and what was read in, the lines
a card shows out (empty: nothing gets easier)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from itertools import pairwise
from typing import Any

from cadence.cycle_rules import BREACHED, cycle_result, guardrail_state
from cadence.definition_rules import RuleSettings
from cadence.verdicts import Thresholds

WEEKS = 4  # a cycle's weeks (cadence.calendar.WEEKS_PER_CYCLE)


@dataclass(frozen=True)
class Cycle:
    """One closed cycle as the replay reads it: its number, its weeks' KPI values and
    guardrail readings (None: none counted), and whether a pause or retirement cut it short."""

    number: int
    weekly: tuple[float | None, ...]
    guardrail: tuple[float | None, ...] = ()
    interrupted: bool = False


@dataclass(frozen=True)
class GuardrailWeek:
    """One closed week's guardrail reading: its label ("week 3 of cycle 2") and value."""

    label: str
    value: float


@dataclass(frozen=True)
class Bar:
    """What the cycle's and the guardrail's judges read of a definition."""

    target: float
    direction: str
    unit: str
    min_weeks: int
    name: str
    guardrail_unit: str
    low: float | None
    high: float | None

    @classmethod
    def of(cls, definition: dict[str, Any]) -> Bar:
        kpi, guardrail = definition.get("kpi") or {}, definition.get("guardrail") or {}
        min_weeks = _min_kpi_weeks(definition)
        return cls(
            float(kpi.get("target") or 0),
            str(kpi.get("direction") or "down"),
            str(kpi.get("unit") or ""),
            int(min_weeks),
            str(guardrail.get("name") or "guardrail"),
            str(guardrail.get("unit") or ""),
            guardrail.get("min"),
            guardrail.get("max"),
        )

    def breached(self, value: float | None) -> bool:
        return guardrail_state(value, self.low, self.high) == BREACHED

    def hits(self, cycle: Cycle) -> tuple[bool, int]:
        """Whether the scale rule's cycle result hits under this bar, and its weeks met."""
        t = replace(_ONLY_WEEKS, scale_min_kpi_weeks=self.min_weeks)
        breached = any(self.breached(v) for v in cycle.guardrail)
        result = cycle_result(
            cycle.number, list(cycle.weekly), self.target, self.direction, t, breached, cycle.interrupted
        )
        return result.hit, result.weeks_met


# The thresholds the scale rule's cycle result reads: only `scale_min_kpi_weeks`.
_ONLY_WEEKS = Thresholds.of(RuleSettings(), 0.1, 0.9)


def replay(
    before: dict[str, Any], after: dict[str, Any], cycles: tuple[Cycle, ...], weeks: tuple[GuardrailWeek, ...]
) -> list[str]:
    """What gets easier under the asked KPI target and guardrail (`after`): each kept cycle
    that would have hit where it missed, each kept week that would have held where it
    breached; else a probe at a bound of either bar that moves so (the first found)."""
    old, new = Bar.of(before), Bar.of(after)
    if not (after.get("guardrail") or {}).get("name"):  # a guardrail removed: named as it was
        new = replace(new, name=old.name, guardrail_unit=old.guardrail_unit)
    if old == new:
        return []
    found = _cycles_hit(cycles, old, new) + _weeks_held(weeks, old, new)
    if found:
        return found[:6]
    return _probe(old, new)


def _min_kpi_weeks(definition: dict[str, Any]) -> int:
    """The definition's `scale_min_kpi_weeks`, or the default."""
    rules = {k: v for k, v in (definition.get("rules") or {}).items() if v is not None}
    return RuleSettings.model_validate(rules).scale_min_kpi_weeks


def _cycles_hit(cycles: tuple[Cycle, ...], old: Bar, new: Bar) -> list[str]:
    """Each kept cycle that would have hit under `new` where it missed under `old`, a line each."""
    found = []
    for cycle in cycles:
        (hit_old, met_old), (hit_new, met_new) = old.hits(cycle), new.hits(cycle)
        if hit_new and not hit_old:
            found.append(_cycle_words(cycle, old, new, met_old, met_new))
    return found


def _weeks_held(weeks: tuple[GuardrailWeek, ...], old: Bar, new: Bar) -> list[str]:
    """Each kept week whose guardrail would have held under `new` where it breached under `old`, a line each."""
    found = []
    for week in weeks:
        if old.breached(week.value) and not new.breached(week.value):
            found.append(
                f"under the asked bar, {new.name} in {week.label} would have held, not BREACHED: "
                f"{fmt_num(week.value)}{_unit(new.guardrail_unit)} {_bounds(new)}"
            )
    return found


def _cycle_words(cycle: Cycle, old: Bar, new: Bar, met_old: int, met_new: int) -> str:
    values = [v for v in cycle.weekly if v is not None]
    mean = f" (mean {fmt_num(sum(values) / len(values))}{_unit(new.unit)})" if values else ""
    if met_new == met_old and any(old.breached(v) for v in cycle.guardrail):
        return f"under the asked bar, cycle {cycle.number}'s KPI would have hit its target: no week breached {new.name}"
    return (
        f"under the asked bar, cycle {cycle.number}'s KPI would have hit its target: {met_new} of {WEEKS} weeks "
        f"met {fmt_num(new.target)}{_unit(new.unit)}{mean}, where {met_old} met {fmt_num(old.target)}"
    )


def fmt_num(value: float) -> str:
    return f"{value:g}"


def _unit(unit: str) -> str:
    return f" {unit}" if unit else ""


def _bounds(bar: Bar) -> str:
    said = [f"{name} {fmt_num(v)}" for name, v in (("min", bar.low), ("max", bar.high)) if v is not None]
    return f"against {' and '.join(said)}" if said else "with no bound"


def _around(points: set[float]) -> list[float]:
    """The points themselves, a value between each two, and one beyond each end: a value
    in each region the points cut the line into (the points first, as the card names them)."""
    ordered = sorted(points)
    span = max(abs(ordered[-1] - ordered[0]), abs(ordered[0]), 1.0)
    between = [(a + b) / 2 for a, b in pairwise(ordered)]
    return [*ordered, *between, ordered[0] - span, ordered[-1] + span]


def probes(old: Bar, new: Bar) -> Iterator[Cycle | float]:
    """Cycles with 0 to 4 weeks at a value at, between or beyond either target, and
    guardrail readings at, between or beyond either bar's bounds."""
    for value in _around({old.target, new.target}):
        for weeks in range(WEEKS + 1):
            yield Cycle(0, (value,) * weeks + (None,) * (WEEKS - weeks))
    bounds = {b for b in (old.low, old.high, new.low, new.high) if b is not None}
    for value in _around(bounds) if bounds else ():
        yield value


def _probe(old: Bar, new: Bar) -> list[str]:
    for probe in probes(old, new):
        if isinstance(probe, Cycle):
            (hit_old, _), (hit_new, met) = old.hits(probe), new.hits(probe)
            if hit_new and not hit_old:
                value = next(v for v in probe.weekly if v is not None)
                return [
                    f"under the asked bar, a cycle with {met} of {WEEKS} weeks at {fmt_num(value)}{_unit(new.unit)} "
                    f"would hit its KPI target, not miss it"
                ]
        elif old.breached(probe) and not new.breached(probe):
            return [
                f"under the asked bar, a week's {new.name} at {fmt_num(probe)}{_unit(new.guardrail_unit)} "
                f"would hold, not breach it"
            ]
    return []
