"""How the KPI against the rest is said (docs/playbooks.md, "Compared with the rest"):
"−5.6 min against the rest, 95% CI −8.1 to −3.1", and what it says of the cycle. Takes a
cadence.compare.Comparison or the figures a decision keeps of one."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from templates.numbers import measure, number, plural

VERDICT_WORDS = {
    "better": "better than the rest",
    "within-noise": "no better than the rest, within noise",
    "worse": "worse than the rest",
}


def compare_phrase(compared: Any, unit: str | None = "") -> str:
    """The mean weekly delta with its interval, the difference-in-differences where both
    baselines are given, and the verdict; "too few weeks to compare" below 2 deltas."""
    f: Mapping[str, Any] = compared.figures() if hasattr(compared, "figures") else compared
    weeks = f.get("delta_weeks") or 0
    if f.get("verdict") == "too-few" or f.get("low") is None:
        return f"too few weeks to compare ({plural(weeks, 'week')} with both numbers; 2 are needed)"
    said = f"{measure(f['mean_delta'], unit, signed=True)} against the rest, 95% CI {number(f['low'])} to {number(f['high'])}"
    if f.get("did") is not None:
        said += f" (difference-in-differences {measure(f['did'], unit, signed=True)})"
    return f"{said}: {VERDICT_WORDS.get(str(f.get('verdict')), str(f.get('verdict')))}"


def versus_rest(value: float | None, rest: float | None, unit: str | None = "") -> str:
    """ "18.5 vs the rest 24.1" (either may be missing: "–")."""
    return f"{measure(value, unit)} vs the rest {measure(rest, unit)}"


# The templates' filters of the comparison with the rest, by name (registered in templates/__init__.py).
FILTERS = {
    "compare_phrase": compare_phrase,
    "versus_rest": versus_rest,
    "versus_rest_of": lambda rest, value, unit: versus_rest(value, rest, unit),
}
