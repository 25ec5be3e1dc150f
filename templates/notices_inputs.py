"""The AI's inputs, checked (docs/sources.md, "Input checks"): the DM when a check came in
below its min, and a check's result in words for status, the web view and the CLI."""

from __future__ import annotations

from typing import Any

from templates import render
from templates.notices import Payload


def input_below(
    *,
    slug: str,
    title: str,
    input_name: str,
    value: float | None,
    minimum: float,
    source: str,
    week: str,
    when_missing: str | None,
    owner: str | None,
) -> Payload:
    """A checked input came in below its min this week: what the contract says to do."""
    return render("input_below", **locals())


def check_words(shown: Any) -> str:
    """One checked input's latest result: "0.97 ≥ min 0.95 (week of 2026-11-16, from
    warehouse)", "0.8 < min 0.95 …", "failed: timeout …", "not checked yet"."""
    where = f"from {shown.source}"
    if shown.outcome is None:
        return f"not checked yet (min {shown.minimum:g}, {where})"
    week = f"week of {shown.week.isoformat()}"
    if shown.outcome == "failed":
        return f"check failed: {shown.error} (min {shown.minimum:g}, {week}, {where})"
    sign = "≥" if shown.outcome == "met" else "<"
    below = "" if shown.outcome == "met" else ", below its min"
    return f"{shown.value:g} {sign} min {shown.minimum:g}{below} ({week}, {where})"
