"""PNG charts for the digest: each function's playbooks, KPI against target.

Playbooks measure different things in different units, so each line is the progress
from its baseline (0%) to its target (100%): one axis, one target line, comparable at
a glance. Rendered headless (Agg); a failure here costs the chart, never the digest.
"""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import matplotlib

matplotlib.use("Agg")  # no display: servers and CI have none
import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from cadence.digest import PlaybookDigest
from cadence.figures import progress_to_target

LABEL_CHARACTERS = 28  # of a playbook's slug in the legend
MAX_LINES = 12  # more lines than this is a tangle; the text digest lists every playbook
# The plot's place in the figure, fixed: room on the left for the axis label and tick
# labels of up to six characters at 8 pt (-9,000%), on the right for the legend (labels
# of LABEL_CHARACTERS at 7 pt); tests/bot/test_charts.py holds every text inside.
# Measuring every text to fit them (tight_layout) was a quarter of a chart's time.
MARGINS = {"left": 0.1, "right": 0.75, "top": 0.92, "bottom": 0.08}


def function_chart(function: str, digests: list[PlaybookDigest], weeks: list[date]) -> tuple[bytes, str]:
    """(PNG bytes, alt text) for one function's playbooks, the riskiest first."""
    figure = draw(function, digests, weeks)
    try:
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
    finally:
        plt.close(figure)
    shown = min(len(digests), MAX_LINES)
    alt = f"{function}: progress of {shown} playbooks from baseline to target over {len(weeks)} weeks"
    return buffer.getvalue(), alt


def draw(function: str, digests: list[PlaybookDigest], weeks: list[date]) -> Figure:
    """The chart as a figure, for function_chart to save (the caller closes it)."""
    shown = digests[:MAX_LINES]
    figure, axes = plt.subplots(figsize=(8, 4.2), dpi=100)
    x = list(range(len(weeks)))
    for digest in shown:
        w = digest.week
        progress = [None if v is None else progress_to_target(v, w.baseline, w.target) * 100 for v in w.kpi_series]
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


def kpi_svg(
    title: str,
    labels: list[str],
    values: list[float | None],
    baseline: float,
    target: float,
    unit: str,
) -> str:
    """The web view's KPI chart, as SVG text: the weekly values in the KPI's own unit, with
    its baseline and target as lines (the table beside it has the numbers)."""
    lines = [(baseline, f"baseline {baseline:g}", "#9e9e9e", ":"), (target, f"target {target:g}", "#2e7d32", "--")]
    return _weekly_svg(title, labels, values, lines, unit, "#1264a3")


def guardrail_svg(
    name: str, labels: list[str], values: list[float | None], minimum: float | None, maximum: float | None, unit: str
) -> str:
    """The guardrail's weekly values in its own unit, with the bound it must keep."""
    bounds = [(word, bound) for word, bound in (("min", minimum), ("max", maximum)) if bound is not None]
    lines = [(bound, f"{word} {bound:g}", "#c62828", "--") for word, bound in bounds]
    return _weekly_svg(name, labels, values, lines, unit, "#6a1b9a")


def _weekly_svg(
    title: str,
    labels: list[str],
    values: list[float | None],
    lines: list[tuple[Any, str, str, str]],
    unit: str,
    color: str,
) -> str:
    """One weekly series and its reference lines (value, label, colour, dash), as SVG text."""
    figure, axes = _web_figure(3.2)
    axes.plot(
        _x(labels),
        _points(values),
        marker="o" if len(labels) <= MARKED_POINTS else None,
        markersize=3,
        linewidth=1.8,
        color=color,
        label=title[:LABEL_CHARACTERS],
    )
    for value, label, line_color, dash in lines:
        axes.axhline(value, color=line_color, linestyle=dash, linewidth=1.2, label=label)
    # Every reference line in view (a line alone does not widen the axis), with room for the legend.
    shown = [v for v in values if v is not None] + [line[0] for line in lines]
    if shown:
        low, high = min(shown), max(shown)
        pad = (high - low) * 0.12 or abs(high) * 0.05 or 1
        axes.set_ylim(low - pad, high + pad * 2.5)
    return _svg_of(figure, axes, labels, unit or "value")


def org_trend_svg(labels: list[str], exceptions: list[float | None], attestation: list[float | None]) -> str:
    """The org's exception ratio and attestation rate week by week, in %, as SVG text."""
    figure, axes = _web_figure(3.0)
    for values, name, color in (
        (exceptions, "exception ratio", "#c62828"),
        (attestation, "attestation rate", "#1264a3"),
    ):
        points = _points([v * 100 if v is not None else None for v in values])
        axes.plot(_x(labels), points, marker="o", markersize=3, linewidth=1.6, color=color, label=name)
    axes.set_ylim(0, 100)
    return _svg_of(figure, axes, labels, "%")


# Text stays text in the SVG (it reads at any width), and ids are the same at each render.
# Set once for the process: they touch SVG output only, and a per-chart rc_context would
# change the global settings under the web server's other threads.
matplotlib.rcParams.update({"svg.fonttype": "none", "svg.hashsalt": "rollout"})
MARKED_POINTS = 52  # a longer series is a line without its points' markers: they would crowd it


def _web_figure(height: float) -> tuple[Figure, Any]:
    """A web chart's figure, made without pyplot: pyplot keeps global state, and the web
    view draws charts in several threads at once (matplotlib's advice for web servers)."""
    figure = Figure(figsize=(9, height), dpi=100)
    return figure, figure.subplots()


def _x(labels: list[str]) -> list[int]:
    return list(range(len(labels)))


def _points(values: list[float | None]) -> list[float]:
    return [v if v is not None else float("nan") for v in values]


def _svg_of(figure: Figure, axes: Any, labels: list[str], unit: str) -> str:
    """A web chart's axes labelled and styled alike, the figure as SVG text for a page (no
    XML prolog or doctype: it is inlined)."""
    x = _x(labels)
    step = max(1, len(labels) // 8)
    axes.set_xticks(x[::step], [labels[i] for i in x[::step]], fontsize=9)
    axes.set_ylabel(unit, fontsize=9)
    axes.tick_params(axis="y", labelsize=9)
    axes.legend(fontsize=8, loc="upper left", frameon=False)
    axes.grid(alpha=0.25)
    figure.subplots_adjust(left=0.08, right=0.98, top=0.95, bottom=0.14)
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg")
    svg = buffer.getvalue()
    return svg[svg.index("<svg") :]
