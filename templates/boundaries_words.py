"""The words of strict boundaries (cadence/boundaries.py): the gate of messy cases or
boundaries at a promotion to ai-led, and a step's out-of-scope share."""

from __future__ import annotations

from typing import Any

VAGUE = "messy cases early, or strict boundaries: vagueness is not acceptable"


def vague_phrase(v: dict[str, Any]) -> str:
    """Why a step's move to ai-led may not go, and how to fix it, in a line."""
    share = v["messy"] / v["cases"]
    return (
        f"{VAGUE} ({v['step']}'s calibration set declares {v['messy']} messy of {v['cases']} cases,"
        f" {percent(share)}, under messy_min {percent(v['messy_min'])}): declare at least {v['needed']}"
        f" messy cases in it (`calibration: {{cases: {v['cases']}, messy: {v['needed']}}}`),"
        " or the step's boundaries, the cases routed to people (`boundaries: [refund over 500 EUR, legal threat]`)"
    )


def out_of_scope_phrase(share: float) -> str:
    """A step's out-of-scope share: "12% of cases out of scope"."""
    return f"{percent(share)} of cases out of scope"


def percent(share: float) -> str:
    return f"{share * 100:.0f}%"
