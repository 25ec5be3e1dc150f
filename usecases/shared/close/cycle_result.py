"""At a cycle's last week (its fourth, or the week a pause or retirement ended the run
in): the cycle's figures as read, the KPI's move over it and its result, with `compare`
against the rest (cadence/cycle_end.py), recorded. The scale rule, replication and the
stall rule judge the cycle after it, on what it leaves on the week."""

from __future__ import annotations

from cadence import cycle_end
from cadence.change import NewCycleResult
from usecases.shared.close import reads
from usecases.shared.close.week import CloseRule, WeekClose


def _close(week: WeekClose, read: reads.CycleReads) -> None:
    if not week.ends_cycle:
        return
    week.cycle = reads.cycle_figures(read, week.state, week.week, week.breached)
    judged = cycle_end.judge_result(week.cycle)
    week.result, week.kpi_moved, week.compared = judged.result, judged.kpi_moved, judged.compared
    pid = week.state.playbook.id
    week.change.cycle_results.append(NewCycleResult(pid, week.week.cycle_start, judged.result, week.due.due_at))
    week.change.decisions.append(judged.result_decision)


RULE = CloseRule("cycle result", reads.cycle_reads, _close, cycle_end.judge_result)
