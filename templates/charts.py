"""PNG charts for the digest: each function's playbooks, KPI against target.

Playbooks measure different things in different units, so each line is the progress
from its baseline (0%) to its target (100%): one axis, one target line, comparable at
a glance. Rendered headless (Agg); a failure here costs the chart, never the digest.
"""

from __future__ import annotations

import io
from datetime import date

import matplotlib

matplotlib.use("Agg")  # no display: servers and CI have none
import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from cadence.digest import PlaybookDigest
from cadence.figures import progress_to_target
from templates import plural

LABEL_CHARACTERS = 28  # of a playbook's slug in the legend
MAX_LINES = 12  # more lines than this is a tangle; the text digest lists every playbook
# The plot's place in the figure, fixed: room on the left for the axis label and tick
# labels of up to six characters at 8 pt (-9,000%), on the right for the legend (labels
# of LABEL_CHARACTERS at 7 pt); tests/templates/test_charts.py holds every text inside.
# Measuring every text to fit them (tight_layout) was a quarter of a chart's time.
MARGINS = {"left": 0.1, "right": 0.75, "top": 0.92, "bottom": 0.08}


def function_chart(function: str, digests: list[PlaybookDigest], weeks: list[date]) -> tuple[bytes, str]:
    """(PNG bytes, alt text) for one function's playbooks, the riskiest first."""
    weeks = charted_weeks(digests[:MAX_LINES], weeks)
    figure = draw(function, digests, weeks)
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


def draw(function: str, digests: list[PlaybookDigest], weeks: list[date]) -> Figure:
    """The chart as a figure over `weeks`, the last of each playbook's series (the caller
    closes it)."""
    shown = digests[:MAX_LINES]
    figure, axes = plt.subplots(figsize=(8, 4.2), dpi=100)
    x = list(range(len(weeks)))
    for digest in shown:
        w = digest.week
        series = w.kpi_series[-len(weeks) :] if weeks else []
        progress = [None if v is None else progress_to_target(v, w.baseline, w.target) * 100 for v in series]
        axes.plot(
            x,
            [p if p is not None else float("nan") for p in progress],
            marker="o",
            markersize=3,
            linewidth=1.6,
            label=w.slug[:LABEL_CHARACTERS],
        )
    axes.axhline(100, color="#2e7d32", linestyle="--", linewidth=1.2, label="target")
    axes.axhline(0, color="#9e9e9e", linewidth=0.8, label="baseline")
    axes.set_xticks(x, [f"{d:%d %b}" for d in weeks], fontsize=8)
    axes.tick_params(axis="y", labelsize=8)
    axes.set_ylabel("progress from baseline to target (%)")
    title = f"{function}: KPI against target"
    if len(digests) > len(shown):
        title += f" ({len(shown)} of {len(digests)} playbooks, most at risk first)"
    axes.set_title(title, fontsize=11)
    axes.grid(axis="y", alpha=0.3)
    axes.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    figure.subplots_adjust(**MARGINS)
    return figure
