"""What Slack's events about channels and people change: who is on a team is asked of
Slack again, and a playbook whose channel is gone (archived, deleted, the bot removed)
pauses, with its owner and the curators told how to fix it (life.channel_lost)."""

from __future__ import annotations

from bot.usecases import life
from bot.usecases.services import Services


def team_changed(services: Services, channel_id: str) -> None:
    services.directory.forget(channel_id, services.clock())


def channel_lost(services: Services, channel_id: str, error: str) -> None:
    """`error`: Slack's word for why the bot cannot post there."""
    services.directory.forget(channel_id, services.clock())
    life.channel_lost(services.store, channel_id, error, services.clock())
