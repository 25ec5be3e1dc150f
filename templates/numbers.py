"""How every surface writes a number: its digits, its unit, the minus sign, a share, a count
with its noun. A leaf of templates/, so that every module there words numbers alike."""

from __future__ import annotations

from typing import Any

MINUS = "\u2212"  # the minus sign every surface writes, never the hyphen


def number(value: float | int | None, digits: int = 2) -> str:
    """14.5 not 14.500000001; 3 not 3.0; −7 with the minus sign, not a hyphen."""
    if value is None:
        return "–"
    if type(value) is int and digits > 0:
        text = f"{value:,}"  # what the lines below make of it, without formatting and trimming decimals
    else:
        text = f"{value:,.{digits}f}"
        if "." in text:  # 14.50 to 14.5, 3.00 to 3; a whole number keeps its zeros (100, not 1)
            text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text.replace("-", MINUS)


def measure(value: float | int | None, unit: str | None = "", signed: bool = False) -> str:
    """A number that measures something, as every surface writes it: with its unit
    ("40 min", "24 %"), the minus sign ("−7 min"), a plus when `signed` ("+2 min", a
    change); "–" when there is none."""
    if value is None:
        return "–"
    text = ("+" if signed and value > 0 else "") + number(value)
    return f"{text} {unit}" if unit else text


def percent(value: float | None, digits: int = 0) -> str:
    if value is None:
        return "–"
    return f"{value * 100:.{digits}f}%"


def pct(value: float) -> str:
    """25%, 12.5%: one decimal only where it says something."""
    return f"{value * 100:.1f}".rstrip("0").rstrip(".") + "%"


def plural(count: int | float, noun: str) -> str:
    """ "1 exception", "2 exceptions": the count and the noun, in agreement."""
    return f"{number(count)} {noun}{'' if count == 1 else 's'}"


def signed_share(value: float) -> str:
    """A relative change as the bot shows it: "−58%", "+12%", "0%"."""
    whole = round(value * 100)
    return f"{'+' if whole > 0 else ''}{whole}%".replace("-", MINUS)


def ask_phrase(f: dict[str, Any]) -> str:
    """A target that asks less than the origin reached (cadence.replication.target_ask)."""
    own, origin = signed_share(f["change"]), signed_share(f["origin_change"])
    return (
        f"your target asks {own} where the origin reached {origin}: you may hit it and still not replicate"
        f" (a cycle replicates with at least {round(f['replicate_share'] * 100)}% of the origin's change)"
    )


def match_phrase(f: dict[str, Any]) -> str:
    """An adopting cycle's relative KPI change against the origin's (a replication verdict's
    figures, cadence.replication.Match): "−58% against the origin's −64%: 91%"."""
    own, origin, share, why = f.get("change"), f.get("origin_change"), f.get("share"), f.get("why")
    if own is None:
        return "no KPI value this cycle" + (f"; {why}" if why else "")
    if origin is None:  # a verdict kept before the rules said why: its own words
        return (
            f"{signed_share(own)}; {why}"
            if why
            else f"{signed_share(own)} (the origin had no completed cycle to match when published)"
        )
    text = f"{signed_share(own)} against the origin's {signed_share(origin)}"
    text = text if share is None else f"{text}: {round(share * 100)}% (needs {round(f['replicate_share'] * 100)}%)"
    if f.get("rest_delta") is not None:  # with `compare`: the mean weekly delta against the rest, beside the origin's
        text += (
            f"; against the rest {number(f['rest_delta'])} against the origin's {number(f.get('origin_rest_delta'))}"
        )
    return f"{text}; {why}" if why else text
