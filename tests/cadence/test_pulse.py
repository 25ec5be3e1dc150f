"""The pulse's statistics and its suppression (cadence/pulse.py), as pure functions."""

from __future__ import annotations

import pytest
from scipy import stats

from cadence.pulse import Answer, BadAnswer, fell, holds, rollup_shown, summarize


def _answers(trusts, around="never", safety=None, freed=None):
    return [Answer(trust=t, around=around, safety=safety, freed=freed) for t in trusts]


def test_fewer_answers_than_needed_show_only_the_count():
    pulse = summarize(3, _answers([5, 5, 4, 4]), 5)
    assert not pulse.shown and pulse.answers == 4 and pulse.trust is None and pulse.around is None
    assert pulse.figures() == {"cycle": 3, "answers": 4, "needed": 5, "shown": False}


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
    answers = [Answer(freed="new")] * 3 + [Answer(freed="quality")] + [Answer(trust=3)]
    assert summarize(1, answers).figures()["freed"] == {"new": 0.75, "quality": 0.25}


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


def test_a_fall_or_a_high_work_around_share_holds_promotions():
    before = _answers([4, 5, 4, 5, 4, 5])
    assert set(holds(_answers([2, 3, 2, 2, 3, 2]), before)) == {"trust"}
    assert holds(_answers([4, 5, 4, 5, 4, 5]), before) == {}
    around = _answers([4] * 3, around="often") + _answers([4] * 4)  # 3 of 7: 43%
    assert holds(around, None) == {"worked_around": pytest.approx(0.429)}
    assert holds(_answers([1, 1, 1, 1]), before) == {}  # too few to show: holds nothing
    assert holds(_answers([2, 3, 2, 2, 3, 2]), _answers([5, 5, 5, 5])) == {}  # the previous cycle was hidden


def test_a_rollup_that_would_show_all_groups_but_one_is_hidden():
    assert rollup_shown([(6, True), (7, True)])
    assert not rollup_shown([(6, True), (3, False)])  # the rollup minus the shown group is the hidden one
    assert rollup_shown([(6, True), (3, False), (4, False)])  # two hidden groups together reach the floor
    assert not rollup_shown([(2, False), (2, False)])  # too few in all
    assert rollup_shown([(6, True), (0, False)])


def test_the_digests_rollup_hides_a_function_that_would_give_a_hidden_playbook_away():
    from types import SimpleNamespace

    from cadence.digest import pulse_rollup

    def playbook(n, trust):
        answers = tuple(Answer(trust=trust) for _ in range(n))
        return SimpleNamespace(week=SimpleNamespace(pulse=summarize(1, answers), pulse_answers=answers))

    assert pulse_rollup([playbook(6, 4), playbook(3, 1)]) is None  # the rollup minus the first is the second
    assert pulse_rollup([playbook(6, 4)]) is None  # one playbook: its own line says it
    pooled = pulse_rollup([playbook(6, 4), playbook(5, 2)])
    assert pooled is not None and pooled.answers == 11 and pooled.trust is not None
    assert round(pooled.trust.mean, 3) == round((6 * 4 + 5 * 2) / 11, 3)
