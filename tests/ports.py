"""Loopback ports for the tests' servers, without the race of "bind port 0, close the
socket, hand the number on": between the close and the server's own bind, anything on the
machine (another xdist worker, another helper's suite) may take the port.

- A server in this process binds port 0 itself and reads its port back (the Slack
  stand-in, the HTTP server of tests/conftest.py, the JSON server, the webhook receiver).
- A port nothing answers on: `refusing_port` holds it bound and not listening, so every
  connection is refused and nobody else can take it while the test runs.
- A server in another process that must be told its port (`rollout serve` in the wheel,
  Prometheus, whose `--web.listen-address=127.0.0.1:0` never says which port it got):
  `serve_on_a_free_port` starts it on a port that was free and starts it again on
  another if it died before answering (the port was taken meanwhile)."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager


def free_port() -> int:
    """A port that was free a moment ago: only for `serve_on_a_free_port`'s tries."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def refusing_port() -> Iterator[int]:
    """A loopback port that refuses every connection while the block runs: bound, never
    listened on, so no other server can take it meanwhile."""
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        yield int(held.getsockname()[1])


class NotServing(RuntimeError):
    """The server died before it answered on any of the ports it was given."""


def serve_on_a_free_port(
    start: Callable[[int], subprocess.Popen],  # type: ignore[type-arg]
    answers: Callable[[int], bool],
    tries: int = 5,
    seconds: float = 120.0,
) -> tuple[subprocess.Popen, int]:  # type: ignore[type-arg]
    """`start(port)` on a free port until it `answers(port)` while still running: the
    process and its port. A process that exits first lost the port to someone else (or
    fails for good: after `tries`, NotServing with what it printed last). `seconds`
    bounds a start that hangs, not a speed target."""
    said = ""
    for _ in range(tries):
        port = free_port()
        process = start(port)
        deadline = time.monotonic() + seconds
        while process.poll() is None and time.monotonic() < deadline:
            if answers(port) and process.poll() is None and _listens(process.pid, port):  # ours, not another's
                return process, port
            time.sleep(0.1)
        if process.poll() is None:
            process.kill()
        output, _ = process.communicate()
        said = output if isinstance(output, str) else (output or b"").decode(errors="replace")
    raise NotServing(f"no answer from the server on {tries} free ports; it said last: {said[-2000:]}")


def _listens(pid: int, port: int) -> bool:
    """Whether `pid` (or a child of it) holds the socket listening on `port` (Linux's
    /proc); True where there is no /proc, so that elsewhere the answer alone decides."""
    if not os.path.exists("/proc/net/tcp"):
        return True
    listening = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if os.path.exists(table):
            with open(table) as rows:
                for row in list(rows)[1:]:
                    fields = row.split()
                    if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:  # 0A: LISTEN
                        listening.add(f"socket:[{fields[9]}]")
    family = {pid} | {int(entry) for entry in os.listdir("/proc") if entry.isdigit() and _parent(int(entry)) == pid}
    for member in family:
        try:
            if listening & {os.readlink(f"/proc/{member}/fd/{fd}") for fd in os.listdir(f"/proc/{member}/fd")}:
                return True
        except OSError:  # gone meanwhile, or a descriptor closed as it was read
            continue
    return False


def _parent(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return int(stat.read().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return None
