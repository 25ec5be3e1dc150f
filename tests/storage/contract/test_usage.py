"""The contract of what the usage job and the mapping file write (storage/usage.py): each
team's week of a tool, counts only, recounted in place by a re-pull; a source's pulls and
its failing, told once; the mapping file's logins, replaced a tool at a time."""

from __future__ import annotations

from datetime import timedelta

import pytest

from cadence.usage import TeamWeek
from tests.committed import committed
from tests.storage.contract.conftest import AT, WEEK

DAYS = tuple(WEEK + timedelta(days=n) for n in range(3))  # Monday to Wednesday
NEXT = WEEK + timedelta(days=7)


def test_usage_counted_and_a_re_pull_recounts_its_week(side):
    usage = committed(side.store).usage
    first = [TeamWeek("C1", "copilot", WEEK, 5, 2, 3, 4), TeamWeek("C2", "copilot", WEEK, 3, 0, 0, 1)]
    usage.record(DAYS, first, "copilot", DAYS[-1], AT)
    later = TeamWeek("C1", "copilot", WEEK, 6, 4, 9, 5)
    usage.record((*DAYS, WEEK + timedelta(days=3)), [later], "copilot", WEEK + timedelta(days=3), AT)
    assert side.store.usage.weeks(["C1", "C2", "C9"], WEEK) == [later, first[1]]  # C1's week in place of its first
    usage.record((NEXT,), [TeamWeek("C1", "copilot", NEXT, 6, 1, 1, 5)], "copilot", NEXT, AT + timedelta(days=7))
    assert [w.week for w in side.store.usage.weeks(["C1"], NEXT + timedelta(days=2))] == [NEXT]  # from its week on
    assert side.store.usage.weeks([], WEEK) == []
    usage.record(DAYS, [], "copilot", DAYS[0], AT)  # a re-pull of older days: the last day stays
    pull = side.store.usage.pulls()["copilot"]
    assert (pull.last_day, pull.last_error, pull.failing_since, pull.told) == (NEXT, None, None, False)


def test_usage_counts_of_a_week_not_pulled_are_refused(side):
    usage = committed(side.store).usage
    with pytest.raises(ValueError):  # a week this pull did not cover
        usage.record(DAYS, [TeamWeek("C1", "copilot", NEXT, 5, 2, 3, 4)], "copilot", DAYS[-1], AT)
    with pytest.raises(ValueError):  # not a Monday
        usage.record(DAYS, [TeamWeek("C1", "copilot", DAYS[1], 5, 2, 3, 4)], "copilot", DAYS[-1], AT)
    twice = [TeamWeek("C1", "copilot", WEEK, 5, 2, 3, 4), TeamWeek("C1", "copilot", WEEK, 5, 1, 1, 4)]
    with pytest.raises(ValueError):
        usage.record(DAYS, twice, "copilot", DAYS[-1], AT)
    assert side.store.usage.weeks(["C1"], WEEK) == [] and side.store.usage.pulls() == {}


def test_a_failing_usage_source_is_told_once(side):
    usage = committed(side.store).usage
    assert usage.failed("copilot", "401 Unauthorized", AT)  # the first failure: tell
    assert usage.failed("copilot", "401 Unauthorized", AT + timedelta(days=1))  # not told yet: tell
    assert usage.told("copilot") and not usage.told("copilot")  # told once
    assert not usage.failed("copilot", "500", AT + timedelta(days=2))
    pull = side.store.usage.pulls()["copilot"]
    assert (pull.last_day, pull.last_error, pull.failing_since, pull.told) == (None, "500", AT, True)
    usage.record(DAYS, [], "copilot", DAYS[-1], AT + timedelta(days=3))  # a success clears it
    assert not usage.told("copilot")  # not failing: nothing to tell
    assert usage.failed("copilot", "timed out", AT + timedelta(days=4))  # failing anew: tell again
    pull = side.store.usage.pulls()["copilot"]
    assert (pull.last_day, pull.failing_since, pull.told) == (DAYS[-1], AT + timedelta(days=4), False)


def test_usage_logins_mapped_a_tool_at_a_time(side):
    usage = committed(side.store).usage
    usage.map_logins([("copilot", "octo", "U1"), ("copilot", "cat", "U2"), ("claude-code", "octo@x.test", "U1")])
    assert side.store.usage.logins("copilot") == {"octo": "U1", "cat": "U2"}
    usage.map_logins([("copilot", "octo", "U3"), ("copilot", "octo", "U3")])  # the file again: its tools' rows replaced
    assert side.store.usage.logins("copilot") == {"octo": "U3"}
    assert side.store.usage.logins("claude-code") == {"octo@x.test": "U1"}  # another tool's kept
    with pytest.raises(ValueError):  # one login, two people
        usage.map_logins([("copilot", "cat", "U1"), ("copilot", "cat", "U2")])
    assert side.store.usage.logins("copilot") == {"octo": "U3"} and side.store.usage.logins("none") == {}


def test_a_source_s_lost_days_are_kept_once_and_only_days_it_pulled(side):
    usage = committed(side.store).usage
    usage.record(DAYS, [], "m365-copilot", DAYS[-1], AT, lost=DAYS[:2])
    usage.record(DAYS, [], "m365-copilot", DAYS[-1], AT, lost=DAYS[1:2])  # named again: kept once
    usage.record(DAYS, [], "copilot", DAYS[-1], AT)  # a source that never loses a day
    pulls = side.store.usage.pulls()
    assert pulls["m365-copilot"].lost == frozenset(DAYS[:2]) and pulls["copilot"].lost == frozenset()
    with pytest.raises(ValueError):  # a day the pull did not cover
        usage.record(DAYS, [], "m365-copilot", DAYS[-1], AT, lost=(NEXT,))
    assert usage.failed("m365-copilot", "500", AT)  # a failure keeps them
    assert side.store.usage.pulls()["m365-copilot"].lost == frozenset(DAYS[:2])
