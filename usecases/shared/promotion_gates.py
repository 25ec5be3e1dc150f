"""A step's promotion gates read now (cadence/promotion_gates.py): at the click that
approves a move up, not when it was asked. The calibration standing, the `calibration:
none` reason, a standing trust hold (the previous cycle's pulse, as the close reads it),
a usage hold (the last two weeks attested without usage, usage_weeks.hold_now), an
adopting team's champion's training while its kit requires one (in any cycle), and in its
first cycle the pilot's ceiling."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from cadence import boundaries, calendar, pulse
from cadence.definition import read_spec
from cadence.definition_calibration import none_reason
from cadence.judgement import pilot_ceiling
from cadence.promotion_gates import Gate, Reading, shut
from cadence.state import PlaybookState
from storage.store import Store
from usecases.shared import calibration, champions, usage_weeks


def reading(
    store: Store, state: PlaybookState, step_name: str, now: datetime, definition: dict[str, Any] | None = None
) -> Reading:
    """What the gates of `step_name`'s move are read on, now; `definition`: the one that
    would take effect with the move (a request the clock applies), whose `calibration: none`
    and boundaries are read instead of the playbook's. The calibration runs are judged
    against the definition they were run under (the stored one): the move itself is the
    change they were run for, not one that stales them."""
    playbook = state.playbook
    declared = definition if definition is not None else playbook.definition
    cycle = current_cycle(state, now)
    standing = calibration.standings(store, state).get(step_name)
    hold = trust_hold(store, state, cycle)
    training, ceiling = None, None
    if playbook.id in champions.training_waits(store, [state]):  # an adopter's, in any cycle
        training = champions.counts(champions.checklist_of(store, state))
    if playbook.adopted_from_id and cycle == 1:
        version = store.registry.versions_by_id([playbook.adopted_from_id]).get(playbook.adopted_from_id)
        modes = {s.name.lower(): s.mode for s in read_spec(version.definition).steps} if version else {}
        ceiling = pilot_ceiling(modes.get(step_name.lower()), True)
    return Reading(
        calibration=standing.words() if standing is not None else None,
        calibration_shut=standing.holds if standing is not None else None,
        none_reason=none_reason(declared, step_name),
        vagueness=boundaries.vagueness(declared, step_name),
        trust_hold=hold,
        usage_hold=usage_weeks.hold_now(store, state, now),
        training=training,
        ceiling=ceiling,
    )


def current_cycle(state: PlaybookState, now: datetime) -> int:
    """The cycle today is in (0: none yet)."""
    anchor = state.cycle_anchor
    week = calendar.week_containing(anchor, calendar.local_date(now, state.playbook.timezone)) if anchor else None
    return week.cycle if week is not None else 0


def trust_hold(store: Store, state: PlaybookState, cycle: int) -> dict[str, Any]:
    """Why a standing trust hold holds promotions to ai-led in `cycle` ({}: none): the
    previous cycle's pulse, as the close reads it (usecases/shared/close/pulse_hold.py)."""
    if state.settings.pulse != "on" or cycle < 2:
        return {}
    pid = state.playbook.id
    floor = state.settings.pulse_min_answers
    found = store.pulses.shown({(pid, cycle - 1): floor, (pid, cycle - 2): floor})  # the pulse's one gate
    this = found.get((pid, cycle - 1))
    return pulse.holds(this, found.get((pid, cycle - 2))) if this is not None else {}


def shut_now(store: Store, state: PlaybookState, step_name: str, to_mode: str, now: datetime) -> list[Gate]:
    """The gates a move of `step_name` to `to_mode` does not pass now (empty: it may go)."""
    return shut(to_mode, reading(store, state, step_name, now))
