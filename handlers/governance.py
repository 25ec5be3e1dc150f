"""The governance buttons: Approve and Reject on a promotion proposal, Publish on a
"ready to scale" proposal, Refine, Re-scope and Retire on a stalled playbook's message
(each opens its form for a reason), a champion's checklist's Mark done and Undo, and a
wave's *Learnings reviewed* (which opens its form for the note the next wave gets). The
decisions themselves are usecases's."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from cadence import keys
from cadence.limits import MAX_TEXT_CHARS
from handlers import playbook_form
from handlers.errors import Malformed
from templates import render
from templates.refusals import Refusal, slack
from usecases import bar_approval, champions, proposals, publish_over, requests, stalls, waves
from usecases.shared.caller import Caller
from usecases.shared.services import Services

log = logging.getLogger(__name__)


def register(app: App, services: Services) -> None:
    _register_publish_requests(app, services)

    @app.action("proposal_approve")
    def approve_clicked(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        ack()
        _on_click(services, client, body, lambda caller: proposals.decide(caller, action.get("value", ""), True))

    @app.action("proposal_reject")
    def reject_clicked(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        ack()
        _on_click(services, client, body, lambda caller: proposals.decide(caller, action.get("value", ""), False))

    @app.action("scale_publish")
    def publish_clicked(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        ack()
        _on_click(
            services,
            client,
            body,
            lambda caller: proposals.publish(caller, action.get("value", "")),
        )

    @app.action(re.compile(r"^stall_(refine|rescope|retire)$"))
    def stall_clicked(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        ack()
        target = keys.read_stall(action.get("value"))
        if target is None:
            raise Malformed("a stall button with a value the bot never wrote")
        answer = action["action_id"].removeprefix("stall_")

        _on_click(services, client, body, lambda caller: _stall_form(caller, client, body, answer, target))

    @app.action("checklist_mark")
    def checklist_clicked(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        ack()
        target = keys.read_checklist_button(action.get("value"))
        if target is None:
            raise Malformed("a checklist button with a value the bot never wrote")
        container = body.get("container") or {}
        channel, ts = container.get("channel_id"), container.get("message_ts")
        dm = (channel, ts) if isinstance(channel, str) and isinstance(ts, str) else None  # None: clicked in the Home
        _on_click(services, client, body, lambda caller: champions.mark(caller, *target, dm))

    @app.action("wave_reviewed")
    def wave_reviewed(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        ack()
        target = keys.read_wave_button(action.get("value"))
        if target is None:
            raise Malformed("a Learnings reviewed button with a value the bot never wrote")
        _on_click(services, client, body, lambda caller: _wave_note_form(caller, body, target))

    @app.action("request_approve")
    def request_approved(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        ack()
        _on_click(services, client, body, lambda caller: requests.approve(caller, action.get("value", "")))

    @app.action(re.compile(r"^request_(decline|override)$"))
    def request_reason(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        """Decline, and approve past a refusal a reason passes, ask the curator for a reason first."""
        ack()
        _on_click(services, client, body, lambda caller: _reason_form(caller, body, action))

    @app.action("bar_approve")
    def bar_approved(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        ack()
        _on_click(services, client, body, lambda caller: bar_approval.approve(caller, action.get("value", "")))

    @app.action("bar_decline")
    def bar_declined(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        """Decline asks the curator for a reason first."""
        ack()
        _on_click(services, client, body, lambda caller: _bar_reason_form(caller, body, action))


def _stall_form(caller: Caller, client: WebClient, body: dict[str, Any], answer: str, target: tuple[int, int]) -> None:
    """A stall button's form: *Refine* and *Re-scope* open the playbook's form at what the
    answer changes, *Retire* its own."""
    if answer in ("refine", "rescope"):  # the playbook's form, at what the answer changes
        if stalls.form_for(caller, answer, *target) is None:  # the owner or a curator; running
            return
        playbook_form.open_for_stall(caller, answer, target, body["trigger_id"])
        return
    form = stalls.form_for(caller, answer, *target)
    if form is None:
        return  # the playbook was removed since the message went out
    view = render(
        "modal_stall",
        answer=answer,
        slug=form.state.playbook.slug,
        title=form.state.playbook.title,
        cycle=form.cycle,
        metadata=keys.stall(*target),
        limit=MAX_TEXT_CHARS,
    )
    try:
        client.views_open(trigger_id=body["trigger_id"], view=view)
    except SlackApiError as err:
        log.warning("views.open failed: %s", err.response.get("error"))
    except (OSError, TimeoutError):  # the button can be clicked again
        log.warning("views.open: Slack did not answer in time")


def _register_publish_requests(app: App, services: Services) -> None:
    @app.action(re.compile(r"^publish_(approve|decline)$"))
    def publish_clicked_over(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        """A request to publish over readiness: *Publish* or *Decline*."""
        ack()
        approve, value = action["action_id"] == "publish_approve", action.get("value", "")

        def decide(caller: Caller) -> None:
            if approve:
                publish_over.approve(caller, value)  # the announcement goes to the channels
            else:
                publish_over.decline(caller, value)

        _on_click(services, client, body, decide)


def _bar_reason_form(caller: Caller, body: dict[str, Any], action: dict[str, Any]) -> None:
    shown = bar_approval.decline_form(caller, action.get("value", ""))
    view = render("modal_bar_reason", metadata=str(shown.id), slug=shown.slug, limit=MAX_TEXT_CHARS)
    _open_view(caller, body, view)


def _wave_note_form(caller: Caller, body: dict[str, Any], target: tuple[int, int]) -> None:
    """*Learnings reviewed* asks for the note the next wave gets (refused at the click for
    anyone who may not mark it, or a wave marked already)."""
    shown = waves.form(caller, *target)
    metadata = keys.wave_button(shown.version.id, shown.wave)
    view = render("modal_wave_note", metadata=metadata, slug=shown.version.slug, wave=shown.wave, limit=MAX_TEXT_CHARS)
    _open_view(caller, body, view)


def _reason_form(caller: Caller, body: dict[str, Any], action: dict[str, Any]) -> None:
    shown = requests.reason_form(caller, action.get("value", ""))
    view = render(
        "modal_request_reason",
        callback=action["action_id"],
        metadata=str(shown.id),
        channel=shown.channel_id,
        slug=shown.slug,
        limit=MAX_TEXT_CHARS,
    )
    _open_view(caller, body, view)


def _open_view(caller: Caller, body: dict[str, Any], view: dict[str, Any]) -> None:
    try:
        caller.client.views_open(trigger_id=body.get("trigger_id", ""), view=view)
    except SlackApiError as err:
        log.warning("views.open failed: %s", err.response.get("error"))
    except (OSError, TimeoutError):
        log.warning("views.open: Slack did not answer in time")


def _on_click(services: Services, client: WebClient, body: dict[str, Any], act: Callable[[Caller], None]) -> None:
    """Run a button's decision; a refusal is an ephemeral message to the clicker only."""
    user = (body.get("user") or {}).get("id", "")
    channel = (body.get("container") or {}).get("channel_id") or (body.get("channel") or {}).get("id")
    try:
        act(Caller(services, client, user, channel or ""))
    except Refusal as refusal:
        _ephemeral(client, channel, user, render("refusal", problem=slack(refusal), suggestions=[], usage=[]))
    except Exception:
        log.exception("button failed")
        _ephemeral(client, channel, user, render("failure"))


def _ephemeral(client: WebClient, channel: str | None, user: str, message: dict[str, Any]) -> None:
    """Tell only the clicker: ephemerally in the channel, or by DM for a click in the Home tab."""
    try:
        if channel:
            client.chat_postEphemeral(channel=channel, user=user, **message)
        else:
            client.chat_postMessage(channel=user, **message)
    except SlackApiError as err:
        log.warning("could not tell %s: %s", user, err.response.get("error"))
    except (OSError, TimeoutError):
        log.warning("could not tell %s: Slack did not answer in time", user)
