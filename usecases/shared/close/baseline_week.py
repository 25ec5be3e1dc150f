"""An adopter's baseline week closing (docs/judgement.md, "The baseline week"): the week
before its first cycle, in which the team reported its KPI as it works today. Its close
judges no step: the week's mean KPI becomes the adopter's baseline, measured (a decision
row and the team channel told, written with the close by the tick's unit of work); a week
with no KPI reported leaves the declared baseline, declared, not measured."""

from __future__ import annotations

from datetime import timedelta

from cadence import registry_decisions
from cadence.change import MeasuredBaseline
from templates import notices_registry
from usecases.shared.close.week import CloseRule, Round, WeekClose

Means = dict[int, tuple[float | None, int]]


def _read(round: Round) -> Means:
    """Each baseline week's mean KPI and its reports, read in the close's unit of work,
    which has closed the week to reports (rare: a read each)."""
    return {
        w.state.playbook.id: round.store.reports.week_mean(w.state.playbook.id, w.week.week_start)
        for w in round.baseline
    }


def _close(week: WeekClose, means: Means) -> None:
    playbook, ref = week.state.playbook, week.week
    measured, reports = means[playbook.id]
    declared = playbook.kpi_baseline
    week.change.decisions.append(
        registry_decisions.of_baseline_week(playbook.id, ref.week_start, playbook.kpi_name, declared, measured, reports)
    )
    if measured is not None:
        week.change.baselines.append(MeasuredBaseline(playbook.id, measured))
    week.summary = notices_registry.baseline_closed(
        slug=playbook.slug,
        kpi_name=playbook.kpi_name,
        unit=playbook.kpi_unit,
        declared=declared,
        measured=measured,
        reports=reports,
        cycle_starts=(ref.week_start + timedelta(days=7)).isoformat(),
    )


RULE = CloseRule("baseline week", _read, _close, registry_decisions.of_baseline_week, baseline=True)
