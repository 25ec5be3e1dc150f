"""The Slack edges' listeners (handlers/), called as Bolt calls them, on the fakes: each
handlers module's `register` keeps its listeners here, by what they listen to, as it would
on Bolt's App (`app.command`, `app.action`, `app.view`, `app.event`, each by name or
pattern), and a call passes each listener the arguments it names (ack, body, command,
action, view, event, client, context), as Bolt does. Slack's Web API is SlackCalls, which
keeps what each call asked. No HTTP, no signature, no middleware: those are the
signed-request tests' (tests/handlers/, through bot/app.py)."""

from __future__ import annotations

import inspect
import re
import uuid
from collections.abc import Callable
from typing import Any

from bot.app import LISTENERS
from tests.fakes import CHANNEL, MEMBER
from usecases.shared.services import Services


class SlackCalls:
    """A WebClient that answers every call ok and keeps it: `calls`, (method, params) in order."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def __getattr__(self, method: str) -> Callable[..., dict[str, Any]]:
        if method.startswith("_"):
            raise AttributeError(method)

        def call(**params: Any) -> dict[str, Any]:
            self.calls.append((method, params))
            return {"ok": True, "ts": f"1700000000.{len(self.calls):06d}"}

        return call

    def made(self, method: str) -> list[dict[str, Any]]:
        return [params for called, params in self.calls if called == method]

    @property
    def opened_views(self) -> list[dict[str, Any]]:
        return [params["view"] for params in self.made("views_open")]


class Acked:
    """Bolt's `ack`: what each acknowledgement answered (its keyword arguments)."""

    def __init__(self) -> None:
        self.answers: list[dict[str, Any]] = []

    def __call__(self, **answer: Any) -> None:
        self.answers.append(answer)

    @property
    def body(self) -> dict[str, Any]:
        """The last answer, as Slack reads the acknowledgement's body."""
        return self.answers[-1]


class Listeners:
    def __init__(self, services: Services):
        self.services = services
        self.client = SlackCalls()
        self.kept: dict[str, list[tuple[str | re.Pattern[str], Callable[..., Any]]]] = {
            "command": [],
            "action": [],
            "view": [],
            "event": [],
        }
        for register in LISTENERS:
            register(self, services)

    def _keep(self, kind: str, name: str | re.Pattern[str]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        def keep(listener: Callable[..., Any]) -> Callable[..., Any]:
            self.kept[kind].append((name, listener))
            return listener

        return keep

    def command(self, name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        return self._keep("command", name)

    def action(self, name: str | re.Pattern[str]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        return self._keep("action", name)

    def view(self, name: str | re.Pattern[str]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        return self._keep("view", name)

    def event(self, name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        return self._keep("event", name)

    def _call(self, kind: str, name: str, **given: Any) -> Acked:
        [listener] = [
            f for n, f in self.kept[kind] if (n == name if isinstance(n, str) else n.fullmatch(name) is not None)
        ]
        ack = Acked()
        offered = {"ack": ack, "client": self.client, "context": {}, **given}
        listener(**{p: offered[p] for p in inspect.signature(listener).parameters})
        return ack

    def click(self, user: str, action_id: str, value: str, channel: str | None = None, ts: str | None = None) -> Acked:
        """A button clicked by `user`: in a message (`channel`, `ts`) or in the App Home."""
        body: dict[str, Any] = {
            "type": "block_actions",
            "user": {"id": user},
            "trigger_id": f"{uuid.uuid4().int % 10**12}.1.abc",
        }
        if channel is not None:
            body["container"] = {"type": "message", "channel_id": channel, "message_ts": ts}
            body["channel"] = {"id": channel}
        action = {"type": "button", "action_id": action_id, "value": value}
        return self._call("action", action_id, body={**body, "actions": [action]}, action=action)

    def submit(self, view: dict[str, Any], values: dict[str, Any], user: str = MEMBER) -> Acked:
        """A form sent by `user` with these values: block id -> its element's state."""
        sent = {**view, "state": {"values": {block: {"value": v} for block, v in values.items()}}}
        return self._call(
            "view", view["callback_id"], body={"type": "view_submission", "user": {"id": user}}, view=sent
        )

    def happened(self, event: dict[str, Any]) -> Acked:
        """An event Slack sends (`event["type"]`: app_home_opened, member_joined_channel...)."""
        return self._call("event", event["type"], event=event, body={"type": "event_callback", "event": event})

    def rollout(self, text: str, user: str = MEMBER, channel: str = CHANNEL) -> Acked:
        """`/rollout text`, by `user` in `channel`: its acknowledgement (empty if a form opened)."""
        command = {"text": text, "user_id": user, "channel_id": channel, "trigger_id": "1.2.abc"}
        return self._call("command", "/rollout", command=command)
