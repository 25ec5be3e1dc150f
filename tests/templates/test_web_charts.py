"""The web view's charts (templates/web_charts.py): where each week's value lands in the
plot, what a gap does, the axis's numbers, and the chart as the page's HTML, escaped."""

import math
import re

import pytest

from templates.pages import _env
from templates.web_charts import (
    HEIGHT,
    MARKED_POINTS,
    WIDTH,
    X_LABELS,
    LineChart,
    Point,
    decimals_of,
    guardrail_chart,
    kpi_chart,
    org_trend_charts,
    progress_chart,
    round_ticks,
)

LABELS = [f"C1W{i}" for i in range(1, 5)]


def dots(chart: LineChart, series: int = 0) -> list[Point]:
    return [p for p in chart.series[series].points if p.marked]


def points(path: str) -> list[list[tuple[float, float]]]:
    """The runs of an SVG path: [(x, y), ...] per M."""
    return [[(float(x), float(y)) for x, y in re.findall(r"(-?[\d.]+) (-?[\d.]+)", run)] for run in path.split("M")[1:]]


def test_a_value_lands_where_the_axis_says_and_the_axis_takes_in_baseline_and_target():
    chart = kpi_chart("Reply time", LABELS, [40.0, 30.0, 20.0, 14.5], baseline=42, target=15, unit="min")
    assert [t.text for t in chart.y_ticks] == ["10", "20", "30", "40", "50"]  # round numbers, whole
    ((first, *_, last),) = points(chart.series[0].path)
    assert first == (0, HEIGHT * (50 - 40) / 40) and last == (WIDTH, round(HEIGHT * (50 - 14.5) / 40, 1))
    baseline, target = chart.references
    assert (baseline.name, baseline.y, target.name, target.y) == ("baseline 42 min", 60.0, "target 15 min", 262.5)
    tick_20 = next(t for t in chart.y_ticks if t.text == "20")
    assert tick_20.at == 75.0  # percent of the plot's height from its top: where 20 is drawn
    assert [p.text for p in dots(chart)] == [
        "cycle 1, week 1: 40 min",
        "cycle 1, week 2: 30 min",
        "cycle 1, week 3: 20 min",
        "cycle 1, week 4: 14.5 min",
    ]


def test_a_week_without_a_value_is_a_gap_and_a_lone_value_a_dot():
    values = [4.8, None, 4.7, None] + [4.9] * MARKED_POINTS
    labels = [f"W{i}" for i in range(len(values))]
    chart = guardrail_chart("CSAT", labels, values, minimum=4.6, maximum=None, unit="points")
    runs = points(chart.series[0].path)
    assert [len(run) for run in runs] == [1, 1, MARKED_POINTS]
    # A long series is a line without dots, but a value alone between gaps would not show without one.
    assert [p.text for p in dots(chart)] == ["W0: 4.8 points", "W2: 4.7 points"]
    # Every point keeps its hover text, dot or not.
    assert len(chart.series[0].points) == 2 + MARKED_POINTS and chart.series[0].points[-1].text == "W55: 4.9 points"
    assert [r.name for r in chart.references] == ["min 4.6 points"]
    # a tenth of a point is not stretched over the whole plot: the axis spans a fifth of 4.9
    assert [t.text for t in chart.y_ticks] == ["3.5", "4", "4.5", "5"]


def test_a_guardrail_near_its_bound_is_not_stretched_to_the_plots_height():
    """Issue 108: a CSAT of 4.7 every week against its minimum of 4.6 was drawn as a line
    along the plot's top and its bound along the bottom, a tenth of a point as the whole
    height. Its axis now spans at least a fifth of its largest value, toward zero; a
    guardrail spread wider keeps the axis its values make."""
    chart = guardrail_chart("CSAT", LABELS, [4.7, 4.7, None, 4.7], minimum=4.6, maximum=None, unit="")
    [bound] = chart.references
    line = {p.y for p in chart.series[0].points}
    assert [t.text for t in chart.y_ticks] == ["3.5", "4", "4.5", "5"]
    assert line == {60.0} and bound.y == 80.0  # a tenth of a point is a fifteenth of the height apart
    wide = guardrail_chart("Bounce rate", LABELS, [2.6, 7.4, 3.0, 2.9], minimum=None, maximum=5, unit="%")
    assert [t.text for t in wide.y_ticks] == ["2", "4", "6", "8"]


def test_the_weeks_are_labelled_at_most_eight_times_and_every_other_one_only_when_wide():
    labels = [f"W{i}" for i in range(104)]
    chart = kpi_chart("KPI", labels, [1.0] * 104, baseline=0, target=2, unit="")
    assert 4 <= len(chart.x_ticks) <= X_LABELS and chart.x_ticks[0].text == "W0" and chart.x_ticks[0].at == 0
    assert [t.narrow for t in chart.x_ticks][:4] == [True, False, True, False]
    assert dots(chart) == [] and len(chart.series[0].points) == 104  # a line, every point to hover over


@pytest.mark.parametrize(
    ("values", "ticks"),
    [
        ([7.0], ["6", "7", "8"]),  # one value, no lines: a band around it, in whole numbers as the value
        ([7.5], ["6.5", "7", "7.5", "8", "8.5"]),  # read to a tenth: ticks may be too
        ([1_234_567.0], ["1,100,000", "1,200,000", "1,300,000", "1,400,000"]),
        ([4.62, 4.68], ["4.62", "4.64", "4.66", "4.68"]),  # hundredths: never 4.625
        ([100.0, 150.0], ["100", "110", "120", "130", "140", "150"]),  # a whole 100 keeps its zeros
    ],
)
def test_the_axis_numbers_are_distinct_and_readable(values, ticks):
    chart = guardrail_chart("G", [f"W{i}" for i in range(len(values))], values, minimum=None, maximum=None, unit="")
    assert [t.text for t in chart.y_ticks] == ticks
    if len(values) == 1:
        assert dots(chart)[0].x == WIDTH / 2  # one week: in the middle
    assert chart.label_chars == max(len(t) for t in ticks)  # the margin's room for them


def test_the_org_trend_is_one_measure_a_chart():
    ratio, rate = org_trend_charts(["1 Jun", "8 Jun"], [0.005, 0.037], [0.8, 0.9])
    assert [s.name for s in ratio.series] == ["exception ratio"] and [s.name for s in rate.series] == [
        "attestation rate"
    ]
    # A ratio of a few percent gets its own axis from 0, not the rate's 0 to 100.
    assert [t.text for t in ratio.y_ticks] == ["0", "1", "2", "3", "4"]
    assert (rate.y_ticks[0].text, rate.y_ticks[-1].text) == ("0", "100")
    assert [p.text for p in dots(ratio)] == ["1 Jun: 0.5 %", "8 Jun: 3.7 %"]
    assert [p.text for p in dots(rate)] == ["1 Jun: 80 %", "8 Jun: 90 %"]
    # A ratio past 100% stays on the axis, and the hover text is to a tenth, as the table's.
    beyond, _ = org_trend_charts(["1 Jun"], [1.2346], [None])
    assert float(beyond.y_ticks[-1].text) >= 123.46 and dots(beyond)[0].text == "1 Jun: 123.5 %"


def test_a_playbooks_progress_is_charted_as_its_share_of_the_way():
    chart = progress_chart("Reply time", ["C1W2", "C1W3", "C1W4"], [0.25, None, 1.1])
    assert [r.name for r in chart.references] == ["baseline 0%", "target 100%"]
    assert [t.text for t in chart.y_ticks] == ["0", "25", "50", "75", "100", "125"]
    assert [p.text for p in dots(chart)] == ["cycle 1, week 2: 25 % of the way", "cycle 1, week 4: 110 % of the way"]


@pytest.mark.parametrize(
    ("low", "high", "precision", "ticks"),
    [
        (4.62, 4.68, 2, [4.62, 4.64, 4.66, 4.68]),
        (4.6, 4.7, 1, [4.6, 4.7]),  # a tenth apart, read to tenths: no tick between
        (4.6, 4.68, 2, [4.6, 4.62, 4.64, 4.66, 4.68]),
        (0, 3.7, 1, [0, 1, 2, 3, 4]),
        (0, 100, 0, [0, 20, 40, 60, 80, 100]),
        (12, 42, 0, [10, 20, 30, 40, 50]),
        (0, 9, 0, [0, 2, 4, 6, 8, 10]),
        (0, 11, 1, [0, 2.5, 5, 7.5, 10, 12.5]),  # 2.5 only for a measure written with a decimal
        (0, 11, 0, [0, 5, 10, 15]),
        (-20, 130, 0, [-50, 0, 50, 100, 150]),
    ],
)
def test_ticks_step_by_1_2_2_5_or_5_times_ten_to_a_power_in_the_measures_precision(low, high, precision, ticks):
    found = round_ticks(low, high, precision)
    assert found == ticks
    assert len(found) <= 6 and found[0] <= low and found[-1] >= high
    step = found[1] - found[0]
    assert decimals_of(step) <= precision and round(step / 10 ** math.floor(math.log10(step)), 6) in (1, 2, 2.5, 5)


def test_the_decimals_a_number_is_written_with():
    assert [decimals_of(v) for v in (15.0, 4.62, 0.1, 2.5, 0.025, 1 / 3)] == [0, 2, 1, 1, 3, 6]


def test_reference_lines_are_named_in_the_numbers_of_the_page():
    chart = kpi_chart("Tickets", LABELS, [900_000.0], baseline=1_000_000, target=1_234_567.5, unit="")
    assert [r.name for r in chart.references] == ["baseline 1,000,000", "target 1,234,567.5"]


def test_the_chart_in_the_page_escapes_what_people_named():
    chart = kpi_chart('<script>alert("x")</script>', LABELS, [1.0, 2.0, None, 3.0], 0, 4, "<b>u</b>")
    html = _env.from_string('{% from "web/_chart.html" import line_chart %}{{ line_chart(c) }}').render(c=chart)
    assert "<script>" not in html and "<b>" not in html and "&lt;script&gt;" in html
    assert html.count("<svg") == 1 and html.count('class="dot"') == 3 and 'aria-label="&lt;script&gt;' in html
    assert "--label-chars: 1" in html  # the axis's numbers 0 to 4
