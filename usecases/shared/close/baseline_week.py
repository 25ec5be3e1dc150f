"""An adopter's baseline week closing (docs/judgement.md, "The baseline week"): the week
before its first cycle, in which the team reported its KPI as it works today. Its close
judges no step: the week's mean KPI becomes the adopter's baseline, measured (a decision
row and the team channel told, written with the close by the tick's unit of work); a week
with no KPI reported leaves the declared baseline, declared, not measured. Its outcome,
`Measured`, is the week's summary's."""

from __future__ import annotations

from dataclasses import dataclass

from cadence import registry_decisions
from cadence.change import MeasuredBaseline
from usecases.shared.close.week import CloseRule, Round, WeekClose

Means = dict[int, tuple[float | None, int]]


@dataclass(frozen=True)
class Measured:
    declared: float
    measured: float | None  # the week's mean KPI (None: no KPI reported)
    reports: int


def _read(round: Round) -> Means:
    """Each baseline week's mean KPI and its reports, read in the close's unit of work,
    which has closed the week to reports (rare: a read each)."""
    return {
        w.state.playbook.id: round.store.reports.week_mean(w.state.playbook.id, w.week.week_start)
        for w in round.baseline
    }


def _close(week: WeekClose, means: Means) -> Measured:
    playbook, ref = week.state.playbook, week.week
    measured, reports = means[playbook.id]
    declared = playbook.kpi_baseline
    week.change.decisions.append(
        registry_decisions.of_baseline_week(playbook.id, ref.week_start, playbook.kpi_name, declared, measured, reports)
    )
    if measured is not None:
        week.change.baselines.append(MeasuredBaseline(playbook.id, measured))
    return Measured(declared, measured, reports)


RULE = CloseRule("baseline week", _read, _close, registry_decisions.of_baseline_week, baseline=True)
