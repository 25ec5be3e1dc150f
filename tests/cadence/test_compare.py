"""The KPI against the rest, by hand (docs/playbooks.md, "Compared with the rest").

Hand-computed: deltas −5, −6, −4, −7 have mean −5.5, sample standard deviation
sqrt(((0.5)² + (0.5)² + (1.5)² + (1.5)²) / 3) = sqrt(5/3) = 1.29099, standard error
1.29099 / 2 = 0.645497, t(0.975, 3 df) = 3.182446: half-width 2.054259, so the 95%
interval is −7.554259 to −3.445741."""

import pytest

from cadence.compare import BETTER, TOO_FEW, WITHIN_NOISE, WORSE, compare_cycle, week_delta


def test_a_weeks_delta_is_run_minus_rest_and_needs_both():
    assert week_delta(18.5, 24.1) == pytest.approx(-5.6)
    assert week_delta(18.5, None) is None and week_delta(None, 24.1) is None


def test_the_mean_delta_and_its_t_interval_by_hand():
    c = compare_cycle([20, 19, 21, 18], [25, 25, 25, 25], "down")
    assert c.deltas == (-5, -6, -4, -7)
    assert c.change.change == pytest.approx(-5.5)
    assert c.change.values == 4
    assert c.change.interval.low == pytest.approx(-7.554259, abs=1e-5)
    assert c.change.interval.high == pytest.approx(-3.445741, abs=1e-5)
    assert c.verdict == BETTER and c.better
    assert c.did is None  # no baselines given


def test_the_good_side_follows_the_direction():
    assert compare_cycle([20, 19, 21, 18], [25, 25, 25, 25], "up").verdict == WORSE
    assert compare_cycle([30, 31, 29, 32], [25, 25, 25, 25], "up").verdict == BETTER


def test_an_interval_across_zero_is_within_noise():
    # deltas 2, −3, 1, −2: mean −0.5; the interval spans zero whatever the direction
    c = compare_cycle([22, 17, 21, 18], [20, 20, 20, 20], "down")
    assert c.change.change == pytest.approx(-0.5)
    assert c.verdict == WITHIN_NOISE and not c.better


def test_one_armed_weeks_have_no_delta_and_fewer_than_two_are_too_few():
    c = compare_cycle([20, None, 21, 18], [25, 24, None, None], "down")
    assert c.deltas == (-5, None, None, None)
    assert c.change.values == 1 and c.verdict == TOO_FEW and not c.better
    assert compare_cycle([None] * 4, [None] * 4, "down").verdict == TOO_FEW


def test_two_deltas_have_an_interval_on_one_degree_of_freedom():
    # deltas −5, −6: mean −5.5, sd 0.707107, se 0.5, t(0.975, 1 df) 12.706205: ±6.353102
    c = compare_cycle([20, 19], [25, 25], "down")
    assert c.change.interval.low == pytest.approx(-11.853102, abs=1e-5)
    assert c.change.interval.high == pytest.approx(0.853102, abs=1e-5)
    assert c.verdict == WITHIN_NOISE


def test_the_difference_in_differences_over_the_weeks_with_a_delta():
    # paired weeks 1, 2, 4: run mean (20 + 19 + 18) / 3 = 19, its change from 42: −23;
    # rest mean (25 + 24 + 26) / 3 = 25, its change from 27: −2; DiD −23 − (−2) = −21
    c = compare_cycle([20, 19, 30, 18], [25, 24, None, 26], "down", baseline=42, rest_baseline=27)
    assert c.did == pytest.approx(-21)
    figures = c.figures()
    assert figures["did"] == pytest.approx(-21) and figures["delta_weeks"] == 3
    assert figures["deltas"] == [-5, -5, None, -8]
