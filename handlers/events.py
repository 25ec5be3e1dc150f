"""Events API listeners: keep the team directory honest when people join or leave."""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from handlers.context import Services


def register(app: App, services: Services) -> None:
    @app.event("member_joined_channel")
    @app.event("member_left_channel")
    def membership_changed(event: dict[str, Any]) -> None:
        services.directory.forget(event.get("channel", ""))
