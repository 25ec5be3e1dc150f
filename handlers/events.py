"""Events API listeners: keep the team directory honest when people join or leave."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext

from usecases import events
from usecases.shared.services import Services


def register(app: App, services: Services) -> None:
    @app.event("member_joined_channel")
    def member_joined(event: dict[str, Any]) -> None:
        events.team_changed(services, event.get("channel", ""))

    @app.event("member_left_channel")
    def member_left(event: dict[str, Any], context: BoltContext) -> None:
        if event.get("user") and event.get("user") == context.bot_user_id:  # the bot was removed
            events.channel_lost(services, event.get("channel", ""), "not_in_channel")
        else:
            events.team_changed(services, event.get("channel", ""))

    # The team channel archived, deleted, or the bot removed from it: its playbooks pause
    # and their owners and the curators hear how to fix it (usecases/shared/life.py).
    @app.event("channel_archive")
    @app.event("group_archive")
    def archived(event: dict[str, Any]) -> None:
        events.channel_lost(services, event.get("channel", ""), "is_archived")

    @app.event("channel_deleted")
    @app.event("group_deleted")
    def deleted(event: dict[str, Any]) -> None:
        events.channel_lost(services, event.get("channel", ""), "channel_not_found")

    # A channel renamed: pages show its new name.
    @app.event("channel_rename")
    @app.event("group_rename")
    def renamed(event: dict[str, Any]) -> None:
        channel = event.get("channel")
        if isinstance(channel, dict):
            events.channel_renamed(services, channel)

    # Someone deactivated (or reactivated) in Slack: DMs stop (or go on); their names are kept.
    @app.event("user_change")
    def user_changed(event: dict[str, Any]) -> None:
        user = event.get("user")
        if isinstance(user, dict):
            events.person_changed(services, user)

    # The app uninstalled, or the bot's token revoked: nothing can be sent any more.
    @app.event("app_uninstalled")
    def uninstalled(event: dict[str, Any]) -> None:
        events.slack_access_lost(services, "app_uninstalled")

    @app.event("tokens_revoked")
    def revoked(event: dict[str, Any]) -> None:
        if (event.get("tokens") or {}).get("bot"):  # a user's token alone changes nothing here
            events.slack_access_lost(services, "tokens_revoked")

    @app.event("channel_left")
    @app.event("group_left")
    def removed(event: dict[str, Any]) -> None:
        events.channel_lost(services, event.get("channel", ""), "not_in_channel")
