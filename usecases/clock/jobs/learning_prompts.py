"""Monday of each cycle's fourth week, 09:00 in the owner's zone: "what did it teach?",
with the cycle's facts and an *Add a learning* button."""

from __future__ import annotations

from cadence.schedule import LEARNING_PROMPT, Due, learning_work
from cadence.state import PlaybookState
from usecases import learnings
from usecases.clock import reach
from usecases.clock.job import ClockJob, Tick, posted

Dues = list[tuple[PlaybookState, Due]]


def due(tick: Tick) -> Dues | None:
    if tick.people_held:
        return None
    return reach.owner_dues(tick, LEARNING_PROMPT, learning_work) or None


def run(tick: Tick, dues: Dues) -> None:
    work, sending = reach.owners_to_reach(
        tick, dues, "the cycle's fourth week is over", "holidays, and no working day left in the week"
    )
    messages = learnings.prompts(tick.store, [(s, d.week) for s, d in sending if d.week])
    for state, due in sending:
        work.append(posted(due, state.playbook.owner_id, messages[state.playbook.id]))
    tick.record(work)


JOB = ClockJob("learning prompts", due, run, after=("owner reminders",))
