from datetime import UTC, date, datetime

import pytest

from cadence.calendar import (
    CycleAnchor,
    local_date,
    monday_of,
    next_monday,
    week_closes_at,
    week_containing,
    week_of_cycle,
)

ANCHOR = CycleAnchor(number=1, starts_on=date(2026, 11, 16))  # a Monday


@pytest.mark.parametrize(
    ("day", "cycle", "week", "week_start"),
    [
        (date(2026, 11, 16), 1, 1, date(2026, 11, 16)),
        (date(2026, 11, 22), 1, 1, date(2026, 11, 16)),  # Sunday still week 1
        (date(2026, 11, 23), 1, 2, date(2026, 11, 23)),
        (date(2026, 12, 13), 1, 4, date(2026, 12, 7)),
        (date(2026, 12, 14), 2, 1, date(2026, 12, 14)),  # cycles follow one another
        (date(2027, 3, 1), 4, 4, date(2027, 3, 1)),
        (date(2027, 3, 8), 5, 1, date(2027, 3, 8)),
    ],
)
def test_week_containing(day, cycle, week, week_start):
    ref = week_containing(ANCHOR, day)
    assert (ref.cycle, ref.week, ref.week_start) == (cycle, week, week_start)
    assert ref.cycle_start.weekday() == 0


def test_no_week_before_the_first_cycle():
    assert week_containing(ANCHOR, date(2026, 11, 15)) is None


def test_week_of_cycle_names_weeks_of_the_current_cycle():
    current = week_containing(ANCHOR, date(2026, 12, 16))  # cycle 2, week 1
    assert week_of_cycle(current, 3).week_start == date(2026, 12, 28)
    assert week_of_cycle(week_containing(ANCHOR, date(2026, 12, 9)), 1).week_start == date(2026, 11, 16)
    with pytest.raises(ValueError):
        week_of_cycle(current, 5)


def test_mondays():
    assert monday_of(date(2026, 11, 22)) == date(2026, 11, 16)
    assert next_monday(date(2026, 11, 16)) == date(2026, 11, 16)
    assert next_monday(date(2026, 11, 17)) == date(2026, 11, 23)


def test_local_date_uses_the_playbook_zone():
    at = datetime(2026, 11, 22, 23, 30, tzinfo=UTC)  # Sunday night UTC
    assert local_date(at, "Europe/Berlin") == date(2026, 11, 23)  # already Monday in Berlin
    assert local_date(at, "America/New_York") == date(2026, 11, 22)
    with pytest.raises(ValueError):
        local_date(datetime(2026, 11, 22), "UTC")


@pytest.mark.parametrize(
    ("week_start", "tz", "closes"),
    [
        # Berlin in winter (UTC+1): Sunday 24:00 local = 23:00 UTC, + 12 h
        (date(2026, 11, 16), "Europe/Berlin", datetime(2026, 11, 23, 11, 0, tzinfo=UTC)),
        # The week in which Berlin springs forward (29 March 2026): Monday 00:00 is UTC+2
        (date(2026, 3, 23), "Europe/Berlin", datetime(2026, 3, 30, 10, 0, tzinfo=UTC)),
        # New York falls back on 1 November 2026: Monday 00:00 is UTC-5
        (date(2026, 10, 26), "America/New_York", datetime(2026, 11, 2, 17, 0, tzinfo=UTC)),
        # A 30-minute offset zone (UTC+5:30)
        (date(2026, 11, 16), "Asia/Kolkata", datetime(2026, 11, 23, 6, 30, tzinfo=UTC)),
    ],
)
def test_week_close_is_end_of_sunday_plus_grace(week_start, tz, closes):
    assert week_closes_at(week_start, tz, grace_hours=12) == closes


def test_week_n_is_the_most_recent_week_n_that_has_begun():
    from cadence.calendar import CycleAnchor, most_recent_week

    anchor = CycleAnchor(1, date(2026, 11, 2))  # cycle 1: Nov 2-29, cycle 2 from Nov 30
    monday_after = date(2026, 11, 30)  # week 1 of cycle 2
    assert most_recent_week(anchor, monday_after, 4).cycle == 1  # the cycle that just ended
    assert most_recent_week(anchor, monday_after, 4).week_start == date(2026, 11, 23)
    assert most_recent_week(anchor, monday_after, 1).cycle == 2
    assert most_recent_week(anchor, date(2026, 11, 10), 3) is None  # in the future, no cycle before


def test_a_week_closes_after_its_grace_in_its_own_zone():
    from datetime import datetime

    from cadence.calendar import CycleAnchor, closing_words, is_closed, open_weeks

    anchor = CycleAnchor(1, date(2026, 11, 2))
    # Monday Nov 9 11:59 in Kolkata (+5:30): week 1 is still open; at 12:00 it closes.
    before = datetime(2026, 11, 9, 6, 29, tzinfo=UTC)
    after = datetime(2026, 11, 9, 6, 30, tzinfo=UTC)
    assert not is_closed(date(2026, 11, 2), "Asia/Kolkata", 12, before)
    assert is_closed(date(2026, 11, 2), "Asia/Kolkata", 12, after)
    assert [w.week for w in open_weeks(anchor, "Asia/Kolkata", 12, before)] == [2, 1]
    assert [w.week for w in open_weeks(anchor, "Asia/Kolkata", 12, after)] == [2]
    assert closing_words(date(2026, 11, 2), "Asia/Kolkata", 12) == "Mon 09 Nov 12:00 Asia/Kolkata"
