"""What Slack's events about channels and people change: who is on a team is asked of
Slack again, and a playbook whose channel is gone (archived, deleted, the bot removed)
pauses, with its owner and the curators told how to fix it (life.channel_lost); the app
uninstalled or its token revoked holds delivery until Slack accepts a token again."""

from __future__ import annotations

import logging
from typing import Any

from slack_api.members import person_of
from storage.store import Store
from usecases import names, people
from usecases.shared import life
from usecases.shared.services import Services

log = logging.getLogger(__name__)


def team_changed(services: Services, channel_id: str) -> None:
    services.directory.forget(channel_id, services.clock())


def slack_access_lost(services: Services, reason: str) -> None:
    """The app was uninstalled or its bot token revoked: delivery is held in every process
    (slack_api/dispatch.py), nudges and DMs wait, /healthz says why; said once in the log."""
    if services.store.health.lose_slack_access(reason, services.clock()):
        log.error(
            "Slack says %s: delivery is held and /healthz answers 503 until the app is reinstalled "
            "and the bot runs with a working token",
            reason,
        )


def slack_access_verified(store: Store) -> None:
    """Slack has just accepted the bot's token (a process starting, or learning its
    workspace): a hold left by an earlier refusal ends here, whichever token it was left for
    (the app reinstalled with a new token: the old one's hold would otherwise stay for
    good), and /healthz says ok at once, not only once a dispatcher has probed again. (A
    read first: no write when nothing is held.)"""
    if store.health.any_hold() and store.health.regain_slack_access():
        log.warning("Slack accepts the bot's token again: the hold on delivery is lifted")


def person_changed(services: Services, user: dict[str, Any]) -> None:
    """Slack's `user_change`: their names are kept as the event gives them (pages show
    them), a deactivated account gets nothing more (people.person_gone), a reactivated
    one is written to again."""
    user_id = str(user.get("id") or "")
    if not user_id:
        return
    if isinstance(user.get("profile"), dict):  # Slack's whole user object: its names as they are now
        names.keep_person(services.store, person_of(user), services.clock())
    if user.get("deleted"):
        people.person_gone(services.store, user_id, "deactivated", services.clock())
    else:
        people.person_back(services.store, user_id, services.clock())


def channel_renamed(services: Services, channel: dict[str, Any]) -> None:
    """Slack's `channel_rename` (`group_rename` for a private channel): pages show the new name."""
    channel_id = str(channel.get("id") or "")
    if channel_id:
        names.keep_channel(services.store, channel_id, str(channel.get("name") or "") or None, services.clock())


def channel_lost(services: Services, channel_id: str, error: str) -> None:
    """`error`: Slack's word for why the bot cannot post there."""
    services.directory.forget(channel_id, services.clock())
    life.channel_lost(services.store, channel_id, error, services.clock())
