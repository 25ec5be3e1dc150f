"""A compared cycle's end, judged without a database (cadence/cycle_end.py with
cadence/compare.py): the delta against the rest decides the hit beside the scale rule,
the stall rule counts a cycle no better than the rest as missed, and an adopter's
replication verdict sets its mean delta against the origin's."""

from cadence import cycle_end
from cadence.cycle_rules import CycleResult
from templates.numbers import match_phrase
from tests.cadence.test_cycle_end import HIT, figures

ORIGIN = cycle_end.OriginProgress("support-replies", 1, 1.0, (2, -0.4), delta=-5.6)


def test_on_target_and_better_than_the_rest_hits():
    # deltas −7, −6, −8, −4: mean −6.25; sd 1.7078, se 0.8539, t(3) 3.1824: −8.97 to −3.53
    judged = cycle_end.judge(figures(rest=(25.0, 25.0, 25.0, 25.0), rest_baseline=27.0))
    assert judged.result.hit and judged.compared is not None and judged.compared.verdict == "better"
    assert judged.result_decision.summary == "cycle 3 hit the target: better than the rest"
    assert judged.result_decision.figures["compare"]["mean_delta"] == -6.25


def test_on_target_but_within_noise_misses_and_counts_for_the_stall():
    earlier = (CycleResult(2, 4, 25.0, 20.0, "down", False, 0),)
    judged = cycle_end.judge(figures(rest=(19.0, 18.0, 18.0, 20.0), earlier=earlier))
    assert not judged.result.hit and judged.result.weeks_met == 3  # the scale rule alone would hit
    assert judged.result_decision.summary == "cycle 3 missed the target: no better than the rest, within noise"
    assert judged.stall is not None and judged.stall["reason"] == "missed" and judged.stall["missed"] == [2, 3]


def test_without_compare_nothing_changes():
    judged = cycle_end.judge(figures())
    assert judged.result.hit and judged.compared is None
    assert (
        judged.result_decision.summary == "cycle 3 hit the target" and "compare" not in judged.result_decision.figures
    )


def test_an_adopters_replication_sets_its_mean_delta_against_the_origins():
    # deltas −7, −6, −3, −4 (a weaker week 3): mean −5
    judged = cycle_end.judge(figures(rest=(25.0, 25.0, 20.0, 25.0), origin=ORIGIN))
    assert judged.replication is not None
    figures_ = judged.replication.figures
    assert (figures_["rest_delta"], figures_["origin_rest_delta"]) == (-5.0, -5.6)
    assert match_phrase(figures_).endswith("; against the rest −5 against the origin's −5.6")
    plain = cycle_end.judge(figures(weekly=HIT, origin=ORIGIN)).replication
    assert plain is not None and "rest_delta" not in plain.figures
