"""A stalled playbook's three buttons (the message of usecases/shared/close/stall.py):
*Refine* the steps or the rubric, *Re-scope* the KPI, *Retire*. Each opens a form for the
reason; its submission is a decision row, and *Retire* retires the playbook as
`/rollout retire` does. The owner or a curator only: anyone else is refused, nothing stored."""

from __future__ import annotations

from dataclasses import dataclass

from cadence import cycle_decisions
from cadence.change import Change
from cadence.limits import MAX_TEXT_CHARS
from cadence.state import PlaybookState
from templates.refusals import Refusal
from usecases.shared import life
from usecases.shared.caller import Caller

ANSWERS = ("refine", "rescope", "retire")


@dataclass(frozen=True)
class Form:
    """What the reason's form shows."""

    state: PlaybookState
    answer: str
    cycle: int


def form_for(caller: Caller, answer: str, playbook_id: int, cycle: int) -> Form | None:
    """The form a button opens, for the owner or a curator (Refusal otherwise); None if the
    playbook was removed since the message went out."""
    state = caller.store.playbooks.state_by_id(playbook_id)
    if state is None:
        return None
    caller.require_owner_or_curator(state, None)
    life.refuse_unless_running(state, None)  # a retired playbook is answered for good
    return Form(state, answer, cycle)


def answer(caller: Caller, answer: str, playbook_id: int, cycle: int, reason: str) -> PlaybookState | None:
    """The form's submission: the decision row (refine, re-scope), or the retirement.
    Refusals as a command's; None if the playbook was removed meanwhile."""
    state = caller.store.playbooks.state_by_id(playbook_id)
    if state is None:
        return None
    caller.require_owner_or_curator(state, None)
    life.refuse_unless_running(state, None)
    reason = reason.strip()
    if not reason:
        raise Refusal.of("stall_reason_missing")
    if len(reason) > MAX_TEXT_CHARS:
        raise Refusal.of("free_text_too_long", what="a reason", length=len(reason), limit=MAX_TEXT_CHARS)
    playbook = state.playbook
    if answer == "retire":
        life.retire(caller.store, state, reason, caller.user_id, caller.now)
        return state
    record = cycle_decisions.of_stall_answer(playbook.id, playbook.slug, cycle, answer, reason, caller.user_id)
    with caller.store.unit_of_work() as uow:
        uow.governance.apply(Change(decisions=[record]), caller.now)
        uow.commit()
    return state
