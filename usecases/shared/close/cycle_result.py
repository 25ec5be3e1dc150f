"""At a cycle's last week (its fourth, or the week a pause or retirement ended the run
in): the cycle's figures as read, the KPI's move over it and its result, with `compare`
against the rest (cadence/cycle_end.py), recorded. The scale rule, replication and the
stall rule judge the cycle after it on its outcome, `Ended`; the summary shows it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cadence import compare, cycle_end, cycle_rules
from cadence.change import NewCycleResult
from usecases.shared.close import guardrail, reads
from usecases.shared.close.week import CloseRule, WeekClose


@dataclass(frozen=True)
class Ended:
    figures: cycle_end.CycleFigures  # the cycle's, as read
    result: cycle_rules.CycleResult
    kpi_moved: Any
    compared: compare.Comparison | None


def _close(week: WeekClose, read: reads.CycleReads) -> Ended | None:
    if not week.ends_cycle:
        return None
    breached = guardrail.breached(week.outcome(guardrail.RULE))
    figures = reads.cycle_figures(read, week.state, week.week, breached)
    judged = cycle_end.judge_result(figures)
    pid = week.state.playbook.id
    week.change.cycle_results.append(NewCycleResult(pid, week.week.cycle_start, judged.result, week.due.due_at))
    week.change.decisions.append(judged.result_decision)
    return Ended(figures, judged.result, judged.kpi_moved, judged.compared)


RULE = CloseRule(
    "cycle result", reads.cycle_reads, _close, cycle_end.judge_result, needs=("guardrail",), after=("week closed",)
)
