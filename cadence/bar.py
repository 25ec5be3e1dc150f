"""The bar of a playbook (docs/playbooks.md, "The bar moves by decision"): the numbers its
verdicts are judged by, with the mode map and the evidence (cadence/bar_structure.py): each
change to them, old → new in words, and how a change is set on a definition or put back.
Whether a change waits for a curator is cadence/bar_sort.py's to say, by its effect; the
`tightens` each change carries is its direction, which the sorter reads only for the
structure's fields (a pin, a check: cadence/bar_structure.py), as their probe.
Pure: canonical definitions in (as cadence.revisions compares them), changes and
definitions out."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from cadence import bar_structure
from cadence.definition_rules import (
    CADENCE_SETTINGS,
    INTAKE_SETTINGS,
    LOAD_SETTINGS,
    PULSE_SETTINGS,
    RULE_FIELDS,
    RuleSettings,
)
from cadence.review import DEFAULT_RATES, rates
from cadence.revisions import _num, _share

# The rule numbers that are part of the bar with a direction of their own; every other
# rule setting but the clock's (CADENCE_SETTINGS) is a bar number whose change never tightens.
_OWN_RULES = ("min_cases", "rubric_floor", "judgement")
OTHER_RULES = tuple(
    sorted(RULE_FIELDS - CADENCE_SETTINGS - INTAKE_SETTINGS - PULSE_SETTINGS - LOAD_SETTINGS - set(_OWN_RULES))
)
_RULE_DEFAULTS = RuleSettings()


@dataclass(frozen=True)
class BarChange:
    """One change to the bar: its field (`exception_cap`, `kpi.target`, `rules.min_cases`,
    `review_rate.collaborative`, `guardrail.min`, ...), the old and new value in force
    (the effective floor, the default review rate where none is set), its words and
    whether it makes a verdict harder to pass."""

    field: str
    old: Any
    new: Any
    words: str
    tightens: bool
    found: tuple[str, ...] = ()  # what the replay found easier under it (cadence/bar_sort.py)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["found"] = list(self.found)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> BarChange:
        found = tuple(data.get("found") or ())
        return cls(**{k: data[k] for k in ("field", "old", "new", "words", "tightens")}, found=found)


def _higher(old: Any, new: Any) -> bool:
    return new is not None and old is not None and float(new) > float(old)


def _lower(old: Any, new: Any) -> bool:
    return new is not None and old is not None and float(new) < float(old)


def _never(old: Any, new: Any) -> bool:
    return False


def _rule(name: str) -> Callable[[dict[str, Any]], Any]:
    def read(d: dict[str, Any]) -> Any:
        value = (d.get("rules") or {}).get(name)
        return getattr(_RULE_DEFAULTS, name) if value is None else value

    return read


def _load_max(part: str) -> Callable[[dict[str, Any]], int]:
    """`team_load_max`'s `playbooks` or `revisions` in force (cadence/team_load.py)."""

    def read(d: dict[str, Any]) -> int:
        given = (d.get("rules") or {}).get("team_load_max") or {}
        return int(given.get(part) or getattr(_RULE_DEFAULTS.team_load_max, part))

    return read


def _floor(d: dict[str, Any]) -> float:
    given = (d.get("rules") or {}).get("rubric_floor")
    if given is not None:
        return float(given)
    return _RULE_DEFAULTS.floor_for(float(d.get("rubric_threshold") or 0))


def _rate(mode: str) -> Callable[[dict[str, Any]], float]:
    return lambda d: rates(d)[mode]


def _plain(value: Any) -> str:
    return f"{value:g}" if isinstance(value, int | float) and not isinstance(value, bool) else str(value)


# (field, label, read, words of a value, tightens(old, new)) in the order the card lists them.
_Number = tuple[str, str, Callable[[dict[str, Any]], Any], Callable[[Any], str], Callable[[Any, Any], bool]]
_NUMBERS: tuple[_Number, ...] = (
    ("exception_cap", "exception cap", lambda d: d.get("exception_cap"), _share, _lower),
    ("rubric_threshold", "rubric threshold", lambda d: d.get("rubric_threshold"), _share, _higher),
    ("rules.rubric_floor", "rubric floor", _floor, _share, _higher),
    ("rules.min_cases", "min_cases", _rule("min_cases"), _plain, _higher),
    *((f"review_rate.{mode}", f"review rate ({mode})", _rate(mode), _share, _higher) for mode in DEFAULT_RATES),
    ("rules.judgement", "judgement", _rule("judgement"), _plain, _never),
    *((f"rules.{name}", name, _rule(name), _plain, _never) for name in OTHER_RULES),
    # a team's load: a lower max holds adoptions sooner (a tightening), a higher one is asked
    *(
        (f"rules.team_load_max.{p}", f"team_load_max ({p})", _load_max(p), _plain, _lower)
        for p in ("playbooks", "revisions")
    ),
)


def bar_changes(before: dict[str, Any], after: dict[str, Any]) -> list[BarChange]:
    """Every change to the bar from `before` to `after`, each with whether it tightens."""
    changes = [
        BarChange(
            key,
            read(before),
            read(after),
            f"{label} {show(read(before))} → {show(read(after))}",
            tight(read(before), read(after)),
        )
        for key, label, read, show, tight in _NUMBERS
        if read(before) != read(after)
    ]
    structure = [BarChange(*found) for found in bar_structure.changes(before, after)]
    return [*changes[:2], *_kpi_changes(before, after), *changes[2:], *_guardrail_changes(before, after), *structure]


def _kpi_changes(before: dict[str, Any], after: dict[str, Any]) -> list[BarChange]:
    """The KPI's baseline (a move never tightens) and target (further in the KPI's
    direction tightens); a new direction makes all three a request."""
    kb, ka = before.get("kpi") or {}, after.get("kpi") or {}
    turned = kb.get("direction") != ka.get("direction")
    unit = str(ka.get("unit") or "")
    changes = []
    if turned:
        changes.append(
            BarChange(
                "kpi.direction",
                kb.get("direction"),
                ka.get("direction"),
                f"KPI direction {kb.get('direction')} → {ka.get('direction')}",
                False,
            )
        )
    further = _lower if ka.get("direction") == "down" else _higher
    for key, tight in (("baseline", _never), ("target", further)):
        old, new = kb.get(key), ka.get(key)
        if old != new:
            words = f"{key} {_num(old)} → {_num(new, unit)}"
            changes.append(BarChange(f"kpi.{key}", old, new, words, not turned and tight(old, new)))
    return changes


def _guardrail_changes(before: dict[str, Any], after: dict[str, Any]) -> list[BarChange]:
    """Each bound of the guardrail: a `min` raised or a `max` lowered tightens, and so
    does a bound where the playbook had no guardrail; a bound removed, or one kind of
    bound swapped for the other, does not."""
    gb, ga = before.get("guardrail") or {}, after.get("guardrail") or {}
    name, unit = _guardrail_named(gb, ga)
    swapped = _bound_dropped(gb, ga)
    changes = []
    for bound, tight in (("min", _higher), ("max", _lower)):
        old, new = gb.get(bound), ga.get(bound)
        if old == new:
            continue
        added = old is None and new is not None and (not gb or not swapped)
        words = f"guardrail {name} {bound} {_num(old, unit)} → {_num(new, unit)}"
        changes.append(BarChange(f"guardrail.{bound}", old, new, words, added or tight(old, new)))
    return changes


def _guardrail_named(gb: dict[str, Any], ga: dict[str, Any]) -> tuple[Any, str]:
    """The guardrail's name and unit as it is after the change, or as it was."""
    return ga.get("name") or gb.get("name"), str(ga.get("unit") or gb.get("unit") or "")


def _bound_dropped(gb: dict[str, Any], ga: dict[str, Any]) -> bool:
    """The playbook had a guardrail, and a bound of it is gone (removed, or swapped for the other kind)."""
    return bool(gb) and any(gb.get(b) is not None and ga.get(b) is None for b in ("min", "max"))


def put_back(before: dict[str, Any], after: dict[str, Any], waiting: list[BarChange]) -> dict[str, Any]:
    """The definition to apply now: `after` with each of the `waiting` changes (those the
    sorter, cadence/bar_sort.py, says wait for a curator) put back as it is in `before`."""
    result = copy.deepcopy(after)
    for change in waiting:
        _put(result, change.field, change.old, before, putting_back=True)
    return result


def with_changes(definition: dict[str, Any], changes: list[BarChange]) -> dict[str, Any]:
    """`definition` with each change's new value set (an approved request applied); a
    change to a guardrail the definition no longer has is left out."""
    result = copy.deepcopy(definition)
    for change in changes:
        _put(result, change.field, change.new, None)
    return result


def _put(
    definition: dict[str, Any], key: str, value: Any, source: dict[str, Any] | None, putting_back: bool = False
) -> None:
    """Set one bar field's value in force on a canonical definition. `source`: the
    definition a removed guardrail is taken back from."""
    if bar_structure.owns(key):
        bar_structure.put(definition, key, value, putting_back)
        return
    section, _, name = key.partition(".")
    if section not in _SECTIONS or "." in name:  # a field no judge reads (cadence/bar_fields.py)
        _put_path(definition, key, value)
        return
    if not name:
        definition[section] = value
    elif section == "kpi":
        definition["kpi"][name] = value
    elif section == "rules":
        _put_rule(definition, name, value)
    elif section == "review_rate":
        given = definition.get("review_rate") or {}
        definition["review_rate"] = {**{m: given.get(m, r) for m, r in DEFAULT_RATES.items()}, name: value}
    else:
        _put_bound(definition, name, value, source)


_SECTIONS = ("exception_cap", "rubric_threshold", "kpi", "rules", "review_rate", "guardrail")


def _put_path(definition: dict[str, Any], key: str, value: Any) -> None:
    """Set a field by its path of sections (`a.b.c`); None takes it away."""
    *sections, name = key.split(".")
    for section in sections:
        if not isinstance(definition.get(section), dict):
            if value is None:
                return
            definition[section] = {}
        definition = definition[section]
    if value is None:
        definition.pop(name, None)
    else:
        definition[name] = copy.deepcopy(value)


def _put_rule(definition: dict[str, Any], name: str, value: Any) -> None:
    rules = definition.setdefault("rules", {})
    if name == "rubric_floor" and value is not None and _floor({**definition, "rules": {**rules, name: None}}) == value:
        value = None  # the floor the threshold gives: kept unset, as it was
    rules[name] = value


def _put_bound(definition: dict[str, Any], bound: str, value: Any, source: dict[str, Any] | None) -> None:
    guardrail = definition.get("guardrail")
    if guardrail is None:
        if source is not None and source.get("guardrail"):
            definition["guardrail"] = copy.deepcopy(source["guardrail"])
        return
    guardrail[bound] = value
    if guardrail.get("min") is None and guardrail.get("max") is None:
        definition["guardrail"] = None


# ---- a manual override toward ai-led (`/rollout mode`, docs/judgement.md) ----

OVERRIDE = "mode["  # a request's change of a step's live mode: `mode[send]`


def override_changes(step: str, old: str, new: str, pinned: bool) -> list[BarChange]:
    """A person's `/rollout mode` toward ai-led (or off human-led for a pinned step) as a
    bar change request's changes: the live mode, and for a pinned step its pin too."""
    changes = [BarChange(f"{OVERRIDE}{step}]", old, new, f"step {step} {old} → {new} (/rollout mode)", False)]
    if pinned:
        changes.append(BarChange(f"steps[{step}].pinned", True, False, f"step {step} pinned → unpinned", False))
    return changes


def override_of(changes: list[BarChange]) -> BarChange | None:
    """The live mode change of a `/rollout mode` request, or None for a definition's."""
    return next((c for c in changes if c.field.startswith(OVERRIDE)), None)


def override_step(change: BarChange) -> str:
    return change.field.removeprefix(OVERRIDE).removesuffix("]")
