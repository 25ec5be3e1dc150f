"""The pulse's statistics and its suppression (cadence/pulse.py), as pure functions."""

from __future__ import annotations

import pytest
from scipy import stats

from cadence.pulse import Answer, BadAnswer, difference, fell, holds, rollup, summarize


def _answers(trusts, around="never", safety=None, freed=None):
    return [Answer(trust=t, around=around, safety=safety, freed=freed) for t in trusts]


def test_fewer_answers_than_needed_show_only_the_count():
    pulse = summarize(3, _answers([5, 5, 4, 4]), 5)
    assert not pulse.shown and pulse.answers == 4 and pulse.trust is None and pulse.around is None
    figures = pulse.figures()
    assert figures["hidden"] == {"trust": 4, "around": 4} and figures["trust"] is None
    assert figures["worked_around"] is None and figures["freed"] == {} and not figures["shown"]


def test_each_figure_needs_the_floor_of_answers_to_its_own_question():
    """Issue 92: five answered only where the time went, one answered the rest: the count
    is 6, but trust, safety and worked-around rest on one answer and are not shown."""
    answers = [Answer(freed="new")] * 5 + [Answer(trust=1, around="often", safety=2)]
    pulse = summarize(1, answers, 5)
    assert pulse.answers == 6 and pulse.shown  # the freed time is shown
    assert pulse.trust is None and pulse.safety is None and pulse.around is None
    assert pulse.figures()["hidden"] == {"trust": 1, "safety": 1, "around": 1}
    assert pulse.figures()["freed"] == {"new": 1.0}
    assert holds(pulse, None) == {}  # 100% worked around, on one answer: holds nothing


def test_the_floor_is_five_whatever_the_setting():
    assert summarize(1, _answers([4, 4, 4, 4]), 2).needed == 5
    assert not summarize(1, _answers([4] * 6), 8).shown


def test_the_means_have_their_t_interval_and_the_work_around_share_its_wilson_interval():
    answers = [*_answers([4, 5, 3, 4, 2], around="never"), Answer(trust=4, around="often"), Answer(around="sometimes")]
    pulse = summarize(2, answers, 5)
    assert pulse.shown and pulse.answers == 7
    values = [4, 5, 3, 4, 2, 4]
    low, high = stats.t.interval(0.95, len(values) - 1, loc=stats.tmean(values), scale=stats.sem(values))
    assert pulse.trust is not None and pulse.trust.interval is not None
    assert pulse.trust.interval.low == pytest.approx(low) and pulse.trust.interval.high == pytest.approx(high)
    assert pulse.around is not None and (pulse.around.hits, pulse.around.n) == (2, 7)
    ci = stats.binomtest(2, 7).proportion_ci(method="wilson")
    assert pulse.around.interval.low == pytest.approx(ci.low)
    assert pulse.safety is None  # nobody answered it


def test_a_means_interval_is_clipped_to_the_scale():
    """Issue 96, item 4: trust 4.7 of 5 said "95% CI 4.1 to 5.2"; no answer lies past 5, so
    neither does the interval (nor under 1)."""
    high = summarize(1, _answers([5, 5, 5, 4, 5, 5, 4, 5, 4, 5]), 5).trust
    assert high is not None and high.interval is not None
    assert high.interval.high == 5 and 4 < high.interval.low < high.mean
    low = summarize(1, _answers([1, 1, 2, 1, 1, 1, 2]), 5).trust
    assert low is not None and low.interval is not None and low.interval.low == 1 and low.interval.high < 2


def test_the_freed_time_shares_count_those_who_answered_it():
    answers = [Answer(freed="new")] * 3 + [Answer(freed="quality")] * 2 + [Answer(trust=3)]
    assert summarize(1, answers).figures()["freed"] == {"new": 0.6, "quality": 0.4}
    assert summarize(1, answers[1:]).figures()["freed"] == {}  # four answered it: too few


def test_an_answer_outside_its_scale_is_refused_naming_its_question():
    for bad, question in ((dict(trust=6), "trust"), (dict(safety=0), "safety"), (dict(around="always"), "around")):
        with pytest.raises(BadAnswer) as raised:
            Answer(**bad)
        assert raised.value.question == question
    assert Answer().empty


def test_a_clear_fall_is_an_interval_wholly_below_zero():
    assert fell([4, 5, 4, 5, 4, 5], [2, 3, 2, 2, 3, 2]) is not None
    assert fell([4, 5, 3, 4, 2], [3, 5, 4, 2, 4]) is None  # within noise
    assert fell([2, 3, 2], [4, 5, 4]) is None  # a rise


def test_the_difference_from_aggregates_is_welchs_interval():
    before, after = [4, 5, 4, 5, 4, 5, 3], [2, 3, 2, 2, 3, 2, 4]
    ci = stats.ttest_ind(after, before, equal_var=False).confidence_interval(confidence_level=0.95)
    gap = difference(before, after)
    assert gap is not None and gap.low == pytest.approx(ci.low) and gap.high == pytest.approx(ci.high)


def _pulse(answers):
    return summarize(1, answers, 5)


def test_a_fall_or_a_high_work_around_share_holds_promotions():
    before = _pulse(_answers([4, 5, 4, 5, 4, 5]))
    assert set(holds(_pulse(_answers([2, 3, 2, 2, 3, 2])), before)) == {"trust"}
    assert holds(_pulse(_answers([4, 5, 4, 5, 4, 5])), before) == {}
    around = _answers([4] * 3, around="often") + _answers([4] * 4)  # 3 of 7: 43%
    assert holds(_pulse(around), None) == {"worked_around": pytest.approx(0.429)}
    assert holds(_pulse(_answers([1, 1, 1, 1])), before) == {}  # too few to show: holds nothing
    assert holds(_pulse(_answers([2, 3, 2, 2, 3, 2])), _pulse(_answers([5, 5, 5, 5]))) == {}  # previous hidden


def _group(n, trust):
    return summarize(1, [Answer(trust=trust)] * n, 5)


def test_a_rollup_pools_shown_figures_only():
    pooled = rollup([_group(6, 4), _group(7, 2)])
    assert pooled.trust is not None and pooled.trust.n == 13
    assert pooled.trust.mean == pytest.approx((6 * 4 + 7 * 2) / 13)
    values = [4] * 6 + [2] * 7
    assert pooled.trust.sd == pytest.approx(stats.tstd(values))
    # a hidden group enters no rollup, and one that leaves out fewer than the floor is withheld
    assert rollup([_group(6, 4), _group(3, 1)]).trust is None
    assert rollup([_group(6, 4), _group(3, 1)]).figures()["withheld"] == ["trust"]
    both = rollup([_group(6, 4), _group(3, 1), _group(4, 1)])  # the hidden ones together reach the floor
    assert both.trust is not None and both.trust.n == 6 and both.trust.mean == 4
    assert not rollup([_group(2, 1), _group(2, 1)]).shown  # too few in all
    assert rollup([_group(4, 4), _group(1, 1)]).trust is None  # issue 92: 4 + 1, both hidden


def test_the_digests_rollup_hides_a_function_that_would_give_a_hidden_playbook_away():
    from types import SimpleNamespace

    from cadence.digest import pulse_rollup

    def playbook(n, trust):
        return SimpleNamespace(week=SimpleNamespace(pulse=_group(n, trust)))

    assert pulse_rollup([playbook(6, 4), playbook(3, 1)]) is None  # the rollup minus the first is the second
    assert pulse_rollup([playbook(6, 4)]) is None  # one playbook: its own line says it
    pooled = pulse_rollup([playbook(6, 4), playbook(5, 2)])
    assert pooled is not None and pooled.answers == 11 and pooled.trust is not None
    assert round(pooled.trust.mean, 3) == round((6 * 4 + 5 * 2) / 11, 3)


def test_a_pulse_decision_keeps_shown_figures_and_names_the_hidden_ones():
    from datetime import date

    from cadence.trust_decisions import of_pulse

    answers = [Answer(freed="new")] * 5 + [Answer(trust=1, around="often", safety=2)]
    kept = of_pulse(1, date(2026, 12, 7), summarize(1, answers, 5).figures())
    assert kept.summary == (
        "Pulse of cycle 1: 6 answered; too few answers to show trust (1), safety (1), worked around (1)."
    )
    assert kept.figures["trust"] is None and kept.figures["worked_around"] is None
