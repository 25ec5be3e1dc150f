"""`/rollout adopt`'s offer of close matches (usecases/shared/adopt_offer.py): the reply that
shows it, and its buttons. *Adopt it* adopts that match instead, for the same team; *Adopt …
anyway* opens a form for why, whose submission adopts the version asked and keeps the reason.
Each runs the same adopt as the command (usecases/commands.py), every check with it, and
answers the clicker only, as the command would: the adoption's announcement, or the refusal
(on the form, on its field). Nothing is stored until a button is used. A form sent again is
answered as a repeat (bot/app.py); a second click finds the team running it, and a click on
an offer already answered is refused: an offer adopts once."""

from __future__ import annotations

import dataclasses
import json
import logging
from typing import Any

from pydantic import TypeAdapter, ValidationError
from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from cadence.limits import MAX_TEXT_CHARS
from cadence.text import as_line_breaks, plain_text, unstorable
from handlers.actions import show_form
from handlers.errors import Malformed
from handlers.form_answers import answered, metadata, refusal_on
from templates import notices_registry, render
from templates.refusals import Refusal, slack
from usecases import bus, commands
from usecases.shared import messages
from usecases.shared.adopt_offer import Offer
from usecases.shared.caller import Caller
from usecases.shared.requests import AskedPast
from usecases.shared.services import Services

log = logging.getLogger(__name__)

_ADOPT = TypeAdapter(messages.Adopt)


def value(cmd: messages.Adopt) -> str:
    """An adopt as a button carries it: its fields in JSON, the defaults left out."""
    return _ADOPT.dump_json(cmd, exclude_defaults=True).decode()


def read(text: object) -> messages.Adopt:
    """The adopt an offer's button carries (`value`); anything else was never the bot's."""
    try:
        cmd = _ADOPT.validate_json(text if isinstance(text, str) else "")
    except ValidationError:
        cmd = None
    if cmd is None or cmd.offered is None or not cmd.offered.versions:
        raise Malformed("an adopt offer's button with a value the bot never wrote")
    return cmd


def offer_message(offer: Offer) -> dict[str, Any]:
    """The command's reply: the close matches, each version the team may take with *Adopt
    it*, and the version asked with *Adopt … anyway*."""
    return render(
        "adopt_offer",
        slug=offer.slug,
        version=offer.version,
        function=offer.function,
        channel=offer.channel_id,
        choices=[
            dict(words=c.words, runs=c.runs, value=None if c.adopt is None else value(c.adopt)) for c in offer.choices
        ],
        anyway=value(offer.asked),
    )


def reply(done: dict[str, Any] | Offer | AskedPast) -> dict[str, Any]:
    """What an adopt answers: its announcement, the offer of its close matches, or that
    another curator decides an adoption asked past its wave, load or matches."""
    if isinstance(done, AskedPast):
        return notices_registry.adopt_asked(slug=done.slug, version=done.version, channel=done.channel, past=done.past)
    return offer_message(done) if isinstance(done, Offer) else done


def register(app: App, services: Services) -> None:
    @app.action("adopt_instead")
    def instead(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        """*Adopt it*: the match, for the same team, through the same adopt."""
        ack()
        cmd = read(action.get("value"))
        caller = _caller(services, client, body)
        try:
            done = bus.handle(caller, commands.adopt, cmd)
        except Refusal as refusal:
            _tell(caller, render("refusal", problem=slack(refusal), suggestions=list(refusal.suggestions), usage=[]))
            return
        except Exception:
            log.exception("an adopt offer's Adopt it failed")
            _tell(caller, render("failure"))
            return
        _tell(caller, reply(done))

    @app.action("adopt_anyway")
    def anyway(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        """*Adopt … anyway*: the form for why, once the clicker may adopt and the offer is open."""
        ack()
        cmd = read(action.get("value"))
        caller = _caller(services, client, body)
        try:
            commands.may_adopt(caller, cmd)
        except Refusal as refusal:
            _tell(caller, render("refusal", problem=slack(refusal), suggestions=[], usage=[]))
            return
        kept = json.dumps({"adopt": action.get("value"), "channel": caller.channel_id})
        form = render(
            "modal_adopt_anyway",
            metadata=kept,
            channel=cmd.channel_id,
            slug=cmd.playbook,
            version=cmd.version,
            limit=MAX_TEXT_CHARS,
        )
        show_form(client, body.get("trigger_id", ""), form)

    @app.view("adopt_anyway")
    def submitted(
        ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        _anyway(services, client, ack, body, view, context)


def _anyway(
    services: Services, client: WebClient, ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext
) -> None:
    """The form's reason: required; then the version asked adopted with it kept. A refusal
    shows on the reason, nothing stored; the view sent again after it adopted, nothing."""
    kept = metadata(view, "the adopt anyway")
    if not isinstance(kept.get("channel"), str):
        raise Malformed("the adopt anyway form's metadata is not what the bot wrote")
    cmd = read(kept.get("adopt"))
    claim = context.get("claim")
    caller = Caller(services, client, (body.get("user") or {}).get("id", ""), kept["channel"], claim)
    if claim is not None and caller.store.request_keys.seen(claim.keys + claim.with_write):
        ack()  # this view adopted before: a repeat, answered with nothing
        return
    offered = cmd.offered
    assert offered is not None  # read() holds it
    done: list[dict[str, Any] | Offer | AskedPast] = []

    def adopted() -> None:
        anyway = dataclasses.replace(offered, anyway=refusal_on("anyway", _reason, view))
        done.append(refusal_on("anyway", bus.handle, caller, commands.adopt, dataclasses.replace(cmd, offered=anyway)))

    answered(ack, "anyway", "the adopt anyway form", adopted)
    if done:
        _tell(caller, reply(done[0]))


def _reason(view: dict[str, Any]) -> str:
    """The reason typed, on one line; refused when empty, too long or not storable."""
    values = (view.get("state") or {}).get("values") or {}
    typed = as_line_breaks(str(((values.get("anyway") or {}).get("value") or {}).get("value") or ""))
    problem = unstorable(typed, line_breaks=True)
    if problem is not None:
        raise Refusal.of("control_character", what=problem)
    reason = " ".join(plain_text(typed).split())
    if not reason:
        raise Refusal.of("adopt_anyway_reason")
    if len(reason) > MAX_TEXT_CHARS:
        raise Refusal.of("free_text_too_long", what="reason", length=len(reason), limit=MAX_TEXT_CHARS)
    return reason


def _caller(services: Services, client: WebClient, body: dict[str, Any]) -> Caller:
    """The clicker, in the channel the offer was shown in."""
    user = (body.get("user") or {}).get("id", "")
    where = (body.get("container") or {}).get("channel_id") or (body.get("channel") or {}).get("id") or ""
    return Caller(services, client, user, where)


def _tell(caller: Caller, message: dict[str, Any]) -> None:
    """Only the clicker hears it: ephemerally where the offer was (a DM, if that is unknown)."""
    try:
        if caller.channel_id:
            caller.client.chat_postEphemeral(channel=caller.channel_id, user=caller.user_id, **message)
        else:
            caller.client.chat_postMessage(channel=caller.user_id, **message)
    except SlackApiError as err:
        log.warning("could not tell %s: %s", caller.user_id, err.response.get("error"))
    except (OSError, TimeoutError):
        log.warning("could not tell %s: Slack did not answer in time", caller.user_id)
