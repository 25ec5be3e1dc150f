"""Slack's requests to the bot: a `/rollout` command's fields, and signed HTTP requests
(commands, clicks, form submissions, events)."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from bot.demo.standin.workspace import APP_ID, TEAM_ID


def command_payload(text: str, user: str, channel: str) -> dict[str, str]:
    """A `/rollout` invocation as Slack sends it: form fields over HTTP, the same fields
    as a JSON payload in Socket Mode."""
    return {
        "token": "deprecated-verification-token",
        "team_id": TEAM_ID,
        "team_domain": "rollout",
        "channel_id": channel,
        "channel_name": "channel",
        "user_id": user,
        "user_name": user.lower(),
        "command": "/rollout",
        "text": text,
        "api_app_id": APP_ID,
        "is_enterprise_install": "false",
        "response_url": "https://hooks.slack.com/commands/T0ROLLOUT/1/abc",
        "trigger_id": f"{uuid.uuid4().int % 10**12}.1.abc",
    }


def view_identity() -> dict[str, str]:
    """A view's id and hash as Slack gives them, new for each form: Slack sends them with
    each submission, the same for the same view in the same state (bot/app.py keeps a form
    from storing twice by them)."""
    return {"id": f"V{uuid.uuid4().hex[:10].upper()}", "hash": f"{uuid.uuid4().int % 10**10}.{uuid.uuid4().hex[:8]}"}


@dataclass
class Reply:
    status: int
    body: Any

    @property
    def text(self) -> str:
        """Everything a person would read: fallback text and every block's text."""
        if not isinstance(self.body, dict):
            return str(self.body)
        return json.dumps(self.body, ensure_ascii=False)


class SlackRequests:
    """Plays Slack's side of the HTTP interface: signed, form-encoded POSTs to /slack/events."""

    def __init__(self, base_url: str, secret: str):
        from slack_sdk.signature import SignatureVerifier

        self.base_url = base_url
        self.verifier = SignatureVerifier(secret)

    def post(self, path: str, body: str, headers: dict[str, str] | None = None) -> Reply:
        request = urllib.request.Request(self.base_url + path, data=body.encode(), method="POST", headers=headers or {})
        return self._send(request)

    def get(self, path: str) -> Reply:
        return self._send(urllib.request.Request(self.base_url + path))

    @staticmethod
    def _send(request: urllib.request.Request) -> Reply:
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as err:
            status, raw = err.code, err.read()
        try:
            body = json.loads(raw) if raw else None
        except json.JSONDecodeError:
            body = raw.decode()
        return Reply(status, body)

    def signed_headers(self, body: str, timestamp: int | None = None) -> dict[str, str]:
        timestamp = int(time.time()) if timestamp is None else timestamp
        return {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": str(timestamp),
            "X-Slack-Signature": self.verifier.generate_signature(timestamp=str(timestamp), body=body) or "",
        }

    def command(self, text: str, user: str, channel: str) -> Reply:
        body = urlencode(command_payload(text, user, channel))
        return self.post("/slack/events", body, self.signed_headers(body))

    def interaction(self, payload: dict[str, Any]) -> Reply:
        """A block action or view submission: form-encoded, the JSON in `payload`."""
        payload = {"team": {"id": TEAM_ID}, "api_app_id": APP_ID, "token": "x", **payload}
        body = urlencode({"payload": json.dumps(payload)})
        return self.post("/slack/events", body, self.signed_headers(body))

    def click(
        self,
        user: str,
        action_id: str,
        value: str,
        channel: str | None = None,
        ts: str | None = None,
        block_id: str = "checkin",
    ) -> Reply:
        """A button click, in a message (channel and ts) or in the Home tab."""
        container = (
            {"type": "message", "channel_id": channel, "message_ts": ts}
            if channel
            else {"type": "view", "view_id": "VHOME"}
        )
        return self.interaction(
            {
                "type": "block_actions",
                "user": {"id": user},
                "trigger_id": f"{uuid.uuid4().int % 10**12}.1.abc",
                "container": container,
                **({"channel": {"id": channel}} if channel else {}),
                "actions": [
                    {
                        "type": "button",
                        "action_id": action_id,
                        "block_id": block_id,
                        "value": value,
                        "action_ts": f"{time.time():.6f}",
                    }
                ],
            }
        )

    def submit(self, user: str, view: dict[str, Any], values: dict[str, dict[str, Any]]) -> Reply:
        """A form submission: `values` maps block ids to the element's state."""
        state = {"values": {block: {"value": v} for block, v in values.items()}}
        shown = {**view_identity(), **view}  # Slack's own id for the view, if it has one
        return self.interaction({"type": "view_submission", "user": {"id": user}, "view": {**shown, "state": state}})

    def submit_filled(self, user: str, view: dict[str, Any], answers: dict[str, str]) -> Reply:
        """A form submitted as Slack sends it: every input with what it was filled in with
        (its initial value, conversation or user), `answers` typed into text inputs."""
        return self.submit(user, {"id": f"V{uuid.uuid4().hex[:10].upper()}", **view}, filled(view, answers))

    def submit_saved(self, user: str, view: dict[str, Any], answers: dict[str, str], form: str) -> None:
        """A form submitted as submit_filled does, that the bot saves (it answers with the
        view's update); refused, a RuntimeError naming `form` and the errors."""
        reply = self.submit_filled(user, view, answers)
        body = reply.body if isinstance(reply.body, dict) else {}
        if body.get("response_action") != "update":
            raise RuntimeError(f"the demo's {form} was refused: {body.get('errors')}")

    def event(self, event: dict[str, Any]) -> Reply:
        body = json.dumps(
            {
                "token": "x",
                "team_id": TEAM_ID,
                "api_app_id": APP_ID,
                "type": "event_callback",
                "event_id": f"Ev{uuid.uuid4().hex[:10]}",
                "event_time": int(time.time()),
                "event": event,
            }
        )
        headers = self.signed_headers(body)
        headers["Content-Type"] = "application/json"
        return self.post("/slack/events", body, headers)


def filled(view: dict[str, Any], answers: dict[str, str]) -> dict[str, dict[str, Any]]:
    """Each input of a form, by its block id, as Slack sends its state on submission: what
    it was filled in with (its initial value, conversation or user), `answers` typed
    into text inputs (for checkboxes, the ticked options' values, comma-separated; for a
    users picker, the users, comma-separated)."""
    values: dict[str, dict[str, Any]] = {}
    for block in view.get("blocks", []):
        element = block.get("element") or {}
        if block.get("type") != "input":
            continue
        kind, block_id = element.get("type"), block["block_id"]
        state = _STATE_OF.get(kind, _text_state)(element, answers.get(block_id))
        values[block_id] = {"type": kind, **state}
    return values


# An input's state by the kind of its element: from its answer (None: none typed) or
# else what it was filled in with.
def _conversation_state(element: dict[str, Any], answer: str | None) -> dict[str, Any]:
    return {"selected_conversation": element.get("initial_conversation")}


def _user_state(element: dict[str, Any], answer: str | None) -> dict[str, Any]:
    return {"selected_user": element.get("initial_user")}


def _option_state(element: dict[str, Any], answer: str | None) -> dict[str, Any]:
    chosen = answer if answer is not None else (element.get("initial_option") or {}).get("value")
    return {"selected_option": {"value": chosen} if chosen else None}


def _checkboxes_state(element: dict[str, Any], ticked: str | None) -> dict[str, Any]:
    """`ticked`: the ticked options' values, comma-separated."""
    options = element.get("options") or []
    chosen_options = (
        element.get("initial_options") or []
        if ticked is None
        else [o for o in options if o["value"] in ticked.split(",")]
    )
    return {"selected_options": chosen_options}


def _users_state(element: dict[str, Any], users: str | None) -> dict[str, Any]:
    return {"selected_users": element.get("initial_users") or [] if users is None else users.split(",")}


def _date_state(element: dict[str, Any], answer: str | None) -> dict[str, Any]:
    return {"selected_date": answer if answer is not None else element.get("initial_date")}


def _text_state(element: dict[str, Any], answer: str | None) -> dict[str, Any]:
    return {"value": answer if answer is not None else element.get("initial_value")}


_STATE_OF: dict[Any, Callable[[dict[str, Any], str | None], dict[str, Any]]] = {
    "conversations_select": _conversation_state,
    "users_select": _user_state,
    "static_select": _option_state,
    "checkboxes": _checkboxes_state,
    "multi_users_select": _users_state,
    "datepicker": _date_state,
}
