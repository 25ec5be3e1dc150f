"""A champion's checklist button: an item of the kit's training and checks marked done or
undone (usecases/shared/champions.py); the champion's Home tab shows it after. The owner
as champion marks only as the team's only member (Slack says who is on the team)."""

from __future__ import annotations

from slack_sdk.errors import SlackApiError

from cadence.change import Change
from slack_api.members import DirectoryUnavailable
from usecases import home
from usecases.shared import champions
from usecases.shared.caller import Caller


def mark(caller: Caller, slug: str, index: int, done: bool, dm: tuple[str, str] | None) -> None:
    marked = champions.mark(caller.store, slug, index, done, caller.user_id, caller.now, dm, _team(caller, slug))
    if marked:
        refresh = home.refresh(caller.store, caller.user_id, caller.now)  # the Home tab as it is now
        if refresh is not None:
            with caller.store.unit_of_work() as uow:
                uow.governance.apply(Change(messages=[refresh]), caller.now)
                uow.commit()


def _team(caller: Caller, slug: str) -> list[str] | None:
    """The team's people when the owner marks as the champion (None: not asked, or Slack
    did not say: the mark is not refused for it)."""
    state = caller.store.playbooks.state(slug)
    if state is None or not (caller.user_id == state.playbook.champion_id == state.playbook.owner_id):
        return None
    channel = state.playbook.channel_id
    try:
        team = caller.services.directory.teams(caller.client, [channel]).get(channel)
    except (DirectoryUnavailable, SlackApiError, OSError, TimeoutError):
        return None
    return None if team is None else [p.user_id for p in team]
