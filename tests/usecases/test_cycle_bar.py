"""A cycle is judged by the bar it started with (issue 69, item 2), end to end on both
databases: signed commands, ticks on a fake clock, the closes' messages through the
outbox to the Slack stand-in."""

import copy
import json

from sqlmodel import Session, select

from cadence.definition import parse_playbook
from storage.models.governance import CycleBar, CycleResult
from tests.committed import loaded
from tests.conftest import CHANNEL, SUPPORT_REPLIES
from tests.usecases.test_governance import close_of, report_week, world  # noqa: F401  (a fixture)


def retarget(store, clock, target: float) -> None:
    """The operator loads support-replies with another KPI target (a tightening: it
    applies from the open week)."""
    spec = copy.deepcopy(SUPPORT_REPLIES)
    spec["kpi"]["target"] = target
    [outcome] = loaded(store, [parse_playbook(spec)], "UTC", actor="test", at=clock())
    assert outcome.action == "updated"


def week_closed(slack, week: int) -> str:
    closed = next(m for m in slack.posted(CHANNEL) if m["text"] == f"support-replies: week {week} of cycle 1 closed")
    return json.dumps(closed["blocks"], ensure_ascii=False)


def test_a_target_moved_in_week_3_does_not_change_the_cycles_hit(bot, world, slack, store, engine):  # noqa: F811
    """The KPI is 14 min every week: it meets the target of 15 the cycle started with, not
    the 10 set in week 3. The cycle hits by 15, its result keeps 15, and the week-4 close
    says which target it judged by; week 3's close, a weekly one, shows today's."""
    for week in (1, 2):
        report_week(bot, world.clock, week)
        world.run(close_of(week))
    with Session(engine) as s:
        [bar] = s.exec(select(CycleBar)).all()
    assert (bar.cycle, bar.starts_on.isoformat(), bar.kpi_baseline, bar.kpi_target) == (1, "2026-11-16", 42, 15)

    report_week(bot, world.clock, 3)
    retarget(store, world.clock, 10)
    world.run(close_of(3))
    assert "(target 10 min, baseline 42 min)" in week_closed(slack, 3)
    report_week(bot, world.clock, 4)
    world.run(close_of(4))

    with Session(engine) as s:
        [result] = s.exec(select(CycleResult)).all()
        assert len(s.exec(select(CycleBar)).all()) == 1  # recorded once, at the cycle's first close
    assert (result.hit, result.target, result.weeks_met) == (True, 15, 4)
    text = week_closed(slack, 4)
    assert "Cycle 1 *hit* the target (judged by the target it started with: 15 min): the KPI met 15 min" in text
    assert "KPI change over cycle 1" in text


def test_a_cycle_whose_target_did_not_move_says_nothing_of_it(bot, world, slack, engine):  # noqa: F811
    for week in (1, 2, 3, 4):
        report_week(bot, world.clock, week)
        world.run(close_of(week))
    text = week_closed(slack, 4)
    assert "Cycle 1 *hit* the target: the KPI met 15 min" in text and "started with" not in text


def test_a_playbook_closing_mid_cycle_without_a_bar_gets_its_row_with_the_values_it_has(
    bot,
    world,  # noqa: F811
    slack,
    store,
    engine,
):
    """A playbook migrated mid-cycle has no bar for its running cycle: its next close
    records the baseline and target it has then, and the cycle is judged by them."""
    for week in (1, 2):
        report_week(bot, world.clock, week)
        world.run(close_of(week))
    with Session(engine) as s:
        for row in s.exec(select(CycleBar)).all():
            s.delete(row)  # as an installation upgraded to 0045 in the middle of cycle 1
        s.commit()
    report_week(bot, world.clock, 3, kpi="12")
    retarget(store, world.clock, 13)
    world.run(close_of(3))
    with Session(engine) as s:
        [bar] = s.exec(select(CycleBar)).all()
    assert (bar.cycle, bar.kpi_target) == (1, 13)
    report_week(bot, world.clock, 4, kpi="12")
    world.run(close_of(4))
    with Session(engine) as s:
        [result] = s.exec(select(CycleResult)).all()
    assert (result.target, result.weeks_met, result.hit) == (13, 2, False)  # 14, 14, 12, 12 against 13
    assert "started with" not in week_closed(slack, 4)
