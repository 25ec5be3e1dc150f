"""Who may do what, from the roles the database holds: the owner of a playbook, the
curators. (Team membership is Slack's to say: caller.py asks it.)"""

from __future__ import annotations

from cadence.state import PlaybookState
from storage.store import Store
from templates.refusals import Mention, Refusal


def user(user_id: str) -> Mention:
    """A person a refusal names: a mention in Slack, their id in plain text."""
    return Mention("@", user_id)


def channel(channel_id: str) -> Mention:
    """A channel a refusal names: a link in Slack, its id in plain text."""
    return Mention("#", channel_id)


def is_owner(state: PlaybookState, user_id: str) -> bool:
    return user_id == state.playbook.owner_id


def sees_names(store: Store, state: PlaybookState, user_id: str) -> bool:
    """Who sees who deviated or logged an exception, and why: the playbook's owner and the
    curators (`/rollout status` and the web view alike); others see the counts."""
    return is_owner(state, user_id) or store.org.is_curator(user_id)


def require_owner_or_curator(store: Store, state: PlaybookState, user_id: str, usage: str | None) -> None:
    if not (is_owner(state, user_id) or store.org.is_curator(user_id)):
        raise Refusal.of(
            "owner_or_curator_only", usage=usage, slug=state.playbook.slug, owner=user(state.playbook.owner_id)
        )


def require_curator(store: Store, user_id: str, otherwise: Refusal) -> None:
    """Curators only; anyone else gets the refusal `otherwise`."""
    if not store.org.is_curator(user_id):
        raise otherwise
