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
    """(5) "✅ Owner is an active Slack user", or with the other owners named: "❌ Ownership:
    the business rules owner is not an active Slack user"."""
    if not c.get("others"):
        return f"{mark} Owner " + ("is an active Slack user" if c["met"] else "is not an active Slack user")
    if c["met"]:
        return f"{mark} Ownership: {_and([f'the {role}' for role in ['owner', *c['others']]])} are active Slack users"
    gone = [f"the {i['role']}" for i in c["inactive"]]
    verb = "is not an active Slack user" if len(gone) == 1 else "are not active Slack users"
    return f"{mark} Ownership: {_and(gone)} {verb}"


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def _reliability_phrase(mark: str, c: dict[str, Any], today: bool) -> str:
    """Criterion (7), the AI's inputs checked, and metric delivery on a line of its own
    (judging nothing). A judgement kept before inputs were checked judged metric delivery
    itself: it reads as it did, under its new name."""
    if not c.get("checks"):
        return _delivery(f"{mark} Metric delivery", c)
    if not c["applies"]:
        head = f"{mark} Input reliability: n/a (no input checks)"
    else:
        inputs = sorted(c["inputs"], key=lambda i: i["met"])
        parts = [f"{i['name'][:60]} {i['weeks_met']} of {c['weeks']} weeks ≥ {i['min']:g}" for i in inputs[:8]]
        more = f" and {len(inputs) - 8} more" if len(inputs) > 8 else ""
        head = f"{mark} Input reliability ({c['needed']} of {c['weeks']} weeks needed): {', '.join(parts)}{more}"
    return f"{head}\n{_delivery('Metric delivery (shown, not a criterion)', c['delivery'])}"


def _delivery(head: str, c: dict[str, Any]) -> str:
    """Of the cycles' sourced numbers, how many arrived before their week closed."""
    if not c.get("applies"):
        return f"{head}: n/a (no sources)"
    if not c["pairs"]:
        return f"{head}: no sourced number in those cycles' closed weeks"
    sign = "≥" if c["share"] >= c["minimum"] else "<"
    return (
        f"{head}: {_pct(c['share'])} ({c['arrived']} of {c['pairs']} sourced numbers "
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


def _no_evidence(step: dict[str, Any], needed: int, weeks: int) -> str:
    """A step without a counted score in enough weeks: "no evidence: draft reviewed in 1 of
    8 weeks", and the short cycle when the total alone would look enough."""
    evidence = step["evidence"]
    said = f"no evidence: {step['step']} reviewed in {sum(evidence)} of {weeks * len(evidence)} weeks"
    if sum(evidence) >= needed * len(evidence):
        said += f", {min(evidence)} of {weeks} in one cycle"
    return said


def _accuracy_phrase(mark: str, c: dict[str, Any], today: bool) -> str:
    """Criterion (6): "❌ Output accuracy (3 of 4 weeks needed in each cycle): draft: 2 of 4,
    3 of 4 weeks ≥ 90% (scores 85–95%); no evidence: send reviewed in 1 of 8 weeks; route:
    no rubric by design". Steps that missed come first, with their scores."""
    threshold, weeks = _pct(c["threshold"]), c["weeks"]
    steps = sorted(c["steps"], key=lambda s: s["met"])
    parts = []
    for s in steps[:8]:
        if s["by_design"]:
            parts.append(f"{s['step']}: no rubric by design")
        elif not s["scored"]:  # a judgement kept when a step without scores passed
            parts.append(f"{s['step']}: no rubric score")
        elif s.get("no_evidence"):
            parts.append(_no_evidence(s, c["needed"], weeks))
        else:
            shown = f"{s['step']}: {', '.join(f'{n} of {weeks}' for n in s['weeks_met'])} weeks ≥ {threshold}"
            parts.append(shown + ("" if s["met"] else _scores(s)))
    parts[:0] = [f"{step}: calibration set {words}" for step, words in (c.get("calibration") or {}).items()]
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
