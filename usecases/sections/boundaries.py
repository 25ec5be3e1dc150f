"""Strict boundaries' section (cadence/boundaries.py; usecases/boundaries.py): each step's
out-of-scope share over the last 4 weeks, with its declared boundaries, on status and the
playbook's web page ("draft: 12% of cases out of scope, 6 of 50")."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TypedDict

from cadence import boundaries, calendar
from cadence.state import PlaybookState
from templates.boundaries_words import out_of_scope_phrase
from usecases.sections.base import Reading, StatusPart
from usecases.shared.caller import Caller

WINDOW_DAYS = 27  # the weeks begun in the last 4 (a cycle's length)


class OutOfScope(TypedDict):
    """A step's out-of-scope share in words, with its declared boundaries."""

    step: str
    said: str
    boundaries: list[str]


class BoundariesStatus(TypedDict, total=False):
    out_of_scope: list[OutOfScope]  # none: no step with boundaries declared or counted


def _window(reading: Reading, state: PlaybookState) -> tuple[date, date]:
    """The weeks begun in the last 4, where the playbook is."""
    today = calendar.local_date(reading.now, state.playbook.timezone)
    return today - timedelta(days=WINDOW_DAYS), today


def _declared(state: PlaybookState) -> dict[str, list[str]]:
    return {s.name: boundaries.boundaries_of(state.playbook.definition, s.name) for s in state.steps}


def all_shares(reading: Reading, states: list[PlaybookState]) -> dict[int, list[OutOfScope]]:
    """Each playbook's `shares`, its counts read once for all the playbooks of a window."""
    scoped = {s.playbook.id: s for s in states if any(_declared(s).values())}
    windows: dict[tuple[date, date], list[int]] = {}
    for state in scoped.values():
        windows.setdefault(_window(reading, state), []).append(state.playbook.id)
    seen: dict[int, dict[int, tuple[int, int]]] = {}
    for (first, last), pids in windows.items():
        seen |= reading.store.out_of_scope.seen_of(pids, first, last)
    return {pid: shares(state, seen.get(pid, {})) for pid, state in scoped.items()} | {
        s.playbook.id: [] for s in states if s.playbook.id not in scoped
    }


def shares(state: PlaybookState, seen: dict[int, tuple[int, int]]) -> list[OutOfScope]:
    """Each step with boundaries declared or an out-of-scope count: its share, in words."""
    declared = _declared(state)
    if not any(declared.values()):
        return []
    shown: list[OutOfScope] = []
    for step in state.steps:
        cases, out = seen.get(step.id, (0, 0))
        share = boundaries.out_of_scope_share(cases, out) if step.id in seen else None
        if not declared[step.name] and share is None:
            continue
        said = f"{out_of_scope_phrase(share)}, {out} of {cases + out}" if share is not None else "none counted yet"
        shown.append(OutOfScope(step=step.name, said=said, boundaries=declared[step.name]))
    return shown


class BoundariesSection(StatusPart[list[OutOfScope], BoundariesStatus]):
    name = "boundaries"

    def status(self, caller: Caller, reading: Reading, states: list[PlaybookState]) -> dict[int, list[OutOfScope]]:
        return all_shares(reading, states)

    def status_words(self, state: PlaybookState, model: list[OutOfScope]) -> BoundariesStatus:
        return BoundariesStatus(out_of_scope=model) if model else BoundariesStatus()


SECTION = BoundariesSection()
