"""The HTTP worker of `rollout serve` and the Procfile's `web`: gunicorn's gthread worker,
except that a request reaches one of its threads only once the whole of it has arrived.

gunicorn's own gthread worker hands a connection to a thread at its first byte, and the
thread then blocks reading the rest. A client that sends its headers and then stops
(eight of them were enough) held every thread for as long as it liked: /healthz and
Slack's requests waited behind them. Here the worker's poller, which already watches
every idle connection, also gathers each request's bytes without blocking; a request
is handed on whole, and a client that has not sent one whole request within
READ_SECONDS, or has sent more than MAX_REQUEST_BYTES without, is cut off. Idle or
slow clients then cost a socket each, never a thread. A request is whole by its
Content-Length, or, with a Transfer-Encoding, once its chunked body has ended, its
framing read exactly as gunicorn's parser reads it (Gathering).

A response ends in a lingering close (RFC 9112 section 9.6): the server stops writing,
then reads and discards what the client still sends until it closes, so that bytes left
unread do not make the kernel reset the connection and cut the response short. gunicorn
lingers by blocking on the socket for up to 2 s in the worker's loop, which then served
no one: each client that never read its answer nor closed held every other client back
by 2 s. Here the poller lingers instead (LingeringConn), for as long and as much as gunicorn.

This subclasses gunicorn's worker (pinned in pyproject.toml to the major version it
was written against), and tests/bot/test_processes.py holds the behaviour against the
real process: a crowd of stalled clients does not stop /healthz or a signed command.
tests/bot/test_server.py holds Gathering to what gunicorn's parser reads.
"""

from __future__ import annotations

import contextlib
import errno
import re
import selectors
import socket
import threading
import time
from collections import deque
from functools import partial
from typing import Any

from gunicorn import util
from gunicorn.workers.gthread import TConn, ThreadWorker

READ_SECONDS = 5.0  # a client has this long to send one whole request
MAX_HEAD_BYTES = 64 * 1024  # past this without a blank line, gunicorn's parser refuses it
MAX_BODY_BYTES = 1024 * 1024  # bigger bodies are refused (413) unread by bot/web.py: no need to wait for them
# Past this and still not whole, a client is cut off. A request with a Content-Length is
# whole well before (a head, and a body of at most 1 MiB). A chunked body is whole only
# once it ends, whatever its size (a thread must find all it reads in what was gathered):
# this bounds what is gathered of one. Its framing can outweigh its data when its chunks
# are small: one just over 1 MiB, in chunks of 16 bytes or more, still gets its 413.
MAX_REQUEST_BYTES = MAX_HEAD_BYTES + 2 * MAX_BODY_BYTES
# A lingering close waits this long at most for the client to close, and reads at most this
# much of what it sends meanwhile: gunicorn's own (util.close_graceful).
LINGER_SECONDS = 2.0
LINGER_MAX_BYTES = 64 * 1024

_LENGTH = re.compile(rb"\r\ncontent-length:[ \t]*(\d+)[ \t]*(?=\r\n)")
_HEX = re.compile(rb"[0-9A-Fa-f]+")


def whole_request(received: bytes | bytearray) -> bool:
    """Whether `received` holds one whole HTTP/1 request, or as much of one as the
    server needs before it can answer it: see Gathering.add."""
    return Gathering().add(received)


class Gathering:
    """The bytes of one request as they arrive, read as far as they go. Each call to `add`
    reads only what it has not read before: a client sending a byte at a time, or a body
    in thousands of chunks, costs the poller no more than one sending it all at once."""

    def __init__(self) -> None:
        self.received = bytearray()
        self._body = -1  # where the body begins, once the head is in
        self._length = 0  # the body's Content-Length, unless it is chunked
        self._chunked = False
        # Of a chunked body: what is read next, from `_at`: a chunk's size line ("size"),
        # the CRLF after a chunk's data ("data"), or the trailers after the last chunk.
        self._next = "size"
        self._at = 0

    def add(self, data: bytes | bytearray) -> bool:
        """Take the next bytes, and say whether the request is whole now: all of it is in,
        or as much as the server needs to answer it. A body over MAX_BODY_BYTES with a
        Content-Length is refused (413) unread, so the head is enough; a head over
        MAX_HEAD_BYTES without its blank line, or a chunked body whose framing is broken,
        is refused (400) by gunicorn's parser from what is in."""
        seen = len(self.received)  # read by earlier calls: a search resumes here, less its terminator's length
        self.received += data
        if self._body < 0:
            end = self.received.find(b"\r\n\r\n", max(seen - 3, 0))
            if end < 0:
                return len(self.received) > MAX_HEAD_BYTES
            self._body = self._at = end + 4
            head = bytes(self.received[:end]).lower() + b"\r\n"
            # gunicorn reads a body as chunked if there is a Transfer-Encoding, or refuses the head
            self._chunked = b"\r\ntransfer-encoding:" in head
            length = _LENGTH.search(head)
            self._length = int(length.group(1)) if length else 0
        if self._chunked:
            return self._chunked_body_ends(seen)
        return self._length > MAX_BODY_BYTES or len(self.received) - self._body >= self._length

    def _chunked_body_ends(self, seen: int) -> bool:
        """Whether the chunked body has all arrived (RFC 9112 section 7.1): chunks, each a
        size line (hex digits, perhaps extensions), that many bytes of data and a CRLF;
        the last chunk's size line (zero); trailer lines up to a blank line. Or whether its
        framing is broken where gunicorn's parser will see it, so that a thread refuses it
        (400) without reading more.

        The rules are gunicorn's (gunicorn/http/body.py) and never stricter: what this
        takes for broken, gunicorn refuses. It does not check extensions and trailers: a
        body broken there is gathered to its end (or cut off) and refused then. A body
        over 1 MiB is gathered to its end too, up to MAX_REQUEST_BYTES: the app refuses it
        (413) once it has read 1 MiB and a byte of it, which, with what gunicorn reads
        ahead, must all be in.

        `seen`: how much of it earlier calls read. They stopped where they needed more,
        so the line they stopped in was searched up to there; every later line begins
        after it."""
        received = self.received
        while True:
            if self._next == "size":
                line_end = received.find(b"\r\n", max(self._at, seen - 1))
                if line_end < 0:
                    return False
                digits, semicolon, _extensions = bytes(received[self._at : line_end]).partition(b";")
                if semicolon:
                    digits = digits.rstrip(b" \t")  # blanks may come before an extension, and only there
                if not _HEX.fullmatch(digits):
                    return True  # not a size: refused
                size = int(digits, 16)
                self._at = line_end + 2 + size
                self._next = "data" if size else "trailers"
            elif self._next == "data":
                if len(received) < self._at + 2:
                    return False
                if received[self._at : self._at + 2] != b"\r\n":
                    return True  # more data than its size said: refused
                self._at += 2
                self._next = "size"
            else:  # none (a blank line at once), or trailer lines and a blank line
                blank = received.find(b"\r\n\r\n", max(self._at, seen - 3))
                return received[self._at : self._at + 2] == b"\r\n" or blank >= 0


class LingeringConn(TConn):
    """A connection whose graceful close does not wait for the client: it hands the socket
    to the worker's poller to linger on. gunicorn closes gracefully in `finish_request`, in
    the worker's loop, once a response is written and the connection is not kept alive."""

    def __init__(self, worker: WholeRequestWorker, *args: Any) -> None:
        super().__init__(*args)
        self.worker = worker
        self.drained = 0  # bytes read and discarded while lingering

    def close(self, graceful: bool = False) -> None:
        if graceful and threading.get_ident() == self.worker.loop_thread:
            self.worker.linger(self)
        else:  # the poller is the loop's alone: elsewhere, gunicorn's close (which may block that thread)
            super().close(graceful)


class WholeRequestWorker(ThreadWorker):
    """gthread, with each request gathered by the poller before a thread takes it, and
    each connection's lingering close done by the poller too."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.reading: deque[LingeringConn] = deque()  # in the order of their deadlines
        self.lingering: deque[LingeringConn] = deque()  # the same
        self.loop_thread: int | None = None  # the thread that runs the loop and alone touches the poller
        # One request per connection: gunicorn takes a kept-alive connection's next
        # request (or the rest of one sent behind the first) straight to a thread.
        self.cfg.set("keepalive", 0)

    def run(self) -> None:
        self.loop_thread = threading.get_ident()
        super().run()

    def accept(self, listener: Any) -> None:
        try:
            client_sock, client_addr = listener.accept()
        except OSError as err:
            if err.errno not in (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK):
                raise
            return
        self.nr_conns += 1
        self._gather(LingeringConn(self, self.cfg, client_sock, client_addr, listener.getsockname()))  # non-blocking

    def _gather(self, conn: LingeringConn) -> None:
        conn.sock.setblocking(False)
        conn.gathering = Gathering()
        conn.timeout = time.monotonic() + READ_SECONDS
        self.reading.append(conn)
        self.poller.register(conn.sock, selectors.EVENT_READ, partial(self._on_bytes, conn))

    def _on_bytes(self, conn: LingeringConn, client: Any) -> None:
        data = _received(client)
        if data is None:
            return
        whole = False
        if data:
            whole = conn.gathering.add(data)
            if not whole and len(conn.gathering.received) <= MAX_REQUEST_BYTES:
                return
        self.poller.unregister(client)
        self.reading.remove(conn)
        if not whole:  # the client went away, or sent more than a whole request takes without sending one
            self.nr_conns -= 1
            conn.close()
            return
        conn.init()  # the HTTP/1 parser, reading from the bytes gathered first
        conn.parser.unreader.unread(bytes(conn.gathering.received))
        conn.gathering = None
        conn.data_ready = True
        self.enqueue_req(conn)

    def linger(self, conn: LingeringConn) -> None:
        """Close `conn` as gunicorn's util.close_graceful does, without waiting: stop
        writing (the client reads the response, then its end), and leave the socket to the
        poller until the client closes, has sent LINGER_MAX_BYTES more, or LINGER_SECONDS
        have passed. gunicorn no longer counts it (finish_request did), so it is counted
        again meanwhile: a lingering socket is one of worker_connections, and a worker
        that stops waits for it as for any other."""
        try:
            conn.sock.shutdown(socket.SHUT_WR)
            conn.sock.setblocking(False)
            self.poller.register(conn.sock, selectors.EVENT_READ, partial(self._on_lingering_bytes, conn))
        except (OSError, ValueError):  # already gone, or closed by a thread that refused the request
            util.close(conn.sock)
            return
        self.nr_conns += 1
        conn.timeout = time.monotonic() + LINGER_SECONDS
        self.lingering.append(conn)

    def _on_lingering_bytes(self, conn: LingeringConn, client: Any) -> None:
        data = _received(client)
        if data is None:
            return
        conn.drained += len(data)
        if data and conn.drained < LINGER_MAX_BYTES:
            return
        self.poller.unregister(client)
        self.lingering.remove(conn)
        self.nr_conns -= 1
        util.close(client)  # the client closed, or sent more than is read before it is cut off

    def murder_pending(self) -> None:
        super().murder_pending()
        now = time.monotonic()
        while self.reading and self.reading[0].timeout <= now:
            conn = self.reading.popleft()
            with contextlib.suppress(OSError, KeyError, ValueError):  # already gone
                self.poller.unregister(conn.sock)
            self.nr_conns -= 1
            conn.close()
        while self.lingering and self.lingering[0].timeout <= now:
            conn = self.lingering.popleft()
            with contextlib.suppress(OSError, KeyError, ValueError):  # already gone
                self.poller.unregister(conn.sock)
            self.nr_conns -= 1
            util.close(conn.sock)


def _received(client: Any) -> bytes | None:
    """What a readable socket has for us: its bytes, b"" once the client has gone (or its
    connection broke), None when there is nothing yet after all."""
    try:
        data: bytes = client.recv(65536)
    except (BlockingIOError, InterruptedError):
        return None
    except OSError:
        return b""
    return data
