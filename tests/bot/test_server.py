"""The HTTP server as every serving process runs it (bot/http_server.py: uvicorn, h11) with
the limits the app puts on each body (bot/web.py, BodyLimits), over real sockets: what it
refuses, what it cuts off and when, and what it does not. tests/bot/test_processes.py holds
the same against the real processes."""

import contextlib
import logging
import re
import shlex
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bot import http_server
from bot.body_limits import DISCARD_BYTES, MAX_BODY_BYTES, BodyLimits
from bot.http_server import KEEP_ALIVE_SECONDS, MAX_HEAD_BYTES, InThread
from handlers.http_errors import as_json

ROOT = Path(__file__).resolve().parents[2]
SECONDS = 1.0  # the body's deadline here: READ_SECONDS's part, shorter


async def _echo(request: Request) -> JSONResponse:
    return JSONResponse({"received": len(await request.body())})


def _serving(seconds: float) -> Iterator[InThread]:
    app = Starlette(
        routes=[
            Route("/echo", _echo, methods=["POST"]),
            Route("/refuse", lambda _: JSONResponse({"error": "no"}, 401), methods=["POST"]),  # reads no body
            Route("/", lambda _: JSONResponse({}), methods=["GET"]),
        ],
        middleware=[Middleware(BodyLimits, seconds=seconds)],
        exception_handlers={HTTPException: as_json},
    )
    running = InThread(app).start()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def server():
    yield from _serving(SECONDS)


@pytest.fixture(scope="module")
def patient_server():
    """For a test whose body comes after a round trip (`100 Continue`) and is not about the
    deadline: one that a loaded machine's scheduling cannot use up, as it once used up 1 s."""
    yield from _serving(30.0)


def _connect(server) -> socket.socket:
    return socket.create_connection(("127.0.0.1", server.port), timeout=10)


def _exchange(server, request: bytes) -> bytes:
    """`request` on a connection of its own: all the server sends before it closes."""
    answer = b""
    with _connect(server) as client, contextlib.suppress(ConnectionResetError, BrokenPipeError):
        client.sendall(request)
        while data := client.recv(65536):
            answer += data
    return answer


def _one_answer(client: socket.socket) -> bytes:
    """One whole answer, however the network splits it: its head, then as much body as it
    says (Content-Length, chunks up to the last, or else all until the connection ends)."""
    answer = b""
    while b"\r\n\r\n" not in answer:
        data = client.recv(65536)
        assert data, answer  # closed before its head ended
        answer += data
    head, _, body = answer.partition(b"\r\n\r\n")
    length = re.search(rb"(?im)^content-length: *(\d+)", head)
    chunked = re.search(rb"(?im)^transfer-encoding: *chunked", head) is not None
    while (len(body) < int(length.group(1))) if length else (not chunked or not body.endswith(b"0\r\n\r\n")):
        data = client.recv(65536)
        if not data and not length and not chunked:
            break  # a body that ends with the connection
        assert data, answer + body  # closed before its body ended
        body += data
    return head + b"\r\n\r\n" + body


CLOSE = b"Connection: close\r\n"
CHUNKED = b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n" + CLOSE + b"\r\n"


def test_the_procfiles_web_runs_uvicorn_as_every_serving_process_does():
    """The Procfile's `web` is `rollout web`, whose uvicorn is bot/http_server.py's, with
    OPTIONS (it was uvicorn's own command line, which had to repeat them), and its
    processes are WEB_CONCURRENCY's."""
    web = next(line for line in (ROOT / "Procfile").read_text().splitlines() if line.startswith("web:"))
    assert shlex.split(web.split(":", 1)[1]) == ["rollout", "web", "--workers", "${WEB_CONCURRENCY:-2}"]


def test_a_whole_body_is_read_with_a_length_or_chunked(server):
    assert b'{"received":3}' in _exchange(
        server, b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n" + CLOSE + b"\r\nabc"
    )
    answer = _exchange(server, CHUNKED + b"2;ext=1\r\nab\r\n1\r\nc\r\n0\r\nTrailer: x\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 200 ") and b'{"received":3}' in answer


@pytest.mark.parametrize(
    "request_",
    [
        b"GET / HTTP/1.1\r\nHost: x\r\nX-Long: " + b"a" * MAX_HEAD_BYTES,  # past the limit, and not ended
        CHUNKED + b"zz\r\nab\r\n0\r\n\r\n",  # a chunk's size that is not hexadecimal
        CHUNKED + b"1\r\nabc\r\n0\r\n\r\n",  # more data than the size said
        b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1e3\r\n\r\n",
    ],
    ids=["long-head", "bad-size", "overlong-chunk", "bad-length"],
)
def test_broken_requests_are_refused_by_the_server_at_once(server, request_):
    with _connect(server) as client:
        client.sendall(request_)  # and no more: the answer must not wait for the client
        answer = _one_answer(client)
        assert answer.startswith(b"HTTP/1.1 400 "), answer
        assert client.recv(65536) == b""


def test_a_body_declared_over_the_discard_bound_is_refused_unread_and_the_connection_closed(server, caplog):
    caplog.set_level(logging.INFO)
    with _connect(server) as client:
        client.sendall(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % (DISCARD_BYTES + 1))
        answer = _one_answer(client)
        assert answer.startswith(b"HTTP/1.1 413 ") and b"connection: close" in answer.lower(), answer
        assert client.recv(65536) == b""
    assert [r.getMessage() for r in caplog.records if r.name == "bot.web"] == [
        f"refused a request to /echo: it declares a body over {MAX_BODY_BYTES} bytes"
    ]


def test_a_body_declared_over_1_mib_is_read_and_thrown_away_before_its_413(server, caplog):
    """Within DISCARD_BYTES, the whole body is read (so a client that writes it all before
    it reads gets the answer; tests/bot/test_api.py has one), none of it logged."""
    caplog.set_level(logging.DEBUG)
    with _connect(server) as client:
        client.sendall(
            b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % (2 * MAX_BODY_BYTES)
            + (b"secret" * MAX_BODY_BYTES)[: 2 * MAX_BODY_BYTES]
        )
        answer = _one_answer(client)
        assert answer.startswith(b"HTTP/1.1 413 ") and b"connection: close" in answer.lower(), answer
        assert client.recv(65536) == b""  # closed cleanly: nothing was left unread to reset it
    assert "secret" not in caplog.text


def test_a_body_declared_over_1_mib_that_does_not_all_come_is_answered_413_at_its_deadline(server):
    """Its rest is waited for no longer than any body is (SECONDS here); then the 413."""
    answer = _exchange(
        server, b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\nabc" % (MAX_BODY_BYTES + 1)
    )
    assert answer.startswith(b"HTTP/1.1 413 ") and b"connection: close" in answer.lower(), answer


def test_a_client_that_expects_100_continue_is_told_to_send_a_body_within_the_limit(patient_server):
    """uvicorn says `100 Continue` when the app first reads the body (over the limit, the
    413 comes instead: tests/bot/test_api.py)."""
    with _connect(patient_server) as client:
        client.sendall(b"POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n")
        told = b""
        while not told.endswith(b"\r\n\r\n"):
            told += client.recv(1)
        assert told == b"HTTP/1.1 100 Continue\r\n\r\n"
        client.sendall(b"abc")
        answer = _one_answer(client)
    assert answer.startswith(b"HTTP/1.1 200 ") and answer.endswith(b'{"received":3}'), answer


def test_a_chunked_body_is_refused_once_past_1_mib_whether_or_not_it_ends(server):
    piece = b"%x\r\n%s\r\n" % (64 * 1024, b"x" * 64 * 1024)
    with _connect(server) as client:
        client.sendall(CHUNKED + piece * (MAX_BODY_BYTES // (64 * 1024) + 1))  # and no last chunk
        answer = client.recv(65536)
        assert answer.startswith(b"HTTP/1.1 413 "), answer[:200]


@pytest.mark.parametrize(
    "start",
    [
        b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc",
        CHUNKED + b"10\r\n0\r\n\r\n",  # the bytes that end a chunked body, inside a chunk's data
    ],
    ids=["length", "chunked"],
)
def test_a_body_that_does_not_come_in_time_is_answered_408_and_the_connection_closed(server, caplog, start):
    caplog.set_level(logging.INFO)
    with _connect(server) as client:
        client.sendall(start)
        answer = b""
        while data := client.recv(65536):
            answer += data
    assert answer.startswith(b"HTTP/1.1 408 ") and b"connection: close" in answer.lower(), answer
    assert [r.getMessage() for r in caplog.records if r.name == "bot.web"] == [
        f"refused a request to /echo: its body did not come within {SECONDS:g} s"
    ]


def test_a_body_dripping_steadily_is_refused_at_its_deadline_all_the_same(server):
    """A byte every 0.1 s never leaves the app waiting long, and is too late all the same."""
    with _connect(server) as client:
        client.sendall(CHUNKED)
        started = time.monotonic()
        answer = b""
        with contextlib.suppress(ConnectionResetError, BrokenPipeError):
            while time.monotonic() < started + 3 * SECONDS and not answer:
                client.sendall(b"1\r\nx\r\n")
                client.settimeout(0.1)
                with contextlib.suppress(TimeoutError):
                    answer = client.recv(65536)
    assert answer.startswith(b"HTTP/1.1 408 "), answer


def test_an_answer_before_the_body_is_read_closes_the_connection(server):
    """An app that refuses a request without reading its body (the API's 401 or 429): the
    rest is read and thrown away first, as before a 413 (here it never comes: the answer
    waits for the body's deadline), and the connection is closed after the answer."""
    with _connect(server) as client:
        client.sendall(b"POST /refuse HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nabc")
        answer = b""
        while data := client.recv(65536):
            answer += data
    assert answer.startswith(b"HTTP/1.1 401 ") and b"connection: close" in answer.lower(), answer


def test_a_request_without_a_body_keeps_its_connection(server):
    with _connect(server) as client:
        for _ in range(2):
            client.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            answer = _one_answer(client)
            assert answer.startswith(b"HTTP/1.1 200 ") and b"connection: close" not in answer.lower(), answer


def test_an_idle_kept_alive_connection_is_closed_after_the_keep_alive_timeout(server):
    with _connect(server) as client:
        client.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        assert _one_answer(client).startswith(b"HTTP/1.1 200 ")
        client.settimeout(KEEP_ALIVE_SECONDS + 5)
        assert client.recv(65536) == b""  # closed by the server, idle


def test_clients_that_send_less_than_a_head_delay_no_one_and_are_not_cut_off(server):
    """What uvicorn leaves unbounded (bot/http_server.py): fifty connections that sent
    nothing, or half a head, cost a socket each and delay no request; uvicorn arms no timer
    for them (a proxy in front does, docs/setup.md), so they are still open after its
    keep-alive timeout."""
    silent = [_connect(server) for _ in range(25)]
    half = [_connect(server) for _ in range(25)]
    for client in half:
        client.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Half: ")
    for _ in range(5):
        assert _exchange(server, b"GET / HTTP/1.1\r\nHost: x\r\n" + CLOSE + b"\r\n").startswith(b"HTTP/1.1 200 ")
    time.sleep(KEEP_ALIVE_SECONDS + 1)
    for client in silent + half:
        client.settimeout(0.01)
        with pytest.raises(TimeoutError):
            client.recv(1)  # no answer, and not closed
        client.close()


def test_serve_returns_on_sigterm_so_that_what_runs_beside_the_app_is_stopped():
    """uvicorn raises the signal it stopped on again once stopped, for the handler it found:
    `serve` gives it one that does nothing, so the caller goes on (and exits 0)."""
    import signal
    import threading

    before = signal.getsignal(signal.SIGTERM)
    threading.Timer(1.0, lambda: signal.raise_signal(signal.SIGTERM)).start()
    http_server.serve(Starlette(), "127.0.0.1", 0)  # returns
    assert signal.getsignal(signal.SIGTERM) == before


def test_a_sigterm_while_the_process_starts_stops_the_server_once_started():
    """A platform may stop a process still building its app or opening Slack's connection
    (seconds): the handler the command installed first keeps the signal, and the server
    starts and stops at once, running its lifespan's both ends, instead of the process
    dying by the signal's default."""
    import signal

    before = signal.getsignal(signal.SIGTERM)
    ran: list[str] = []

    @contextlib.asynccontextmanager
    async def lifespan(app):
        ran.append("started")
        yield
        ran.append("stopped")

    try:
        stopping = http_server.Stopping.installed()
        signal.raise_signal(signal.SIGTERM)  # before the server exists
        assert stopping.asked
        http_server.serve(Starlette(lifespan=lifespan), "127.0.0.1", 0, stopping=stopping)  # returns
    finally:
        signal.signal(signal.SIGTERM, before)
    assert ran == ["started", "stopped"]
