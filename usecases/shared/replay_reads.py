"""What the sorter's replay judges in (cadence/bar_sort.py), read for one playbook: its
last 8 closed weeks, each step's verdict with the numbers it was judged on, labelled as
the card says them ("week 3 of cycle 2"), and whether a trust hold stands."""

from __future__ import annotations

from datetime import datetime

from cadence import bar, bar_sort
from cadence.bar import BarChange
from cadence.bar_sort import REPLAY_WEEKS, History, Week
from storage.playbooks import as_read_now
from storage.store import PlaybookState, Store
from usecases.shared.governance import week_label
from usecases.shared.promotion_gates import current_cycle, trust_hold


def history(store: Store, state: PlaybookState, now: datetime) -> History:
    names = {step.id: step.name for step in state.steps}
    weeks = tuple(
        Week(names[v.step_id], week_label(state, v.week_start), v.mode, v.cases, v.exceptions, v.rubric, v.reviewed)
        for v in reversed(store.bar_requests.last_weeks(state.playbook.id, REPLAY_WEEKS))
        if v.step_id in names
    )
    return History(weeks, bool(trust_hold(store, state, current_cycle(state, now))))


def found_now(store: Store, state: PlaybookState, changes: list[BarChange], now: datetime) -> list[str]:
    """What the replay finds easier under a request's changes, read again now (the weeks
    closed since it was asked among them)."""
    before = as_read_now(state.playbook.definition)
    return bar_sort.replay(before, bar.with_changes(before, changes), history(store, state, now))
