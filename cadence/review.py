"""Reviews that sample (docs/judgement.md, "A review says its sample"): how many of a
week's cases a step's mode asks to be reviewed (`review_rate`), and whether a review
reported with its sample (`18/20`: 18 of 20 reviewed passed) reached it.

- A bare score (`0.93`) says every case of the week was reviewed: it has no sample to
  fall short, and its interval is over the week's cases, as before.
- A sample below ceil(rate x cases) is "sample too small (2 of the 4 asked)": for the
  week's verdict and for readiness's output accuracy the step has no rubric score.
- Human-led steps are not asked (a person decides every case).

Plain data in, plain data out.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

DEFAULT_RATES: Mapping[str, float] = {"collaborative": 0.2, "ai-led": 0.1}
ASKED_MODES = tuple(DEFAULT_RATES)


def rates(definition: Mapping[str, Any] | None) -> dict[str, float]:
    """The playbook's review rates by mode: its `review_rate`, the defaults where it says none."""
    given: Mapping[str, Any] = (definition or {}).get("review_rate") or {}
    return {mode: float(given.get(mode) or rate) for mode, rate in DEFAULT_RATES.items()}


def asked(mode: str, cases: int | None, by_mode: Mapping[str, float]) -> int | None:
    """How many of the week's `cases` a step in `mode` is asked to review: ceil(rate x
    cases); None for a human-led step or without a case count."""
    rate = by_mode.get(mode)
    if rate is None or cases is None:
        return None
    return math.ceil(round(rate * cases, 9))  # 0.1 x 30 is 3.0000000000000004 in floats


def too_small(reviewed: int | None, wanted: int | None) -> bool:
    """Whether a review's sample fell short of what was asked (a bare score never does)."""
    return reviewed is not None and wanted is not None and reviewed < wanted


def counted(rubric: float | None, reviewed: int | None, wanted: int | None) -> float | None:
    """The rubric score a verdict and output accuracy count: none for a sample too small."""
    return None if too_small(reviewed, wanted) else rubric


def ask_words(step: str, cases: int | None, wanted: int | None) -> str:
    """ "draft: review at least 4 of this week's 20 cases" ("" when nothing is asked)."""
    if wanted is None or cases is None:
        return ""
    return f"{step}: review at least {wanted} of this week's {cases} case{'s' if cases != 1 else ''}"
