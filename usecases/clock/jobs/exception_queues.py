"""Monday 09:00 in the exception owner's zone: the playbook's open exception items, with
buttons to move them; nothing open, no DM (the week is recorded either way)."""

from __future__ import annotations

from cadence.schedule import EXCEPTION_QUEUE, Due, exception_queue_work
from cadence.state import PlaybookState
from usecases import exception_queue
from usecases.clock import reach
from usecases.clock.job import ClockJob, Tick, posted, skipped
from usecases.shared.queue import exception_owner

Dues = list[tuple[PlaybookState, Due]]


def due(tick: Tick) -> Dues | None:
    if tick.people_held:
        return None
    return reach.owner_dues(tick, EXCEPTION_QUEUE, exception_queue_work, exception_owner) or None


def run(tick: Tick, dues: Dues) -> None:
    work, sending = reach.owners_to_reach(
        tick,
        dues,
        "its week is over",
        "holidays, and no working day left in the week",
        exception_owner,
        "the exception owner",
    )
    messages = exception_queue.monday_messages(tick.store, [state for state, _ in sending], tick.at)
    for state, due in sending:
        message = messages[state.playbook.id]
        if message is None:
            work.append(skipped(due, "no exception item open"))
            continue
        work.append(posted(due, exception_owner(state), message))
    tick.record(work)


JOB = ClockJob("exception queues", due, run, after=("learning prompts",))
