"""A step's move read at the instant it takes effect (cadence/mode_move.py is the one
function; this reads what its gates are read on, now): the promotion gates
(usecases/shared/promotion_gates.py) and the rules' streak of PASS weeks from the step's
kept history. Every path that moves a mode calls `take_effect` (or `gates_now` for one
step) just before it writes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from cadence import mode_move
from cadence.mode_move import Held, Move, Streak
from cadence.promotion_gates import Gate
from cadence.state import PlaybookState
from cadence.verdicts import Thresholds
from storage.store import Store
from usecases.shared import promotion_gates


def streak(store: Store, state: PlaybookState, step_id: int | None) -> Streak:
    """The rules' streak gate's reading of the step `step_id` (None: a step the change adds,
    with no week yet): its verdicts since its last mode change, the latest restart, the PASS
    weeks a promotion needs."""
    th = Thresholds.of(state.settings, state.playbook.exception_cap, state.playbook.rubric_threshold)
    if step_id is None:
        return Streak(needed=th.promote_after_weeks)
    history = store.governance.histories([state], th.lookback_weeks).states.get(step_id)
    if history is None:
        return Streak(needed=th.promote_after_weeks)
    return Streak(history.since_change(), history.streak_reset, th.promote_after_weeks)


def take_effect(
    store: Store, state: PlaybookState, moves: list[Move], now: datetime, definition: dict[str, Any] | None = None
) -> tuple[list[Move], list[Held]]:
    """Each of `moves` through cadence.mode_move.take_effect with its gates read now (on
    `definition` where the moves come with a new one): the cleared ones, and the held ones
    with their shut gates. The streak is read by the step's id, so a step renamed in the
    same change keeps its weeks."""
    cleared: list[Move] = []
    held: list[Held] = []
    for move in moves:
        reading = promotion_gates.reading(store, state, move.step, now, definition) if move.up else None
        found = mode_move.take_effect(move, reading, streak(store, state, move.step_id) if move.up else None)
        if isinstance(found, Held):
            held.append(found)
        else:
            cleared.append(found)
    return cleared, held


def gates_now(store: Store, state: PlaybookState, move: Move, now: datetime) -> tuple[Move | None, list[Gate]]:
    """One move read now: (the cleared move, []) or (None, its shut gates)."""
    cleared, held = take_effect(store, state, [move], now)
    return (cleared[0], []) if cleared else (None, held[0].gates)
