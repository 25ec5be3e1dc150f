"""The reporting API's body and rate limits through the real HTTP endpoint, on SQLite and
PostgreSQL: a body bounded to 1 MiB and refused unread, an early answer (401, 429) read
whole by the client rather than a reset connection, and a token's rate."""

import http.client
import json
import logging
import socket
from urllib.parse import urlsplit

from bot.body_limits import MAX_BODY_BYTES
from tests.bot.test_api import rows


def test_the_body_is_bounded_and_must_be_json(api):
    url = urlsplit(api.base_url)
    with socket.create_connection((url.hostname, url.port), timeout=10) as connection:
        connection.sendall(
            b"POST /api/v1/reports HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAuthorization: Bearer "
            + api.token.encode()
            + b"\r\nContent-Length: "
            + str(20 * 1024 * 1024).encode()
            + b"\r\n\r\n"
            + b"[" * 65536
        )
        assert connection.recv(4096).startswith(b"HTTP/1.1 413")  # answered before the rest was sent
    status, body, _ = api.post(None, raw=b"{not json")
    assert status == 400 and body == {"error": "the body is not JSON"}


MARKER = b"oversized-report-body-"  # in every oversized body here, and never in the log


def _oversized(size: int) -> bytes:
    """A report of exactly `size` bytes, its reason MARKER again and again."""
    head, tail = b'{"playbook": "support-replies", "kind": "kpi", "value": 14.5, "reason": "', b'"}'
    fill = MARKER * (size // len(MARKER) + 1)
    return head + fill[: size - len(head) - len(tail)] + tail


def _refused_whole(api, engine, caplog, body, headers: dict[str, str]) -> None:
    """`body` sent whole by an ordinary client (http.client, which writes all of it before it
    reads), which then reads the 413 and its words: no BrokenPipeError, no reset."""
    url = urlsplit(api.base_url)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    try:
        connection.connect()
        # What a network lets a client have in flight, far less than the body (on loopback,
        # the kernel would grow the buffer to take the whole body before the server read any).
        connection.sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 64 * 1024)
        connection.request(
            "POST",
            "/api/v1/reports",
            body=body,
            headers={"Authorization": f"Bearer {api.token}", "Content-Type": "application/json", **headers},
            encode_chunked="Transfer-Encoding" in headers,
        )
        response = connection.getresponse()
        assert response.status == 413 and response.getheader("Connection") == "close"
        assert json.loads(response.read()) == {"error": f"request bodies are limited to {MAX_BODY_BYTES} bytes"}
    finally:
        connection.close()
    assert rows(engine, "SELECT count(*) FROM kpi_reading") == [(0,)]
    assert MARKER.decode() not in caplog.text


def test_a_body_just_over_1_mib_is_refused_and_the_client_reads_the_413(api, engine, caplog):
    caplog.set_level(logging.DEBUG)
    body = _oversized(MAX_BODY_BYTES + 10)
    _refused_whole(api, engine, caplog, body, {"Content-Length": str(len(body))})


def test_a_chunked_body_that_grows_past_1_mib_is_refused_and_the_client_reads_the_413(api, engine, caplog):
    caplog.set_level(logging.DEBUG)
    body = _oversized(2 * MAX_BODY_BYTES)  # 1 MiB still to send when the server has read 1 MiB
    chunks = (body[i : i + 64 * 1024] for i in range(0, len(body), 64 * 1024))
    _refused_whole(api, engine, caplog, chunks, {"Transfer-Encoding": "chunked"})


def _answered_whole(api, body: bytes, token: str) -> tuple[int, http.client.HTTPMessage, object]:
    """`body` sent whole with `token` by an ordinary client (http.client, which writes all
    of it before it reads, a network's worth in flight: _refused_whole's): the status,
    headers and JSON it reads. A reset or a broken pipe fails the test."""
    url = urlsplit(api.base_url)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    try:
        connection.connect()
        connection.sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 64 * 1024)
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        connection.request("POST", "/api/v1/reports", body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.msg, json.loads(response.read())
    finally:
        connection.close()


def test_a_bad_token_with_a_large_body_reads_its_401_not_a_reset(api, engine, caplog):
    """Issue 91, item 9: the 401 is answered before a byte of the body is read; the rest of
    the body is read and thrown away first (as before a 413), so that the client, still
    sending it, reads the answer."""
    caplog.set_level(logging.DEBUG)
    body = _oversized(MAX_BODY_BYTES - 1024)  # within the limit: only the token is wrong
    for _ in range(3):
        status, headers, answer = _answered_whole(api, body, "rcb_unknown")
        assert (status, answer) == (401, {"error": "a valid token is needed: Authorization: Bearer <token>"})
        assert headers["WWW-Authenticate"] == "Bearer"
    assert rows(engine, "SELECT count(*) FROM kpi_reading") == [(0,)]
    assert MARKER.decode() not in caplog.text


def test_a_token_past_its_rate_with_a_large_body_reads_its_429_not_a_reset(api, engine):
    for _ in range(20):  # the second's twenty requests, refused for their body
        assert api.post(None, raw=b"{not json")[0] == 400
    status, headers, answer = _answered_whole(api, _oversized(MAX_BODY_BYTES - 1024), api.token)
    assert (status, answer) == (429, {"error": "at most 20 requests a second per token"})
    assert headers["Retry-After"] == "1"
    assert rows(engine, "SELECT count(*) FROM kpi_reading") == [(0,)]


def test_a_client_that_expects_100_continue_gets_the_413_instead_and_sends_nothing(api, engine):
    """It waits for `100 Continue` before sending its body: the 413 comes instead, at once,
    and the connection closes without a byte of the body sent."""
    url = urlsplit(api.base_url)
    answer = b""
    with socket.create_connection((url.hostname, url.port), timeout=10) as connection:
        connection.sendall(
            b"POST /api/v1/reports HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAuthorization: Bearer "
            + api.token.encode()
            + b"\r\nExpect: 100-continue\r\nContent-Length: %d\r\n\r\n" % (MAX_BODY_BYTES + 10)
        )
        while data := connection.recv(65536):
            answer += data
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413 ") and b"connection: close" in head.lower(), answer
    assert json.loads(body) == {"error": f"request bodies are limited to {MAX_BODY_BYTES} bytes"}
    assert rows(engine, "SELECT count(*) FROM kpi_reading") == [(0,)]


def test_past_twenty_requests_a_second_a_token_waits(api):
    report = {"playbook": "support-replies", "kind": "kpi", "value": 1}
    answers = [api.post(report) for _ in range(30)]
    limited = [headers for status, _, headers in answers if status == 429]
    assert limited and limited[0]["Retry-After"] == "1"
