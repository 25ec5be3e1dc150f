"""A Slack Web API stand-in on loopback, for the tests (and later the demo).

It answers the methods the bot uses the way Slack does (form or JSON bodies, `ok`
envelopes, cursor paging, error codes, 429 with Retry-After), records every call,
and can be told to fail the next calls of a method.
"""

from __future__ import annotations

import json
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

BOT_USER = "UROLLOUTBOT"
BOT_ID = "BROLLOUT01"
TEAM_ID = "T0ROLLOUT"


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    token: str | None
    at: float


@dataclass
class Fault:
    status: int = 200
    error: str | None = None  # Slack error code in an ok:false body
    retry_after: int | None = None
    delay: float = 0.0  # seconds to wait before answering (timeouts)


@dataclass
class Workspace:
    channels: dict[str, list[str]] = field(default_factory=dict)  # channel -> member ids
    users: dict[str, dict[str, Any]] = field(default_factory=dict)  # user id -> users.info "user"
    not_in_channel: set[str] = field(default_factory=set)  # channels the bot was not invited to


class SlackStandIn:
    def __init__(self, token: str = "xoxb-test-token"):
        self.token = token
        self.workspace = Workspace()
        self.calls: list[Call] = []
        self._faults: dict[str, deque[Fault]] = defaultdict(deque)
        self._lock = threading.Lock()
        self._ts = 0
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="slack-standin", daemon=True)

    # ---- lifecycle ----

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/api/"

    def start(self) -> "SlackStandIn":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def reset(self) -> None:
        with self._lock:
            self.workspace = Workspace()
            self.calls.clear()
            self._faults.clear()

    # ---- set-up and inspection ----

    def add_channel(self, channel_id: str, members: list[str]) -> None:
        self.workspace.channels[channel_id] = list(members)

    def add_user(self, user_id: str, *, tz: str | None = "UTC", is_bot: bool = False, deleted: bool = False,
                 name: str | None = None) -> None:
        self.workspace.users[user_id] = {"id": user_id, "name": name or user_id.lower(), "tz": tz,
                                         "is_bot": is_bot, "deleted": deleted, "team_id": TEAM_ID}

    def fail_next(self, method: str, fault: Fault, times: int = 1) -> None:
        with self._lock:
            self._faults[method].extend([fault] * times)

    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method]

    # ---- the API ----

    def _answer(self, method: str, params: dict[str, Any], token: str | None) -> tuple[int, dict[str, str], dict]:
        with self._lock:
            self.calls.append(Call(method, params, token, time.time()))
            fault = self._faults[method].popleft() if self._faults.get(method) else None
        if fault is not None:
            if fault.delay:
                time.sleep(fault.delay)
            headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
            if fault.status == 429:
                return 429, headers or {"Retry-After": "1"}, {"ok": False, "error": "ratelimited"}
            if fault.status >= 500:
                return fault.status, headers, {"ok": False, "error": "internal_error"}
            if fault.error:
                return 200, headers, {"ok": False, "error": fault.error}
        if token != self.token:
            return 200, {}, {"ok": False, "error": "invalid_auth" if token else "not_authed"}
        handler = getattr(self, "_m_" + method.replace(".", "_"), None)
        body = handler(params) if handler else {"ok": True}
        return 200, {}, body

    def _m_auth_test(self, _p: dict) -> dict:
        return {"ok": True, "url": "https://rollout-test.slack.com/", "team": "Rollout Test", "user": "rollout",
                "team_id": TEAM_ID, "user_id": BOT_USER, "bot_id": BOT_ID, "is_enterprise_install": False}

    def _m_conversations_members(self, p: dict) -> dict:
        channel = p.get("channel", "")
        if channel not in self.workspace.channels:
            return {"ok": False, "error": "channel_not_found"}
        if channel in self.workspace.not_in_channel:
            return {"ok": False, "error": "not_in_channel"}
        members = self.workspace.channels[channel]
        limit = max(1, min(int(p.get("limit") or 100), 1000))
        start = int(p.get("cursor") or 0)
        page = members[start:start + limit]
        following = start + limit
        return {"ok": True, "members": page,
                "response_metadata": {"next_cursor": str(following) if following < len(members) else ""}}

    def _m_users_info(self, p: dict) -> dict:
        user = self.workspace.users.get(p.get("user", ""))
        if user is None:
            return {"ok": False, "error": "user_not_found"}
        return {"ok": True, "user": user}

    def _m_chat_postMessage(self, p: dict) -> dict:
        channel = p.get("channel", "")
        if channel.startswith("C") and channel not in self.workspace.channels:
            return {"ok": False, "error": "channel_not_found"}
        with self._lock:
            self._ts += 1
            ts = f"{int(time.time())}.{self._ts:06d}"
        return {"ok": True, "channel": channel, "ts": ts,
                "message": {"type": "message", "text": p.get("text", ""), "user": BOT_USER, "ts": ts}}

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode("utf-8")
                if self.headers.get("Content-Type", "").startswith("application/json"):
                    params = json.loads(raw or "{}")
                else:
                    params = {k: v[0] for k, v in parse_qs(raw, keep_blank_values=True).items()}
                auth = self.headers.get("Authorization", "")
                token = auth[len("Bearer "):] if auth.startswith("Bearer ") else params.pop("token", None)
                method = self.path.rsplit("/", 1)[-1].split("?")[0]
                status, headers, body = standin._answer(method, params, token)
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                for key, value in headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *_args: Any) -> None:
                pass

        return Handler
