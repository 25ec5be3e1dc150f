"""Issue 69, item 3: scale means the origin's numbers. An adopting cycle is `replicated`
only when it hits its own target and its relative KPI change is at least `replicate_share`
of the origin's in the cycle its version was published from; a target that asks less is
told at adopt and request time. Worked by hand (KPI direction down, lower is better)."""

from datetime import date

import pytest
from pydantic import ValidationError

from cadence import replication as r
from cadence.definition_rules import RuleSettings
from cadence.verdicts import Thresholds, WeekNumbers, WeekVerdict
from templates.numbers import ask_phrase, match_phrase

# The origin: baseline 50, its last completed cycle at publishing averaged 18: (18 - 50) / 50 = -64%.
ORIGIN_RESULTS = [
    {"cycle": 1, "mean": 30.0, "interrupted": False},
    {"cycle": 2, "mean": 18.0, "interrupted": False},
    {"cycle": 3, "mean": 10.0, "interrupted": True},  # paused before its fourth week: not completed
]


def test_the_origin_change_is_its_last_completed_cycle_at_publishing():
    assert r.origin_change(ORIGIN_RESULTS, 50) == (2, pytest.approx(-0.64))
    assert r.origin_change([{"cycle": 1, "mean": None, "interrupted": False}], 50) is None
    assert r.origin_change([], 50) is None
    assert r.origin_change(ORIGIN_RESULTS, 0) is None  # no share of a zero baseline


def test_an_adopter_at_58_percent_against_64_reaches_91_percent_and_matches():
    # baseline 40; weekly 17, 17, 16.8, 16.4: mean 16.8, (16.8 - 40) / 40 = -58%; 0.58 / 0.64 = 90.6%
    match = r.cycle_match([17, 17, 16.8, 16.4], 40, "down", -0.64, 0.8)
    assert match.own == pytest.approx(-0.58) and match.share == pytest.approx(0.90625) and match.met
    assert match_phrase(match.figures()) == "−58% against the origin's −64%: 91% (needs 80%)"
    assert r.replication_verdict(True, 1.2, 1.0, match.met) == r.REPLICATED


def test_hitting_its_own_target_without_80_percent_of_the_origin_is_not_replicated():
    # baseline 40, weekly mean 26: -35%; 0.35 / 0.64 = 54.7% < 80%
    match = r.cycle_match([26, 26, 25, 27], 40, "down", -0.64, 0.8)
    assert match.share == pytest.approx(0.546875) and not match.met
    assert r.replication_verdict(True, 1.1, 1.0, match.met) == r.ON_TRACK  # hit, at least half the origin's progress
    assert r.replication_verdict(True, 0.4, 1.0, match.met) == r.NOT_YET
    assert match_phrase(match.figures()) == "−35% against the origin's −64%: 55% (needs 80%)"


def test_direction_up_counts_a_rise_as_improvement():
    match = r.cycle_match([55, None, 57], 50, "up", 0.15, 0.8)  # mean 56: +12%, 0.12 / 0.15 = 80%
    assert match.own == pytest.approx(0.12) and match.share == pytest.approx(0.8) and match.met


def test_without_the_origin_numbers_there_is_nothing_to_match():
    match = r.cycle_match([26, 26, 25, 27], 40, "down", None, 0.8)
    assert match.met and match.share is None
    assert "no completed cycle" in match_phrase(match.figures())
    assert r.cycle_match([None] * 4, 40, "down", -0.64, 0.8).own is None


def test_a_target_that_asks_less_than_the_share_is_told():
    # baseline 50, target 30: (30 - 50) / 50 = -40%, less than 0.8 x 64% = 51.2%
    ask = r.target_ask(50, 30, "down", -0.64, 0.8)
    assert ask is not None and ask.own == pytest.approx(-0.40)
    assert ask_phrase(ask.figures()).startswith(
        "your target asks −40% where the origin reached −64%: you may hit it and still not replicate"
    )
    assert r.target_ask(50, 17, "down", -0.64, 0.8) is None  # asks -66%: more than the origin reached
    assert r.target_ask(50, 24, "down", -0.64, 0.8) is None  # asks -52%: just past the 51.2% share
    assert r.target_ask(50, 30, "down", None, 0.8) is None  # nothing to compare with


def test_replicate_share_is_a_rule_setting_in_0_to_1():
    assert RuleSettings().replicate_share == 0.8
    assert RuleSettings(replicate_share=1).replicate_share == 1
    for wrong in (0, 1.2, -0.5, float("nan")):
        with pytest.raises(ValidationError):
            RuleSettings(replicate_share=wrong)


# Issue 81, "Replication on real numbers": only against an origin change that exists and
# improved; never with a step over the cap in the cycle; never on a declared baseline.


def test_a_hit_without_an_origin_change_is_on_track_with_nothing_to_replicate_against():
    match = r.cycle_match([26, 26, 25, 27], 40, "down", None, 0.8)
    held = r.held_back(match, [], False)
    assert held == "nothing to replicate against (the origin's change is unknown)"
    assert r.replication_verdict(True, 1.1, 1.0, match.met, held) == r.ON_TRACK
    assert match_phrase({**match.figures(), "why": held}) == (
        "−35%; nothing to replicate against (the origin's change is unknown)"
    )


def test_a_hit_against_an_origin_that_got_worse_is_on_track_with_nothing_to_replicate_against():
    match = r.cycle_match([26, 26, 25, 27], 40, "down", 0.05, 0.8)  # the origin's KPI rose: no improvement
    held = r.held_back(match, [], False)
    assert held == "nothing to replicate against (the origin's change was not an improvement)"
    assert r.replication_verdict(True, 1.1, 1.0, match.met, held) == r.ON_TRACK
    assert r.held_back(r.cycle_match([26], 40, "down", 0.0, 0.8), [], False) == held  # no change is none either


def test_a_cycle_with_a_step_over_the_cap_or_a_declared_baseline_is_not_replicated():
    match = r.cycle_match([17, 17, 16.8, 16.4], 40, "down", -0.64, 0.8)  # 91% of the origin's change
    assert r.held_back(match, [], False) is None
    assert r.replication_verdict(True, 1.2, 1.0, match.met, None) == r.REPLICATED
    over = r.held_back(match, ["send"], False)
    assert over == "exceptions over the cap: fix the rubric before scaling"
    assert r.replication_verdict(True, 1.2, 1.0, match.met, over) == r.ON_TRACK
    declared = r.held_back(match, [], True)
    assert declared == "baseline declared, not measured"
    assert r.replication_verdict(True, 1.2, 1.0, match.met, declared) == r.ON_TRACK
    assert r.replication_verdict(False, 0.1, 1.0, match.met, declared) == r.NOT_YET  # a miss is judged as before


WEEK_1, WEEK_2 = date(2026, 3, 2), date(2026, 3, 9)


def _week(cases, exceptions, start=WEEK_1):
    numbers = WeekNumbers(cases, exceptions, None)
    outcome = "MISSING" if cases is None else "FAIL" if exceptions / cases > 0.1 else "PASS"
    return WeekVerdict(start, outcome, numbers)


def test_the_steps_over_the_cap_in_a_cycle():
    th = Thresholds.of(RuleSettings(), 0.1, 0.9)  # cap 10%, critical 2 x the cap, min_cases 10
    cycle = {
        "draft": ([_week(40, 2), _week(40, 3, WEEK_2)], set()),  # within the cap
        "send": ([_week(40, 2), _week(40, 9, WEEK_2)], set()),  # 22.5%: over twice the cap
        "triage": ([_week(100, 18)], set()),  # 18%: 95% CI 11.7-26.7%, clearly over it
        "tag": ([_week(100, 13)], set()),  # 13%: a FAIL within noise of the cap
        "route": ([_week(40, 5), _week(40, 6, WEEK_2)], {WEEK_2}),  # two FAILs demoted it
        "check": ([_week(None, 0), _week(None, 0, WEEK_2)], {WEEK_2}),  # demoted unobserved: not for exceptions
    }
    assert r.over_cap_steps(cycle, th) == ["send", "triage", "route"]


def test_a_baseline_of_its_own_is_declared_unless_the_rest_measures_it():
    assert r.declared(40, 42, compared=False)  # the team's own word
    assert not r.declared(42, 42, compared=False)  # the version's
    assert not r.declared(40, 42, compared=True)  # with `compare: rest` the rest measures it
    assert not r.declared(40, None, compared=False)  # a version without a baseline has nothing to differ from
