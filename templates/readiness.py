"""Readiness's criteria in words (usecases/shared/readiness.py gives them): each ✅ or ❌
with its numbers, as the curators' post, the owner's DM, `/rollout publish`'s refusal and
the web view show them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from templates.numbers import pct as _pct
from templates.numbers import plural


def criterion_phrase(c: dict[str, Any], today: bool = False) -> str:
    """One criterion of readiness (usecases/shared/readiness.py), ✅ or ❌ with its numbers;
    `today`: the exception queue was judged as it stands now, and says so."""
    mark = "✅" if c["met"] else "❌"
    phrase = _PHRASES.get(c["name"])
    return phrase(mark, c, today) if phrase else f"{mark} {c['name']}"


# Each phrase takes the criterion's mark, the criterion and whether it was judged today.
_Phrase = Callable[[str, dict[str, Any], bool], str]


def _attestation_phrase(mark: str, c: dict[str, Any], today: bool) -> str:
    if not c["asked"]:
        return f"{mark} Attestation: no check-ins were asked in those cycles"
    sign = "≥" if c["met"] else "<"
    return (
        f"{mark} Attestation {_pct(c['rate'])} ({c['answered']} of {c['asked']} check-ins answered) "
        f"{sign} {_pct(c['minimum'])}"
    )


def _exceptions_phrase(mark: str, c: dict[str, Any], today: bool) -> str:
    """Each step's ratio against its cap: only the steps over it when some are, 8 at most."""
    steps = c["steps"]
    shown = [s for s in steps if s["step"] in c["over"]] if c["over"] else steps
    parts = [
        f"{s['step']} {s['exceptions']}/{s['cases']}"
        + ("" if s["ratio"] is None else f" = {_pct(s['ratio'])}")
        + f" {'>' if s['step'] in c['over'] else '≤'} cap {_pct(s['cap'])}"
        for s in shown[:8]
    ]
    more = f" and {len(shown) - 8} more" if len(shown) > 8 else ""
    head = "Exceptions within the cap in every step" if c["met"] else "Exceptions over the cap"
    return f"{mark} {head} (last cycle): {', '.join(parts)}{more}"


def _contract_phrase(mark: str, c: dict[str, Any], today: bool) -> str:
    if c["met"]:
        return f"{mark} Input contract: {plural(c['inputs'], 'input')}, {plural(c['outputs'], 'output')}"
    lacking = [name for name in ("inputs", "outputs") if not c[name]]
    return f"{mark} Input contract: no {' and no '.join(lacking)} declared"


def _learnings_phrase(mark: str, c: dict[str, Any], today: bool) -> str:
    counts = ", ".join(f"cycle {cycle}: {n}" for cycle, n in c["per_cycle"].items())
    if c["met"]:
        return f"{mark} Learnings in every cycle ({counts})"
    if c["missing"]:
        return f"{mark} Learnings: none in cycle {', '.join(str(n) for n in c['missing'])} ({counts})"
    closed = len(c["per_cycle"])
    return f"{mark} Learnings: only {closed} of the {c.get('wanted', closed)} cycles needed have closed"


def _owner_phrase(mark: str, c: dict[str, Any], today: bool) -> str:
    return f"{mark} Owner " + ("is an active Slack user" if c["met"] else "is not an active Slack user")


def _reliability_phrase(mark: str, c: dict[str, Any], today: bool) -> str:
    if not c.get("applies"):
        return f"{mark} Input reliability: n/a (no sources)"
    if not c["pairs"]:
        return f"{mark} Input reliability: no sourced number in those cycles' closed weeks"
    sign = "≥" if c["met"] else "<"
    return (
        f"{mark} Input reliability {_pct(c['share'])} ({c['arrived']} of {c['pairs']} sourced numbers "
        f"arrived before their week closed) {sign} {_pct(c['minimum'])}"
    )


def _queue_phrase(mark: str, c: dict[str, Any], today: bool) -> str:
    as_of = " (as of today)" if today else ""
    if c["met"]:
        return f"{mark} Exception queue: no item open more than {c['limit_days']} days{as_of}"
    return (
        f"{mark} Exception queue: {plural(c['overdue'], 'item')} open more than {c['limit_days']} days, "
        f"the oldest {plural(c['oldest_days'], 'day')}{as_of}"
    )


def _scores(step: dict[str, Any]) -> str:
    """How far a step that missed its rubric threshold was: " (scores 85–88%)", " (score
    88%, 1 week without one)"; nothing for a judgement kept before the scores were."""
    if "low" not in step:
        return ""
    low, high = _pct(step["low"]), _pct(step["high"])
    said = f"score {low}" if low == high else f"scores {low.removesuffix('%')}–{high}"
    if step.get("unscored"):
        said += f", {plural(step['unscored'], 'week')} without one"
    if step.get("lowest"):  # by rubric dimension: its lowest week's
        said += f"; lowest week {step['lowest']}"
    return f" ({said})"


def _accuracy_phrase(mark: str, c: dict[str, Any], today: bool) -> str:
    """Criterion (6): "❌ Output accuracy (3 of 4 weeks needed in each cycle): draft: 2 of 4,
    3 of 4 weeks ≥ 90% (scores 85–95%); route: no rubric by design". Steps that missed
    come first, with their scores."""
    threshold, weeks = _pct(c["threshold"]), c["weeks"]
    steps = sorted(c["steps"], key=lambda s: s["met"])
    parts = []
    for s in steps[:8]:
        if s["by_design"]:
            parts.append(f"{s['step']}: no rubric by design")
        elif not s["scored"]:
            parts.append(f"{s['step']}: no rubric score")
        else:
            shown = f"{s['step']}: {', '.join(f'{n} of {weeks}' for n in s['weeks_met'])} weeks ≥ {threshold}"
            parts.append(shown + ("" if s["met"] else _scores(s)))
    more = f" and {len(steps) - 8} more" if len(steps) > 8 else ""
    head = f"{mark} Output accuracy ({c['needed']} of {weeks} weeks needed in each cycle"
    if c["below"] and c["cycles"] < c["wanted"]:
        head += f"; only {c['cycles']} of the {c['wanted']} cycles needed have closed"
    return f"{head}): {'; '.join(parts)}{more}" if parts else f"{head}): no steps"


_PHRASES: dict[str, _Phrase] = {
    "attestation": _attestation_phrase,
    "exceptions": _exceptions_phrase,
    "contract": _contract_phrase,
    "learnings": _learnings_phrase,
    "owner": _owner_phrase,
    "accuracy": _accuracy_phrase,
    "reliability": _reliability_phrase,
    "queue": _queue_phrase,
}
