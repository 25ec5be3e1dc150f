"""Buttons: the check-in DM's buttons open their forms."""

from __future__ import annotations

import json
import logging
import re
from datetime import date
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from handlers.checkins import form_view, week_of
from handlers.context import Services

log = logging.getLogger(__name__)

FORMS = {"checkin_attest": "attest", "checkin_deviation": "deviation", "checkin_kpi": "kpi"}


def register(app: App, services: Services) -> None:
    @app.action(re.compile(r"^checkin_(attest|deviation|kpi)$"))
    def open_checkin_form(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        ack()
        try:
            target = json.loads(action.get("value") or "{}")
            state = services.store.playbook_state_by_id(int(target["playbook"]))
            week = week_of(state, date.fromisoformat(target["week"])) if state else None
        except (ValueError, KeyError, TypeError):
            log.warning("check-in button with an unreadable value: %r", action.get("value"))
            return
        if state is None or week is None:
            return  # the playbook was removed since the DM went out
        container = body.get("container") or {}
        metadata = {
            "playbook": state.playbook.id,
            "week": week.week_start.isoformat(),
            "dm": {"channel": container.get("channel_id"), "ts": container.get("message_ts")},
        }
        try:
            client.views_open(
                trigger_id=body["trigger_id"], view=form_view(FORMS[action["action_id"]], state, week, metadata)
            )
        except SlackApiError as err:
            log.warning("views.open failed for %s: %s", action["action_id"], err.response.get("error"))
        except (OSError, TimeoutError):  # Slack is slow or rate limits us: the button can be clicked again
            log.warning("views.open for %s: Slack did not answer in time", action["action_id"])
