"""Strict boundaries (cadence/boundaries.py): `/rollout mode` toward ai-led refused at once
while the step's calibration set is too tidy and it declares no boundaries (the same gate
the close and the approving click read, cadence/promotion_gates.py): asking a curator to
approve what its gates would refuse helps nobody. And a week's out-of-scope count, `/rollout
cases <playbook> <step> <count> out:N`: counted apart from the cases (those the step
handled), for a step that declares its boundaries."""

from __future__ import annotations

from collections.abc import Callable

from cadence import boundaries
from cadence.calendar import WeekRef
from cadence.state import PlaybookState, Step
from storage.models.boundaries import OutOfScopeCount
from storage.store import Store, UnitOfWork
from templates.boundaries_words import vague_phrase
from templates.refusals import Lines, Refusal
from usecases.shared import messages
from usecases.shared.caller import Caller


def refuse_if_vague(state: PlaybookState, step: str, mode: str) -> None:
    """Refuse a move of `step` to ai-led that the gate of messy cases or boundaries shuts."""
    vague = boundaries.vagueness(state.playbook.definition, step) if mode == boundaries.AI_LED else None
    if vague is not None:
        raise Refusal.of("vague_to_ai_led", step=step, slug=state.playbook.slug, why=Lines((vague_phrase(vague),)))


def refuse_out_without_boundaries(caller: Caller, cmd: messages.Cases) -> None:
    """An out-of-scope count needs a scope: a step with no boundaries declared is refused,
    before anything is stored (its cases too)."""
    state = caller.playbook(cmd.playbook, "cases")
    step = caller.step(state, cmd.step, "cases")
    if not boundaries.boundaries_of(state.playbook.definition, step.name):
        raise Refusal.of("out_no_boundaries", step=step.name, slug=state.playbook.slug, usage="cases")


def out_writer(caller: Caller, count: int) -> Callable[[PlaybookState, WeekRef, Step | None, UnitOfWork], None]:
    """What `/rollout cases … out:N` writes beside the cases, in their transaction
    (usecases/commands.py): the step's out-of-scope count of the week; the latest of a week
    is the one that counts."""

    def write(state: PlaybookState, week: WeekRef, step: Step | None, uow: UnitOfWork) -> None:
        if step is not None:
            uow.out_of_scope.add(out_rows(caller, state, week, {step.id: count}))

    return write


def out_rows(caller: Caller, state: PlaybookState, week: WeekRef, counts: dict[int, int]) -> list[OutOfScopeCount]:
    """The rows of steps' out-of-scope counts of `week` (step id: count), to add."""
    return [
        OutOfScopeCount(
            playbook_id=state.playbook.id,
            step_id=step_id,
            week_start=week.week_start,
            count=count,
            reported_by=caller.user_id,
            reported_at=caller.now,
        )
        for step_id, count in counts.items()
    ]


def bounded_steps(store: Store, state: PlaybookState, week: WeekRef) -> tuple[set[int], dict[int, int]]:
    """The week form's part (usecases/week_form.py): the ids of the steps that declare
    boundaries, and their out-of-scope counts of `week` that count now."""
    bounded = {s.id for s in state.steps if boundaries.boundaries_of(state.playbook.definition, s.name)}
    if not bounded:
        return set(), {}
    out = store.out_of_scope.latest(state.playbook.id, week.week_start, week.week_start)
    return bounded, {step_id: n for (step_id, _), n in out.items() if step_id in bounded}
