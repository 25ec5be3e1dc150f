"""The webhooks' week_closed event: the KPI, the guardrail, each step's verdict with its
figures (cadence/webhooks.py)."""

from __future__ import annotations

from cadence import webhooks
from usecases.shared.close import guardrail, reads, steps
from usecases.shared.close.week import CloseRule, WeekClose


def _close(week: WeekClose, read: reads.Weeks) -> None:
    playbook, ref = week.state.playbook, week.week
    figures = dict(
        name=playbook.kpi_name,
        unit=playbook.kpi_unit,
        value=read.figures[reads.of_week(week)].kpi,
        baseline=playbook.kpi_baseline,
        target=playbook.kpi_target,
        direction=playbook.kpi_direction,
    )
    guard, judged = week.outcome(guardrail.RULE), week.outcome(steps.RULE)
    record = guard.decision if guard is not None else None
    verdicts = judged.decisions if judged is not None else []
    week.change.events.append(
        webhooks.week_closed(playbook.id, ref.week_start, ref.cycle, ref.week, figures, record, verdicts)
    )


RULE = CloseRule("week closed", reads.weeks, _close, webhooks.week_closed, needs=("guardrail", "steps"))
