"""How a cycle's pulse is said (docs/usage.md, "The pulse"): aggregates only, from the
figures cadence.pulse.Pulse keeps ("trust 3.9 of 5, 95% CI 3.2 to 4.6 · …"), or "too few
answers to show (4; 5 needed)"; and before the close, "7 of 9 answered"."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cadence.pulse import FREED
from templates.numbers import number

FALLS = {"trust": "trust fell", "safety": "safety fell"}


def _mean(name: str, m: Mapping[str, Any] | None) -> str:
    if not m:
        return f"{name}: no answers"
    said = f"{name} {number(round(m['mean'], 1))} of 5"
    if m.get("low") is not None:
        said += f" (95% CI {number(round(m['low'], 1))} to {number(round(m['high'], 1))})"
    return said


def _share(value: float) -> str:
    return f"{round(value * 100)}%"


def pulse_phrase(pulse: Any) -> str:
    """A closed cycle's pulse in one line (a Pulse, or the figures a decision keeps of one)."""
    f: Mapping[str, Any] = pulse.figures() if hasattr(pulse, "figures") else pulse
    if not f.get("shown"):
        return f"too few answers to show ({f.get('answers', 0)}; {f.get('needed', 5)} needed)"
    parts = [f"{f['answers']} answered", _mean("trust", f.get("trust")), _mean("safety", f.get("safety"))]
    around = f.get("worked_around")
    if around:
        low, high = _share(around["low"]), _share(around["high"])
        parts.append(f"worked around a step sometimes or often {_share(around['share'])} (95% CI {low} to {high})")
    freed = f.get("freed") or {}
    if freed:
        parts.append("the time saved went to " + ", ".join(f"{FREED[k]} {_share(v)}" for k, v in freed.items()))
    return " · ".join(parts)


def answered_phrase(answered: tuple[int, int] | list[int]) -> str:
    """Before the close, to the owner and curators: "7 of 9 answered", never who."""
    return f"{answered[0]} of {answered[1]} answered" if answered[1] > 0 else f"{answered[0]} answered"


def hold_phrase(why: Mapping[str, Any]) -> str:
    """Why a pulse holds promotions to ai-led: "trust fell (95% CI −1.9 to −0.6); …"."""
    said = []
    for question in ("trust", "safety"):
        if question in why:
            gap = why[question]
            said.append(
                f"{FALLS[question]} from the cycle before (95% CI {number(gap['low'])} to {number(gap['high'])})"
            )
    if "worked_around" in why:
        said.append(f"{_share(why['worked_around'])} worked around a step sometimes or often (30% or more holds)")
    return "; ".join(said)
