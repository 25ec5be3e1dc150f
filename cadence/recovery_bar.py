"""Which changes to a step's way back from human-led review (cadence/recovery.py) ease it,
for cadence/bar_structure.py (cadence/bar_fields.py, RECOVERY): `demote_to: human-led`
declared tightens (a demotion goes further down and comes back only by PASS weeks), and
applies at once; removed, it loosens (a demotion goes one level again), a request. Its
`recover_after` raised tightens; lowered (its default 2 where left out) shortens the
review, a request, and so is any change to it made with `demote_to` removed, so that
the two wait together. Pure."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from cadence.recovery import RECOVER_AFTER

# (field, old, new, words of the change, tightens), as cadence/bar_structure.py's Found
Found = tuple[str, Any, Any, str, bool]


def changes(before: dict[str, Any], after: dict[str, Any]) -> Iterator[Found]:
    """The changes to each kept step's `demote_to` and `recover_after`, each with whether it
    tightens (a step added or removed is the structure's own change)."""
    had = {str(s["name"]).lower(): s for s in before.get("steps") or []}
    for step in after.get("steps") or []:
        old = had.get(str(step.get("was") or step["name"]).lower()) or had.get(str(step["name"]).lower())
        if old is not None:
            yield from _step_changes(str(step["name"]), old, step)


def _step_changes(name: str, old: dict[str, Any], new: dict[str, Any]) -> Iterator[Found]:
    was, now = old.get("demote_to"), new.get("demote_to")
    if was != now:
        words = f"step {name} demote_to {was or 'one level'} → {now or 'one level'}"
        yield f"steps[{name}].demote_to", was, now, words, now is not None
    weeks_was, weeks_now = old.get("recover_after"), new.get("recover_after")
    if weeks_was != weeks_now:
        shown_was, shown_now = _weeks(weeks_was), _weeks(weeks_now)
        words = f"step {name} recover_after {shown_was} → {shown_now} PASS weeks"
        tightens = now is not None and (was is None or shown_now >= shown_was)
        yield f"steps[{name}].recover_after", weeks_was, weeks_now, words, tightens


def _weeks(given: Any) -> int:
    return RECOVER_AFTER if given is None else int(given)
