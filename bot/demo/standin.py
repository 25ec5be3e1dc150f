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
import urllib.error
import urllib.request
import uuid
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode

BOT_USER = "UROLLOUTBOT"
BOT_ID = "BROLLOUT01"
TEAM_ID = "T0ROLLOUT"
APP_ID = "A0ROLLOUT"


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
    stall: float = 0.0  # wait this long, then answer 504 without doing the work (the request never got through)
    accept_then_delay: float = 0.0  # do the work, then wait this long before answering (the answer is lost)
    hold: threading.Event | None = None  # answer as usual, but only once the test sets this (a slow Slack)


@dataclass
class Limits:
    """Slack's limits on chat.postMessage, enforced with 429s, and random failures."""

    per_channel_seconds: float = 0.0  # at most one message per channel per this many seconds
    workspace_per_second: float = 0.0  # and at most this many across the workspace (0: no limit)
    failure_rate: float = 0.0  # this share of calls answers 429 (Retry-After 1) or 503, half each
    seed: int = 7


@dataclass
class Workspace:
    channels: dict[str, list[str]] = field(default_factory=dict)  # channel -> member ids
    users: dict[str, dict[str, Any]] = field(default_factory=dict)  # user id -> users.info "user"
    not_in_channel: set[str] = field(default_factory=set)  # channels the bot was not invited to
    archived: set[str] = field(default_factory=set)  # archived channels: no posting
    private: set[str] = field(default_factory=set)  # private channels (and every G channel): members only

    def is_private(self, channel: str) -> bool:
        return channel in self.private or channel.startswith("G")

    def add_user(
        self,
        user_id: str,
        *,
        tz: str | None = "UTC",
        is_bot: bool = False,
        deleted: bool = False,
        name: str | None = None,
        is_app_user: bool = False,
    ) -> None:
        """A user as users.info describes one: a deactivated user is still there, with
        `deleted: true`; a bot user has `is_bot: true` and its bot id in its profile."""
        profile: dict[str, Any] = {"real_name": name or user_id.lower()}
        if is_bot:
            profile["bot_id"] = BOT_ID if user_id == BOT_USER else "B" + user_id[1:]
        self.users[user_id] = {
            "id": user_id,
            "team_id": TEAM_ID,
            "name": name or user_id.lower(),
            "deleted": deleted,
            "tz": tz,
            "is_bot": is_bot,
            "is_app_user": is_app_user,
            "profile": profile,
        }


def _new_workspace() -> Workspace:
    """A workspace as every Slack workspace has it: Slackbot (whom Slack does not mark as a
    bot) and the bot's own user."""
    workspace = Workspace()
    workspace.add_user("USLACKBOT", name="slackbot", tz=None)
    workspace.add_user(BOT_USER, name="rollout", is_bot=True, tz=None)
    return workspace


class SlackStandIn:
    def __init__(
        self,
        token: str = "xoxb-test-token",
        clock: Callable[[], datetime] | None = None,
        app_token: str = "xapp-test-token",
    ):
        self.token = token
        self.refusing: str | None = None  # Slack's answer to the bot token once revoked (`revoke`)
        self.app_token = app_token  # Socket Mode: apps.connections.open takes this one
        self._socket_mode: _SocketMode | None = None
        self.clock = clock  # when set (the demo), messages are stamped with this time as "at"
        self.workspace = _new_workspace()
        self.calls: list[Call] = []
        self.messages: dict[str, list[dict[str, Any]]] = defaultdict(list)  # channel -> messages, oldest first
        self.views: dict[str, dict[str, Any]] = {}  # user -> published App Home view
        self.opened_views: list[dict[str, Any]] = []
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
        self._thread = threading.Thread(target=self._server.serve_forever, name="slack-standin", daemon=True)

    # ---- lifecycle ----

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}/api/"

    def start(self) -> SlackStandIn:
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._socket_mode is not None:
            self._socket_mode.stop()
        self._server.shutdown()
        self._server.server_close()

    @property
    def socket_mode(self) -> _SocketMode:
        """Socket Mode's side of Slack: a loopback WebSocket server, started on first use
        (the `websockets` package, of the demo extra, is only needed from then on)."""
        if self._socket_mode is None:
            self._socket_mode = _SocketMode()
        return self._socket_mode

    def revoke(self, error: str = "token_revoked") -> None:
        """The app uninstalled or its token revoked: every call with the bot token gets
        `error` (Slack's token_revoked, invalid_auth or account_inactive) until `restore`."""
        self.refusing = error

    def restore(self) -> None:
        self.refusing = None

    def reset(self) -> None:
        with self._lock:
            self.refusing = None
            self.workspace = _new_workspace()
            self.calls.clear()
            self._faults.clear()
            self.messages.clear()
            self.views.clear()
            self.opened_views.clear()
            self.uploads.clear()
            self.files.clear()
            self._oidc_codes.clear()
            self._oidc_tokens.clear()
            self.oidc_client, self.oidc_user, self.oidc_team = ("", ""), None, TEAM_ID
            self.limits = Limits()
            self.limited = 0
            self._last_post.clear()

    # ---- set-up and inspection ----

    def add_channel(self, channel_id: str, members: list[str], private: bool = False) -> None:
        """A channel with these members. The bot is in it unless its id is put in
        `workspace.not_in_channel`; a private one is invisible to the bot when it is not."""
        self.workspace.channels[channel_id] = list(members)
        if private:
            self.workspace.private.add(channel_id)

    def add_user(self, user_id: str, **person: Any) -> None:
        """A user of the workspace (Workspace.add_user: tz, is_bot, deleted, name, is_app_user)."""
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
                return [dict(m) for m in self.messages.get(self.dm_channel(channel), [])]
            return [dict(m, channel=c) for c, ms in self.messages.items() for m in ms]

    @staticmethod
    def dm_channel(channel: str) -> str:
        return "D" + channel[1:] if channel[:1] in ("U", "W") else channel

    # ---- the API ----

    def _answer(
        self, method: str, params: dict[str, Any], token: str | None
    ) -> tuple[int, dict[str, str], dict[str, Any]]:
        with self._lock:
            self.calls.append(Call(method, params, token, time.time()))
            fault = self._faults[method].popleft() if self._faults.get(method) else None
        if fault is not None and fault.hold is not None:
            fault.hold.wait(timeout=30)
        if fault is not None and not fault.accept_then_delay:
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
        if method in ("openid.connect.token", "openid.connect.userInfo"):
            return 200, {}, self._openid(method, params, token)
        expected = self.app_token if method == "apps.connections.open" else self.token
        if self.refusing and token == self.token:
            return 200, {}, {"ok": False, "error": self.refusing}
        if token != expected:
            return 200, {}, {"ok": False, "error": "invalid_auth" if token else "not_authed"}
        if method == "chat.postMessage":
            limited = self._over_limits(str(params.get("channel", "")))
            if limited is not None:
                return limited
        handler = getattr(self, "_m_" + method.replace(".", "_"), None)
        body = handler(params) if handler else {"ok": True}
        if fault is not None and fault.accept_then_delay:
            time.sleep(fault.accept_then_delay)
        return 200, {}, body

    def _over_limits(self, channel: str) -> tuple[int, dict[str, str], dict[str, Any]] | None:
        limits = self.limits
        if not (limits.per_channel_seconds or limits.workspace_per_second or limits.failure_rate):
            return None
        with self._lock:
            if limits.failure_rate and self._random.random() < limits.failure_rate:
                if self._random.random() < 0.5:
                    return 429, {"Retry-After": "1"}, {"ok": False, "error": "ratelimited"}
                return 503, {}, {"ok": False, "error": "service_unavailable"}
            now = time.monotonic()
            if limits.per_channel_seconds and now - self._last_post.get(channel, -1e9) < limits.per_channel_seconds:
                self.limited += 1
                return 429, {"Retry-After": "1"}, {"ok": False, "error": "ratelimited"}
            if limits.workspace_per_second:
                tokens, at = self._bucket
                tokens = min(limits.workspace_per_second, tokens + (now - at) * limits.workspace_per_second)
                if tokens < 1:
                    self.limited += 1
                    self._bucket = (tokens, now)
                    return 429, {"Retry-After": "1"}, {"ok": False, "error": "ratelimited"}
                self._bucket = (tokens - 1, now)
            self._last_post[channel] = now
        return None

    def _now(self) -> str | None:
        return self.clock().isoformat() if self.clock else None

    def _m_auth_test(self, _p: dict[str, Any]) -> dict[str, Any]:
        return {
            "ok": True,
            "url": "https://rollout-test.slack.com/",
            "team": "Rollout Test",
            "user": "rollout",
            "team_id": TEAM_ID,
            "user_id": BOT_USER,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    def _m_bots_info(self, p: dict[str, Any]) -> dict[str, Any]:
        if p.get("bot") != BOT_ID:
            return {"ok": False, "error": "bot_not_found"}
        return {
            "ok": True,
            "bot": {"id": BOT_ID, "deleted": False, "name": "rollout", "app_id": APP_ID, "user_id": BOT_USER},
        }

    def _m_apps_connections_open(self, _p: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "url": self.socket_mode.url}

    def _visible(self, channel: str) -> bool:
        """Slack shows the bot every public channel, and a private one only if it is in it."""
        workspace = self.workspace
        if channel not in workspace.channels:
            return False
        return not (workspace.is_private(channel) and channel in workspace.not_in_channel)

    def _m_conversations_members(self, p: dict[str, Any]) -> dict[str, Any]:
        # As Slack does: a public channel's members are listed whether or not the bot is
        # in it; a private channel the bot is not in does not exist for it.
        channel = p.get("channel", "")
        if not self._visible(channel):
            return {"ok": False, "error": "channel_not_found"}
        members = self.workspace.channels[channel]
        limit = max(1, min(int(p.get("limit") or 100), 1000))
        start = int(p.get("cursor") or 0)
        page = members[start : start + limit]
        following = start + limit
        return {
            "ok": True,
            "members": page,
            "response_metadata": {"next_cursor": str(following) if following < len(members) else ""},
        }

    def _m_conversations_info(self, p: dict[str, Any]) -> dict[str, Any]:
        """Only this says whether the bot is in a channel (`is_member`)."""
        channel = p.get("channel", "")
        if not self._visible(channel):
            return {"ok": False, "error": "channel_not_found"}
        workspace = self.workspace
        return {
            "ok": True,
            "channel": {
                "id": channel,
                "name": channel.lower(),
                "is_channel": True,
                "is_private": workspace.is_private(channel),
                "is_archived": channel in workspace.archived,
                "is_member": channel not in workspace.not_in_channel,
            },
        }

    def _m_users_info(self, p: dict[str, Any]) -> dict[str, Any]:
        user = self.workspace.users.get(p.get("user", ""))
        if user is None:
            return {"ok": False, "error": "user_not_found"}
        return {"ok": True, "user": user}

    def _m_users_list(self, p: dict[str, Any]) -> dict[str, Any]:
        users = list(self.workspace.users.values())
        limit = max(1, min(int(p.get("limit") or 100), 1000))
        start = int(p.get("cursor") or 0)
        following = start + limit
        return {
            "ok": True,
            "members": users[start:following],
            "response_metadata": {"next_cursor": str(following) if following < len(users) else ""},
        }

    def _resolve(self, channel: str) -> tuple[str | None, str | None]:
        """(conversation id, error) for a channel id or, for DMs, a user id."""
        if channel[:1] in ("U", "W"):
            user = self.workspace.users.get(channel)
            if user is None:
                return None, "user_not_found"
            if user.get("deleted"):
                return None, "account_inactive"
            if user.get("is_bot"):
                return None, "cannot_dm_bot"
            return self.dm_channel(channel), None
        if channel.startswith(("C", "G")):
            if channel not in self.workspace.channels:
                return None, "channel_not_found"
            if channel in self.workspace.not_in_channel:
                return None, "channel_not_found" if self.workspace.is_private(channel) else "not_in_channel"
            if channel in self.workspace.archived:
                return None, "is_archived"
        return channel, None

    def _m_chat_postMessage(self, p: dict[str, Any]) -> dict[str, Any]:
        channel, error = self._resolve(p.get("channel", ""))
        if error:
            return {"ok": False, "error": error}
        if not p.get("text") and not p.get("blocks"):
            return {"ok": False, "error": "no_text"}
        with self._lock:
            self._ts += 1
            ts = f"{int(time.time())}.{self._ts:06d}"
            message = {
                "type": "message",
                "user": BOT_USER,
                "ts": ts,
                "text": p.get("text", ""),
                "blocks": _blocks(p.get("blocks")),
                "metadata": _json_field(p.get("metadata")),
                "thread_ts": p.get("thread_ts"),
                "at": self._now(),
            }
            self.messages[channel or ""].append(message)
        return {"ok": True, "channel": channel, "ts": ts, "message": message}

    def _m_chat_update(self, p: dict[str, Any]) -> dict[str, Any]:
        channel, ts = self.dm_channel(p.get("channel", "")), p.get("ts")
        with self._lock:
            for message in self.messages.get(channel, []):
                if message["ts"] == ts:
                    message.update(
                        text=p.get("text", message["text"]),
                        blocks=_blocks(p.get("blocks")),
                        edited=True,
                        edited_at=self._now(),
                    )
                    return {"ok": True, "channel": channel, "ts": ts}
        return {"ok": False, "error": "message_not_found"}

    def _m_conversations_open(self, p: dict[str, Any]) -> dict[str, Any]:
        channel, error = self._resolve(p.get("users", "").split(",")[0])
        if error:
            return {"ok": False, "error": error}
        return {"ok": True, "channel": {"id": channel}}

    def _m_conversations_history(self, p: dict[str, Any]) -> dict[str, Any]:
        channel = p.get("channel", "")
        oldest = float(p.get("oldest") or 0)
        with self._lock:
            found = [dict(m) for m in self.messages.get(channel, []) if float(m["ts"]) >= oldest]
        if str(p.get("include_all_metadata", "")).lower() not in ("1", "true"):
            for m in found:
                m.pop("metadata", None)
        limit = int(p.get("limit") or 100)
        return {"ok": True, "messages": list(reversed(found))[:limit], "has_more": len(found) > limit}

    def _m_files_getUploadURLExternal(self, p: dict[str, Any]) -> dict[str, Any]:
        if not p.get("filename") or not str(p.get("length", "")).isdigit():
            return {"ok": False, "error": "invalid_arguments"}
        with self._lock:
            file_id = f"F{len(self.uploads) + len(self.files) + 1:08d}"
            self.uploads[file_id] = b""
        upload_url = f"http://127.0.0.1:{self._server.server_port}/upload/{file_id}"
        return {"ok": True, "upload_url": upload_url, "file_id": file_id}

    def _m_files_completeUploadExternal(self, p: dict[str, Any]) -> dict[str, Any]:
        files = _json_field(p.get("files")) or []
        channel = p.get("channel_id")
        shared = []
        with self._lock:
            for f in files:
                if f.get("id") not in self.uploads or not self.uploads[f["id"]]:
                    return {"ok": False, "error": "file_not_found"}
                record = {
                    "id": f["id"],
                    "title": f.get("title"),
                    "channel": channel,
                    "thread_ts": p.get("thread_ts"),
                    "size": len(self.uploads[f["id"]]),
                    "content": self.uploads[f["id"]],
                }
                self.files.append(record)
                shared.append({"id": f["id"], "title": f.get("title")})
                if channel:
                    self._ts += 1
                    self.messages[channel].append(
                        {
                            "type": "message",
                            "subtype": "file_share",
                            "user": BOT_USER,
                            "ts": f"{int(time.time())}.{self._ts:06d}",
                            "text": "",
                            "files": [{"id": f["id"], "title": f.get("title")}],
                            "thread_ts": p.get("thread_ts"),
                            "blocks": [],
                            "at": self._now(),
                        }
                    )
        return {"ok": True, "files": shared}

    def _m_views_open(self, p: dict[str, Any]) -> dict[str, Any]:
        if not p.get("trigger_id"):
            return {"ok": False, "error": "invalid_trigger_id"}
        view = _json_field(p.get("view"))
        with self._lock:
            self.opened_views.append(view)
        return {"ok": True, "view": {"id": f"V{len(self.opened_views):08d}", **view}}

    def _m_views_publish(self, p: dict[str, Any]) -> dict[str, Any]:
        view = _json_field(p.get("view"))
        with self._lock:
            self.views[p.get("user_id", "")] = view
        return {"ok": True, "view": view}

    # ---- Sign in with Slack (OpenID Connect), as Slack documents it ----
    # A test says who signs in (`oidc_user`, of `oidc_team`) and the app's credentials;
    # the authorize page then sends the browser straight back with a code, as Slack does
    # once the person has agreed. The code's exchange answers with the person's token and
    # an ID token carrying the nonce the authorize page was given.

    oidc_client = ("", "")  # (client id, client secret) of the app
    oidc_user: str | None = None
    oidc_team: str = TEAM_ID

    def _authorize(self, query: dict[str, str]) -> tuple[int, dict[str, str]]:
        scopes = query.get("scope", "").replace(",", " ").split()  # slack_sdk joins them with commas
        if query.get("client_id") != self.oidc_client[0] or "openid" not in scopes:
            return 400, {}
        if self.oidc_user is None:
            return 403, {}
        code = f"code-{uuid.uuid4().hex}"
        with self._lock:
            self._oidc_codes[code] = (self.oidc_user, self.oidc_team, query.get("redirect_uri", ""), query.get("nonce"))
        back = f"{query.get('redirect_uri', '')}?{urlencode({'code': code, 'state': query.get('state', '')})}"
        return 302, {"Location": back}

    def _openid(self, method: str, params: dict[str, Any], token: str | None) -> dict[str, Any]:
        if method == "openid.connect.token":
            if (params.get("client_id"), params.get("client_secret")) != self.oidc_client:
                return {"ok": False, "error": "invalid_client_id"}
            with self._lock:
                found = self._oidc_codes.pop(str(params.get("code")), None)
            if found is None or found[2] != params.get("redirect_uri"):
                return {"ok": False, "error": "invalid_code"}
            access = f"xoxp-oidc-{uuid.uuid4().hex}"
            with self._lock:
                self._oidc_tokens[access] = found[:2]
            user, team, _, nonce = found
            now = int(time.time())  # the real time, as the app checks `exp` against (not the demo's clock)
            claims = {
                "iss": self.url.removesuffix("/api/"),  # Slack's: https://slack.com, the API's host
                "sub": user,
                "aud": self.oidc_client[0],
                "exp": now + 300,
                "iat": now,
                "auth_time": now,
                **({"nonce": nonce} if nonce is not None else {}),
                "https://slack.com/team_id": team,
                "https://slack.com/user_id": user,
            }
            return {"ok": True, "access_token": access, "token_type": "Bearer", "id_token": id_token(claims)}
        with self._lock:
            who = self._oidc_tokens.get(token or "")
        if who is None:
            return {"ok": False, "error": "invalid_auth"}
        user, team = who
        return {
            "ok": True,
            "sub": user,
            "https://slack.com/user_id": user,
            "https://slack.com/team_id": team,
        }

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


def id_token(claims: dict[str, Any]) -> str:
    """An ID token as Slack's token endpoint hands one out: a JWT (header, claims,
    signature). Its signature is random bytes: the app reads the claims of a token it got
    straight from Slack over TLS and does not verify it (slack_api/oidc.py)."""

    def part(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).decode().rstrip("=")

    header = {"typ": "JWT", "alg": "RS256", "kid": "standin"}
    signature = uuid.uuid4().bytes * 16  # as long as an RS256 signature with a 2,048-bit key
    return ".".join((part(json.dumps(header).encode()), part(json.dumps(claims).encode()), part(signature)))


def _json_field(value: Any) -> Any:
    """Slack accepts JSON objects as real JSON or as JSON text inside a form field."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


def _blocks(value: Any) -> list[Any]:
    return _json_field(value) or []


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


class _SocketMode:
    """Slack's Socket Mode server on loopback: hands each connecting app a `hello`, sends
    envelopes (slash commands, interactions, events) and collects the app's acks, which
    carry the reply. slack_sdk's built-in client speaks plain ws:// to any port but 443."""

    def __init__(self) -> None:
        from websockets.sync.server import serve

        self._connections: list[Any] = []
        self._acks: dict[str, dict[str, Any]] = {}
        self._changed = threading.Condition()
        self._server = serve(self._session, "127.0.0.1", 0)
        self._thread = threading.Thread(target=self._server.serve_forever, name="socket-mode", daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        host, port = self._server.socket.getsockname()[:2]
        return f"ws://{host}:{port}/link/?ticket={uuid.uuid4().hex}"

    def _session(self, connection: Any) -> None:
        with self._changed:
            self._connections.append(connection)
            self._changed.notify_all()
        try:
            connection.send(
                json.dumps(
                    {
                        "type": "hello",
                        "num_connections": len(self._connections),
                        "connection_info": {"app_id": "A0ROLLOUT"},
                    }
                )
            )
            for raw in connection:
                message = json.loads(raw)
                if "envelope_id" in message:
                    with self._changed:
                        self._acks[message["envelope_id"]] = message
                        self._changed.notify_all()
        except Exception:  # noqa: BLE001 - the app went away: that is how sessions end
            pass
        finally:
            with self._changed:
                self._connections.remove(connection)
                self._changed.notify_all()

    def wait_for_connection(self, timeout: float) -> bool:
        with self._changed:
            return self._changed.wait_for(lambda: bool(self._connections), timeout)

    @property
    def connected(self) -> int:
        with self._changed:
            return len(self._connections)

    def send(self, kind: str, payload: dict[str, Any], timeout: float = 10) -> dict[str, Any] | None:
        """Send one envelope (`slash_commands`, `interactive` or `events_api`) and return the
        app's ack: {"envelope_id": ..., "payload": reply}; None if none came in time."""
        envelope_id = uuid.uuid4().hex
        with self._changed:
            if not self._connections:
                raise RuntimeError("no app is connected")
            connection = self._connections[-1]
        connection.send(
            json.dumps(
                {
                    "envelope_id": envelope_id,
                    "type": kind,
                    "payload": payload,
                    "accepts_response_payload": kind != "events_api",
                    "retry_attempt": 0,
                    "retry_reason": "",
                }
            )
        )
        with self._changed:
            self._changed.wait_for(lambda: envelope_id in self._acks, timeout)
            return self._acks.pop(envelope_id, None)

    def command(self, text: str, user: str, channel: str, timeout: float = 10) -> dict[str, Any] | None:
        ack = self.send("slash_commands", command_payload(text, user, channel), timeout)
        return None if ack is None else ack.get("payload") or {}

    def stop(self) -> None:
        self._server.shutdown()


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
        return self.interaction(
            {"type": "view_submission", "user": {"id": user}, "view": {**view, "state": state, "id": "V1", "hash": "h"}}
        )

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
