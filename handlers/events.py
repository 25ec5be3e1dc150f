"""Events API listeners: keep the team directory honest when people join or leave."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext

from bot.usecases import life
from handlers.context import Services


def register(app: App, services: Services) -> None:
    @app.event("member_joined_channel")
    def member_joined(event: dict[str, Any]) -> None:
        services.directory.forget(event.get("channel", ""), services.clock())

    @app.event("member_left_channel")
    def member_left(event: dict[str, Any], context: BoltContext) -> None:
        channel = event.get("channel", "")
        services.directory.forget(channel, services.clock())
        if event.get("user") and event.get("user") == context.bot_user_id:  # the bot was removed
            life.channel_lost(services.store, channel, "not_in_channel", services.clock())

    # The team channel archived, deleted, or the bot removed from it: its playbooks pause
    # and their owners and the curators hear how to fix it (bot/usecases/life.py).
    @app.event("channel_archive")
    @app.event("group_archive")
    def archived(event: dict[str, Any]) -> None:
        services.directory.forget(event.get("channel", ""), services.clock())
        life.channel_lost(services.store, event.get("channel", ""), "is_archived", services.clock())

    @app.event("channel_deleted")
    @app.event("group_deleted")
    def deleted(event: dict[str, Any]) -> None:
        life.channel_lost(services.store, event.get("channel", ""), "channel_not_found", services.clock())

    @app.event("channel_left")
    @app.event("group_left")
    def removed(event: dict[str, Any]) -> None:
        services.directory.forget(event.get("channel", ""), services.clock())
        life.channel_lost(services.store, event.get("channel", ""), "not_in_channel", services.clock())
