"""The `/rollout` slash command.

Each request is answered in the acknowledgement itself (an ephemeral reply), so the
user hears back in one round trip. Everything is validated before the single write
a command makes, so a refusal stores nothing.

What a subcommand is, is its row in handlers/grammar.py (`SUBCOMMANDS`): its name, usage
lines, parser, use case and reply, or the form it opens. `answer` follows the row.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from handlers import grammar
from templates import render
from templates.refusals import Refusal, slack
from usecases import bus
from usecases.shared import messages
from usecases.shared.caller import Caller, Claim, Repeated
from usecases.shared.services import Services

log = logging.getLogger(__name__)


def register(app: App, services: Services) -> None:
    @app.command("/rollout")
    def rollout(ack: Ack, command: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        reply, context["outcome"] = answer(services, client, command, context.get("claim"))
        ack(**reply) if reply else ack()


def answer(
    services: Services, client: WebClient, command: dict[str, Any], claim: Claim | None = None
) -> tuple[dict[str, Any] | None, str]:
    """The ephemeral reply to one `/rollout` request (None: a form was opened instead),
    and its outcome for the metrics: ok, form, refused, failed or repeat. `claim`: the
    request's (bot/app.py), which its first write records."""
    caller = Caller(services, client, command.get("user_id", ""), command.get("channel_id", ""), claim)
    try:
        sub, parsed = grammar.read(command.get("text", ""))
        if isinstance(sub, grammar.Form) or isinstance(parsed, messages.OpenForm):
            opened = _open_form(caller, sub, parsed, command.get("trigger_id", ""))
            return opened, "form" if opened is None else "refused"
        done = None if sub.use_case is None else bus.handle(caller, sub.use_case, parsed)
        message, outcome = sub.reply(caller, parsed, done), "ok"
    except Repeated:
        return None, "repeat"  # a replay: its first write found the request already handled
    except Refusal as refusal:
        message, outcome = (
            render(
                "refusal",
                problem=slack(refusal),
                suggestions=list(refusal.suggestions),
                usage=list(grammar.USAGE.get(refusal.usage or "", ())),
            ),
            "refused",
        )
    except Exception:
        # The exception's type only: its message can carry the user's text.
        log.error("/rollout %s failed", grammar.label(str(command.get("text") or "")), exc_info=True)
        message, outcome = render("failure"), "failed"
    return {"response_type": "ephemeral", **message}, outcome


def _open_form(caller: Caller, sub: grammar.Row, parsed: object, trigger_id: str) -> dict[str, Any] | None:
    """The form a subcommand opens: a Form row's, or the one its word alone opens (None if
    it opened, else the reply saying why not)."""
    if isinstance(sub, grammar.Form):
        return sub.opens(caller, parsed, trigger_id)
    assert sub.form is not None and isinstance(parsed, messages.OpenForm), f"/rollout {sub.name} opens no form"
    return sub.form(caller, parsed, trigger_id)
