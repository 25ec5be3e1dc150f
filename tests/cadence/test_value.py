"""The value measure (cadence/value.py, `value:` and `cost:` in cadence/definition.py):
refusals at load, the weekly estimate with its inputs, the cost per hour saved, heroics."""

from datetime import date

import pytest

from cadence import value
from cadence.definition import DefinitionError, parse_playbook
from tests.cadence.test_definition import _with, problems


def test_value_and_cost_load_and_keep_their_definition():
    spec = parse_playbook(_with(value={"event": "reply_accepted", "minutes_saved": 6}, cost={"per_month": 1200}))
    assert spec.value is not None and spec.value.minutes_saved == 6
    assert spec.cost is not None and spec.cost.per_month == 1200
    assert spec.canonical()["value"] == {"event": "reply_accepted", "minutes_saved": 6.0}
    assert "value" not in parse_playbook(_with()).canonical()  # without: the definition it always had


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({"value": {"event": "reply_accepted", "minutes_saved": 0}}, "value.minutes_saved: must be more than 0"),
        ({"value": {"event": "reply_accepted", "minutes_saved": -3}}, "value.minutes_saved: must be more than 0"),
        ({"value": {"event": "reply_accepted", "minutes_saved": 1441}}, "at most 1440 (a day's minutes), got 1441"),
        ({"value": {"event": "Reply Accepted", "minutes_saved": 6}}, "value.event"),
        ({"cost": {"per_month": -1}}, "cost.per_month: a cost cannot be negative, got -1"),
        ({"cost": {"per_month": 10, "currency": "EUR"}}, "cost.currency: not a key here; the keys here are per_month"),
    ],
)
def test_bad_value_and_cost_are_refused_at_load(given, expected):
    found = problems(_with(**given))
    assert any(expected in p for p in found), found


def test_a_source_counts_only_an_event_of_the_measure_s_own():
    raw = _with(
        sources={"wh": {"kind": "sql", "url_env": "WH"}},
        value={"event": "po_matched", "minutes_saved": 4, "from": {"source": "wh", "query": "select count(*) from x"}},
    )
    assert parse_playbook(raw).value is not None
    raw["value"]["from"]["source"] = "nowhere"
    assert any("value.from: unknown source 'nowhere'" in p for p in problems(raw))


def test_an_unknown_currency_is_refused_in_words():
    value.check_currency("EUR")
    with pytest.raises(ValueError, match="'EURO' is not an ISO 4217 currency code"):
        value.check_currency("EURO")
    with pytest.raises(ValueError, match="ISO 4217"):
        value.check_currency("usd")


def test_a_week_s_estimate_says_its_inputs_and_no_events_is_not_zero_hours():
    weeks = [date(2027, 1, 4), date(2027, 1, 11), date(2027, 1, 18)]
    found = value.week_values("reply_accepted", 6, weeks, {weeks[0]: 412, weeks[2]: 0})
    assert found[0].words() == "412 replies accepted × 6 min, the owner's estimate = 41 h"
    assert found[0].hours == pytest.approx(41.2)
    assert found[1].words() == "no `reply_accepted` events this week"
    assert found[1].hours is None
    assert found[2].words() == "0 replies accepted × 6 min, the owner's estimate = 0.0 h"  # counted: measured zero


def test_cost_per_hour_saved_over_the_last_four_closed_weeks():
    weeks = [date(2027, 1, 4 + 7 * i) for i in range(3)] + [date(2027, 2, 1), date(2027, 2, 8)]
    found = value.week_values("po_matched", 30, weeks, dict.fromkeys(weeks, 100))  # 50 h a week
    hours = value.last_weeks_hours(found)
    assert hours == 200  # the last 4 of the 5
    assert value.cost_per_hour(1300, hours) == pytest.approx(1300 * 12 / 52 * 4 / 200)
    assert value.cost_per_hour(None, hours) is None
    assert value.cost_per_hour(1300, None) is None


def test_event_words():
    assert value.event_words("reply_accepted", 2) == "replies accepted"
    assert value.event_words("reply_accepted", 1) == "reply accepted"
    assert value.event_words("po_matched", 3) == "pos matched"


def test_definition_error_type():
    with pytest.raises(DefinitionError):
        parse_playbook(_with(value={"event": "x", "minutes_saved": 0}))


def test_no_cost_per_hour_names_the_costed_playbooks_when_others_saved_hours():
    assert (
        value.no_cost_per_hour() == "no hours saved in the last 4 closed weeks, so cost per hour saved cannot be given"
    )
    assert value.no_cost_per_hour(costed=2).startswith("the playbooks that give a cost saved no hours in the last 4")
    assert value.no_cost_per_hour(1, costed=1).startswith(
        "the playbook that gives a cost saved no hours in the last closed week"
    )
