"""PNG charts for the digest: each function's playbooks, KPI against target.

Playbooks measure different things in different units, so each line is the progress
from its baseline (0%) to its target (100%): one axis, one target line, comparable at
a glance. Rendered headless (Agg); a failure here costs the chart, never the digest.
"""

from __future__ import annotations

import io
import textwrap
from datetime import date

import matplotlib

matplotlib.use("Agg")  # no display: servers and CI have none
import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from cadence.digest import PlaybookDigest
from cadence.figures import progress_to_target
from templates import plural

LABEL_CHARACTERS = 28  # of a playbook's slug in the legend
MAX_LINES = 12  # more lines than this is a tangle; the text digest lists every playbook
# The plot's place in the figure, fixed: room on the left for the axis label and tick
# labels of up to six characters at 8 pt (-9,000%), on the right for the legend (labels
# of LABEL_CHARACTERS at 8 pt); tests/templates/test_charts.py holds every text inside.
# Measuring every text to fit them (tight_layout) was a quarter of a chart's time.
MARGINS = {"left": 0.1, "right": 0.72, "top": 0.89, "bottom": 0.08}


# The narrow drawing (`narrow=True`), for a phone: NARROW_WIDTH pixels wide, every text at
# least NARROW_MIN_POINTS, so that shown at 283 css px (the demo page's thread at 390 px)
# it is at least 11 px high: 12 pt at 100 dpi is 16.7 px, times 283/400. The legend goes
# under the plot, a line each; the figure is as tall as its legend needs.
DPI = 100
NARROW_WIDTH = 400  # pixels
NARROW_MIN_POINTS = 12
WIDE_MIN_POINTS = 8  # the wide drawing's smallest text (ticks, legend): 11 px at 800 px wide


def function_chart(
    function: str, digests: list[PlaybookDigest], weeks: list[date], narrow: bool = False
) -> tuple[bytes, str]:
    """(PNG bytes, alt text) for one function's playbooks, the riskiest first; `narrow`:
    drawn for a phone's width (draw_narrow)."""
    weeks = charted_weeks(digests[:MAX_LINES], weeks)
    figure = draw_narrow(function, digests, weeks) if narrow else draw(function, digests, weeks)
    try:
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
    finally:
        plt.close(figure)
    shown = min(len(digests), MAX_LINES)
    alt = (
        f"{function}: progress of {plural(shown, 'playbook')} from baseline to target over {plural(len(weeks), 'week')}"
    )
    return buffer.getvalue(), alt


def charted_weeks(shown: list[PlaybookDigest], weeks: list[date]) -> list[date]:
    """The digest's weeks from the first in which a shown playbook has a KPI: a chart does
    not open on empty weeks from before anything started (the last week, if none has)."""
    firsts = [i for d in shown for i, v in enumerate(d.week.kpi_series[-len(weeks) :]) if v is not None]
    return weeks[min(firsts, default=len(weeks) - 1) :]


def _plot_progress(
    axes: Axes, shown: list[PlaybookDigest], weeks: list[date], markersize: float, linewidth: float
) -> list[int]:
    """Each shown playbook's way from baseline to target (%), week by week, as a line on
    `axes`; the x positions of the weeks."""
    x = list(range(len(weeks)))
    for digest in shown:
        w = digest.week
        series = w.kpi_series[-len(weeks) :] if weeks else []
        progress = [None if v is None else progress_to_target(v, w.baseline, w.target) * 100 for v in series]
        axes.plot(
            x,
            [p if p is not None else float("nan") for p in progress],
            marker="o",
            markersize=markersize,
            linewidth=linewidth,
            label=w.slug[:LABEL_CHARACTERS],
        )
    return x


def draw(function: str, digests: list[PlaybookDigest], weeks: list[date]) -> Figure:
    """The chart as a figure over `weeks`, the last of each playbook's series (the caller
    closes it)."""
    shown = digests[:MAX_LINES]
    figure, axes = plt.subplots(figsize=(8, 4.2), dpi=DPI)
    x = _plot_progress(axes, shown, weeks, markersize=3, linewidth=1.6)
    axes.axhline(100, color="#2e7d32", linestyle="--", linewidth=1.2, label="target")
    axes.axhline(0, color="#9e9e9e", linewidth=0.8, label="baseline")
    axes.set_xticks(x, [f"{d:%d %b}" for d in weeks], fontsize=WIDE_MIN_POINTS)
    axes.tick_params(axis="y", labelsize=WIDE_MIN_POINTS)
    axes.set_ylabel("progress from baseline to target (%)", fontsize=WIDE_MIN_POINTS + 1)
    title = f"{function}: KPI against target"
    if len(digests) > len(shown):
        title += f" ({len(shown)} of {len(digests)} playbooks, most at risk first)"
    axes.set_title(textwrap.fill(title, 90), fontsize=11, loc="left")  # a long function's name: two lines
    axes.grid(axis="y", alpha=0.3)
    axes.legend(fontsize=WIDE_MIN_POINTS, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    figure.subplots_adjust(**MARGINS)
    return figure


def draw_narrow(function: str, digests: list[PlaybookDigest], weeks: list[date]) -> Figure:
    """The chart for a phone's width: the same lines, NARROW_WIDTH pixels wide, its texts
    at least NARROW_MIN_POINTS, the title wrapped, every other week named, the legend
    under the plot (constrained layout places them: a demo page's few charts, not the
    digest's every Monday). The caller closes it."""
    shown = digests[:MAX_LINES]
    rows = len(shown) + 2  # the lines, the target and the baseline
    figure = plt.figure(figsize=(NARROW_WIDTH / DPI, 3.6 + 0.27 * rows), dpi=DPI, layout="constrained")
    axes = figure.add_subplot()
    x = _plot_progress(axes, shown, weeks, markersize=4, linewidth=2)
    axes.axhline(100, color="#2e7d32", linestyle="--", linewidth=1.4, label="target")
    axes.axhline(0, color="#9e9e9e", linewidth=1, label="baseline")
    every = max(1, -(-len(weeks) // 4))  # at most four weeks named
    axes.set_xticks(x[::every], [f"{d:%d %b}" for d in weeks][::every])
    axes.tick_params(labelsize=NARROW_MIN_POINTS)
    axes.set_ylabel("% of the way to target", fontsize=NARROW_MIN_POINTS)
    title = textwrap.fill(f"{function}: KPI against target", 30)
    if len(digests) > len(shown):
        title += f"\n({len(shown)} of {len(digests)}, most at risk first)"
    axes.set_title(title, fontsize=NARROW_MIN_POINTS + 1)
    axes.grid(axis="y", alpha=0.3)
    figure.legend(loc="outside lower left", fontsize=NARROW_MIN_POINTS, frameon=False, ncols=1)
    return figure
