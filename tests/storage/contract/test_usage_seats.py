"""The contract of a tool's seats kept with a pull (storage/usage.py `record`'s `seats`,
Licenses against results): the org's and each function's counts of a week, written in the
pull's unit of work beside the teams' weeks, recounted in place by a re-pull (a function no
longer counted dropped), unknown seats kept as unknown (never 0), and refused whole when
they are not the pull's."""

from __future__ import annotations

from datetime import timedelta

import pytest

from cadence.licenses import ORG, SeatWeek
from cadence.usage import TeamWeek
from tests.committed import committed
from tests.storage.contract.conftest import AT, WEEK

DAYS = tuple(WEEK + timedelta(days=n) for n in range(3))
NEXT = WEEK + timedelta(days=7)


def test_seats_kept_with_the_pull_and_recounted_in_place(side):
    usage = committed(side.store).usage
    first = [
        SeatWeek("copilot", WEEK, ORG, 120, 41),
        SeatWeek("copilot", WEEK, "Support", 12, 7),
        SeatWeek("copilot", WEEK, "Sales", 3, 1),
    ]
    usage.record(DAYS, [TeamWeek("C1", "copilot", WEEK, 5, 2, 3, 4)], "copilot", DAYS[-1], AT, first)
    assert side.store.usage.seat_weeks(WEEK) == [first[0], first[2], first[1]]  # by tool, week and function
    again = [SeatWeek("copilot", WEEK, ORG, 121, 50), SeatWeek("copilot", WEEK, "Support", 13, 9)]
    usage.record(DAYS, [], "copilot", DAYS[-1], AT, again)  # Sales no longer counted: dropped
    usage.record((NEXT,), [], "gemini", NEXT, AT, [SeatWeek("gemini", NEXT, ORG, None, None)])  # lists no seats
    assert side.store.usage.seat_weeks(WEEK) == [*again, SeatWeek("gemini", NEXT, ORG, None, None)]
    assert side.store.usage.seat_weeks(NEXT + timedelta(days=3)) == [SeatWeek("gemini", NEXT, ORG, None, None)]
    usage.record(DAYS, [], "copilot", DAYS[-1], AT)  # a pull without seats leaves the kept ones
    assert side.store.usage.seat_weeks(WEEK)[:2] == again


@pytest.mark.parametrize(
    "seats",
    [
        [SeatWeek("gemini", WEEK, ORG, 5, 1)],  # another source's
        [SeatWeek("copilot", NEXT, ORG, 5, 1)],  # a week the pull did not cover
        [SeatWeek("copilot", DAYS[1], ORG, 5, 1)],  # not a Monday
        [SeatWeek("copilot", WEEK, ORG, 5, 1), SeatWeek("copilot", WEEK, ORG, 5, 2)],  # twice
        [SeatWeek("copilot", WEEK, ORG, 5, 6)],  # more active than seats
        [SeatWeek("copilot", WEEK, ORG, 5, None)],  # half known
    ],
)
def test_seats_not_the_pull_s_are_refused_and_nothing_written(side, seats):
    usage = committed(side.store).usage
    with pytest.raises(ValueError):
        usage.record(DAYS, [TeamWeek("C1", "copilot", WEEK, 5, 2, 3, 4)], "copilot", DAYS[-1], AT, seats)
    assert side.store.usage.seat_weeks(WEEK) == [] and side.store.usage.weeks(["C1"], WEEK) == []
    assert side.store.usage.pulls() == {}
