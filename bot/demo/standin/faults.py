"""What a test can make go wrong: one call's fault (`SlackStandIn.fail_next`), and
Slack's rate limits (`SlackStandIn.limits`)."""

from __future__ import annotations

import threading
from dataclasses import dataclass


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
