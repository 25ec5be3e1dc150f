"""A Slack Web API stand-in on loopback, for the tests, the demo and the benchmarks.

It answers the methods the bot uses the way Slack does (form or JSON bodies, `ok`
envelopes, cursor paging, error codes, 429 with Retry-After), records every call,
and can be told to fail the next calls of a method.
"""

from __future__ import annotations

import base64
import contextlib
import json
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from bot.demo.standin.faults import Fault, Limits
from bot.demo.standin.sign_in import SignIn
from bot.demo.standin.socket_mode import SocketMode
from bot.demo.standin.web_api import WebApi
from bot.demo.standin.workspace import TEAM_ID, dm_channel, new_workspace


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    token: str | None
    at: float


class SlackStandIn(WebApi, SignIn):
    """Slack on loopback: `start()` it and give the app its `url`. It holds what Slack would
    (the workspace, messages, views, files) and records every call; the methods' answers
    are WebApi's (web_api.py) and SignIn's (sign_in.py)."""

    def __init__(
        self,
        token: str = "xoxb-test-token",
        clock: Callable[[], datetime] | None = None,
        app_token: str = "xapp-test-token",
    ):
        self.token = self.installed_token = token
        self.refusing: str | None = None  # Slack's answer to the bot token once revoked (`revoke`)
        self.revoked: dict[str, str] = {}  # earlier bot tokens (`reinstall`) -> Slack's answer to them
        self.app_token = app_token  # Socket Mode: apps.connections.open takes this one
        self._socket_mode: SocketMode | None = None
        self.clock = clock  # when set (the demo), messages are stamped with this time as "at"
        self.workspace = new_workspace()
        self.calls: list[Call] = []
        self.messages: dict[str, list[dict[str, Any]]] = defaultdict(list)  # channel -> messages, oldest first
        self.views: dict[str, dict[str, Any]] = {}  # user -> published App Home view
        self.opened_views: list[dict[str, Any]] = []
        self.used_triggers: set[str] = set()  # views.open exchanges a trigger once
        self.uploads: dict[str, bytes] = {}  # file id -> bytes received at its upload URL
        self._oidc_codes: dict[str, tuple[str, str, str, str | None]] = {}  # code -> (user, team, redirect_uri, nonce)
        self._oidc_tokens: dict[str, tuple[str, str]] = {}  # access token -> (user, team)
        self.files: list[dict[str, Any]] = []  # completed uploads, shared where they were shared
        self._faults: dict[str, deque[Fault]] = defaultdict(deque)
        self.limits = Limits()
        self.limited = 0  # calls answered 429 because a limit was exceeded
        self._last_post: dict[str, float] = {}
        self._bucket = (0.0, 0.0)  # (tokens, at): the workspace's token bucket
        self._random = __import__("random").Random(self.limits.seed)
        self._lock = threading.Lock()
        self._ts = 0
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_port}/api/"
        self._thread = threading.Thread(target=self._server.serve_forever, name="slack-standin", daemon=True)

    # ---- lifecycle ----

    def start(self) -> SlackStandIn:
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._socket_mode is not None:
            self._socket_mode.stop()
        self._server.shutdown()
        self._server.server_close()

    @property
    def socket_mode(self) -> SocketMode:
        """Socket Mode's side of Slack: a loopback WebSocket server, started on first use
        (the `websockets` package, of the demo extra, is only needed from then on)."""
        if self._socket_mode is None:
            self._socket_mode = SocketMode()
        return self._socket_mode

    def revoke(self, error: str = "token_revoked") -> None:
        """The app uninstalled or its token revoked: every call with the bot token gets
        `error` (Slack's token_revoked, invalid_auth or account_inactive) until `restore`."""
        self.refusing = error

    def restore(self) -> None:
        self.refusing = None

    def reinstall(self, token: str) -> None:
        """The app installed again: Slack issues a new bot token and accepts it; the old
        one stays refused with the answer it had (token_revoked by default)."""
        self.revoked[self.token] = self.refusing or "token_revoked"
        self.token, self.refusing = token, None

    def reset(self) -> None:
        with self._lock:
            self.refusing = None
            self.token = self.installed_token
            self.revoked.clear()
            self.workspace = new_workspace()
            self.calls.clear()
            self._faults.clear()
            self.messages.clear()
            self.views.clear()
            self.opened_views.clear()
            self.used_triggers.clear()
            self.uploads.clear()
            self.files.clear()
            self._oidc_codes.clear()
            self._oidc_tokens.clear()
            self.oidc_client, self.oidc_user, self.oidc_team = ("", ""), None, TEAM_ID
            self.limits = Limits()
            self.limited = 0
            self._last_post.clear()

    # ---- set-up and inspection ----

    def add_channel(self, channel_id: str, members: list[str], private: bool = False, name: str | None = None) -> None:
        """A channel with these members (and `name`, conversations.info's; else its id in
        lower case). The bot is in it unless its id is put in `workspace.not_in_channel`; a
        private one is invisible to the bot when it is not."""
        self.workspace.channels[channel_id] = list(members)
        if name is not None:
            self.workspace.names[channel_id] = name
        if private:
            self.workspace.private.add(channel_id)

    def add_user(self, user_id: str, **person: Any) -> None:
        """A user of the workspace (Workspace.add_user: tz, is_bot, deleted, name, display_name, is_app_user, email)."""
        self.workspace.add_user(user_id, **person)

    def fail_next(self, method: str, fault: Fault, times: int = 1) -> None:
        with self._lock:
            self._faults[method].extend([fault] * times)

    def reset_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def posted(self, channel: str | None = None) -> list[dict[str, Any]]:
        """Messages as they stand now (updates applied), oldest first; DMs are under D<user>."""
        with self._lock:
            if channel is not None:
                return [dict(m) for m in self.messages.get(dm_channel(channel), [])]
            return [dict(m, channel=c) for c, ms in self.messages.items() for m in ms]

    # ---- the API ----

    def _answer(
        self, method: str, params: dict[str, Any], token: str | None
    ) -> tuple[int, dict[str, str], dict[str, Any]]:
        with self._lock:
            self.calls.append(Call(method, params, token, time.time()))
            fault = self._faults[method].popleft() if self._faults.get(method) else None
        if fault is not None and fault.hold is not None:
            fault.hold.wait(timeout=30)
        answered = self._answered_before_the_method(fault, method, params, token)
        if answered is not None:
            return answered
        handler = getattr(self, "_m_" + method.replace(".", "_"), None)
        body = handler(params) if handler else {"ok": True}
        if fault is not None and fault.accept_then_delay:
            time.sleep(fault.accept_then_delay)
        return 200, {}, body

    def _answered_before_the_method(
        self, fault: Fault | None, method: str, params: dict[str, Any], token: str | None
    ) -> tuple[int, dict[str, str], dict[str, Any]] | None:
        """What is answered before the method runs: a fault's failure, OpenID's answers, a
        token refused, a post over the limits; None: the method answers."""
        if fault is not None and not fault.accept_then_delay:
            failed = _failed(fault)
            if failed is not None:
                return failed
        if method in ("openid.connect.token", "openid.connect.userInfo"):
            return 200, {}, self._openid(method, params, token)
        refused = self._refused(method, token)
        if refused is not None:
            return 200, {}, {"ok": False, "error": refused}
        if method == "chat.postMessage":
            return self._over_limits(str(params.get("channel", "")))
        return None

    def _refused(self, method: str, token: str | None) -> str | None:
        """The error Slack answers a token with: the one refusing, a revoked one, or another
        than the method wants (the app-level token for Socket Mode, else the bot's)."""
        expected = self.app_token if method == "apps.connections.open" else self.token
        if self.refusing and token == self.token:
            return self.refusing
        if token in self.revoked:
            return self.revoked[token]
        if token != expected:
            return "invalid_auth" if token else "not_authed"
        return None

    def _over_limits(self, channel: str) -> tuple[int, dict[str, str], dict[str, Any]] | None:
        limits = self.limits
        if not (limits.per_channel_seconds or limits.workspace_per_second or limits.failure_rate):
            return None
        with self._lock:
            failed = self._drawn_failure()
            if failed is not None:
                return failed
            now = time.monotonic()
            if limits.per_channel_seconds and now - self._last_post.get(channel, -1e9) < limits.per_channel_seconds:
                self.limited += 1
                return 429, {"Retry-After": "1"}, {"ok": False, "error": "ratelimited"}
            if limits.workspace_per_second and self._workspace_limited(now):
                self.limited += 1
                return 429, {"Retry-After": "1"}, {"ok": False, "error": "ratelimited"}
            self._last_post[channel] = now
        return None

    def _drawn_failure(self) -> tuple[int, dict[str, str], dict[str, Any]] | None:
        """A post failed at random at the failure rate: rate-limited or unavailable, as likely."""
        if not (self.limits.failure_rate and self._random.random() < self.limits.failure_rate):
            return None
        if self._random.random() < 0.5:
            return 429, {"Retry-After": "1"}, {"ok": False, "error": "ratelimited"}
        return 503, {}, {"ok": False, "error": "service_unavailable"}

    def _workspace_limited(self, now: float) -> bool:
        """The workspace's bucket refilled to `now`: empty (a post limited), or one post taken from it."""
        limits = self.limits
        tokens, at = self._bucket
        tokens = min(limits.workspace_per_second, tokens + (now - at) * limits.workspace_per_second)
        if tokens < 1:
            self._bucket = (tokens, now)
            return True
        self._bucket = (tokens - 1, now)
        return False

    # Socket Mode's hand-off, here beside the server it hands off to
    def _m_apps_connections_open(self, _p: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "url": self.socket_mode.url}

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                path, _, query = self.path.partition("?")
                if path != "/openid/connect/authorize":
                    self._reply(404, {}, b"not found", "text/plain")
                    return
                status, headers = standin._authorize({k: v[0] for k, v in parse_qs(query).items()})
                self._reply(status, headers, b"", "text/plain")

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                if self.path.startswith("/upload/"):  # the upload URL handed out by files.getUploadURLExternal
                    file_id = self.path.rsplit("/", 1)[-1]
                    known = file_id in standin.uploads
                    if known:
                        standin.uploads[file_id] = body
                    self._reply(
                        200 if known else 404, {}, f"OK - {len(body)}".encode() if known else b"not found", "text/plain"
                    )
                    return
                raw = body.decode("utf-8")
                if self.headers.get("Content-Type", "").startswith("application/json"):
                    params = json.loads(raw or "{}")
                else:
                    params = {k: v[0] for k, v in parse_qs(raw, keep_blank_values=True).items()}
                auth = self.headers.get("Authorization", "")
                token = auth[len("Bearer ") :] if auth.startswith("Bearer ") else params.pop("token", None)
                if auth.startswith("Basic "):  # an app's client id and secret (OAuth and OpenID Connect)
                    client_id, _, secret = base64.b64decode(auth[len("Basic ") :]).decode().partition(":")
                    params.update(client_id=client_id, client_secret=secret)
                method = self.path.rsplit("/", 1)[-1].split("?")[0]
                status, headers, answer = standin._answer(method, params, token)
                self._reply(status, headers, json.dumps(answer).encode(), "application/json; charset=utf-8")

            def _reply(self, status: int, headers: dict[str, Any], data: bytes, content_type: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                for key, value in headers.items():
                    self.send_header(key, value)
                self.end_headers()
                # the client may have given up waiting, as a real client does on a slow Slack
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(data)

            def log_message(self, *_args: Any) -> None:
                pass

        return Handler


def _failed(fault: Fault) -> tuple[int, dict[str, str], dict[str, Any]] | None:
    """The answer a fault set to fail makes instead of the work: a stall's 504, a 429, a 5xx
    or an ok:false; None when it sets none of them."""
    if fault.stall:
        time.sleep(fault.stall)
        return 504, {}, {"ok": False, "error": "gateway_timeout"}
    headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
    if fault.status == 429:
        return 429, headers or {"Retry-After": "1"}, {"ok": False, "error": "ratelimited"}
    if fault.status >= 500:
        return fault.status, headers, {"ok": False, "error": "internal_error"}
    if fault.error:
        return 200, headers, {"ok": False, "error": fault.error}
    return None
