"""The words of a pool of small weeks that spans a change of the bar (templates.pool_phrase,
docs/judgement.md, "Small weeks are pooled")."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cadence.verdicts import Thresholds
from templates.numbers import pct

_BAR_WORDS = {"cap": "cap", "threshold": "rubric threshold", "floor": "rubric floor", "min_cases": "min cases"}


def bar_moved(pool: Mapping[str, Any], t: Thresholds) -> str:
    """ ", judged by week 3's bar (cap 10%; 15% before)": only when the pool's earlier weeks
    were judged by another bar (its `bar_before`); nothing otherwise."""
    before = pool.get("bar_before") or {}
    if not before:
        return ""
    now = {"cap": t.exception_cap, "threshold": t.rubric_threshold, "floor": t.rubric_floor, "min_cases": t.min_cases}

    def shown(name: str, value: Any) -> str:
        return str(value) if name == "min_cases" else pct(value)

    said = [
        f"{_BAR_WORDS[name]} {shown(name, now[name])}; {', '.join(shown(name, v) for v in then)} before"
        for name, then in before.items()
        if name in now
    ]
    return f", judged by week {pool['weeks'][-1]}'s bar ({', '.join(said)})"
