"""A cycle is judged by the bar it started with (issue 69, item 2), on the fakes: weeks
typed (tests/usecases/fast/slash.py) and closed by the clock (tests/usecases/fast/
ticking.py); the target moved by loading the definition again, as storage does it
(tests/usecases/fast/slash.py's load). Its database version (tests/usecases/
test_cycle_bar.py) went: the cycle_bar rows it read are the Change's, kept by the fakes."""

from __future__ import annotations

import json
from datetime import date

from tests.fakes import CHANNEL
from tests.usecases.fast.slash import load, report_week
from tests.usecases.fast.test_close_modes import close_of, world


def retarget(services, clock, target: float) -> None:
    """The operator loads support-replies with another KPI target (a tightening: it
    applies from the open week)."""
    load(services, kpi={**clock.store.playbooks.state("support-replies").playbook.definition["kpi"], "target": target})


def week_closed(clock, week: int) -> str:
    [closed] = [
        m
        for m in clock.store.held.sent(CHANNEL)
        if m.payload["text"] == f"support-replies: week {week} of cycle 1 closed"
    ]
    return json.dumps(closed.payload["blocks"], ensure_ascii=False)


def bars(clock):
    return clock.store.held.governance.cycle_bars


def results(clock):
    return [r.result for r, _ in clock.store.held.governance.cycle_results]


def test_a_target_moved_in_week_3_does_not_change_the_cycles_hit():
    """The KPI is 14 min every week: it meets the target of 15 the cycle started with, not
    the 10 set in week 3. The cycle hits by 15, its result keeps 15, and the week-4 close
    says which target it judged by; week 3's close, a weekly one, shows today's."""
    services, clock = world()
    for week in (1, 2):
        report_week(services, week)
        clock.run(close_of(week))
    [bar] = bars(clock)
    assert (bar.cycle, bar.starts_on, bar.kpi_baseline, bar.kpi_target) == (1, date(2026, 11, 16), 42, 15)

    report_week(services, 3)
    retarget(services, clock, 10)
    clock.run(close_of(3))
    assert "(target 10 min, baseline 42 min)" in week_closed(clock, 3)
    report_week(services, 4)
    clock.run(close_of(4))

    [result] = results(clock)
    assert len(bars(clock)) == 1  # recorded once, at the cycle's first close
    assert (result.hit, result.target, result.weeks_met) == (True, 15, 4)
    text = week_closed(clock, 4)
    assert "Cycle 1 *hit* the target (judged by the target it started with: 15 min): the KPI met 15 min" in text
    assert "KPI change over cycle 1" in text


def test_a_cycle_whose_target_did_not_move_says_nothing_of_it():
    services, clock = world()
    for week in (1, 2, 3, 4):
        report_week(services, week)
        clock.run(close_of(week))
    text = week_closed(clock, 4)
    assert "Cycle 1 *hit* the target: the KPI met 15 min" in text and "started with" not in text


def test_a_playbook_closing_mid_cycle_without_a_bar_gets_its_row_with_the_values_it_has():
    """A playbook migrated mid-cycle has no bar for its running cycle: its next close
    records the baseline and target it has then, and the cycle is judged by them."""
    services, clock = world()
    for week in (1, 2):
        report_week(services, week)
        clock.run(close_of(week))
    bars(clock).clear()  # as an installation upgraded to 0045 in the middle of cycle 1
    report_week(services, 3, kpi="12")
    retarget(services, clock, 13)
    clock.run(close_of(3))
    [bar] = bars(clock)
    assert (bar.cycle, bar.kpi_target) == (1, 13)
    report_week(services, 4, kpi="12")
    clock.run(close_of(4))
    [result] = results(clock)
    assert (result.target, result.weeks_met, result.hit) == (13, 2, False)  # 14, 14, 12, 12 against 13
    assert "started with" not in week_closed(clock, 4)
