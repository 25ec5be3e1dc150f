"""What the sorter knows (docs/judgement.md, "The bar judged by its effect"): each field of a
playbook's definition and the judge that reads it. cadence/bar_sort.py replays the fields a
judge reads; a field whose judge is `NEUTRAL` (PRODUCT's short list) or `NOTHING` (no
verdict reads it: the clock, the people named, names and units, where readings come from)
applies at once; a field this table does not name, one added to the definition later, is
a request ("the replay cannot judge a change to …"): a list of loosenings is always one
field short, a list of what the judges read is not.

A field is a path: `kpi.target`, `rules.min_cases`, `steps[].pinned` (a step's, any step),
`inputs[].check`; a path not in the table is judged by its nearest parent that is
(`kpi.from.query` by `kpi.from`). Pure."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from cadence import inputs
from cadence.bar import BarChange
from cadence.bar_structure import named_before
from cadence.definition_rules import CADENCE_SETTINGS, INTAKE_SETTINGS

# The judges (each names where it is).
NEUTRAL = "neutral (PRODUCT: the title, the function, the kit's texts, outputs, a rename, model and prompt)"
WEEK = "each kept and probe week's verdict (cadence/rules.py judge_with_rule, critical_demotion)"
CYCLE = "each kept cycle's result and week's guardrail (cadence/bar_kpi.py)"
HOLD = "a standing hold: the pulse's trust hold (cadence/pulse.py holds) or usage's (cadence/usage.py holds)"
STRUCTURE = "the mode map and the evidence (cadence/bar_structure.py), gates at the click"
CONTRACT = "readiness's input contract (cadence/bar_sort.py contract_met)"
READINESS = "readiness's criteria with the figures read now (cadence/bar_readiness.py)"
PROPOSALS = "when a promotion or scale proposal is made (cadence/bar_proposals.py, rules.evaluate)"
BOUNDS = "the gate of messy cases or strict boundaries at a promotion to ai-led (cadence/boundaries.py)"
BAR = "a bar number no replayed judge reads yet: a request (cadence/bar.py)"
NOTHING = "nothing a verdict reads: the clock, people named, names, where readings come from"
RECOVERY = "a demotion's way back from human-led review: eased, a request (cadence/recovery_bar.py)"

FIELDS: dict[str, str] = {
    "playbook": NOTHING,
    "title": NEUTRAL,
    "function": NEUTRAL,
    "outputs": NEUTRAL,
    "channel": NOTHING,
    "owner": NOTHING,
    "exception_owner": NOTHING,
    "owners": NOTHING,  # readiness (5): naming the owners completes it, as an input's contract does
    "timezone": NOTHING,
    "tool": HOLD,  # which tool's usage records a week is read against: lifts a standing usage hold
    "kpi.name": NOTHING,
    "kpi.unit": NOTHING,
    "kpi.direction": CYCLE,
    "kpi.target": CYCLE,
    "kpi.baseline": BAR,  # the stall rule's and replication's progress: not replayed
    "kpi.compare": BAR,
    "kpi.rest_baseline": BAR,
    "kpi.from": NOTHING,
    "guardrail": CYCLE,  # one added or removed
    "guardrail.name": NOTHING,
    "guardrail.unit": NOTHING,
    "guardrail.min": CYCLE,
    "guardrail.max": CYCLE,
    "guardrail.from": NOTHING,
    "rubric_threshold": WEEK,
    "exception_cap": WEEK,
    "steps[]": STRUCTURE,  # a step added or removed
    "steps[].name": NEUTRAL,
    "steps[].was": NEUTRAL,
    "steps[].model": NEUTRAL,
    "steps[].prompt": NEUTRAL,
    "steps[].prompt_text": NEUTRAL,  # the kit's texts (cadence/step_texts.py): as `prompt`, a stale calibration
    "steps[].rubric_text": NEUTRAL,
    "steps[].tool": HOLD,  # as the playbook's `tool`
    "steps[].mode": STRUCTURE,
    "steps[].pinned": STRUCTURE,
    "steps[].rubric": STRUCTURE,
    "steps[].calibration": STRUCTURE,
    "steps[].calibration.messy": BOUNDS,  # a set's messy cases: raised opens the gate, a request
    "steps[].boundaries": BOUNDS,  # declared where none were opens the gate, a request
    "steps[].reason": NOTHING,  # the words shown with `calibration: none`
    "steps[].from": NOTHING,
    "steps[].demote_to": RECOVERY,  # declared tightens; removed, a request
    "steps[].recover_after": RECOVERY,  # raised tightens; lowered, a request
    "inputs[]": CONTRACT,  # an input added or removed (its check: STRUCTURE)
    "inputs[].name": CONTRACT,
    "inputs[].owner": CONTRACT,
    "inputs[].refresh": CONTRACT,
    "inputs[].when_missing": CONTRACT,
    "inputs[].check": STRUCTURE,
    "inputs[].reason": NOTHING,  # the words shown with `check: none`
    "review_rate": WEEK,
    "replication.runbook": NEUTRAL,
    "replication.training": NEUTRAL,
    "replication.checks": NEUTRAL,
    "replication.requires": NEUTRAL,
    "replication.may_change": STRUCTURE,
    "replication.requires_champion": STRUCTURE,
    "value_events": NOTHING,  # an event's name, and what it counts as: where readings come from
    "sources": NOTHING,
    "value": NOTHING,  # the value measure: hours saved, no verdict's
    "cost": NOTHING,
    "intake": NOTHING,  # the intake's answers ("funding a demo?")
    "handoff": STRUCTURE,
    "handoff.sla_hours": STRUCTURE,
    "handoff.resolve_hours": STRUCTURE,
    "handoff.fallback": STRUCTURE,
    "handoff.escalate_to": NOTHING,
    "calibration": STRUCTURE,
    "calibration.messy": BOUNDS,
    "messy_min": BOUNDS,  # lowered opens the gate: a request; raised applies at once
    "rubric": STRUCTURE,
    **{f"rules.{name}": WEEK for name in ("min_cases", "rubric_floor", "judgement")},
    **{f"rules.{name}": HOLD for name in ("pulse", "pulse_min_answers")},
    "rules.scale_min_kpi_weeks": CYCLE,
    **{
        f"rules.{name}": PROPOSALS
        for name in ("promote_after_weeks", "cooldown_weeks", "freeze_after_changes", "freeze_window_weeks")
    },
    "rules.scale_after_cycles": PROPOSALS,
    **{f"rules.{name}": READINESS for name in ("ready_min_attestation", "ready_min_reliability")},
    **{f"rules.{name}": NOTHING for name in CADENCE_SETTINGS | INTAKE_SETTINGS},
    **{
        f"rules.{name}": BAR  # demotion and replication windows and shares
        for name in (
            "critical_multiplier",
            "demote_after_fails",
            "demote_window_weeks",
            "unobserved_warn_weeks",
            "unobserved_demote_weeks",
            "adoption_wave",
            "replicate_share",
            "team_load_max",  # an adoption's gate, as the wave is (cadence/team_load.py)
        )
    },
}

# Fields that judge only their being added or removed: a field under them is judged by its own entry.
WHOLE = frozenset({"steps[]", "inputs[]", "guardrail", "handoff"})
_NAMED = re.compile(r"\[[^\]]*\]")
_LISTS_BY_NAME = ("steps", "inputs")  # lists whose items a name keeps apart


def judge_of(path: str) -> str | None:
    """The judge that reads `path`, by its nearest named parent; None: none known."""
    key = _NAMED.sub("[]", path)
    exact = True
    while key:
        if key in FIELDS and (exact or key not in WHOLE):
            return FIELDS[key]
        exact = False
        cut = max(key.rfind("."), key.rfind("[]") if key.endswith("[]") else -1)
        key = key[:cut] if cut > 0 else ""
    return None


def changed(before: Any, after: Any, path: str = "") -> Iterator[tuple[str, Any, Any]]:
    """Each field that differs, as its path and the values before and after: a section's
    fields one by one, a step or an input by its name (a renamed step by its `was`)."""
    if isinstance(before, dict) and isinstance(after, dict):
        yield from _changed_by_key(before, after, path)
    elif path in _LISTS_BY_NAME and isinstance(before, list) and isinstance(after, list):
        yield from _changed_by_name(before, after, path)
    elif before != after:
        yield path, before, after


def _changed_by_key(before: dict[str, Any], after: dict[str, Any], path: str) -> Iterator[tuple[str, Any, Any]]:
    """A section's fields one by one, `before`'s first."""
    for key in [*before, *(k for k in after if k not in before)]:
        yield from changed(before.get(key), after.get(key), f"{path}.{key}" if path else str(key))


def _changed_by_name(before: list[Any], after: list[Any], path: str) -> Iterator[tuple[str, Any, Any]]:
    """A list's items matched by name (a renamed step by its `was`): one added or removed
    whole, one kept field by field."""
    old = {_name(e).lower(): e for e in before}
    new = _by_name_before(old, after, path)
    for key in [*old, *(k for k in new if k not in old)]:
        was, now = old.get(key), new.get(key)
        name = _name(now if now is not None else was)
        if was is not None and now is not None:
            yield from changed(_entry(was), _entry(now), f"{path}[{name}]")
        elif was != now:
            yield f"{path}[{name}]", was, now


def _by_name_before(old: dict[str, Any], after: list[Any], path: str) -> dict[str, Any]:
    """`after`'s items by name lowercased: a step under the name it `was`, where renamed."""
    return {named_before(old, e).lower() if path == "steps" else _name(e).lower(): e for e in after}


def _name(entry: Any) -> str:
    return inputs.name_of(entry) if not isinstance(entry, dict) or "name" in entry else ""


def _entry(entry: Any) -> dict[str, Any]:
    return {"name": entry} if isinstance(entry, str) else dict(entry)


def unjudged(before: dict[str, Any], after: dict[str, Any]) -> list[BarChange]:
    """The changes to fields no judge of the table reads: each a request with what the
    replay found, that it cannot judge them."""
    found = []
    for path, old, new in changed(before, after):
        if judge_of(path) is None:
            words = f"{path} {_shown(old)} → {_shown(new)}"
            found.append(BarChange(path, old, new, words, False, (f"the replay cannot judge a change to {path}",)))
    return found


def _shown(value: Any) -> str:
    return "none" if value is None else f"{value:g}" if isinstance(value, float) else str(value)
