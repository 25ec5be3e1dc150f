"""Reviews that sample, as plain data (cadence/review.py, cadence/judgement.py): how many
a mode asks to review, a sample too small counting as no rubric, and the interval and
the pooled evidence over the reviewed cases."""

from cadence import review
from cadence.figures import StepWeek
from cadence.judgement import CONFIDENT_RUBRIC_MET, CONFIDENT_UNSURE, confident_rule, evidence, rubric_interval
from cadence.verdicts import WeekNumbers


def test_the_review_rate_asks_the_ceiling_of_its_share_and_not_human_led_steps():
    rates = review.rates({})
    assert rates == {"collaborative": 0.2, "ai-led": 0.1}
    assert review.asked("collaborative", 40, rates) == 8
    assert review.asked("collaborative", 21, rates) == 5  # 4.2 → 5
    assert review.asked("ai-led", 30, rates) == 3  # 0.1 × 30 is 3.0000000000000004 in floats: still 3
    assert review.asked("human-led", 40, rates) is None
    assert review.asked("collaborative", None, rates) is None
    assert review.rates({"review_rate": {"collaborative": 0.5}}) == {"collaborative": 0.5, "ai-led": 0.1}
    assert review.ask_words("draft", 20, 4) == "draft: review at least 4 of this week's 20 cases"


def step(rubric, reviewed, asked):
    return StepWeek("draft", "collaborative", False, 40, 0, 0, rubric, reviewed, asked)


def test_a_sample_below_what_was_asked_counts_as_no_rubric_and_a_bare_score_never_does():
    assert step(1.0, 6, 8).sample_too_small and step(1.0, 6, 8).counted_rubric is None
    assert not step(0.9, 8, 8).sample_too_small and step(0.9, 8, 8).counted_rubric == 0.9
    assert step(0.9, None, 8).counted_rubric == 0.9  # every case reviewed
    assert step(None, None, 8).counted_rubric is None


def test_the_interval_is_over_the_reviewed_cases():
    every, sampled = rubric_interval(0.9, 40), rubric_interval(0.9, 40, 20)
    assert (round(every.low, 2), round(every.high, 2)) == (0.77, 0.96)  # 36 of 40
    assert (round(sampled.low, 2), round(sampled.high, 2)) == (0.70, 0.97)  # 18 of 20


def test_confident_judgement_and_its_pooling_read_the_sample():
    # 200 cases, 2 exceptions; a 99% rubric of every case is sure of 90%, of 10 reviewed it is not
    assert confident_rule(200, 2, 0.99, False, 0.1, 0.9, 0.8) == CONFIDENT_RUBRIC_MET
    assert confident_rule(200, 2, 1.0, False, 0.1, 0.9, 0.8, None, 10) == CONFIDENT_UNSURE
    pooled = evidence([WeekNumbers(200, 2, 1.0, 10), WeekNumbers(200, 2, 0.95, None)])
    assert (pooled.rubric_cases, pooled.passed) == (210, 200)  # 10 of 10 reviewed, 190 of 200 cases
