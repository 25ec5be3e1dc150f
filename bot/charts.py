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

from cadence.digest import PlaybookDigest
from cadence.figures import progress_to_target

MAX_LINES = 12  # more lines than this is a tangle; the text digest lists every playbook


def function_chart(function: str, digests: list[PlaybookDigest], weeks: list[date]) -> tuple[bytes, str]:
    """(PNG bytes, alt text) for one function's playbooks, the riskiest first."""
    shown = digests[:MAX_LINES]
    figure, axes = plt.subplots(figsize=(8, 4.2), dpi=100)
    try:
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
                label=w.slug[:28],
            )
        axes.axhline(100, color="#2e7d32", linestyle="--", linewidth=1.2, label="target")
        axes.axhline(0, color="#9e9e9e", linewidth=0.8, label="baseline")
        axes.set_xticks(x, [f"{d:%d %b}" for d in weeks], fontsize=8)
        axes.set_ylabel("progress from baseline to target (%)")
        title = f"{function}: KPI against target"
        if len(digests) > len(shown):
            title += f" ({len(shown)} of {len(digests)} playbooks, most at risk first)"
        axes.set_title(title, fontsize=11)
        axes.grid(axis="y", alpha=0.3)
        axes.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
    finally:
        plt.close(figure)
    alt = f"{function}: progress of {len(shown)} playbooks from baseline to target over {len(weeks)} weeks"
    return buffer.getvalue(), alt
