"""The cycle's bar: the first close of one of a cycle's weeks records the KPI bar in force
now as the cycle's (cycle_bar), which the cycle's end is judged by."""

from __future__ import annotations

from cadence import cycle_end
from cadence.change import NewCycleBar
from usecases.shared.close import reads
from usecases.shared.close.week import CloseRule, WeekClose


def _close(week: WeekClose, bars: dict[tuple[int, int], tuple[float, float]]) -> None:
    playbook, ref = week.state.playbook, week.week
    bar = cycle_end.bar_to_record(bars.get((playbook.id, ref.cycle)), playbook.kpi_baseline, playbook.kpi_target)
    if bar is not None:
        week.change.cycle_bars.append(NewCycleBar(playbook.id, ref.cycle, ref.cycle_start, bar.baseline, bar.target))


RULE = CloseRule("cycle bar", reads.bars, _close, cycle_end.bar_to_record, after=("baseline week",))
