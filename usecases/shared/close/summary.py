"""The week's summary for the team (usecases/shared/weeks.py, `Closed`), read from the
outcomes of the rules it shows, by rule, once they all closed the week: an adopter's
baseline week's (baseline_week.py), or each step's verdict and why, the KPI, the
guardrail, the sources that failed, the attestations against the tools' usage, and at
a cycle's last week its result and pulse."""

from __future__ import annotations

from datetime import timedelta

from templates import notices_close, notices_registry
from templates.notices_close import Payload
from usecases.shared.close import baseline_week, cycle_result, guardrail, pulse, reads, source_failures, steps, usage
from usecases.shared.close.week import Round, WeekClose
from usecases.shared.governance import thresholds


def summary(week: WeekClose, round: Round) -> Payload:
    if week.baseline:
        return _baseline(week)
    state = week.state
    judged = week.outcome(steps.RULE) or steps.Judged()
    ended, shown = week.outcome(cycle_result.RULE), week.outcome(pulse.RULE)
    failed = week.outcome(source_failures.RULE) or {}
    result = ended.result if ended is not None else None
    return notices_close.week_closed(
        playbook=state.playbook,
        week=week.week,
        figures=round.read(reads.weeks).figures[reads.of_week(week)],
        outcomes=judged.outcomes,
        reasons=judged.reasons,
        evidence=judged.evidence,
        pools=judged.pools,
        thresholds=thresholds(state),
        result=result,
        scale_min_kpi_weeks=state.settings.scale_min_kpi_weeks,
        guardrail=week.outcome(guardrail.RULE),
        source_failed=failed,
        kpi_moved=ended.kpi_moved if ended is not None else None,
        judged_target=result.target if result is not None and result.target != state.playbook.kpi_target else None,
        compared=ended.compared if ended is not None else None,
        pulse=shown.pulse if shown is not None else None,
        previous_pulse=shown.previous if shown is not None else None,
        pulse_hold=shown.hold if shown is not None else {},
        usage=usage.said(week, round),
    )


def _baseline(week: WeekClose) -> Payload:
    playbook, measured = week.state.playbook, week.outcome(baseline_week.RULE)
    assert measured is not None, "an adopter's baseline week is closed by its rule"
    return notices_registry.baseline_closed(
        slug=playbook.slug,
        kpi_name=playbook.kpi_name,
        unit=playbook.kpi_unit,
        declared=measured.declared,
        measured=measured.measured,
        reports=measured.reports,
        cycle_starts=(week.week.week_start + timedelta(days=7)).isoformat(),
    )
