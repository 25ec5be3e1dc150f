"""Which changes to strict boundaries' fields (cadence/boundaries.py) could open the gate of
messy cases or boundaries at a promotion to ai-led, for cadence/bar_structure.py: boundaries
added where a step had none, a calibration set's `messy` raised and `messy_min` lowered are
requests (cadence/bar_fields.py, BOUNDS); the opposite, and boundaries reworded while some
stay, apply at once. Pure."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

MESSY_MIN = 0.2  # PRODUCT: the messy share a calibration set needs by default

# (field, old, new, words of the change, tightens), as cadence/bar_structure.py's Found
Found = tuple[str, Any, Any, str, bool]


def messy_min(definition: dict[str, Any]) -> float:
    """The playbook's `messy_min`, or the default."""
    given = definition.get("messy_min")
    return MESSY_MIN if given is None else float(given)


def changes(before: dict[str, Any], after: dict[str, Any]) -> Iterator[Found]:
    """The changes to boundaries, a set's `messy` and `messy_min`, each with whether it
    tightens (could not open the gate)."""
    yield from _playbook_changes(before, after)
    had = {str(s["name"]).lower(): s for s in before.get("steps") or []}
    for step in after.get("steps") or []:
        old = had.get(str(step.get("was") or step["name"]).lower()) or had.get(str(step["name"]).lower())
        if old is None:
            continue
        yield from _step_changes(step["name"], old, step)


def _playbook_changes(before: dict[str, Any], after: dict[str, Any]) -> Iterator[Found]:
    """The playbook's own: its `messy_min`, and its calibration set's `messy`."""
    old_min, new_min = before.get("messy_min"), after.get("messy_min")
    if old_min != new_min:
        words = f"messy_min {share_words(messy_min(before))} → {share_words(messy_min(after))}"
        yield "messy_min", old_min, new_min, words, messy_min(after) >= messy_min(before)
    top_old, top_new = _messy(before.get("calibration")), _messy(after.get("calibration"))
    if top_old != top_new and isinstance(after.get("calibration"), dict):
        words = f"calibration set's messy cases {top_old} → {top_new}"
        yield "calibration.messy", top_old or None, top_new or None, words, top_new <= top_old


def _step_changes(name: str, old: dict[str, Any], new: dict[str, Any]) -> Iterator[Found]:
    was, now = old.get("boundaries") or [], new.get("boundaries") or []
    if was != now:
        words = f"step {name} boundaries {_listed(was)} → {_listed(now)}"
        yield f"steps[{name}].boundaries", old.get("boundaries"), new.get("boundaries"), words, bool(was) or not now
    own_old, own_new = old.get("calibration"), new.get("calibration")
    if isinstance(own_old, dict) and isinstance(own_new, dict) and _messy(own_old) != _messy(own_new):
        m_old, m_new = _messy(own_old), _messy(own_new)
        words = f"step {name} calibration set's messy cases {m_old} → {m_new}"
        yield f"steps[{name}].calibration.messy", m_old or None, m_new or None, words, m_new <= m_old


def _messy(calibration: Any) -> int:
    return int(calibration.get("messy") or 0) if isinstance(calibration, dict) else 0


def _listed(items: list[str]) -> str:
    return "none" if not items else "[" + ", ".join(items) + "]"


def share_words(value: float) -> str:
    return f"{value * 100:g}%"
