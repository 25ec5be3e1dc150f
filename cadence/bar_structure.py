"""The bar beyond its numbers (docs/playbooks.md, "What the bar covers"): the mode map and the
evidence. Each change here loosens or tightens: unpinning a step, a step's `rubric: none`, a
new step at ai-led (it runs collaborative until approved), a calibration set removed or made
smaller, rubric dimensions removed, an input's check dropped (the check removed, the checked
input removed or renamed) or its `min` lowered, `may_change` widened, `requires_champion`
cleared, `handoff` removed or its `sla_hours` or `resolve_hours` raised, its `fallback` from human-led to
collaborative (the default: AI-led work goes on with a person beside it). The opposite change
tightens. Pure: canonical definitions in, changes out; `put` sets one field's value.

A field names its step or input in brackets: `steps[send].pinned`, `inputs[ticket history].check`."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from cadence import boundaries_bar, recovery_bar
from cadence.definition import MODES
from cadence.definition_calibration import declared
from cadence.definition_handoff import FALLBACK
from cadence.definition_parts import requires_champion

STANDIN_MODE = "collaborative"  # a new step asked at ai-led runs so while the request waits
_NAMED = re.compile(r"^(steps|inputs)\[(.*)\](?:\.(.*))?$", re.DOTALL)

# (field, words of the change, tightens) for each change found
Found = tuple[str, Any, Any, str, bool]


def changes(before: dict[str, Any], after: dict[str, Any]) -> list[Found]:
    found = [*_steps(before, after), *_evidence(before, after), *_inputs(before, after), *_kit(before, after)]
    return [*found, *boundaries_bar.changes(before, after), *recovery_bar.changes(before, after)]


def _steps(before: dict[str, Any], after: dict[str, Any]) -> Iterator[Found]:
    had = {s["name"].lower(): s for s in before.get("steps") or []}
    removed = _pinned_removed(before, after, had)
    for at, step in removed:  # a pinned step removed: its pin goes with it
        words = f"pinned step {step['name']} removed (its pin goes with it)"
        yield f"steps[{step['name']}]", {"at": at, "step": step}, None, words, False
    pinned_gone = [s["name"] for _, s in removed]
    for step in after.get("steps") or []:
        old = had.get(named_before(had, step).lower())
        yield from _step_added(step, pinned_gone) if old is None else _step_changed(before, after, old, step)


def _pinned_removed(
    before: dict[str, Any], after: dict[str, Any], had: dict[str, Any]
) -> list[tuple[int, dict[str, Any]]]:
    """The pinned steps `after` no longer has, under their name or a rename, each with its index."""
    kept = {named_before(had, s).lower() for s in after.get("steps") or []}
    steps = enumerate(before.get("steps") or [])
    return [(at, s) for at, s in steps if s.get("pinned") and s["name"].lower() not in kept]


def _step_added(step: dict[str, Any], pinned_gone: list[str]) -> Iterator[Found]:
    """A new step where a pinned step was removed, under any name, runs human-led and
    pinned until approved; a new step asked at ai-led runs STANDIN_MODE until approved."""
    name = step["name"]
    if pinned_gone and not (step["mode"] == "human-led" and step.get("pinned")):
        words = f"new step {name} at {step['mode']} where pinned step {', '.join(pinned_gone)} was removed"
        asked = {"mode": step["mode"], "pinned": bool(step.get("pinned"))}
        yield (
            f"steps[{name}].added",
            {"mode": "human-led", "pinned": True},
            asked,
            words + " (runs human-led, pinned, until approved)",
            False,
        )
    elif step["mode"] == "ai-led":
        yield (
            f"steps[{name}].mode",
            None,
            "ai-led",
            f"new step {name} at ai-led (runs {STANDIN_MODE} until approved)",
            False,
        )


def _step_changed(
    before: dict[str, Any], after: dict[str, Any], old: dict[str, Any], step: dict[str, Any]
) -> Iterator[Found]:
    """A kept step's changes: to ai-led, its pin, its rubric, its calibration."""
    name = step["name"]
    was_mode = old.get("mode") or "human-led"
    if MODES.index(step["mode"]) > MODES.index(was_mode):  # any move up, as `/rollout mode` asks it
        yield f"steps[{name}].mode", old.get("mode"), step["mode"], f"step {name} {was_mode} → {step['mode']}", False
    pinned, now_pinned = bool(old.get("pinned")), bool(step.get("pinned"))
    if pinned != now_pinned:
        words = f"step {name} {'pinned → unpinned' if pinned else 'unpinned → pinned'}"
        yield f"steps[{name}].pinned", pinned, now_pinned, words, now_pinned
    if old.get("rubric") != step.get("rubric"):
        old_r, new_r = old.get("rubric"), step.get("rubric")
        words = f"step {name} rubric {_rubric(old_r, 'the playbook’s')} → {_rubric(new_r, 'the playbook’s')}"
        yield f"steps[{name}].rubric", old_r, new_r, words, _rubric_tightens(old_r, new_r)
    if old.get("calibration") != step.get("calibration"):
        yield from _step_calibration(before, after, old, step)


def named_before(had: dict[str, Any], step: dict[str, Any]) -> str:
    """The step's name before the change, among `had`'s (by name lowercased): its own, or
    the name it says it `was` where it was renamed (and its own name is new)."""
    name = str(step.get("name", ""))
    was = step.get("was")
    return str(was) if was and name.lower() not in had and str(was).lower() in had else name


def _rubric(value: Any, unset: str) -> str:
    if value is None:
        return unset
    return "none" if value == "none" else ", ".join(value.get("dimensions") or [])


def _rubric_tightens(old: Any, new: Any) -> bool:
    """`rubric: none` loosens, its opposite tightens; dimensions removed loosen, added tighten."""
    if new == "none" or old == "none":
        return bool(old == "none")
    if new is None:
        return False
    return old is None or set(new["dimensions"]) >= set(old["dimensions"])


def _size(section: dict[str, Any]) -> int | None:
    given = section.get("calibration")
    return int(given["cases"]) if isinstance(given, dict) else None


def _calibration(field: str, label: str, before: dict[str, Any], after: dict[str, Any]) -> Iterator[Found]:
    """A set removed (or declared `none`) or smaller loosens; added or larger tightens.
    The values are the sections' as written (`{cases: N}`, `none`, None)."""
    old, new = _size(before), _size(after)
    if old != new:
        words = f"{label} {_cases(old)} → {_cases(new)}"
        tightens = new is not None and (old is None or new > old)
        yield field, before.get("calibration"), after.get("calibration"), words, tightens


def _step_calibration(
    before: dict[str, Any], after: dict[str, Any], old: dict[str, Any], step: dict[str, Any]
) -> Iterator[Found]:
    """A step's own calibration changed: judged by the set that applies to the step, its
    own or the playbook's (a step's own `calibration: none` where the playbook has a set
    removes it for that step)."""
    name = step["name"]
    was, now = declared(before, str(old["name"])), declared(after, name)
    if was is None and now is None and step.get("calibration") == "none" and old.get("calibration") != "none":
        # where no set existed, `calibration: none` opens the calibration gate: a loosening
        words = f"step {name} calibration: none declared where it had no set (opens the calibration gate)"
        yield f"steps[{name}].calibration", old.get("calibration"), "none", words, False
    elif was != now:
        words = f"step {name} calibration set {_cases(was)} → {_cases(now)}"
        tightens = now is not None and (was is None or now > was)
        yield f"steps[{name}].calibration", old.get("calibration"), step.get("calibration"), words, tightens


def _cases(size: int | None) -> str:
    return "none" if size is None else f"{size} cases"


def _evidence(before: dict[str, Any], after: dict[str, Any]) -> Iterator[Found]:
    yield from _calibration("calibration", "calibration set", before, after)
    old, new = before.get("rubric"), after.get("rubric")
    if old != new:
        words = f"rubric dimensions {_rubric(old, 'none')} → {_rubric(new, 'none')}"
        yield "rubric", old, new, words, new is not None and _rubric_tightens(old, new)


def _checked(entry: Any) -> dict[str, Any] | None:
    check = entry.get("check") if isinstance(entry, dict) else None
    return check if isinstance(check, dict) else None


def _declared_none(entry: Any) -> dict[str, Any] | None:
    """An input's `check: none` with its reason, as the check's value once approved."""
    if isinstance(entry, dict) and entry.get("check") == "none":
        return {"check": "none", "reason": entry.get("reason")}
    return None


def _put_check(entry: dict[str, Any], value: Any) -> None:
    """The input's check as `value` says: a check, `check: none` with its reason, or none;
    a reason goes with `check: none` only."""
    entry.pop("reason", None)
    if isinstance(value, dict) and value.get("check") == "none":
        entry.update({k: v for k, v in value.items() if v is not None})
    elif value:
        entry["check"] = value
    else:
        entry.pop("check", None)


def _name(entry: Any) -> str:
    return entry if isinstance(entry, str) else str(entry.get("name", ""))


def _inputs(before: dict[str, Any], after: dict[str, Any]) -> Iterator[Found]:
    now = {_name(e).lower(): e for e in after.get("inputs") or []}
    for entry in before.get("inputs") or []:
        yield from _input_changed(entry, now.get(_name(entry).lower()))


def _input_changed(entry: Any, kept: Any) -> Iterator[Found]:
    """An input's check against the same input's after the change (`kept`, None where removed)."""
    old, name = _checked(entry), _name(entry)
    new = _checked(kept)
    if old is not None and kept is None:
        yield f"inputs[{name}]", entry, None, f"input {name} and its check removed", False
    elif old is not None and new is None:
        yield (
            f"inputs[{name}].check",
            old,
            _declared_none(kept),
            f"input {name}'s check (min {old['min']:g}) → none",
            False,
        )
    elif old is not None and new is not None and old.get("min") != new.get("min"):
        words = f"input {name}'s check min {old['min']:g} → {new['min']:g}"
        yield f"inputs[{name}].check.min", old["min"], new["min"], words, new["min"] > old["min"]
    elif old is None and new is not None:
        yield f"inputs[{name}].check", None, new, f"input {name}'s check none → min {new['min']:g}", True


def _kit(before: dict[str, Any], after: dict[str, Any]) -> Iterator[Found]:
    yield from _replication(before.get("replication") or {}, after.get("replication") or {})
    yield from _handoff(before.get("handoff"), after.get("handoff"))


def _replication(kb: dict[str, Any], ka: dict[str, Any]) -> Iterator[Found]:
    """The kit's `may_change` widened or narrowed, its `requires_champion` set or cleared."""
    old, new = list(kb.get("may_change") or []), list(ka.get("may_change") or [])
    if set(old) != set(new):
        words = f"may_change {', '.join(old) or 'nothing'} → {', '.join(new) or 'nothing'}"
        yield "replication.may_change", old, new, words, set(new) <= set(old)
    champion, now_champion = requires_champion(kb), requires_champion(ka)  # unset: required
    if champion != now_champion:
        yield (
            "replication.requires_champion",
            champion,
            now_champion,
            _yes("requires_champion", champion, now_champion),
            now_champion,
        )


def _handoff(hb: dict[str, Any] | None, ha: dict[str, Any] | None) -> Iterator[Found]:
    """The handoff added or removed, or its hours or fallback changed."""
    if (hb is None) != (ha is None):
        yield "handoff", hb, ha, f"handoff {_hours(hb)} → {_hours(ha)}", ha is not None
        return
    if hb is None or ha is None:
        return
    yield from _handoff_hours(hb, ha)
    old_f, new_f = hb.get("fallback") or FALLBACK, ha.get("fallback") or FALLBACK
    if old_f != new_f:  # human-led keeps people on every case: the stricter fallback
        yield (
            "handoff.fallback",
            hb.get("fallback"),
            ha.get("fallback"),
            f"handoff fallback {old_f} → {new_f}",
            new_f == "human-led",
        )


def _handoff_hours(hb: dict[str, Any], ha: dict[str, Any]) -> Iterator[Found]:
    """A kept handoff's `sla_hours` and `resolve_hours`: raised or removed loosens, lowered or set tightens."""
    for key in ("sla_hours", "resolve_hours"):
        old_h, new_h = hb.get(key), ha.get(key)
        if old_h != new_h:
            words = f"handoff {key} {_h(old_h)} → {_h(new_h)}"
            yield f"handoff.{key}", old_h, new_h, words, new_h is not None and (old_h is None or new_h < old_h)


def _yes(label: str, old: bool, new: bool) -> str:
    return f"{label} {'yes' if old else 'no'} → {'yes' if new else 'no'}"


def _h(hours: Any) -> str:
    return "none" if hours is None else f"{hours:g}h"


def _hours(handoff: dict[str, Any] | None) -> str:
    return "none" if handoff is None else f"SLA {_h(handoff.get('sla_hours'))}"


# ---- setting a field's value ----


def owns(field: str) -> bool:
    return field in ("calibration", "rubric", "handoff") or field.startswith(
        ("steps[", "inputs[", "replication.", "handoff.")
    )


def put(definition: dict[str, Any], field: str, value: Any, putting_back: bool) -> None:
    """Set `field` to `value` on a canonical definition; what it names that is gone since
    (a step, an input, the handoff) is left as it is. `putting_back`: the old value of a
    change that waits (a new step asked at ai-led runs collaborative meanwhile)."""
    named = _NAMED.match(field)
    if named is not None:
        kind, name, rest = named.groups()
        (_put_step if kind == "steps" else _put_input)(definition, name, rest or "", value, putting_back)
    elif field == "calibration":
        _set_calibration(definition, value)
    elif field.startswith("replication."):
        replication = definition.setdefault("replication", {})
        key = field.removeprefix("replication.")
        if key == "requires_champion" and value:  # the default: left out
            replication.pop(key, None)
        else:
            replication[key] = value
    elif field.startswith("handoff."):
        if definition.get("handoff") is not None:
            definition["handoff"][field.removeprefix("handoff.")] = value
    else:
        definition[field] = value


def _set_calibration(section: dict[str, Any], given: Any) -> None:
    if given is None:
        section.pop("calibration", None)
    else:
        section["calibration"] = given
    if "name" in section and given != "none" and section.get("rubric") != "none":
        section.pop("reason", None)  # a step's reason goes with `calibration: none`


def _find(items: list[Any], name: str) -> int | None:
    return next((i for i, e in enumerate(items) if _name(e).lower() == name.lower()), None)


def _put_step(definition: dict[str, Any], name: str, key: str, value: Any, putting_back: bool) -> None:
    steps = definition.get("steps") or []
    at = _find(steps, name)
    if not key:  # a pinned step removed: back where it was, or gone
        _put_whole_step(steps, at, value)
    elif at is None:
        return
    elif key in _STEP_KEYS:
        _STEP_KEYS[key](steps[at], value, putting_back)
    elif "." in key:  # deeper, a field no judge reads (cadence/bar_fields.py)
        _put_deeper(steps[at], key, value)
    elif value is None or value is False:
        steps[at].pop(key, None)
    else:
        steps[at][key] = value


def _put_whole_step(steps: list[Any], at: int | None, value: Any) -> None:
    if at is not None and value is None:
        steps.pop(at)
    elif at is None and value is not None:
        steps.insert(min(int(value["at"]), len(steps)), value["step"])


def _put_added(step: dict[str, Any], value: Any, putting_back: bool) -> None:
    step["mode"] = value["mode"]
    if value["pinned"]:
        step["pinned"] = True
    else:
        step.pop("pinned", None)


def _put_mode(step: dict[str, Any], value: Any, putting_back: bool) -> None:
    step["mode"] = STANDIN_MODE if putting_back and value is None else value


def _put_rubric(step: dict[str, Any], value: Any, putting_back: bool) -> None:
    if value is None:
        step.pop("rubric", None)
    else:
        step["rubric"] = value
    if value != "none" and step.get("calibration") != "none":
        step.pop("reason", None)  # a step's reason goes with `rubric: none`


def _put_deeper(step: dict[str, Any], key: str, value: Any) -> None:
    section, _, rest = key.partition(".")
    if isinstance(step.get(section), dict) and value is None:
        step[section].pop(rest, None)
    elif value is not None:
        step[section] = {**(step.get(section) or {}), rest: value}


_STEP_KEYS: dict[str, Callable[[dict[str, Any], Any, bool], None]] = {
    "added": _put_added,
    "mode": _put_mode,
    "calibration": lambda step, value, putting_back: _set_calibration(step, value),
    "rubric": _put_rubric,
}

_INPUT_KEYS: dict[str, Callable[[dict[str, Any], Any], None]] = {
    "check": _put_check,
    "check.min": lambda entry, value: entry["check"].__setitem__("min", value) if _checked(entry) else None,
}


def _put_input(definition: dict[str, Any], name: str, key: str, value: Any, putting_back: bool) -> None:
    inputs = definition.setdefault("inputs", [])
    at = _find(inputs, name)
    if not key:  # the whole input: back as it was, or gone
        if at is not None:
            inputs.pop(at)
        if value is not None:
            inputs.insert(len(inputs) if at is None else at, value)
        return
    if at is None:
        return
    if isinstance(inputs[at], str):
        inputs[at] = {"name": inputs[at]}
    if key in _INPUT_KEYS:
        _INPUT_KEYS[key](inputs[at], value)
    elif value is None:  # a field no judge reads (cadence/bar_fields.py)
        inputs[at].pop(key, None)
    else:
        inputs[at][key] = value
