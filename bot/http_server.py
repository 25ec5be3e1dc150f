"""uvicorn, the HTTP server of every process that serves bot/web.py's ASGI app: `rollout
serve`, `rollout socket`, `rollout web` (the Procfile's `web`), `rollout demo` and the tests.

What uvicorn bounds, with the settings its authors give for it:
- a request's head: at most MAX_HEAD_BYTES buffered without its blank line, or 400 (h11's
  limit, which a head that arrives whole in one read may pass by that read's size;
  httptools, uvicorn's other parser, takes heads of any size, hence `http="h11"`);
- an idle connection between requests: closed after KEEP_ALIVE_SECONDS;
- a request's body: not uvicorn's; the app reads it under a size cap and a deadline
  (bot/web.py, BodyLimits).
What it does not bound: a connection that sends less than a whole head (nothing at all,
or part of one) is held until the client goes. uvicorn arms its only timer after a
response (h11_impl.py, `on_response_complete`); such a client costs a socket and a few
kilobytes, and never delays another request (the loop serves them all), but is not cut
off. A reverse proxy in front bounds it (nginx's `client_header_timeout`), as
docs/setup.md says.
"""

from __future__ import annotations

import signal
import socket
import threading
import time
from typing import Any

import uvicorn
from starlette.types import ASGIApp
from uvicorn.supervisors import Multiprocess

MAX_HEAD_BYTES = 64 * 1024
KEEP_ALIVE_SECONDS = 5
OPTIONS: dict[str, Any] = {
    "http": "h11",
    "h11_max_incomplete_event_size": MAX_HEAD_BYTES,
    "timeout_keep_alive": KEEP_ALIVE_SECONDS,
    "timeout_graceful_shutdown": 10,  # then a stop no longer waits for requests still running
    "access_log": False,  # a URL may carry the web view's one-time sign-in token (/web/login?token=...)
    "server_header": False,
    "log_config": None,  # the process's own logging (bot/logs.py), not uvicorn's
}


# uvicorn's supervisor kills a worker that does not answer its ping within this long, and
# starts another. Its default, 5 s, killed workers still building their app (imports, the
# statistics) on a busy machine, again and again.
WORKER_HEALTHCHECK_SECONDS = 30


def listening(host: str, port: int) -> socket.socket:
    """A socket bound to `host` and `port` (0: a free port, which `getsockname` then
    names), bound as uvicorn binds its own; OSError if it cannot be. Bound before the
    server starts, so that the port is known, and said, before anything is served."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)  # uvicorn's workers serve it too
    return sock


class Stopping:
    """SIGTERM's handler from a command's start to its end: a stop asked for while the
    process still starts (before uvicorn has its own handler, or between its startup's
    steps) stops the server as soon as it has started, instead of killing the process by
    the signal's default. uvicorn replaces it while it serves, and afterwards raises the
    signal again for it, which then does nothing more."""

    def __init__(self) -> None:
        self.asked = False
        self.server: uvicorn.Server | None = None

    def __call__(self, *_: Any) -> None:
        self.asked = True
        if self.server is not None:
            self.server.should_exit = True

    @classmethod
    def installed(cls) -> Stopping:
        stopping = cls()
        signal.signal(signal.SIGTERM, stopping)
        return stopping


def serve(
    app: ASGIApp, host: str, port: int, sock: socket.socket | None = None, stopping: Stopping | None = None
) -> None:
    """Serve `app` in this process until SIGTERM or Ctrl-C, then return (exit 0), so that the
    caller stops what runs beside the app. `stopping`: the handler the command installed
    when it started (a SIGTERM before this call stops the server once started); else one
    installed here. `sock`: one bound already (`listening`), else uvicorn binds `host` and
    `port`."""
    previous = signal.getsignal(signal.SIGTERM)
    if stopping is None:
        stopping = Stopping.installed()
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, **OPTIONS))
    stopping.server = server
    server.should_exit = stopping.asked
    try:
        server.run(None if sock is None else [sock])
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)


def serve_workers(factory: str, sock: socket.socket, workers: int) -> None:
    """`workers` processes serving `sock` (`listening`), each building its app with
    `factory` (an import string): uvicorn's supervisor starts them, starts another for one
    that dies, and stops them on SIGTERM (as `uvicorn.run` does, with the socket bound
    here)."""
    host, port = sock.getsockname()[:2]
    config = uvicorn.Config(
        factory,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS,
        **OPTIONS,
    )
    Multiprocess(config, sockets=[sock]).run()


class InThread:
    """`app` served by uvicorn on a loopback port of its own, in a thread of this process:
    the demo's server and the tests'. The socket is bound here (port 0), so no other
    process can take the port between choosing and binding it."""

    def __init__(self, app: ASGIApp, host: str = "127.0.0.1", port: int = 0):
        self.socket = socket.socket(socket.AF_INET)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket.bind((host, port))
        self.port: int = self.socket.getsockname()[1]
        self.url = f"http://{host}:{self.port}"
        self.server = uvicorn.Server(uvicorn.Config(app, **OPTIONS))
        self.thread = threading.Thread(target=self.server.run, args=([self.socket],), daemon=True, name="uvicorn")

    def start(self, timeout: float = 30) -> InThread:
        self.thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started and self.thread.is_alive() and time.monotonic() < deadline:
            time.sleep(0.01)
        if not self.server.started:
            raise RuntimeError("uvicorn did not start")
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)
        self.socket.close()
