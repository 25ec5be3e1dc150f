"""Pacing within Slack's limits: at most one message per second per
channel and a workspace-wide rate; a 429 holds its channel for its Retry-After, and holds
every channel when several are limited at once (a workspace's limit). The outbox's
dispatcher (slack_api/dispatch.py) asks it before each call."""

from __future__ import annotations

import threading

WORKSPACE_LIMIT_SIGNS = 5  # channels rate-limited within one Retry-After before the whole workspace is held


class Pacer:
    """When the next message may go: per channel, and across the workspace. Thread-safe:
    `reserve` books a slot, so concurrent senders never share one."""

    def __init__(self, per_channel_seconds: float = 1.0, workspace_per_second: float = 10.0):
        self.per_channel = per_channel_seconds
        self.spacing = 1.0 / workspace_per_second
        self._channel_next: dict[str, float] = {}
        self._workspace_next = 0.0
        self._limited: list[tuple[float, str]] = []  # recent 429s: (when, channel)
        self._lock = threading.Lock()

    def reserve(self, channel: str, now: float) -> float:
        """Book the next slot for `channel`; returns the seconds to wait for it."""
        with self._lock:
            at = max(now, self._channel_next.get(channel, 0.0), self._workspace_next)
            self._channel_next[channel] = at + self.per_channel
            self._workspace_next = at + self.spacing
            if len(self._channel_next) > 50_000:  # forget channels whose slot has long passed
                self._channel_next = {c: t for c, t in self._channel_next.items() if t > now}
            return at - now

    def limited(self, channel: str, seconds: float, now: float) -> None:
        """A 429 for `channel`: hold that channel for Retry-After. When several channels are
        limited within that time, Slack is limiting the workspace: hold everything."""
        with self._lock:
            self._channel_next[channel] = max(self._channel_next.get(channel, 0.0), now + seconds)
            self._limited = [(t, c) for t, c in self._limited if t > now - seconds] + [(now, channel)]
            if len({c for _, c in self._limited}) >= WORKSPACE_LIMIT_SIGNS:
                self._workspace_next = max(self._workspace_next, now + seconds)
