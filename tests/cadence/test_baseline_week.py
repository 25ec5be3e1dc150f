"""The baseline week's rules (docs/judgement.md, "The baseline week"), pure: the calendar
places it before an adopter's first cycle as week 0 of cycle 0; a baseline it measured is
not declared; a learning in it is for cycle 1."""

from datetime import date, timedelta

from cadence import calendar, replication, schedule
from cadence.calendar import CycleAnchor, WeekRef

BASELINE = date(2027, 1, 11)  # a Monday
FIRST = BASELINE + timedelta(days=7)
ANCHOR = CycleAnchor(1, FIRST, baseline=BASELINE)


def test_the_baseline_week_is_week_0_of_cycle_0_before_the_first_cycle():
    assert calendar.week_containing(ANCHOR, BASELINE + timedelta(days=3)) == WeekRef(0, 0, BASELINE)
    assert calendar.week_containing(ANCHOR, FIRST) == WeekRef(1, 1, FIRST)
    assert calendar.week_containing(ANCHOR, BASELINE - timedelta(days=1)) is None
    moved = CycleAnchor(1, FIRST + timedelta(days=7), baseline=BASELINE)  # cycle 1 moved a week on since
    assert calendar.week_containing(moved, FIRST) is None  # the week between belongs to no cycle
    assert calendar.week_containing(CycleAnchor(1, FIRST), BASELINE) is None  # no baseline week: nothing before
    assert calendar.first_day(ANCHOR) == BASELINE
    assert calendar.most_recent_week(ANCHOR, BASELINE, 2) is None  # `week:2` names no week before cycle 1
    week = calendar.week_containing(ANCHOR, BASELINE)
    assert week is not None and week.baseline and week.words() == "the baseline week"
    assert WeekRef(1, 2, FIRST + timedelta(days=7)).words() == "week 2 of cycle 1"


def test_the_clock_closes_the_baseline_week_and_its_slots_follow_holidays_like_any_week():
    """Its close and its check-in are planned as any week's; a holiday on its Thursday
    moves its check-in to Friday, as in any week."""
    clock = schedule.PlaybookClock(1, "UTC", ANCHOR, holidays=frozenset({BASELINE + timedelta(days=3)}))
    at = calendar.week_closes_at(BASELINE, "UTC", 12) + timedelta(minutes=1)
    work = schedule.playbook_work(clock, {}, at)
    assert [d.week for d in work.closes] == [WeekRef(0, 0, BASELINE)]
    assert clock.slot_day("checkin", BASELINE) == BASELINE + timedelta(days=4)


def test_a_baseline_its_baseline_week_measured_is_not_declared():
    assert replication.declared(45, 42, compared=False)  # the team's word
    assert not replication.declared(45, 42, compared=False, measured=45)  # its baseline week's mean
    assert replication.declared(40, 42, compared=False, measured=45)  # moved off the measure since: a word again
    assert not replication.declared(42, 42, compared=False)  # nothing reported: the version's, as before


def test_a_learning_in_the_baseline_week_is_for_cycle_1():
    assert replication.learning_cycle(0, 0, None) == 1
    assert replication.learning_cycle(0, 0, 1) == 1
    assert replication.learning_cycle(0, 0, 2) is None
