"""People who leave: Slack calls an account deactivated (a `user_change` event, or a DM
answered user_not_found or account_inactive while the bot's token works). They get
nothing more (their web view sessions end at once), so they leave the attestation rate from that week on (it counts the DMs
sent). A playbook they own waits for a curator: the curators are told once, and status
and the digest say "owner deactivated" until `/rollout owner` names another. A playbook
whose exception owner or operational owner they are is told to the curators once too."""

from __future__ import annotations

import logging
from datetime import datetime

from cadence import definition_owners, keys
from cadence.change import Message
from cadence.state import PlaybookState
from storage.store import CURATORS_CHANNEL, Store
from templates import notices

log = logging.getLogger(__name__)


def person_gone(store: Store, user_id: str, reason: str, now: datetime) -> list[str]:
    """Record that `user_id` left; the slugs of the playbooks they own whose curators were
    told (none when it was known already: told once). Their web view sessions end now,
    and any sign-in link not yet used with them: the web view is not theirs to read."""
    with store.unit_of_work() as uow:  # one action: their sessions end, they are gone, the curators told
        if uow.web_logins.end_sessions_of(user_id):
            log.info("web view: %s's sessions ended, deactivated in Slack (%s)", user_id, reason)
        if not uow.people.deactivate(user_id, now):
            uow.commit()
            return []
        owned = [
            s
            for s in uow.playbooks.of_person(user_id)
            if s.playbook.owner_id == user_id and s.playbook.status != "retired"
        ]
        roles = _roles_of(uow, user_id)
        if not owned and not roles:
            uow.commit()
            return []
        curators = uow.org.setting(CURATORS_CHANNEL)
        audience = [curators] if curators else sorted(uow.org.curators())  # without a channel, each curator by DM
        messages = [
            Message(
                keys.to_audience(keys.owner_gone(state.playbook.id, user_id, now.isoformat()), channel),
                "chat.postMessage",
                channel,
                notices.owner_deactivated(
                    slug=state.playbook.slug, title=state.playbook.title, owner=user_id, reason=reason
                ),
            )
            for state in owned
            for channel in audience
        ]
        messages += [
            Message(
                keys.to_audience(keys.owner_gone(state.playbook.id, user_id, now.isoformat()), channel),
                "chat.postMessage",
                channel,
                notices.role_deactivated(
                    slug=state.playbook.slug, title=state.playbook.title, roles=named, person=user_id, reason=reason
                ),
            )
            for state, named in roles
            for channel in audience
        ]
        uow.outbox.enqueue(messages, now)
        uow.commit()
    return [state.playbook.slug for state in owned] + [state.playbook.slug for state, _ in roles]


def _roles_of(store: Store, user_id: str) -> list[tuple[PlaybookState, list[str]]]:
    """The playbooks (not retired) that name `user_id` to own something other than the
    playbook itself: its exception queue or an operational role (docs/playbooks.md,
    "Named operational owners"), with those roles; those they own are told as the owner's."""
    found = []
    for state in store.playbooks.states():
        playbook = state.playbook
        if playbook.status == "retired" or playbook.owner_id == user_id:
            continue
        named = definition_owners.named(playbook.definition, playbook.owner_id, playbook.adopted_from_id is not None)
        roles = [role for role, user in named if user == user_id and role != "owner"]
        if roles:
            found.append((state, roles))
    return found


def person_back(store: Store, user_id: str, now: datetime) -> bool:
    """Slack calls `user_id` active again (reactivated): DMs reach them again."""
    with store.unit_of_work() as uow:
        back = uow.people.reactivate(user_id, now)
        uow.commit()
    return back
