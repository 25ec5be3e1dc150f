"""The App Home tab, published when someone opens it (built by usecases/home.py)."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from usecases import home
from usecases.shared.services import Services

log = logging.getLogger(__name__)


def register(app: App, services: Services) -> None:
    @app.event("app_home_opened")
    def home_opened(event: dict[str, Any], client: WebClient) -> None:
        if event.get("tab", "home") != "home":
            return
        try:
            view = home.opened(services, event["user"])
        except Exception:  # answered all the same: Slack would retry the event, and fail again
            log.exception("the App Home of %s could not be built", event.get("user"))
            return
        try:
            client.views_publish(user_id=event["user"], view=view)
        except SlackApiError as err:
            log.warning("views.publish for %s failed: %s", event.get("user"), err.response.get("error"))
        except OSError:  # Slack was slow, or building the view spent the request's budget (SlackBusy)
            home.publish_later(services, event["user"], view)
