"""Strict boundaries' section (cadence/boundaries.py; usecases/boundaries.py): each step's
out-of-scope share over the last 4 weeks, with its declared boundaries, on status and the
playbook's web page ("draft: 12% of cases out of scope, 6 of 50")."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from cadence import boundaries, calendar
from cadence.state import PlaybookState
from templates.boundaries_words import out_of_scope_phrase
from usecases.sections.base import Reading, Section
from usecases.shared.caller import Caller

WINDOW_DAYS = 27  # the weeks begun in the last 4 (a cycle's length)


def shares(reading: Reading, state: PlaybookState) -> list[dict[str, Any]]:
    """Each step with boundaries declared or an out-of-scope count: its share, in words."""
    definition = state.playbook.definition
    declared = {s.name: boundaries.boundaries_of(definition, s.name) for s in state.steps}
    if not any(declared.values()):
        return []
    today = calendar.local_date(reading.now, state.playbook.timezone)
    seen = reading.store.out_of_scope.seen(state.playbook.id, today - timedelta(days=WINDOW_DAYS), today)
    shown = []
    for step in state.steps:
        cases, out = seen.get(step.id, (0, 0))
        share = boundaries.out_of_scope_share(cases, out) if step.id in seen else None
        if not declared[step.name] and share is None:
            continue
        said = f"{out_of_scope_phrase(share)}, {out} of {cases + out}" if share is not None else "none counted yet"
        shown.append({"step": step.name, "said": said, "boundaries": declared[step.name]})
    return shown


class BoundariesSection(Section):
    name = "boundaries"

    def status(self, caller: Caller, reading: Reading, states: list[PlaybookState]) -> dict[int, Any]:
        return {s.playbook.id: shares(reading, s) for s in states}

    def status_words(self, state: PlaybookState, model: list[dict[str, Any]]) -> dict[str, Any]:
        return {"out_of_scope": model} if model else {}


SECTION = BoundariesSection()
