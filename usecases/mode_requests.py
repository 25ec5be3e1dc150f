"""`/rollout mode` toward ai-led (docs/judgement.md, "`/rollout mode` toward ai-led"): a
bar change request, never a shortcut. Toward human-led (or collaborative → human-led) a
person's override applies at once, as it always did (usecases/shared/governance.py);
toward ai-led, or off human-led for a pinned step, the owner's or a curator's ask is a
bar change request (usecases/bar_requests.py: its card, a curator other than the asker),
asked only with the rules' streak of PASS weeks since the step's last mode change (as a
proposal needs; refused naming the weeks),
and its approval passes the promotion's gates at the click (usecases/bar_requests.py
`approve`, cadence/promotion_gates.py)."""

from __future__ import annotations

from cadence import bar
from cadence.promotion_gates import needs_request
from cadence.state import PlaybookState, Step
from templates.gate_words import streak_phrase
from templates.refusals import Refusal
from usecases import bar_requests, boundaries
from usecases.shared import mode_move
from usecases.shared.caller import Caller
from usecases.shared.governance import ModeSet
from usecases.shared.roles import require_owner_or_curator


def asks(step: Step, mode: str) -> bool:
    """Whether setting `step` to `mode` by hand waits for a curator (not an unfreeze)."""
    return mode != "unfreeze" and step.mode != mode and needs_request(step.mode, mode, step.pinned)


def ask(caller: Caller, state: PlaybookState, step: Step, mode: str, reason: str) -> ModeSet:
    """The owner's or a curator's move toward ai-led, asked of the curators: a bar change
    request with the reason, its card in the curators channel; nothing changes yet."""
    store = caller.store
    require_owner_or_curator(store, state, caller.user_id, "mode")
    boundaries.refuse_if_vague(state, step.name, mode)
    if mode != step.mode:  # a hand promotion needs the evidence a proposal needs: the rules' streak
        held = mode_move.streak(store, state, step.id).gate()
        if held is not None:
            raise Refusal.of(
                "mode_no_streak", usage="mode", step=step.name, mode=mode, weeks=streak_phrase(held.values)
            )
    changes = bar.override_changes(step.name, step.mode, mode, step.pinned)
    curators = bar_requests.check(store, changes, reason)
    with store.unit_of_work() as uow:
        bar_requests.ask(uow, state, changes, reason, curators, caller.user_id, caller.now, caller.services.admins)
        uow.commit()
    return ModeSet(step.name, mode, True, asked=True)
