"""The KPI against the rest, as every surface says it (templates/compare_words.py)."""

from cadence.compare import compare_cycle
from templates.compare_words import compare_phrase, versus_rest


def test_the_mean_delta_its_interval_the_did_and_the_verdict():
    # run mean 19.5, from 42: −22.5; rest mean 25, from 27: −2; DiD −22.5 − (−2) = −20.5
    c = compare_cycle([20, 19, 21, 18], [25, 25, 25, 25], "down", baseline=42, rest_baseline=27)
    assert compare_phrase(c, "min") == (
        "−5.5 min against the rest, 95% CI −7.55 to −3.45 (difference-in-differences −20.5 min): better than the rest"
    )
    assert compare_phrase(c.figures(), "min") == compare_phrase(c, "min")  # as a decision keeps it


def test_within_noise_and_too_few():
    assert compare_phrase(compare_cycle([22, 17, 21, 18], [20, 20, 20, 20], "down"), "").endswith(
        ": no better than the rest, within noise"
    )
    assert compare_phrase(compare_cycle([20, None, None, None], [25, 25, 25, 25], "down"), "") == (
        "too few weeks to compare (1 week with both numbers; 2 are needed)"
    )


def test_a_week_against_the_rest():
    assert versus_rest(18.5, 24.1, "") == "18.5 vs the rest 24.1"
    assert versus_rest(18.5, None, "min") == "18.5 min vs the rest –"


def test_the_kpi_chart_draws_the_rest_as_a_second_line():
    from templates.web_charts import ORANGE, kpi_chart

    labels = [f"C1W{i}" for i in range(1, 5)]
    chart = kpi_chart("Reply time", labels, [20, 19, None, 18], 42, 15, "min", rest=[25, 24, 26, None])
    run, rest = chart.series
    assert (rest.name, rest.color, rest.legend) == ("the rest", ORANGE, "the rest (min)")
    assert [p.text for p in rest.points] == [
        "cycle 1, week 1: 25 min",
        "cycle 1, week 2: 24 min",
        "cycle 1, week 3: 26 min",
    ]
    assert len(run.points) == 3
    assert len(kpi_chart("Reply time", labels, [20, 19, None, 18], 42, 15, "min").series) == 1


def test_the_digest_line_says_the_week_against_the_rest():
    from templates import render
    from tests.templates.contexts import contexts

    rendered = str(render("digest_function", **contexts("plain words")["digest_function"]))
    assert "*14 plain words* vs the rest 24.1 plain words" in rendered
