"""Versions that travel (docs/usage.md, "Replication"; docs/playbooks.md): what changed
between the registry version an adopting team runs and a newer one, which of the team's
own values it set (its `may_change` values) and whether the newer version still lets it
keep them, and the definition the team runs once it upgrades.

Plain functions over plain data (registry definitions, as `cadence.definition` writes
them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from cadence import step_texts
from cadence.definition_parts import DEFAULT_MAY_CHANGE
from cadence.replication import ADOPT_OVERRIDES

# How `adopt` names each value a team may set (handlers/grammar_adopt.py ADOPT_OPTIONS).
OPTION_WORDS = dict(
    baseline="baseline:", target="target:", timezone="tz:", exception_cap="cap:", rubric_threshold="rubric:"
)


@dataclass(frozen=True)
class Change:
    """One thing that differs between two versions: what (`part`: steps, cap, rubric,
    kpi, guardrail, kit), and how it read before and after, as words."""

    part: str
    before: str
    after: str


def _steps(definition: dict[str, Any]) -> dict[str, str]:
    return {s["name"]: s["mode"] + (" (pinned)" if s.get("pinned") else "") for s in definition.get("steps") or []}


def _kpi(definition: dict[str, Any]) -> str:
    kpi = definition.get("kpi") or {}
    unit = f" {kpi['unit']}" if kpi.get("unit") else ""
    return f"{kpi.get('name')} ({kpi.get('direction')}{unit})"


def _guardrail(definition: dict[str, Any]) -> str:
    g = definition.get("guardrail")
    if not g:
        return "none"
    bound = f"min {g['min']:g}" if g.get("min") is not None else f"max {g['max']:g}" if g.get("max") is not None else ""
    return f"{g.get('name')} {bound}".strip()


def _kit(definition: dict[str, Any]) -> dict[str, Any]:
    kit = dict(definition.get("replication") or {})
    kit.setdefault("may_change", list(DEFAULT_MAY_CHANGE))
    return kit


def changes(before: dict[str, Any], after: dict[str, Any]) -> list[Change]:
    """What changed from the version `before` to `after`: each step added, removed or
    with another mode; the exception cap; the rubric threshold; the KPI (name, direction,
    unit: the origin's baseline and target are the origin's own); the guardrail; each
    field of the kit. In that order; nothing when they are the same."""
    found = _step_changes(_steps(before), _steps(after)) + _text_changes(before, after)
    for part, key in (("exception cap", "exception_cap"), ("rubric threshold", "rubric_threshold")):
        if before.get(key) != after.get(key):
            found.append(Change(part, _pct(before.get(key)), _pct(after.get(key))))
    if _kpi(before) != _kpi(after):
        found.append(Change("KPI", _kpi(before), _kpi(after)))
    if _guardrail(before) != _guardrail(after):
        found.append(Change("guardrail", _guardrail(before), _guardrail(after)))
    return found + _kit_changes(_kit(before), _kit(after))


def _step_changes(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """Each step added, removed or with another mode, the old version's first."""
    found: list[Change] = []
    for name in [*old, *(n for n in new if n not in old)]:
        if old.get(name) != new.get(name):
            found.append(Change(f"step {name}", old.get(name, "not a step"), new.get(name, "removed")))
    return found


def _text_changes(before: dict[str, Any], after: dict[str, Any]) -> list[Change]:
    """Each kept step's prompt or rubric text that changed (cadence/step_texts.py), never the text."""
    old, new = step_texts.texts_of(before), step_texts.texts_of(after)
    found: list[Change] = []
    for name in [n for n in _steps(after) if n in _steps(before)]:
        for key in step_texts.TEXT_FIELDS:
            was, now = old.get(name, {}).get(key), new.get(name, {}).get(key)
            if was != now:
                said = "revised" if was and now else "added" if now else "removed"
                found.append(Change(f"step {name} {step_texts.NAMED[key]}", "none" if not was else "as before", said))
    return found


def _kit_changes(old_kit: dict[str, Any], new_kit: dict[str, Any]) -> list[Change]:
    """Each field of the kit that changed, by name."""
    found: list[Change] = []
    for key in sorted(set(old_kit) | set(new_kit)):
        if old_kit.get(key) != new_kit.get(key):
            found.append(Change(f"kit {key}", _words(old_kit.get(key)), _words(new_kit.get(key))))
    return found


def _pct(value: Any) -> str:
    return f"{value * 100:g}%" if isinstance(value, int | float) else "none"


def _words(value: Any) -> str:
    if value is None or value == []:
        return "none"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def team_values(adopter: dict[str, Any], runs: dict[str, Any]) -> dict[str, Any]:
    """The values an adopting team set itself (its `may_change` values): where its own
    definition (`adopter`) differs from the version it runs (`runs`), by name (baseline,
    target, timezone, exception_cap, rubric_threshold). The zone is the team's whenever
    its definition has one: an adoption drops the origin's."""
    kpi, version_kpi = adopter.get("kpi") or {}, runs.get("kpi") or {}
    values: dict[str, Any] = {}
    for name in ("baseline", "target"):
        if kpi.get(name) != version_kpi.get(name):
            values[name] = kpi.get(name)
    for name in ("exception_cap", "rubric_threshold"):
        if adopter.get(name) != runs.get(name):
            values[name] = adopter.get(name)
    if adopter.get("timezone"):
        values["timezone"] = adopter["timezone"]
    return values


def not_allowed(values: dict[str, Any], newer: dict[str, Any]) -> list[str]:
    """Which of the team's own values (team_values) the newer version's `may_change` no
    longer allows, in the adopt grammar's order."""
    allowed = _kit(newer)["may_change"]
    return [name for name in ADOPT_OVERRIDES if name in values and name not in allowed]


def upgraded(adopter: dict[str, Any], newer: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """The definition an adopting team runs after upgrading to `newer`: the version's,
    with the team's own slug, channel and owner and its own `values`."""
    raw = {
        **newer,
        "playbook": adopter["playbook"],
        "channel": adopter["channel"],
        "owner": adopter["owner"],
        "kpi": dict(newer.get("kpi") or {}),
    }
    raw.pop("timezone", None)  # the origin's zone is the origin's
    for name in ("baseline", "target"):
        if name in values:
            raw["kpi"][name] = values[name]
    for name in ("exception_cap", "rubric_threshold", "timezone"):
        if name in values:
            raw[name] = values[name]
    return raw


def upgrade_button(playbook_id: int, from_version_id: int, to_version: int) -> str:
    """What *Upgrade* and *Not now* carry back: the adopting playbook, the version it ran
    when told (a click after it moved says so) and the version offered."""
    return f"upgrade:{playbook_id}:{from_version_id}:{to_version}"


def read_upgrade_button(value: object) -> tuple[int, int, int] | None:
    """An upgrade button's value read back; None for anything upgrade_button could not have written."""
    if not isinstance(value, str):
        return None
    parts = value.split(":")
    if len(parts) != 4 or parts[0] != "upgrade":
        return None
    numbers = _ids(parts[1:])
    if numbers is None:
        return None
    return int(numbers[0]), int(numbers[1]), int(numbers[2])


def _ids(parts: list[str]) -> list[str] | None:
    """Three ids as a button's value writes them (digits, each a positive 32-bit integer); else None."""
    numbers = [p for p in parts if p.isascii() and p.isdigit() and 0 < len(p) <= 10]
    if len(numbers) != 3 or not all(0 < int(n) <= 2**31 - 1 for n in numbers):
        return None
    return numbers


def runs_phrase(runs: int, newer: list[tuple[int, date]]) -> str:
    """What an adopter runs, for the registry, `status` and the web view: "runs v2; v3
    published 1 Mar" (the newest of the `newer` versions, by number and day), or "runs v2"."""
    if not newer:
        return f"runs v{runs}"
    number, day = max(newer)
    return f"runs v{runs}; v{number} published {day.day} {day:%b}"
