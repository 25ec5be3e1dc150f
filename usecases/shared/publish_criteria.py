"""The criteria of readiness a publication is judged by (usecases/shared/registry.py):
a "ready to scale" proposal's, kept from when it was made, else readiness asked now over
the playbook's latest closed cycles; the exception queue as it stands. `/rollout publish`,
a proposal's *Publish*, the owners' notice of what readiness now misses
(usecases/readiness_news.py) and week 3's *Package it* (usecases/clock/jobs/nudges.py)
read them here."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from cadence.readiness import readiness as judged_readiness
from cadence.state import PlaybookState
from storage.models.governance import Proposal
from storage.store import Store
from usecases.shared import queue, readiness
from usecases.shared.governance import thresholds


def criteria_now(
    store: Store,
    states: list[PlaybookState],
    now: datetime,
    settled: Mapping[int, Proposal | None] | None = None,
    history: Mapping[int, tuple[list[Any], int]] | None = None,
) -> dict[int, list[dict[str, Any]]]:
    """The criteria of readiness a publication at `now` is judged by, for each of these
    playbooks (by id): the "ready to scale" proposal it settles (`settled`; by default
    its open one), which was ready when it was made and says so, else asked now over its
    latest closed cycles, as many as the scale rule asks for (`history`: the playbooks'
    scale history, when read already); the exception queue as it stands at `now`, and the
    ownership too once someone it names has been deactivated in Slack since.
    `/rollout publish`'s, and week 3's *Package it* (usecases/clock/jobs/nudges.py) for every
    playbook it nudges, in a few reads however many."""
    ids = [state.playbook.id for state in states]
    if settled is None:
        settled = _open_scale(store, ids)
    kept: dict[int, list[dict[str, Any]]] = {
        pid: criteria
        for pid, p in settled.items()
        if p is not None and (criteria := (p.figures or {}).get("criteria")) is not None
    }
    readiness.people_now(store, kept, states)  # who Slack calls deactivated since, as for the queue below
    judged = _asked_now(store, [state for state in states if state.playbook.id not in kept], now, history)
    items: dict[int, list[Any]] = {pid: [] for pid in ids if pid not in judged}
    for item in store.exception_items.open_of(list(items)):
        items[item.playbook_id].append(item)
    for pid, open_items in items.items():  # the proposal's, with the queue as it stands now
        judged[pid] = readiness.with_queue(kept[pid], queue.overdue(open_items, now))
    return judged


def _open_scale(store: Store, ids: list[int]) -> dict[int, Proposal | None]:
    """Each playbook's open "ready to scale" proposal, the newest if several."""
    settled: dict[int, Proposal | None] = {}
    for proposal in store.governance.open_proposals_of(ids):  # oldest first: the newest kept
        if proposal.kind == "scale":
            settled[proposal.playbook_id] = proposal
    return settled


def _asked_now(
    store: Store, asked: list[PlaybookState], now: datetime, history: Mapping[int, tuple[list[Any], int]] | None
) -> dict[int, list[dict[str, Any]]]:
    """Readiness judged now for playbooks with no proposal's criteria, over their latest
    closed cycles, as many as the scale rule asks for."""
    asked_ids = [state.playbook.id for state in asked]
    if history is None:
        history = store.governance.scale_history(asked_ids)
    starts = store.governance.cycle_starts_of(asked_ids)
    wanted = {state.playbook.id: thresholds(state).scale_after_cycles for state in asked}
    cycles = {
        pid: [(r.cycle, starts[(pid, r.cycle)]) for r in history[pid][0][-wanted[pid] :] if (pid, r.cycle) in starts]
        for pid in asked_ids
    }
    found = readiness.inputs_many(store, [(state, cycles[state.playbook.id]) for state in asked], at=now)
    return {pid: readiness.as_figures(judged_readiness(**found[pid], cycles_wanted=wanted[pid])) for pid in asked_ids}
