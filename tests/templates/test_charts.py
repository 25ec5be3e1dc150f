"""The digest's chart: its layout is fixed rather than measured for each chart, so
every text on it must still fall inside the picture, however long the playbooks'
names and however far their KPIs stray from baseline and target."""

from datetime import date, timedelta

import matplotlib.pyplot as plt
import pytest
from matplotlib.text import Text

from cadence.digest import summarize
from templates.charts import (
    DPI,
    MAX_LINES,
    NARROW_MIN_POINTS,
    NARROW_WIDTH,
    WIDE_MIN_POINTS,
    charted_weeks,
    draw,
    draw_narrow,
    function_chart,
)
from tests.cadence.test_digest import week


def digest(slug: str, series: list[float | None]):
    return summarize(week(slug=slug, function="Customer Support Operations", kpi_series=series))


WEEKS = [date(2026, 8, 31) + timedelta(days=7 * i) for i in range(8)]


@pytest.mark.parametrize(
    "series",
    [
        [40.0, 35.0, None, 30.0, 22.0, 18.0, 15.0, 14.0],  # baseline to target: 0% to 104%
        [250.0, -210.0, 40.0, None, 15.0, 300.0, -500.0, 20.0],  # -1,880% to 2,160%: wide tick labels
        [2_500.0, -2_000.0, 40.0, 15.0, None, 30.0, 20.0, 16.0],  # -9,840% to 8,160%: wider still
    ],
)
def test_every_text_of_the_chart_lies_inside_the_picture(series):
    digests = [digest(f"pb-{i:02d}-" + "a-very-long-playbook-name-indeed", series) for i in range(MAX_LINES + 3)]
    figure = draw("Customer Support Operations", digests, WEEKS)
    try:
        figure.canvas.draw()  # texts take their places as the figure is drawn
        renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
        (axes,) = figure.axes
        legend = axes.get_legend()
        drawn = axes.get_tightbbox(renderer)  # everything the axes drew: ticks, labels, title, legend
        assert drawn is not None
        assert drawn.x0 >= 0 and drawn.y0 >= 0, drawn
        assert drawn.x1 <= figure.bbox.width and drawn.y1 <= figure.bbox.height, drawn
        assert len(legend.get_texts()) == MAX_LINES + 2  # the lines shown, the target and the baseline
    finally:
        plt.close(figure)


def test_the_chart_is_a_png_with_words_for_screen_readers():
    png, alt = function_chart("Support", [digest("support-triage", [40.0, 30.0, 20.0])], WEEKS[:3])
    assert png.startswith(b"\x89PNG")
    assert alt == "Support: progress of 1 playbook from baseline to target over 3 weeks"


def test_the_chart_starts_at_the_first_week_with_a_kpi():
    """The first digests of an org: no chart opens on empty weeks from before anything started."""
    late = [digest("late", [None] * 5 + [40.0, 30.0, 20.0]), digest("later", [None] * 6 + [35.0, 25.0])]
    assert charted_weeks(late, WEEKS) == WEEKS[5:]
    assert charted_weeks([digest("none", [None] * 8)], WEEKS) == WEEKS[-1:]
    _, alt = function_chart("Support", late, WEEKS)
    assert alt.endswith("over 3 weeks")


def texts_of(figure):
    """Every text the figure shows, with its size in points."""
    return [t for t in figure.findobj(Text) if t.get_visible() and t.get_text()]


@pytest.mark.parametrize("narrow", [False, True])
def test_every_text_is_at_least_its_drawings_smallest_size_inside_the_picture(narrow):
    """Issue 67, item 7: shown at a phone's width the wide chart's text fell to 4 px. The
    narrow drawing's texts are at least NARROW_MIN_POINTS (11 px at 283 css px wide), the
    wide one's at least WIDE_MIN_POINTS, and all of them inside the picture."""
    digests = [digest(f"pb-{i:02d}-a-very-long-playbook-name", [40.0, 30.0, None, 20.0]) for i in range(MAX_LINES + 1)]
    figure = (draw_narrow if narrow else draw)("Customer Support Operations and Escalations", digests, WEEKS[:4])
    try:
        figure.canvas.draw()
        renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
        smallest = NARROW_MIN_POINTS if narrow else WIDE_MIN_POINTS
        shown = texts_of(figure)
        assert len(shown) > 10 and min(t.get_fontsize() for t in shown) >= smallest
        drawn = figure.get_tightbbox(renderer)  # in inches: every text and line drawn
        assert drawn.x0 >= 0 and drawn.y0 >= 0, drawn
        assert drawn.x1 * DPI <= figure.bbox.width + 0.5 and drawn.y1 * DPI <= figure.bbox.height + 0.5, drawn
        if narrow:
            assert figure.bbox.width == NARROW_WIDTH
            assert NARROW_MIN_POINTS * DPI / 72 * 283 / NARROW_WIDTH >= 11  # px, in the demo page's thread at 390
    finally:
        plt.close(figure)
