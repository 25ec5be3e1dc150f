"""The HTTP worker of `rollout serve` and the Procfile's `web`: gunicorn's gthread worker,
except that a request reaches one of its threads only once the whole of it has arrived.

gunicorn's own gthread worker hands a connection to a thread at its first byte, and the
thread then blocks reading the rest. A client that sends its headers and then stops
(eight of them were enough) held every thread for as long as it liked: /healthz and
Slack's requests waited behind them. Here the worker's poller, which already watches
every idle connection, also gathers each request's bytes without blocking; a request
is handed on whole, and a client that has not sent one whole request within
READ_SECONDS is cut off. Idle or slow clients then cost a socket each, never a thread.

This subclasses gunicorn's worker (pinned in pyproject.toml to the major version it
was written against), and tests/bot/test_processes.py holds the behaviour against the
real process: a crowd of stalled clients does not stop /healthz or a signed command.
"""

from __future__ import annotations

import contextlib
import errno
import re
import selectors
import time
from collections import deque
from functools import partial
from typing import Any

from gunicorn.workers.gthread import TConn, ThreadWorker

READ_SECONDS = 5.0  # a client has this long to send one whole request
MAX_HEAD_BYTES = 64 * 1024  # past this without a blank line, gunicorn's parser refuses it
MAX_BODY_BYTES = 1024 * 1024  # bigger bodies are refused (413) unread by bot/web.py: no need to wait for them

_LENGTH = re.compile(rb"\r\ncontent-length:[ \t]*(\d+)[ \t]*(?=\r\n)")


def whole_request(received: bytes | bytearray) -> bool:
    """Whether `received` holds one whole HTTP/1 request, or as much of one as the
    server needs before it can answer it (an oversized one is refused unread)."""
    end = received.find(b"\r\n\r\n")
    if end < 0:
        return len(received) > MAX_HEAD_BYTES
    head = bytes(received[:end]).lower() + b"\r\n"
    body = len(received) - end - 4
    if b"\r\ntransfer-encoding:" in head:  # chunked: whole at the last chunk and its blank line
        return received.endswith(b"0\r\n\r\n") or body > MAX_BODY_BYTES
    length = _LENGTH.search(head)
    wanted = int(length.group(1)) if length else 0
    return wanted > MAX_BODY_BYTES or body >= wanted


class WholeRequestWorker(ThreadWorker):
    """gthread, with each request gathered by the poller before a thread takes it."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.reading: deque[TConn] = deque()  # in the order of their deadlines
        # One request per connection: gunicorn takes a kept-alive connection's next
        # request (or the rest of one sent behind the first) straight to a thread.
        self.cfg.set("keepalive", 0)

    def accept(self, listener: Any) -> None:
        try:
            client_sock, client_addr = listener.accept()
        except OSError as err:
            if err.errno not in (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK):
                raise
            return
        self.nr_conns += 1
        self._gather(TConn(self.cfg, client_sock, client_addr, listener.getsockname()))  # non-blocking

    def _gather(self, conn: TConn) -> None:
        conn.sock.setblocking(False)
        conn.received = bytearray()
        conn.timeout = time.monotonic() + READ_SECONDS
        self.reading.append(conn)
        self.poller.register(conn.sock, selectors.EVENT_READ, partial(self._on_bytes, conn))

    def _on_bytes(self, conn: TConn, client: Any) -> None:
        try:
            data = client.recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if data:
            conn.received += data
            if not whole_request(conn.received):
                return
        self.poller.unregister(client)
        self.reading.remove(conn)
        if not data:  # the client went away before it sent a whole request
            self.nr_conns -= 1
            conn.close()
            return
        conn.init()  # the HTTP/1 parser, reading from the bytes gathered first
        conn.parser.unreader.unread(bytes(conn.received))
        conn.received = bytearray()
        conn.data_ready = True
        self.enqueue_req(conn)

    def murder_pending(self) -> None:
        super().murder_pending()
        now = time.monotonic()
        while self.reading and self.reading[0].timeout <= now:
            conn = self.reading.popleft()
            with contextlib.suppress(OSError, KeyError, ValueError):  # already gone
                self.poller.unregister(conn.sock)
            self.nr_conns -= 1
            conn.close()
