"""The only writer of a step's mode and pin (docs/judgement.md, "The invariants"):
tests/test_mode_moves.py fails if any other module writes them. A move up (a mode toward
ai-led, a pin taken away) is written only when cadence/mode_move.py cleared it, i.e. its
gates were read open at the instant it took effect; anything else is a bug, refused loudly.
A definition's declared modes (a file, a revision, an upgrade, an applied request) move a
step down here at once; a move up they declare is not written here but returned, for the
use case to pass through the one function and write as a `ModeChange`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session, col, update

from cadence import mode_move
from cadence.change import ModeChange
from cadence.mode_move import Move
from storage.models.playbooks import Step


class Uncleared(RuntimeError):
    """A move up that did not go through cadence.mode_move.take_effect."""


def check(m: ModeChange) -> None:
    """Refuse a move up that was not cleared (the fakes call this too)."""
    if m.cleared:
        return
    if mode_move.is_up(m.expected_mode, m.new_mode, unpinned=m.pinned is False):
        raise Uncleared(f"step {m.step_id}: a move up that did not go through cadence.mode_move")


def checked_values(m: ModeChange) -> dict[str, Any]:
    """The step's columns a mode change writes (empty: nothing), once `check` passed it
    (the fakes write the same)."""
    check(m)
    given = {"mode": m.new_mode, "pinned": m.pinned, "frozen": m.freeze}
    return {column: value for column, value in given.items() if value is not None}


def write(s: Session, m: ModeChange) -> bool:
    """One mode change in the unit of work `s`, compare-and-set on the expected mode: False
    if the step is no longer in it (the caller raises StaleState), True if written or there
    is nothing to write."""
    values = checked_values(m)
    if not values:
        return True
    result = s.exec(
        update(Step)
        .where(col(Step.id) == m.step_id, col(Step.mode) == m.expected_mode)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount == 1)


def new_step(playbook_id: int, name: str, position: int, mode: str, pinned: bool) -> Step:
    """A step a definition adds, at the mode it declares (a new step at ai-led is a bar
    change request before it gets here: cadence/bar_structure.py)."""
    return Step(playbook_id=playbook_id, name=name, position=position, mode=mode, pinned=pinned)


def revive(step: Step, mode: str, pinned: bool) -> None:
    """A retired step its definition adds back: it starts at the mode and pin declared, as a
    new step does (a new step at ai-led, or one where a pinned step was, is a request first)."""
    step.mode, step.pinned = mode, pinned


def declare(step: Step, move: Move | None) -> bool:
    """A kept step given its definition's move (None: its mode and pin stay): written on
    the row when it moves down or tightens its pin; a move up is left (False) for the use
    case to clear. True: the mode or pin was written."""
    if move is None or not move.moves:
        return False
    if move.up and not move.cleared:
        return False
    step.mode, step.pinned = move.to_mode, move.to_pinned
    return True


def run_in(s: Session, step_id: int, since: datetime | None, fallback_mode: str | None, at: datetime | None) -> bool:
    """A step's fallback begun (`fallback_mode` since `at`, where it runs in none: `since`
    None) or ended (both None, the one that began at `since`): the mode the step runs in
    while its escalated items wait. A fallback is never a move up (it runs below its own
    mode, which does not move) and its end returns the step to the mode it kept, so neither
    reads gates; both are written here, with the step's own mode. False: another clock
    wrote it a moment ago."""
    was = col(Step.fallback_since).is_(None) if since is None else col(Step.fallback_since) == since
    done = s.exec(
        update(Step)
        .where(col(Step.id) == step_id, was)
        .values(fallback_mode=fallback_mode, fallback_since=at)
        .execution_options(synchronize_session=False)
    ).rowcount
    return bool(done)
