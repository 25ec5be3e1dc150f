"""Readiness's criteria in words (usecases/shared/readiness.py gives them): each ✅ met with
its numbers, ❌ not met or not declared naming what is missing, or ➖ "none: <reason>" where
the playbook declares it out on purpose, as the curators' post, the owner's DM, `/rollout
publish`'s refusal and the web view show them. Silence is never a pass: no "n/a"."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cadence.inputs import lacking_words
from templates.numbers import pct as _pct
from templates.numbers import plural


def criterion_phrase(c: dict[str, Any], today: bool = False) -> str:
    """One criterion of readiness (usecases/shared/readiness.py), ✅ or ❌ with its numbers,
    or ➖ with the reason it is declared out; `today`: the exception queue was judged as it
    stands now, and says so."""
    if c.get("none") and c["met"]:
        return f"{NONE_MARK} {_TITLES.get(c['name'], c['name'])}: none: {c['none']}"
    mark = "✅" if c["met"] else "❌"
    phrase = _PHRASES.get(c["name"])
    return phrase(mark, c, today) if phrase else f"{mark} {c['name']}"


NONE_MARK = "➖"  # declared out on purpose, with its reason: counts as met
_TITLES = {"accuracy": "Output accuracy", "reliability": "Input reliability"}

# Each phrase takes the criterion's mark, the criterion and whether it was judged today.
_Phrase = Callable[[str, dict[str, Any], bool], str]


def _scale_rule_phrase(mark: str, c: dict[str, Any], today: bool) -> str:
    """Not a criterion of readiness: the scale rule a publication over it asks a second
    person to pass over (usecases/shared/registry.py `publish`)."""
    return f"{mark} The scale rule never held ({c['rule']}): the KPI was not sustained"


def _attestation_phrase(mark: str, c: dict[str, Any], today: bool) -> str:
    if not c["asked"]:
        return f"{mark} Attestation: no check-ins were asked in those cycles"
    sign = "≥" if c["met"] else "<"
    return (
        f"{mark} Attestation {_pct(c['rate'])} ({c['answered']} of {c['asked']} check-ins answered) "
        f"{sign} {_pct(c['minimum'])}{_usage_words(c)}"
    )


def _usage_words(c: dict[str, Any]) -> str:
    """Attestation against the tools' usage records (docs/usage-records.md): the weeks
    attested without usage whose answers did not count, or that none was checked. Nothing
    for a judgement made before usage was read."""
    if "usage_checked" not in c:
        return ""
    if not c["usage_checked"]:
        return "; attestation not checked against usage"
    unused = c.get("unused_weeks") or 0
    if not unused:
        return "; checked against usage"
    weeks = "1 week" if unused == 1 else f"{unused} weeks"
    return f"; checked against usage: {weeks} attested without usage not counted"


def _exceptions_phrase(mark: str, c: dict[str, Any], today: bool) -> str:
    """Each step's ratio against its cap: only the steps over it or without enough cases
    when some are, 8 at most. No cases is "no cases", never within the cap."""
    steps, short = c["steps"], c.get("short") or []
    wrong = set(c["over"]) | set(short)
    shown = [s for s in steps if s["step"] in wrong] if wrong else steps
    parts = [_step_ratio(s, s["step"] in c["over"], s["step"] in short, c.get("min_cases", 1)) for s in shown[:8]]
    more = f" and {len(shown) - 8} more" if len(shown) > 8 else ""
    if c["met"]:
        head = "Exceptions within the cap in every step"
    else:
        head = "Exceptions over the cap" if c["over"] else "Exceptions: too few cases to judge"
    return f"{mark} {head} (last cycle): {', '.join(parts)}{more}"


def _step_ratio(s: dict[str, Any], over: bool, short: bool, min_cases: int) -> str:
    if short and not s["cases"]:
        return f"{s['step']}: no cases"
    said = f"{s['step']} {s['exceptions']}/{s['cases']}" + ("" if s["ratio"] is None else f" = {_pct(s['ratio'])}")
    if short:
        return f"{said}: under {min_cases} cases, not evidence"
    return f"{said} {'>' if over else '≤'} cap {_pct(s['cap'])}"


def _contract_phrase(mark: str, c: dict[str, Any], today: bool) -> str:
    """(3) "❌ Input contract: ticket history: no owner, refresh or when-missing"."""
    if c["met"]:
        return f"{mark} Input contract: {plural(c['inputs'], 'input')}, {plural(c['outputs'], 'output')}"
    lacking = [name for name in ("inputs", "outputs") if not c[name]]
    parts = [f"no {' and no '.join(lacking)} declared"] if lacking else []
    gaps = c.get("lacking") or []
    parts += [f"{g['name'][:60]}: {lacking_words(g['missing'])}" for g in gaps[:8]]
    more = f" and {len(gaps) - 8} more" if len(gaps) > 8 else ""
    return f"{mark} Input contract: {'; '.join(parts)}{more}"


def _learnings_phrase(mark: str, c: dict[str, Any], today: bool) -> str:
    counts = ", ".join(f"cycle {cycle}: {n}" for cycle, n in c["per_cycle"].items())
    if c["met"]:
        return f"{mark} Learnings in every cycle ({counts})"
    if c["missing"]:
        return f"{mark} Learnings: none in cycle {', '.join(str(n) for n in c['missing'])} ({counts})"
    closed = len(c["per_cycle"])
    return f"{mark} Learnings: only {closed} of the {c.get('wanted', closed)} cycles needed have closed"


def _owner_phrase(mark: str, c: dict[str, Any], today: bool) -> str:
    """(5) "✅ Ownership: the owner, the business rules owner and the model updates owner are
    active Slack users", "❌ Ownership: no model updates owner named", "❌ Ownership: the
    business rules owner is not an active Slack user"."""
    unnamed = [f"no {role} named" for role in c.get("unnamed") or []]
    if not c.get("others") and not unnamed:
        return f"{mark} Owner " + ("is an active Slack user" if c["met"] else "is not an active Slack user")
    if c["met"]:
        return f"{mark} Ownership: {_and([f'the {role}' for role in ['owner', *c['others']]])} are active Slack users"
    return f"{mark} Ownership: {_owners_missing(c, unnamed)}"


def _owners_missing(c: dict[str, Any], unnamed: list[str]) -> str:
    """What ownership lacks: the roles not named, then those whose people are not active Slack users."""
    gone = [f"the {i['role']}" for i in c.get("inactive") or []]
    verb = "is not an active Slack user" if len(gone) == 1 else "are not active Slack users"
    return "; ".join([*unnamed, *([f"{_and(gone)} {verb}"] if gone else [])])


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def _reliability_phrase(mark: str, c: dict[str, Any], today: bool) -> str:
    """Criterion (7), the AI's inputs checked, and metric delivery on a line of its own
    (judging nothing). A judgement kept before inputs were checked judged metric delivery
    itself: it reads as it did, under its new name."""
    if not c.get("checks"):
        return _delivery(f"{mark} Metric delivery", c)
    if "share" not in c:  # kept before every input needed a check or check: none: as judged then
        head = f"{mark} Input reliability: " + ("no input checks" if not c["applies"] else _checked_then(c))
    elif not c["applies"]:
        head = f"{mark} Input reliability: no inputs declared"
    else:
        inputs = sorted(c["inputs"], key=lambda i: i["met"])
        parts = [f"{name[:60]}: no check or check: none" for name in c["unchecked"]]
        parts += [_checked(i, c["min_weeks"]) for i in inputs]
        parts += [f"{n['name'][:60]}: none: {n['reason']}" for n in c["none_inputs"]]
        more = f" and {len(parts) - 8} more" if len(parts) > 8 else ""
        wanted = f"{c['share']} of the weeks checked, at least {c['min_weeks']}"
        head = f"{mark} Input reliability ({wanted}): {', '.join(parts[:8])}{more}"
    return f"{head}\n{_delivery('Metric delivery (shown, not a criterion)', c['delivery'])}"


def _checked(i: dict[str, Any], min_weeks: int) -> str:
    if i["checked"] < min_weeks:
        return f"{i['name'][:60]} checked in {plural(i['checked'], 'week')}, {min_weeks} needed"
    return f"{i['name'][:60]} {i['weeks_met']} of {i['checked']} weeks checked ≥ {i['min']:g}"


def _checked_then(c: dict[str, Any]) -> str:
    parts = [f"{i['name'][:60]} {i['weeks_met']} of {c['weeks']} weeks ≥ {i['min']:g}" for i in c["inputs"][:8]]
    return f"({c['needed']} of {c['weeks']} weeks needed) {', '.join(parts)}"


def _delivery(head: str, c: dict[str, Any]) -> str:
    """Of the cycles' sourced numbers, how many arrived before their week closed."""
    if not c.get("applies"):
        return f"{head}: no sources"
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


def _uncounted(weeks: int) -> str:
    """Reviews kept but not evidence: no case count (the sample's share is unknown), or
    fewer cases than min_cases."""
    return f"{plural(weeks, 'review')} without a case count or under min_cases: the sample's share is unknown"


def _accuracy_phrase(mark: str, c: dict[str, Any], today: bool) -> str:
    """Criterion (6): "❌ Output accuracy (3 of 4 weeks needed in each cycle): draft: 2 of 4,
    3 of 4 weeks ≥ 90% (scores 85–95%); no evidence: send reviewed in 1 of 8 weeks; route:
    no rubric by design". Steps that missed come first, with their scores."""
    threshold, weeks = _pct(c["threshold"]), c["weeks"]
    steps = sorted(c["steps"], key=lambda s: s["met"])
    parts = [_step_accuracy(s, c["needed"], weeks, threshold) for s in steps[:8]]
    parts[:0] = [f"{step}: calibration set {words}" for step, words in (c.get("calibration") or {}).items()]
    more = f" and {len(steps) - 8} more" if len(steps) > 8 else ""
    head = f"{mark} Output accuracy ({c['needed']} of {weeks} weeks needed in each cycle"
    if c["below"] and c["cycles"] < c["wanted"]:
        head += f"; only {c['cycles']} of the {c['wanted']} cycles needed have closed"
    return f"{head}): {'; '.join(parts)}{more}" if parts else f"{head}): no steps"


def _step_accuracy(s: dict[str, Any], needed: int, weeks: int, threshold: str) -> str:
    """One step's part of criterion (6): no rubric by design, no score, no evidence, no
    cycle closed yet, or its weeks at the threshold in each cycle (with its scores when it
    missed); with the reviews its sample could not count."""
    if s["by_design"]:
        part = f"{s['step']}: none: {s.get('reason') or 'no rubric by design'}"
    elif not s["scored"]:  # a judgement kept when a step without scores passed
        part = f"{s['step']}: no rubric score"
    elif s.get("no_evidence"):
        part = _no_evidence(s, needed, weeks)
    elif not s["weeks_met"]:  # no cycle of it has closed: nothing judged yet
        part = f"{s['step']}: no cycle closed yet"
    else:
        shown = f"{s['step']}: {', '.join(f'{n} of {weeks}' for n in s['weeks_met'])} weeks ≥ {threshold}"
        part = shown + ("" if s["met"] else _scores(s))
    if s.get("uncounted"):
        part += f" ({_uncounted(s['uncounted'])})"
    return part


_PHRASES: dict[str, _Phrase] = {
    "attestation": _attestation_phrase,
    "scale_rule": _scale_rule_phrase,
    "exceptions": _exceptions_phrase,
    "contract": _contract_phrase,
    "learnings": _learnings_phrase,
    "owner": _owner_phrase,
    "accuracy": _accuracy_phrase,
    "reliability": _reliability_phrase,
    "queue": _queue_phrase,
}


# The templates' filters of readiness, by name (registered in templates/__init__.py).
FILTERS = {"criterion_phrase": criterion_phrase}
