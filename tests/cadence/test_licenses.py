"""Licenses against results, the pure part (cadence/licenses.py): a pull's seats counted per
week, the org's and each function's (counts only); a tool that lists no seats has them
unknown, never 0; the spec's words; the idle seats' cost a week (× 12 ÷ 52) and as a line
of net value's spend; `seat_per_month` in the usage file."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from cadence.licenses import (
    ORG,
    FunctionSeats,
    SeatWeek,
    ToolLicenses,
    idle_cost,
    idle_spend,
    seat_weeks,
    when,
    with_idle,
)
from cadence.usage import Seat, UsageRecord
from cadence.usage_sources import parse

WEEK = date(2026, 11, 16)
NEXT = WEEK + timedelta(days=7)
PEOPLE = {"octo-1": "U1", "octo-2": "U2", "octo-3": "U3"}  # mapped logins; octo-4 is no Slack person


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def user_of(login: str, email: str | None) -> str | None:
    return PEOPLE.get(login)


def test_seats_are_counted_per_week_for_the_org_and_each_function():
    seats = [Seat("copilot", login) for login in ("octo-1", "octo-2", "octo-3", "Octo-4")]
    records = [
        UsageRecord("copilot", "octo-1", WEEK),
        UsageRecord("copilot", "octo-1", WEEK + timedelta(days=1)),  # a second day: still one holder
        UsageRecord("copilot", "octo-4", WEEK + timedelta(days=2)),  # unmatched: set beside its seat by login
        UsageRecord("copilot", "octo-9", WEEK),  # used it without a seat: not a seat's holder
        UsageRecord("copilot", "octo-2", NEXT),
    ]
    functions = {"Support": frozenset({"U1", "U2"}), "Sales": frozenset({"U3", "U7"})}
    found = seat_weeks("copilot", records, seats, user_of, functions, [NEXT, WEEK, WEEK], monday)
    assert found == [
        SeatWeek("copilot", WEEK, ORG, 4, 2),
        SeatWeek("copilot", WEEK, "Sales", 1, 0),
        SeatWeek("copilot", WEEK, "Support", 2, 1),
        SeatWeek("copilot", NEXT, ORG, 4, 1),
        SeatWeek("copilot", NEXT, "Sales", 1, 0),
        SeatWeek("copilot", NEXT, "Support", 2, 1),
    ]


def test_a_tool_that_lists_no_seats_has_them_unknown_never_0():
    records = [UsageRecord("gemini", "a@x.test", WEEK, "a@x.test")]
    found = seat_weeks("gemini", records, None, user_of, {"Support": frozenset({"U1"})}, [WEEK], monday)
    assert found == [SeatWeek("gemini", WEEK, ORG, None, None)]
    tool = ToolLicenses("gemini", WEEK, None, None, 0, 0, seat_per_month=19)
    assert tool.idle is None and tool.idle_cost_week is None
    assert tool.words(WEEK, "USD") == "gemini: seats unknown; 0 playbooks on it"


def test_the_spec_s_words_with_the_idle_seats_cost_a_week():
    tool = ToolLicenses("copilot", WEEK, 120, 41, 3, 2, seat_per_month=19)
    assert tool.idle == 79
    assert tool.idle_cost_week == pytest.approx(79 * 19 * 12 / 52)
    said = tool.words(WEEK, "USD")
    assert (
        said
        == "copilot: 120 seats, 41 active this week; 3 playbooks on it, 2 moved their KPI; 79 idle seats, 346 USD a week"
    )
    assert ToolLicenses("copilot", WEEK, 120, 41, 1, 0).words(NEXT, "EUR") == (
        "copilot: 120 seats, 41 active last week; 1 playbook on it, 0 moved their KPI"  # no price: no cost said
    )
    assert when(WEEK, WEEK + timedelta(days=21)) == "in the week of 2026-11-16"


def test_a_function_under_the_floor_shows_no_count():
    assert FunctionSeats("Support", 12, 7, True).words == "Support: 12 seats, 7 active"
    assert FunctionSeats("Legal", 3, 0, False).words == "Legal: too few people to show"


def test_an_org_with_fewer_seats_than_the_floor_shows_no_count_of_active_nor_idle():
    """Of three seats, "0 active" is each holder's use (usecases/shared/licenses.py leaves
    the count out under the pulse's floor)."""
    tool = ToolLicenses("copilot", WEEK, 3, None, 0, 0, seat_per_month=19)
    assert tool.words(WEEK, "USD") == "copilot: 3 seats, active this week: too few people to show; 0 playbooks on it"
    assert tool.idle is None and tool.idle_cost_week is None


def test_idle_cost_over_weeks_is_the_monthly_price_times_12_over_52():
    assert idle_cost(10, 4, 26.0) == pytest.approx(6 * 6.0)
    assert idle_cost(10, 4, 26.0, weeks=4) == pytest.approx(6 * 6.0 * 4)
    assert idle_cost(10, 4, None) is None and idle_cost(None, None, 26.0) is None


def test_idle_spend_counts_the_last_whole_weeks_with_seats_known_of_priced_tools():
    this = WEEK + timedelta(days=35)
    rows = [SeatWeek("copilot", WEEK + timedelta(days=7 * n), ORG, 10, n) for n in range(6)]  # the last is this week's
    rows += [SeatWeek("copilot", WEEK, "Support", 9, 0), SeatWeek("gemini", WEEK, ORG, None, None)]
    cost, said = idle_spend(rows, {"copilot": 26.0, "gemini": 10.0}, this, 4) or (0.0, "")
    assert cost == pytest.approx((9 + 8 + 7 + 6) * 6.0)  # weeks 1 to 4: idle 9, 8, 7, 6; not this week's
    assert said == "copilot, 4 weeks"
    assert idle_spend(rows, {"gemini": 10.0}, this, 4) is None  # seats unknown: nothing taken off
    assert idle_spend(rows, {}, this, 4) is None


def test_net_value_takes_the_idle_seats_off_as_a_line_of_spend():
    assert with_idle(5000.0, "net value 5,000 USD", (1380.0, "copilot, 4 weeks"), "USD") == (
        3620.0,
        "net value 3,620 USD: the playbooks' 5,000 USD − idle seats 1,380 USD (copilot, 4 weeks)",
    )
    assert with_idle(None, None, (1380.0, "copilot, 4 weeks"), "USD") == (None, None)  # no net value to take it from
    assert with_idle(5000.0, "net value 5,000 USD", None, "USD") == (5000.0, "net value 5,000 USD")


def test_the_usage_file_takes_a_seat_s_price_a_month():
    env = {"T": "x"}
    text = "usage: {copilot: {kind: copilot, org: acme, token_env: T, seat_per_month: %s}}"
    specs, problems = parse(text % "19", env)
    assert problems == [] and specs["copilot"].seat_per_month == 19.0
    assert parse(text % "19.5", env)[0]["copilot"].seat_per_month == 19.5
    assert parse("usage: {gemini: {kind: csv, file: /x.csv}}", env)[0]["gemini"].seat_per_month is None
    for value in ("0", "-3"):
        assert parse(text % value, env) == ({}, [f"usage.copilot.seat_per_month: must be more than 0, got {value}"])
    assert parse(text % "true", env)[1] == ["usage.copilot.seat_per_month: must be a number, got true"]
    assert parse(text % "abc", env)[1] == ["usage.copilot.seat_per_month: must be a number, got 'abc'"]
