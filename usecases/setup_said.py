"""Setup as the seed means it (cadence/setup_said.py): the form an adopting playbook's
champion (else its owner) opens from the DM its first check-in answered sent
(usecases/shared/setup_said.py), and its answer kept, once a playbook. Refused, nothing
stored: anyone else, a playbook gone or never adopted, an answer given already."""

from __future__ import annotations

from dataclasses import dataclass

from cadence.state import PlaybookState
from templates.refusals import Mention, Refusal
from usecases.shared.caller import Caller
from usecases.shared.setup_said import asker


@dataclass(frozen=True)
class Kept:
    slug: str
    minutes: int
    meeting: bool


def open_sent(caller: Caller, playbook_id: int) -> PlaybookState:
    """The DM's *Tell us how setup went*: the playbook whose form opens."""
    return _askable(caller, playbook_id)


def submit(caller: Caller, playbook_id: int, minutes: int, meeting: bool) -> Kept:
    """Keep what the champion (else owner) said of the playbook's setup: once."""
    state = _askable(caller, playbook_id)
    slug = state.playbook.slug
    with caller.store.unit_of_work() as uow:
        if not uow.form_times.said(playbook_id, minutes, meeting, caller.user_id, caller.now):
            raise Refusal.of("setup_said_answered", slug=slug)
        uow.commit()
    return Kept(slug, minutes, meeting)


def _askable(caller: Caller, playbook_id: int) -> PlaybookState:
    state = caller.store.playbooks.state_by_id(playbook_id)
    if state is None:
        raise Refusal.of("setup_said_gone")
    playbook = state.playbook
    if playbook.adopted_from_id is None:
        raise Refusal.of("setup_said_not_adopted", slug=playbook.slug)
    if caller.user_id != asker(playbook):
        whom = "the champion" if playbook.champion_id else "the owner"
        raise Refusal.of("setup_said_not_yours", asked=Mention("@", asker(playbook)), whom=whom, slug=playbook.slug)
    if caller.store.form_times.said_of([playbook_id]):
        raise Refusal.of("setup_said_answered", slug=playbook.slug)
    return state
