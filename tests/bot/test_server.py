"""bot/server.py's `whole_request`: when the worker may hand a request's bytes to a thread.

The thread then reads the request with gunicorn's parser, and the app reads its body
(bot/web.py: up to 1 MiB and one byte). It must find all it reads in those bytes, or a
mistake gunicorn refuses at once (400): a thread that has to wait for the client is one
the client holds. gunicorn's own parser, reading from the bytes and then from a source
that records being asked for more, says whether a thread would wait.

And its lingering close: once a response is written, the worker's loop hands the socket
to its poller to linger on, and goes on at once (tests/bot/test_processes.py holds that
against the real process, with clients that never read their answers).
"""

import contextlib
import logging
import os
import selectors
import socket
import threading
import time
from concurrent.futures import Future

import pytest
from gunicorn.config import Config
from gunicorn.http.errors import NoMoreData, ParseException
from gunicorn.http.parser import RequestParser
from hypothesis import given
from hypothesis import strategies as st

from bot.server import (
    LINGER_MAX_BYTES,
    LINGER_SECONDS,
    MAX_BODY_BYTES,
    Gathering,
    LingeringConn,
    WholeRequestWorker,
    whole_request,
)

CONFIG = Config()  # gunicorn's defaults, as `rollout serve` and the Procfile leave them
HEAD = b"POST /api/v1/reports HTTP/1.1\r\nHost: bot\r\nTransfer-Encoding: chunked\r\n\r\n"


def _thread_would_wait(received: bytes) -> bool:
    """Whether a thread given `received` would read the socket again: gunicorn parses the
    request and the app reads its body as bot/web.py does; a refusal (400) waits for nothing."""
    asked_for_more = False

    def source():
        nonlocal asked_for_more
        yield received
        asked_for_more = True

    try:
        request = next(RequestParser(CONFIG, source(), ("127.0.0.1", 1)))
        request.body.read(MAX_BODY_BYTES + 1)
    except (ParseException, NoMoreData):
        pass
    return asked_for_more


def test_a_body_ending_in_the_last_chunks_bytes_inside_a_chunk_is_not_whole():
    """Issue 39, item 4: a 16-byte chunk of which only `0\\r\\n\\r\\n` came yet."""
    received = HEAD + b"10\r\n0\r\n\r\n"
    assert not whole_request(received)
    assert _thread_would_wait(received)


@pytest.mark.parametrize(
    "body",
    [
        b"5\r\nhello\r\n0\r\n\r\n",
        b"0\r\n\r\n",  # no data at all
        b"000\r\n\r\n",  # the last chunk's size may have several zeros
        b"3\r\nhel\r\n2\r\nlo\r\n0\r\n\r\n",
        b"A\r\n0123456789\r\na\r\n0123456789\r\n0\r\n\r\n",  # hex, either case
        b"10\r\n0\r\n\r\n0123456789a\r\n0\r\n\r\n",  # the trap's chunk, all 16 bytes of it
        b"5;name=value\r\nhello\r\n0\r\n\r\n",  # chunk extensions
        b'5 ;a ; b="q;uo\\"ted"\r\nhello\r\n0;last\r\n\r\n',
        b"5\r\nhello\r\n0\r\nChecksum: abc\r\nMore: 1\r\n\r\n",  # trailers
        b"5\r\nhello\r\n0\r\n\r\nGET / HTTP/1.1\r\n",  # bytes behind the request: still whole
    ],
)
def test_a_whole_chunked_body_is_whole(body):
    assert whole_request(HEAD + body)
    assert not _thread_would_wait(HEAD + body)


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"5",
        b"5\r",
        b"5;name=val",  # the size line, unfinished
        b"5\r\nhel",
        b"5\r\nhello",
        b"5\r\nhello\r",  # the data's CRLF, unfinished
        b"5\r\nhello\r\n",
        b"5\r\nhello\r\n0",
        b"5\r\nhello\r\n0\r\n",
        b"5\r\nhello\r\n0\r\n\r",  # the blank line, unfinished
        b"5\r\nhello\r\n0\r\nChecksum: abc\r\n",  # the trailers, unfinished
        b"5\r\nhello\r\n0\r\nChecksum: abc\r\n\r",
        b"10\r\n0\r\n\r\n0\r\n\r\n",  # 10 of the 16 bytes, the last chunk twice over
        b"5\r\n0\r\n\r\n\r\n0\r\n\r",
    ],
)
def test_an_unfinished_chunked_body_is_not_whole(body):
    assert not whole_request(HEAD + body)
    assert _thread_would_wait(HEAD + body)


@pytest.mark.parametrize(
    "body",
    [
        b"zz\r\n",  # not hex
        b"0x5\r\nhello\r\n0\r\n\r\n",  # Python's int() would take these four; HTTP does not
        b"+5\r\nhello\r\n0\r\n\r\n",
        b" 5\r\nhello\r\n0\r\n\r\n",
        b"5_0\r\n",
        b"5 \r\nhello\r\n",  # blanks after the size only before an extension
        b"\r\n",  # no size
        b";ext\r\n",
        b"5\r\nhelloXY",  # the data not followed by CRLF
        b"5\r\nhello\n0\r\n\r\n",
        b"10\r\n0\r\n\r\n0123456789ab\r\n",  # a chunk's data longer than its size said
    ],
)
def test_broken_framing_is_handed_on_at_once_for_gunicorn_to_refuse(body):
    """A thread answers it 400 without reading more: no need to wait for the rest."""
    assert whole_request(HEAD + body)
    assert not _thread_would_wait(HEAD + body)


def test_the_transfer_encoding_header_is_found_in_any_case():
    received = b"POST /slack/events HTTP/1.1\r\nHost: bot\r\ntRaNsFeR-eNcOdInG: chunked\r\n\r\n10\r\n0\r\n\r\n"
    assert not whole_request(received)
    assert _thread_would_wait(received)


def test_a_body_over_the_limit_is_whole_only_once_it_ends():
    """The app reads 1 MiB and one byte of it to refuse it (413): all of that, and
    gunicorn's reads past it, must be there; a thread must not wait for the rest."""
    chunk = b"%x\r\n%s\r\n" % (64 * 1024, b"x" * 64 * 1024)
    over = HEAD + chunk * (MAX_BODY_BYTES // (64 * 1024) + 1)
    assert not whole_request(over)
    assert not whole_request(over + b"5\r\nhel")
    assert whole_request(over + b"0\r\n\r\n")
    assert not _thread_would_wait(over + b"0\r\n\r\n")


def test_a_content_length_body_is_whole_at_its_length_as_before():
    head = b"POST /slack/events HTTP/1.1\r\nHost: bot\r\nContent-Length: 5\r\n\r\n"
    assert not whole_request(head + b"hell")
    assert whole_request(head + b"hello")
    assert whole_request(b"POST /slack/events HTTP/1.1\r\nContent-Length: %d\r\n\r\n" % (MAX_BODY_BYTES + 1))


@st.composite
def chunked_bodies(draw) -> bytes:
    """A well-framed chunked body: data cut into chunks, sizes in either case of hex with
    leading zeros, extensions, trailers."""
    data = draw(st.binary(max_size=40))
    cuts = sorted(draw(st.lists(st.integers(1, max(len(data) - 1, 1)), max_size=4, unique=True)))
    pieces = [data[a:b] for a, b in zip([0, *cuts], [*cuts, len(data)], strict=True) if data[a:b]]
    extension = st.sampled_from([b"", b";a", b";a=b", b' ; name = "v;\\"x"', b";a;b=c"])
    body = b""
    for piece in pieces:
        size = draw(st.sampled_from([b"%x", b"%X", b"0%x", b"00%X"])) % len(piece)
        body += size + draw(extension) + b"\r\n" + piece + b"\r\n"
    body += draw(st.sampled_from([b"0", b"000"])) + draw(extension) + b"\r\n"
    trailers = draw(st.lists(st.sampled_from([b"Checksum: abc", b"X-Last: 0", b"A:"]), max_size=3))
    return body + b"".join(t + b"\r\n" for t in trailers) + b"\r\n"


@given(chunked_bodies())
def test_a_chunked_body_is_whole_exactly_when_it_has_all_arrived(body):
    """Every prefix of a well-framed body is not whole, and a thread would wait on it; the
    whole of it is, and a thread would not."""
    for end in range(len(body)):
        assert not whole_request(HEAD + body[:end]), body[:end]
        assert _thread_would_wait(HEAD + body[:end]), body[:end]
    assert whole_request(HEAD + body)
    assert not _thread_would_wait(HEAD + body)


@given(st.binary(max_size=80) | st.text('0123456789abcdefxz;= \t\r\n"', max_size=80).map(str.encode))
def test_no_bytes_at_all_are_handed_on_for_a_thread_to_wait_on(body):
    """Whatever follows the head, broken or not: when it is taken as whole, a thread
    finds what it reads there or refuses it."""
    if whole_request(HEAD + body):
        assert not _thread_would_wait(HEAD + body), body


def _pieces(data: bytes, cuts: list[int]) -> list[bytes]:
    ends = sorted({c % (len(data) + 1) for c in cuts} | {len(data)})
    return [data[a:b] for a, b in zip([0, *ends[:-1]], ends, strict=True) if data[a:b]]


@given(chunked_bodies(), st.lists(st.integers(0, 10_000), max_size=40))
def test_a_request_gathered_piece_by_piece_is_whole_when_its_last_piece_comes(body, cuts):
    gathering = Gathering()
    *first, last = _pieces(HEAD + body, cuts)
    assert not any(gathering.add(piece) for piece in first)
    assert gathering.add(last)


@given(
    st.binary(max_size=80) | st.text('0123456789abcdefxz;= \t\r\n"', max_size=80).map(str.encode),
    st.lists(st.integers(0, 10_000), max_size=20),
)
def test_gathering_piece_by_piece_says_what_reading_it_all_at_once_says(body, cuts):
    """`add` reads only the bytes it has not read: what it says after each piece is what
    reading everything so far from the start says."""
    gathering, received = Gathering(), b""
    for piece in _pieces(HEAD + body, cuts):
        received += piece
        whole = gathering.add(piece)
        assert whole == whole_request(received), received
        if whole:
            break


def test_a_body_in_many_small_chunks_costs_each_byte_one_reading():
    """2 MiB of one-byte chunks, gathered in 64 KiB pieces: reading it all from the start
    on every piece took the poller seconds."""
    body = HEAD + b"1\r\nx\r\n" * (2 * MAX_BODY_BYTES // 6) + b"0\r\n\r\n"
    gathering = Gathering()
    started = time.perf_counter()
    wholes = [gathering.add(body[at : at + 65536]) for at in range(0, len(body), 65536)]
    assert wholes == [False] * (len(wholes) - 1) + [True]
    assert time.perf_counter() - started < 1.5  # 0.3 s here; 5 s, reading it all again on each piece


RESPONSE = b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok"


@pytest.fixture
def worker():
    """The worker as its loop sees it, without a process: a poller, and this thread for the loop's."""
    worker = WholeRequestWorker(0, os.getpid(), [], None, 30, Config(), logging.getLogger("test"))
    worker.poller = selectors.DefaultSelector()
    worker.loop_thread = threading.get_ident()
    yield worker
    worker.poller.close()
    worker.tmp.close()


@pytest.fixture
def answered(worker):
    """A connection whose response a thread has written, as gunicorn's loop finishes it
    (finish_request: not kept alive, so closed gracefully): the worker's side, and the client."""
    server_side, client = socket.socketpair()
    conn = LingeringConn(worker, worker.cfg, server_side, ("127.0.0.1", 50000), ("127.0.0.1", 3000))
    server_side.setblocking(True)  # as a thread leaves it
    server_side.sendall(RESPONSE)
    worker.nr_conns += 1
    done: Future = Future()
    done.set_result(False)
    started = time.monotonic()
    worker.finish_request(conn, done)
    assert time.monotonic() - started < 0.1  # gunicorn's close_graceful waited here for the client, up to 2 s
    yield conn, client
    client.close()
    server_side.close()


def _polled(worker, sock) -> bool:
    return sock.fileno() >= 0 and sock.fileno() in {key.fd for key in worker.poller.get_map().values()}


def _linger_on(worker) -> None:
    worker.wait_for_and_dispatch_events(timeout=0.05)
    worker.murder_pending()


def test_a_graceful_close_stops_writing_and_leaves_the_socket_to_the_poller(worker, answered):
    conn, client = answered
    client.settimeout(1)
    assert client.recv(1024) == RESPONSE
    assert client.recv(1024) == b""  # the end of the response: the server writes no more
    assert _polled(worker, conn.sock)
    assert list(worker.lingering) == [conn]
    assert worker.nr_conns == 1  # one of worker_connections, and waited for by a worker that stops


def test_a_lingering_socket_reads_what_the_client_still_sends_and_closes_once_it_closes(worker, answered):
    conn, client = answered
    client.sendall(b"x" * 1000)  # the rest of a body the app did not read
    _linger_on(worker)
    assert conn.drained == 1000 and _polled(worker, conn.sock)
    client.close()
    _linger_on(worker)
    assert conn.sock.fileno() == -1
    assert not worker.lingering and worker.nr_conns == 0


def test_a_lingering_socket_is_closed_once_the_client_has_sent_as_much_as_gunicorn_reads(worker, answered):
    conn, client = answered
    client.setblocking(False)
    for _ in range(100):
        if conn.sock.fileno() == -1:
            break
        with contextlib.suppress(BlockingIOError):  # its buffer full: the poller reads some first
            client.send(b"x" * 16384)
        _linger_on(worker)
    assert conn.sock.fileno() == -1 and conn.drained >= LINGER_MAX_BYTES
    assert not worker.lingering and worker.nr_conns == 0


def test_a_lingering_socket_is_closed_when_its_time_is_up(worker, answered, monkeypatch):
    """A client that neither reads nor closes costs a socket for LINGER_SECONDS, never the loop."""
    conn, _client = answered
    _linger_on(worker)
    assert _polled(worker, conn.sock)
    real = time.monotonic
    monkeypatch.setattr(time, "monotonic", lambda: real() + LINGER_SECONDS)
    worker.murder_pending()
    assert conn.sock.fileno() == -1
    assert not worker.lingering and worker.nr_conns == 0


def test_a_socket_a_thread_has_closed_already_is_left_closed(worker):
    """gunicorn's thread closes the socket itself on some errors before the loop finishes it."""
    server_side, client = socket.socketpair()
    conn = LingeringConn(worker, worker.cfg, server_side, ("127.0.0.1", 50000), ("127.0.0.1", 3000))
    server_side.close()
    worker.nr_conns = 1
    done: Future = Future()
    done.set_result(False)
    worker.finish_request(conn, done)
    assert not worker.lingering and worker.nr_conns == 0 and not worker.poller.get_map()
    client.close()


def test_a_graceful_close_outside_the_loop_leaves_the_poller_alone(worker):
    """The poller is the loop's alone: elsewhere, a graceful close is gunicorn's own."""
    server_side, client = socket.socketpair()
    conn = LingeringConn(worker, worker.cfg, server_side, ("127.0.0.1", 50000), ("127.0.0.1", 3000))
    client.close()  # gunicorn's close then ends at once
    elsewhere = threading.Thread(target=conn.close, kwargs={"graceful": True})
    elsewhere.start()
    elsewhere.join(timeout=5)
    assert server_side.fileno() == -1
    assert not worker.lingering and not worker.poller.get_map()
