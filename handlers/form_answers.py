"""A form's submission answered to Slack, as every one of the bot's forms answers it: read
the same way (its submitter, with the request's claim, and its fields: on_submit), its
private_metadata read as the bot wrote it, a refusal shown on its field, a repeat answered
with nothing (bot/app.py), a failure logged and said on the form, nothing stored."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from cadence.limits import MAX_TEXT_CHARS
from cadence.text import as_line_breaks, plain_text, unstorable
from handlers.errors import Malformed
from templates.refusals import Refusal, plain, slack
from usecases.shared.caller import Caller, Claim, Repeated
from usecases.shared.services import Services

log = logging.getLogger(__name__)

FAILED = "Something went wrong on my side; nothing was stored."


class FieldErrors(Exception):
    """Problems of a form's fields, each shown on its field (block id: what it says);
    nothing of the form is stored."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(", ".join(errors))
        self.errors = errors


class FieldError(FieldErrors):
    """One field's problem."""

    def __init__(self, block_id: str, message: str):
        super().__init__({block_id: message})


@dataclass(frozen=True)
class Submission:
    """A form as submitted: who sent it (with the request's claim, so that a repeat writes
    nothing), its view as Slack sends it, and its fields' state (block id: its element)."""

    caller: Caller
    view: dict[str, Any]
    values: dict[str, Any]


def submission(
    services: Services, client: WebClient, body: dict[str, Any], view: dict[str, Any], claim: Claim | None = None
) -> Submission:
    user = (body.get("user") or {}).get("id", "")
    return Submission(Caller(services, client, user, claim=claim), view, (view.get("state") or {}).get("values") or {})


def on_submit(
    app: App, services: Services, callback_id: str | re.Pattern[str], handle: Callable[[Ack, Submission], None]
) -> None:
    """`handle` answers each submission of the forms `callback_id` names."""

    @app.view(callback_id)
    def submitted(
        ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        handle(ack, submission(services, client, body, view, context.get("claim")))


class Answering:
    """`with Answering(ack, field, what) as answer:` around what stores a submission; after
    it, `answer.stored` says whether it was stored, for the caller to answer. If not, the
    form was answered: FieldErrors each on its field; a Refusal, when `refused` says it, on
    `field`; a repeat with nothing (bot/app.py); anything else logged and `failed` said on
    `field`, unless `failed` is None or it is one of `passes`: raised (bot/app.py)."""

    def __init__(
        self,
        ack: Ack,
        field: str,
        what: str,
        *,
        refused: Callable[[Refusal], str] | None = None,
        failed: str | None = FAILED,
        passes: tuple[type[Exception], ...] = (),
    ):
        self.ack, self.field, self.what = ack, field, what
        self.refused, self.failed, self.passes = refused, failed, passes
        self.stored = False

    def __enter__(self) -> Answering:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> bool:
        if error is None:
            self.stored = True
            return False
        if isinstance(error, FieldErrors):
            self.ack(response_action="errors", errors=error.errors)
        elif isinstance(error, Refusal) and self.refused is not None:
            self.ack(response_action="errors", errors={self.field: self.refused(error)})
        elif isinstance(error, Repeated):  # this view stored something before: answered with nothing (bot/app.py)
            self.ack()
        elif not isinstance(error, Exception) or isinstance(error, self.passes) or self.failed is None:
            return False
        else:
            log.exception("%s failed", self.what)
            self.ack(response_action="errors", errors={self.field: self.failed})
        return True


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
    with Answering(ack, field, what) as answer:
        store()
    if answer.stored:
        ack()


def refusal_on(block_id: str, function, *args):
    """`function(*args)`, its refusal a FieldError shown on `block_id`."""
    try:
        return function(*args)
    except Refusal as refusal:
        raise FieldError(block_id, plain(refusal)) from None


def short(refusal: Refusal) -> str:
    """A refusal as Slack shows it, cut to the 150 characters a field's error holds."""
    return slack(refusal)[:150]


def note(values: dict[str, Any], block_id: str) -> str:
    """A note's words as typed, as plain text on its lines; refused on its field when it
    holds a character never stored (cadence/text.py) or is longer than MAX_TEXT_CHARS."""
    text = ((values.get(block_id) or {}).get("value") or {}).get("value") or ""
    problem = unstorable(text, line_breaks=True)
    if problem is not None:
        raise FieldError(block_id, plain(Refusal.of("control_character", what=problem)))
    typed = plain_text(as_line_breaks(text)).strip()
    if len(typed) > MAX_TEXT_CHARS:
        raise FieldError(block_id, f"Keep it under {MAX_TEXT_CHARS} characters.")
    return typed
