"""The value measure (cadence/value.py, `value:` and `cost:` in cadence/definition.py):
refusals at load, the weekly estimate with its inputs, the cost per hour saved, heroics."""

from datetime import date

import pytest

from cadence import currencies, value
from cadence.definition_load import DefinitionError, parse_playbook
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
    currencies.check_currency("EUR")
    with pytest.raises(ValueError, match="'EURO' is not an ISO 4217 currency code"):
        currencies.check_currency("EURO")
    with pytest.raises(ValueError, match="ISO 4217"):
        currencies.check_currency("usd")


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
    assert hours == 200 and value.counted_weeks(found) == 4  # the last 4 of the 5
    assert value.cost_per_hour(1300, hours, 4) == pytest.approx(1300 * 12 / 52 * 4 / 200)
    assert value.cost_per_hour(None, hours, 4) is None
    assert value.cost_per_hour(1300, None, 4) is None


def test_cost_per_hour_saved_charges_only_the_weeks_counted():
    """Issue 91, item 9: two closed weeks of events (the weeks before the first had none)
    are charged two weeks of cost, not four; a week without events is no week of 0 h."""
    weeks = [date(2027, 1, 4 + 7 * i) for i in range(4)]
    found = value.week_values("po_matched", 30, weeks, {weeks[1]: 100, weeks[3]: 100})  # 50 h each
    assert value.last_weeks_hours(found) == 100 and value.counted_weeks(found) == 2
    assert value.cost_per_hour(1300, 100, value.counted_weeks(found)) == pytest.approx(1300 * 12 / 52 * 2 / 100)
    assert value.cost_per_hour_words(15.0, "USD", 2) == (
        "15.00 USD per hour saved (the cost of the 2 closed weeks whose events were counted)"
    )
    assert value.cost_per_hour_words(15.0, "USD", 4) == "15.00 USD per hour saved"
    # the org: each costed playbook's cost over its own counted weeks, ÷ their hours
    both = value.org_cost_per_hour([(1300, 100, 2), (520, 50, 4)])
    assert both == pytest.approx((1300 * 12 / 52 * 2 + 520 * 12 / 52 * 4) / 150)
    assert value.org_cost_per_hour([(1300, None, 0)]) is None and value.org_cost_per_hour([]) is None


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


# Net value (issue 83): oversight, measured, beside the hours saved.

WEEK = date(2027, 1, 4)


def _net(events, reviewed, closed, review_minutes=4, exception_minutes=15, typed=None):
    saved = value.WeekValue(WEEK, "reply_accepted", events, 6)
    oversight = value.Oversight((value.StepOversight(reviewed, typed, closed),), review_minutes, exception_minutes)
    return value.NetWeek(saved, oversight)


def test_product_s_worked_example_of_net_hours_with_its_formula():
    week = _net(412, 90, 8)
    assert week.oversight.hours == pytest.approx(8)  # (90 × 4 + 8 × 15) ÷ 60
    assert week.hours == pytest.approx(41.2 - 8)
    assert week.words() == (
        "412 replies accepted × 6 min = 41 h saved − 90 reviews × 4 min − 8 exceptions × 15 min = 8 h oversight → 33 h net"
    )
    assert week.oversight.words() == "90 reviews × 4 min + 8 exceptions × 15 min = 8 h oversight"


def test_negative_net_is_said_as_such_never_clamped():
    week = _net(20, 50, 0)  # 2 h saved, 50 × 4 = 200 min = 3.3 h of oversight
    assert week.hours == pytest.approx(2 - 200 / 60)
    assert week.words().endswith("→ −1.3 h net: oversight exceeds what it saves")
    assert value.signed_hours(-3) == "−3 h"


def test_a_week_without_reviews_says_oversight_not_reported_never_zero():
    saved = value.WeekValue(WEEK, "reply_accepted", 412, 6)
    week = value.NetWeek(saved, value.Oversight((), 4, 15))
    assert week.oversight.hours is None and week.hours is None
    assert week.words() == "412 replies accepted × 6 min = 41 h saved; oversight not reported, so no net hours"
    # exception items closed, but no review reported: still not known
    only_closed = value.Oversight((value.StepOversight(None, None, 3),), 4, 15)
    assert only_closed.hours is None and only_closed.words() == "oversight not reported"


def test_the_week_form_s_minutes_win_over_reviewed_cases_times_review_minutes():
    week = _net(412, 90, 8, typed=300)
    assert week.oversight.minutes == 300 + 8 * 15
    assert "300 min spent reviewing (the week form) − 8 exceptions × 15 min = 7 h oversight" in week.words()
    other = value.StepOversight(10, None, 0)  # another step without typed minutes: priced
    both = value.Oversight((value.StepOversight(90, 300, 8), other), 4, 15)
    assert both.minutes == 300 + 10 * 4 + 8 * 15


def test_unpriced_oversight_is_not_guessed():
    assert _net(412, 90, 0, review_minutes=None).hours is None
    # said in words, not by the playbook file's keys (issue 108, item 7)
    said = _net(412, 90, 0, review_minutes=None).words()
    assert "the minutes a review takes are not given for 90 reviews, so no net hours" in said
    assert "review_minutes" not in said
    said = _net(412, 90, 2, exception_minutes=None).words()
    assert "the minutes an exception takes are not given for 2 exception items closed" in said
    assert "exception_minutes" not in said
    assert _net(412, 90, 0, exception_minutes=None).oversight.hours == pytest.approx(6)  # none closed: nothing to price


def test_cost_per_net_hour_and_net_value():
    weeks = [_net(412, 90, 8), _net(None, 90, 8), _net(412, None, 0)]
    net, known = value.last_weeks_net(weeks)
    assert known == 1 and net == pytest.approx(33.2)
    assert value.cost_per_net_hour(1200, net, known) == pytest.approx(1200 * 12 / 52 / 33.2)
    assert value.cost_per_net_hour(1200, -3, 1) is None and value.cost_per_net_hour(None, net, 1) is None
    worth = value.net_value(net, known, 50, value.spend_given(1200), "USD")
    assert worth is not None and worth.amount == pytest.approx(33.2 * 50 - 1200 * 12 / 52)
    assert worth.words == "net value 1,383 USD (33 h × 50.00 USD an hour − 277 USD spend)"
    assert value.net_value(net, known, None, value.spend_given(1200), "USD") is None
    assert value.last_weeks_net([_net(412, None, 0)]) == (None, 0)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({"review_minutes": -1}, "value.review_minutes: must be from 0 to 1440 (a day's minutes), got -1"),
        ({"exception_minutes": 100000}, "value.exception_minutes: must be from 0 to 1440"),
        ({"review_minutes": "four"}, "value.review_minutes"),
    ],
)
def test_negative_or_absurd_oversight_minutes_are_refused_naming_the_key(given, expected):
    found = problems(_with(value={"event": "reply_accepted", "minutes_saved": 6, **given}))
    assert any(expected in p for p in found), found


def test_oversight_minutes_load_and_are_kept_only_when_given():
    spec = parse_playbook(_with(value={"event": "reply_accepted", "minutes_saved": 6, "review_minutes": 4}))
    assert spec.canonical()["value"] == {"event": "reply_accepted", "minutes_saved": 6.0, "review_minutes": 4.0}


def test_what_a_promotion_earned_is_said_per_cycle_before_and_after():
    assert (
        value.promotion_words("send", "ai-led", 2, [16], [7, 7])
        == "send ai-led since cycle 2: oversight 16 h → 7 h a cycle"
    )
    assert value.promotion_words("send", "ai-led", 2, [], [6.5]) == (
        "send ai-led since cycle 2: oversight not reported → 6.5 h a cycle"
    )


def test_an_unknown_spend_is_never_zero_and_no_spend_is_said():
    """Issue 91, item 2: a cost pulled from a source whose week failed leaves the net value
    unknown, saying why; no `cost:` at all is "no spend declared", never "− 0.00 USD spend";
    the org's sum leaves the unknown out and says it is partial."""
    week = date(2026, 11, 23)
    failed = value.spend_pulled("billing", [(week, None, "HTTP 500")])
    assert failed.declared and failed.per_month is None
    assert (
        failed.said
        == "cost from billing unknown for the week of 2026-11-23: source failed: HTTP 500, so no cost per hour"
    )
    unknown = value.net_value(106, 4, 50, failed, "USD")
    assert unknown == value.NetValue(
        None, True, "net value unknown: the spend from billing failed for the week of 2026-11-23"
    )
    never = value.spend_pulled("billing", [(week, None, None)])
    assert never.unknown == "the spend from billing was not fetched for the week of 2026-11-23"
    pulled = value.spend_pulled("billing", [(week, 1000.0, None), (week, 1400.0, None)])
    assert pulled.declared and pulled.per_month == 1200
    none = value.net_value(106, 4, 50, value.spend_given(None), "USD")
    assert none is not None and none.amount == 5300 and not none.declared
    assert none.words == "net value 5,300 USD (106 h × 50.00 USD an hour; no spend declared)"
    assert "0.00 USD spend" not in none.words
    given = value.net_value(106, 4, 50, value.spend_given(1200), "USD")
    assert given is not None and given.amount == pytest.approx(5300 - 1200 * 12 / 52 * 4)

    assert value.org_net_value([], "USD") == (None, None)
    amount, said = value.org_net_value([given, none, unknown], "USD")
    assert amount == pytest.approx(given.amount + 5300)  # the unknown left out, not added as 0
    assert said == ("net value 9,492 USD (2 of 3 playbooks: 1 left out, its spend not known; 1 with no spend declared)")
    assert value.org_net_value([unknown, unknown], "USD") == (
        None,
        "net value unknown: 2 playbooks' spend is not known",
    )
    assert value.org_net_value([given], "USD") == (given.amount, "net value 4,192 USD")


@pytest.mark.parametrize(
    ("saved", "oversight", "said"),
    [
        (173.2, 10.67, ("162 h", "173 h", "11 h")),  # the demo's: it said 163 h net of 173 h − 11 h
        (41.2, 8, ("33 h", "41 h", "8 h")),
        (12.3, 3.46, ("8.8 h", "12.3 h", "3.5 h")),  # a part under 10: one decimal for all three
        (2, 5.5, ("−3.5 h", "2 h", "5.5 h")),
    ],
)
def test_a_net_and_its_parts_are_said_from_one_rounding_and_add_up(saved, oversight, said):
    """Issue 96, item 4: the net said is the difference of the parts said."""
    net, saved_said, over_said = value.net_sum(saved, oversight)
    assert (net, saved_said, over_said) == said

    def hours(text: str) -> float:
        return float(text.removesuffix(" h").replace("−", "-").replace(",", ""))

    assert hours(net) == pytest.approx(hours(saved_said) - hours(over_said))
