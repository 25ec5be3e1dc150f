"""How a cycle's pulse is said (docs/usage.md, "The pulse"): aggregates only, from the
figures cadence.pulse.Pulse keeps ("trust 3.9 of 5, 95% CI 3.2 to 4.6 · …"), figure by
figure ("trust: too few answers to show (3; 5 needed)"), or "too few answers to show (4;
5 needed)"; and before the close, "7 of 9 answered"."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cadence.pulse import FREED
from templates.numbers import number

FALLS = {"trust": "trust fell", "safety": "safety fell"}
FIGURES = {"trust": "trust", "safety": "safety", "around": "worked around", "freed": "freed time"}


def too_few(answers: int, needed: int) -> str:
    return f"too few answers to show ({answers}; {needed} needed)"


def _not_shown(question: str, f: Mapping[str, Any]) -> str | None:
    """A figure not shown: too few answers to its own question, or withheld from a rollup."""
    hidden = f.get("hidden") or {}
    if question in hidden:
        return f"{FIGURES[question]}: {too_few(hidden[question], f.get('needed', 5))}"
    if question in (f.get("withheld") or ()):
        return f"{FIGURES[question]}: not shown, lest a small team's answers be worked out"
    return None


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
    """A closed cycle's pulse in one line (a Pulse, or the figures a decision keeps of one),
    each figure shown or said to be too few."""
    f: Mapping[str, Any] = pulse.figures() if hasattr(pulse, "figures") else pulse
    if f.get("answers", 0) < f.get("needed", 5):
        return too_few(f.get("answers", 0), f.get("needed", 5))
    parts = [f"{f['answers']} answered"]
    for question, key in (("trust", "trust"), ("safety", "safety")):
        parts.append(_not_shown(question, f) or _mean(question, f.get(key)))
    parts += [said for said in (_around_said(f), _freed_said(f)) if said]
    return " · ".join(parts)


def _around_said(f: Mapping[str, Any]) -> str | None:
    """The worked-around share with its interval, or why it is not shown."""
    around = f.get("worked_around")
    if around:
        low, high = _share(around["low"]), _share(around["high"])
        return f"worked around a step sometimes or often {_share(around['share'])} (95% CI {low} to {high})"
    return _not_shown("around", f)


def _freed_said(f: Mapping[str, Any]) -> str | None:
    """Where the time saved went, or why it is not shown."""
    freed = f.get("freed") or {}
    if freed:
        return "the time saved went to " + ", ".join(f"{FREED[k]} {_share(v)}" for k, v in freed.items())
    return _not_shown("freed", f)


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


# The templates' filters of the pulse, by name (registered in templates/__init__.py).
FILTERS = {"pulse_phrase": pulse_phrase, "answered_phrase": answered_phrase, "hold_phrase": hold_phrase}
