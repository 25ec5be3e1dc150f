"""Buttons: the check-in DM's buttons and the week-4 DM's *Add a learning* open their forms."""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from cadence import keys
from handlers.checkins import form_view
from handlers.errors import Malformed
from templates import render
from templates.refusals import Refusal, slack
from usecases import checkins, learnings
from usecases.shared.caller import Caller
from usecases.shared.services import Services

log = logging.getLogger(__name__)

FORMS = {"checkin_attest": "attest", "checkin_deviation": "deviation", "checkin_kpi": "kpi"}
# The notice a button opens instead of its form: titled by why (a modal title has 24 characters).
NOTICE_TITLES = {"week_closed": "Week closed", "week_in_future": "Week not begun yet"}


def register(app: App, services: Services) -> None:
    @app.action(re.compile(r"^checkin_(attest|deviation|kpi)$"))
    def open_checkin_form(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        ack()
        target = keys.read_checkin_button(action.get("value"))
        if target is None:  # not a value of ours, e.g. {"playbook": 1e400}
            raise Malformed("a check-in button with a value the bot never wrote")
        caller = Caller(services, client, (body.get("user") or {}).get("id", ""))
        try:
            sent = checkins.sent_week(caller, target)
        except Refusal as refusal:  # an old DM's button (that week is closed), or a week still to come
            title = NOTICE_TITLES.get(refusal.key, "Can't check in")
            show_form(client, body["trigger_id"], render("modal_notice", title=title, problem=slack(refusal)))
            return
        if sent is None:
            return  # the playbook was removed since the DM went out
        state, week = sent
        container = body.get("container") or {}
        metadata = {
            "playbook": state.playbook.id,
            "week": week.week_start.isoformat(),
            "dm": {"channel": container.get("channel_id"), "ts": container.get("message_ts")},
        }
        show_form(client, body["trigger_id"], form_view(FORMS[action["action_id"]], state, week, metadata))

    @app.action("learning_add")
    def open_learning_form(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        _learning_form(services, ack, body, action, client)


def _learning_form(
    services: Services, ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient
) -> None:
    ack()
    target = keys.read_checkin_button(action.get("value"))
    if target is None:
        raise Malformed("a learning button with a value the bot never wrote")
    caller = Caller(services, client, (body.get("user") or {}).get("id", ""))
    shown = learnings.form_for(caller, *target)
    if shown is None:
        return  # the playbook was removed since the DM went out
    metadata = keys.checkin_button(*target)
    show_form(client, body["trigger_id"], render("modal_learning", metadata=metadata, **shown))


def show_pushed(client: WebClient, trigger_id: str, view: dict[str, Any]) -> None:
    """views.push for a button inside a form: the form over it; Slack's refusal or silence is
    logged, the form beneath stays."""
    try:
        client.views_push(trigger_id=trigger_id, view=view)
    except SlackApiError as err:
        log.warning("views.push failed: %s", err.response.get("error"))
    except (OSError, TimeoutError):
        log.warning("views.push: Slack did not answer in time")


def show_form(client: WebClient, trigger_id: str, view: dict[str, Any]) -> None:
    """views.open for a button's form; Slack's refusal or silence is logged, the button stays."""
    try:
        client.views_open(trigger_id=trigger_id, view=view)
    except SlackApiError as err:
        log.warning("views.open failed: %s", err.response.get("error"))
    except (OSError, TimeoutError):  # Slack is slow or rate limits us: the button can be clicked again
        log.warning("views.open: Slack did not answer in time")
