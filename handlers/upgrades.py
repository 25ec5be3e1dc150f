"""The *Upgrade* and *Not now* buttons of the message that tells an adopting team of a
newer version of its origin (usecases/versions.py decides; a refusal, such as a click
after the playbook moved, is told to the clicker only)."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from cadence.versions import read_upgrade_button
from handlers.errors import Malformed
from handlers.governance import _ephemeral, _on_click
from templates import notices_registry
from usecases import versions
from usecases.shared.caller import Caller
from usecases.shared.services import Services


def register(app: App, services: Services) -> None:
    @app.action(re.compile(r"^upgrade_(now|later)$"))
    def upgrade_clicked(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        ack()
        target = read_upgrade_button(action.get("value"))
        if target is None:
            raise Malformed("an upgrade button with a value the bot never wrote")
        channel = (body.get("container") or {}).get("channel_id") or (body.get("channel") or {}).get("id")

        def act(caller: Caller) -> None:
            if action["action_id"] == "upgrade_later":
                later = versions.not_now(caller, *target)
                told = notices_registry.upgrade_later(slug=later.slug, version=later.version)
            else:
                told = notices_registry.upgrade(done=versions.upgrade_clicked(caller, *target))
            _ephemeral(client, channel, caller.user_id, told)

        _on_click(services, client, body, act)
