"""Week closes, in rounds: the oldest pending close of every playbook, then the next, so a
catch-up evaluates each playbook week by week in order, and each round costs the same few
queries however many playbooks close at once. Paused and retired playbooks' last weeks
close too, and a refused token holds none (their messages wait in the outbox)."""

from __future__ import annotations

import logging

from cadence.schedule import Due
from cadence.state import PlaybookState
from storage.governance_rows import StaleState
from usecases.clock.job import ClockJob, Tick, posted
from usecases.shared import weeks

log = logging.getLogger("usecases.tick")

Pending = list[tuple[PlaybookState, list[Due]]]


def pending(tick: Tick) -> Pending:
    """Each playbook with weeks to close, and their closes, oldest first."""
    return [(state, work.closes) for state, _, work in tick.plans if work.closes]


def due(tick: Tick) -> Pending | None:
    return pending(tick) or None


def run(tick: Tick, work: Pending) -> None:
    depth = max(len(dues) for _, dues in work)
    states = {state.playbook.id: state for state, _ in work}
    for index in range(depth):
        batch = [(states[s.playbook.id], dues[index]) for s, dues in work if index < len(dues)]
        if index:
            fresh = tick.store.playbooks.states_by_ids([s.playbook.id for s, _ in batch])  # modes changed last round
            batch = [(fresh[s.playbook.id], due) for s, due in batch]
            states.update(fresh)
        try:
            _close_round(tick, batch)
        except StaleState as err:
            log.warning("week close deferred to the next tick: %s", err)
            return


def _close_round(tick: Tick, batch: list[tuple[PlaybookState, Due]]) -> None:
    """One round's closes in one unit of work: close the weeks to reports first, then
    read their figures in it (so no report acknowledged is left out), judge them, and
    record what was decided. A dry run commits nothing."""
    closing = [(state.playbook.id, due.week.week_start) for state, due in batch if due.week is not None]
    with tick.store.unit_of_work() as uow:
        uow.governance.close_weeks(closing)
        # a cycle's last week closing seals its pulse: its key and keyed hashes destroyed (storage/pulse.py)
        uow.pulses.seal([(s.playbook.id, d.week.cycle) for s, d in batch if d.week and d.week.week == 4])
        closes = [
            (posted(c.due, c.state.playbook.channel_id, c.summary), c.change)
            for c in weeks.close_round(uow, batch, beside=tick.store)
        ]
        recorded = uow.governance.record_judged(closes, tick.clock())
        uow.commit()
    tick.report.add([work for work, _ in closes], recorded)


JOB = ClockJob("week closes", due, run)
