"""Waiting for a server in another process to say how it is (its `/healthz`)."""

from __future__ import annotations

import contextlib
import time


def health_until(slack_side, status: int = 200, seconds: float = 90, check=lambda body: True) -> dict:
    """/healthz's body once it answers `status` and `check` holds, asked every 0.2 s within
    `seconds` (generous: nothing waits for it when all is well); else an AssertionError."""
    deadline, last = time.monotonic() + seconds, None
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError):  # not listening yet
            last = slack_side.get("/healthz")
            if last.status == status and check(last.body):
                return last.body
        time.sleep(0.2)
    raise AssertionError(f"/healthz never answered {status}: last {last and (last.status, last.body)}")
