"""Who is on a playbook's team: the members of its Slack channel, asked of Slack.

Membership is cached per channel for a few minutes, because every member command
needs it and Slack's `conversations.members` is rate limited (Tier 4). The cache is
also dropped when Slack tells us someone joined or left (handlers/events.py).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

PAGE_SIZE = 200  # Slack's recommended page size for cursor pagination


class DirectoryUnavailable(Exception):
    """Slack would not tell us the members: `reason` is Slack's error code or 'timeout'."""

    def __init__(self, channel_id: str, reason: str):
        super().__init__(f"{channel_id}: {reason}")
        self.channel_id = channel_id
        self.reason = reason


class TeamDirectory:
    def __init__(self, ttl_seconds: float = 300, monotonic: Callable[[], float] = time.monotonic):
        self.ttl = ttl_seconds
        self.monotonic = monotonic
        self._members: dict[str, tuple[float, frozenset[str]]] = {}
        self._lock = threading.Lock()

    def channel_members(self, client: WebClient, channel_id: str) -> frozenset[str]:
        now = self.monotonic()
        with self._lock:
            cached = self._members.get(channel_id)
        if cached and cached[0] > now:
            return cached[1]
        members = self._fetch(client, channel_id)
        with self._lock:
            self._members[channel_id] = (now + self.ttl, members)
        return members

    def is_member(self, client: WebClient, channel_id: str, user_id: str) -> bool:
        return user_id in self.channel_members(client, channel_id)

    def forget(self, channel_id: str) -> None:
        with self._lock:
            self._members.pop(channel_id, None)

    @staticmethod
    def _fetch(client: WebClient, channel_id: str) -> frozenset[str]:
        members: set[str] = set()
        cursor = None
        try:
            while True:
                page = client.conversations_members(channel=channel_id, limit=PAGE_SIZE, cursor=cursor)
                members.update(page.get("members", []))
                cursor = (page.get("response_metadata") or {}).get("next_cursor")
                if not cursor:
                    return frozenset(members)
        except SlackApiError as err:
            raise DirectoryUnavailable(channel_id, str(err.response.get("error") or err.response.status_code)) from err
        except (OSError, TimeoutError) as err:
            raise DirectoryUnavailable(channel_id, "timeout") from err
