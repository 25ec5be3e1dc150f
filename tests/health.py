"""A server in another process: waiting for it to say how it is (its `/healthz`), and the processes it started."""

from __future__ import annotations

import contextlib
import time
from pathlib import Path


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


def children(pid: int) -> list[int]:
    """The processes `pid` started, less multiprocessing's resource tracker (uvicorn's
    supervisor starts its workers with multiprocessing, which may start one beside them)."""
    return sorted(
        int(d.name)
        for d in Path("/proc").iterdir()
        if d.name.isdigit() and _parent(d) == pid and b"resource_tracker" not in _command_line(d)
    )


def _command_line(proc: Path) -> bytes:
    try:
        return (proc / "cmdline").read_bytes()
    except OSError:
        return b""


def _parent(proc: Path) -> int | None:
    """The parent pid from /proc/<pid>/stat (the field after the parenthesised name)."""
    try:
        return int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None
