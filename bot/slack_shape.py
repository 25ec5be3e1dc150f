"""What a signed request to POST /slack/events must look like before Bolt reads it
(bot/web.py checks it): the body's type and shape, and every Slack id in it an id's shape;
else `Malformed`, said in a 400."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qs

from starlette.datastructures import Headers


class Malformed(Exception):
    """A request that cannot be Slack's: answered 400 with this reason."""


# Slack's ids: a capital letter for the kind (U, W, B, C, G, D, T, E, A, ...) and capitals
# and digits; today 9 to 11 characters long.
SLACK_ID = re.compile(r"[A-Z][A-Z0-9]{1,31}")


# Where a Slack request carries ids: as fields of the command form, of an event envelope
# and its event, and as the `id` of the objects of an interaction payload.
ID_FIELDS = ("user_id", "channel_id", "team_id", "api_app_id", "enterprise_id")


ID_OBJECTS = ("user", "team", "channel", "enterprise")


def check_shape(headers: Headers, body: bytes) -> None:
    """Raises Malformed unless a signed body has the shape of a Slack request: the types
    Slack sends where Bolt and the listeners look, and Slack's ids where ids go."""
    content_type = headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type not in ("application/x-www-form-urlencoded", "application/json"):
        raise Malformed("Slack sends application/x-www-form-urlencoded or application/json")
    text = body.decode("utf-8")  # it was signed: UTF-8 (_signed)
    if content_type == "application/json":
        _check_envelope(text)
    else:
        _check_form(text)


def _check_envelope(text: str) -> None:
    """An event envelope: a JSON object with ids, and its event an object with a type."""
    envelope = _json(text)
    if not isinstance(envelope, dict):
        raise Malformed("the body is not a JSON object")
    _check_ids(envelope)
    if "event" in envelope:
        event = envelope["event"]
        if not isinstance(event, dict) or not isinstance(event.get("type"), str):
            raise Malformed("event is not an object with a type")
        _check_ids(event)


def _check_form(text: str) -> None:
    """A form: a command's fields, or an interaction's `payload`."""
    try:
        form = parse_qs(text, keep_blank_values=True, strict_parsing=bool(text), max_num_fields=1000)
    except ValueError:
        raise Malformed("the body is not a valid form") from None
    if "payload" not in form:
        _check_ids({k: v[0] for k, v in form.items()})
        return
    try:
        payload = _json(form["payload"][0])
    except Malformed:
        payload = None
    if not isinstance(payload, dict) or not isinstance(payload.get("type"), str):
        raise Malformed("payload is not a JSON object with a type")
    _check_payload(payload)


def _check_payload(payload: dict[str, Any]) -> None:
    """An interaction's payload: its ids, its objects objects, its actions a list of them."""
    _check_ids(payload)
    for name in ID_OBJECTS:  # in an interaction's payload, each of these is an object with an id
        _check_object(payload, name)
    actions = payload.get("actions", [])
    if not (isinstance(actions, list) and all(isinstance(a, dict) for a in actions)):
        raise Malformed("payload.actions is not a list of objects")
    for name in ("view", "container", "message", "state"):
        _check_object(payload, name)
    if isinstance(payload.get("view"), dict):
        _check_view(payload["view"])


def _check_object(payload: dict[str, Any], name: str) -> None:
    if payload.get(name) is not None and not isinstance(payload[name], dict):
        raise Malformed(f"payload.{name} is not an object")


def _check_view(view: dict[str, Any]) -> None:
    """A form as Slack sends it back: its type, texts where the listeners read text, and
    its state's values by block and action, each an object (the element's state)."""
    if not isinstance(view.get("type"), str):
        raise Malformed("payload.view has no type")
    for name in ("callback_id", "private_metadata"):
        if view.get(name) is not None and not isinstance(view[name], str):
            raise Malformed(f"payload.view.{name} is not text")
    state = view.get("state")
    if state is None:
        return
    if not isinstance(state, dict):
        raise Malformed("payload.view.state is not an object")
    values = state.get("values")
    if values is not None and not _objects_by_block(values):
        raise Malformed("payload.view.state.values is not objects of objects by block and action")


def _objects_by_block(values: object) -> bool:
    """A form's state values: an object of objects by block and action (each an object)."""
    return isinstance(values, dict) and all(
        isinstance(block, dict) and all(isinstance(element, dict) for element in block.values())
        for block in values.values()
    )


def _check_ids(part: dict[str, Any]) -> None:
    for name in ID_FIELDS + ID_OBJECTS:
        value = part.get(name)
        if name in ID_OBJECTS and isinstance(value, dict):
            value = value.get("id")
        if value not in (None, "") and not (isinstance(value, str) and SLACK_ID.fullmatch(value)):
            raise Malformed(f"{name} is not a Slack id")


def _json(text: str) -> object:
    try:
        return json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        raise Malformed("the body is not valid JSON") from None
