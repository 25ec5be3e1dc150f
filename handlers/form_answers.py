"""A form's submission answered to Slack, as every one of the bot's forms answers it: its
private_metadata read as the bot wrote it, a refusal shown on its field, a repeat answered
with nothing (bot/app.py), a failure logged and said on the form, nothing stored."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack

from handlers.errors import Malformed
from templates.refusals import Refusal, plain
from usecases.shared.caller import Repeated

log = logging.getLogger(__name__)


class FieldError(Exception):
    def __init__(self, block_id: str, message: str):
        super().__init__(message)
        self.block_id = block_id
        self.message = message


def metadata(view: dict[str, Any], form: str) -> dict[str, Any]:
    """A form's private_metadata as the bot wrote it, a JSON object ({} for none); anything
    else was never the bot's: Malformed, answered 400 with one log line (bot/app.py)."""
    text = view.get("private_metadata") or ""
    try:
        kept = json.loads(text) if text else {}
    except (ValueError, RecursionError):
        kept = None
    if not isinstance(kept, dict):
        raise Malformed(f"{form} form's metadata is not what the bot wrote")
    return kept


def answered(ack: Ack, field: str, what: str, store: Callable[[], object]) -> None:
    """A one-field form's submission answered once: `store` keeps it (the form closes); a
    FieldError is shown on its field; a repeat is answered with nothing (bot/app.py);
    anything else is logged and said on `field`, nothing stored."""
    try:
        store()
    except FieldError as err:
        ack(response_action="errors", errors={err.block_id: err.message})
    except Repeated:  # this view stored something before: answered with nothing (bot/app.py)
        ack()
    except Exception:
        log.exception("%s failed", what)
        ack(response_action="errors", errors={field: "Something went wrong on my side; nothing was stored."})
    else:
        ack()


def refusal_on(block_id: str, function, *args):
    """`function(*args)`, its refusal a FieldError shown on `block_id`."""
    try:
        return function(*args)
    except Refusal as refusal:
        raise FieldError(block_id, plain(refusal)) from None
