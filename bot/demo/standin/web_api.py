"""The answers of the Web API methods the bot calls, the way Slack gives them: `ok`
envelopes, cursor paging, Slack's error codes, messages kept as posted and updated."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from bot.demo.standin.workspace import APP_ID, BOT_ID, BOT_USER, TEAM_ID, Workspace, dm_channel


class WebApi:
    """SlackStandIn's answers (server.py): `_m_chat_postMessage` answers chat.postMessage,
    and so on; a method without one answers `{"ok": true}`."""

    # what Slack holds, kept by SlackStandIn
    url: str
    clock: Callable[[], datetime] | None
    workspace: Workspace
    messages: dict[str, list[dict[str, Any]]]
    views: dict[str, dict[str, Any]]
    opened_views: list[dict[str, Any]]
    used_triggers: set[str]
    uploads: dict[str, bytes]
    files: list[dict[str, Any]]
    _lock: threading.Lock
    _ts: int

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
                "name": workspace.names.get(channel, channel.lower()),
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
            return dm_channel(channel), None
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
        channel, ts = dm_channel(p.get("channel", "")), p.get("ts")
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
        upload_url = self.url.removesuffix("api/") + f"upload/{file_id}"
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
        """As Slack documents views.open: a trigger is exchanged once (a second use is
        `exchanged_trigger_id`; one older than 3 s, `expired_trigger_id`, comes by a
        fault); a modal holds at most 100 blocks and a plain-text input's value at most
        its max_length (3,000 at most), else `invalid_arguments` with the pointer."""
        trigger = p.get("trigger_id")
        if not trigger:
            return {"ok": False, "error": "invalid_trigger_id"}
        view = _json_field(p.get("view"))
        problem = _view_problem(view)
        if problem is not None:
            return {"ok": False, "error": "invalid_arguments", "response_metadata": {"messages": [problem]}}
        with self._lock:
            if trigger in self.used_triggers:
                return {"ok": False, "error": "exchanged_trigger_id"}
            self.used_triggers.add(trigger)
            self.opened_views.append(view)
        return {"ok": True, "view": {"id": f"V{len(self.opened_views):08d}", **view}}

    def _m_views_push(self, p: dict[str, Any]) -> dict[str, Any]:
        """As Slack documents views.push (a form over the open one, from a button in it): as
        views.open, a trigger exchanged once and the same limits of a modal."""
        return self._m_views_open(p)

    def _m_views_publish(self, p: dict[str, Any]) -> dict[str, Any]:
        view = _json_field(p.get("view"))
        with self._lock:
            self.views[p.get("user_id", "")] = view
        return {"ok": True, "view": view}


def _view_problem(view: Any) -> str | None:
    """What Slack would refuse in a modal, in its words; None if nothing."""
    blocks = view.get("blocks") if isinstance(view, dict) else None
    if not isinstance(blocks, list):
        return "[ERROR] missing required field: blocks [json-pointer:/view/blocks]"
    if len(blocks) > 100:
        return "[ERROR] no more than 100 items allowed [json-pointer:/view/blocks]"
    for index, block in enumerate(blocks):
        element = block.get("element") if isinstance(block, dict) else None
        if isinstance(element, dict) and element.get("type") == "plain_text_input":
            problem = _text_input_problem(index, element)
            if problem is not None:
                return problem
    return None


def _text_input_problem(index: int, element: dict[str, Any]) -> str | None:
    """A text input of the block at `index` filled in beyond its max_length (at most 3000)."""
    limit = min(int(element.get("max_length") or 3000), 3000)
    if len(str(element.get("initial_value") or "")) > limit:
        return (
            f"[ERROR] must be less than {limit + 1} characters "
            f"[json-pointer:/view/blocks/{index}/element/initial_value]"
        )
    return None


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
