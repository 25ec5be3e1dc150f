"""The outbound adapter to the systems numbers are pulled from (docs/sources.md): one
question, one number or a `SourceFailed` whose words say why. Decides nothing, stores
nothing; secrets come from the environment passed in and never reach a message.

HTTP is the standard library's urllib: one GET is all either kind needs (Prometheus's
HTTP API, `/api/v1/query` with `time=`, answers plain JSON; a client library would add a
dependency for one call). SQL is SQLAlchemy, which the bot already speaks, on a
connection of its own per fetch (NullPool).

The timeout is a deadline for the whole fetch, not for each read: a server that trickles
a byte a second, or a query that runs long, fails when it is reached (HTTP: a timer shuts
the fetch's socket; SQL: `statement_timeout`, or SQLite's progress handler)."""

from __future__ import annotations

import contextlib
import http.client
import json
import math
import socket
import sqlite3
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from base64 import b64encode
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from cadence.sources import Entry

TIMEOUT = 10.0  # seconds: a source that hangs costs this, and no more
MAX_ANSWER = 1 << 20  # a JSON answer larger than 1 MiB is refused


class SourceFailed(Exception):
    """The source gave no number: `str(err)` says why, in words safe to show anyone."""


@dataclass(frozen=True)
class Window:
    """The week asked about: its bounds as instants in the playbook's zone."""

    week_start: datetime
    week_end: datetime


@dataclass(frozen=True)
class Source:
    """A source as the YAML gives it (`kind`, `url` or `url_env`, `token_env`), with its
    secrets read from `environ`."""

    kind: str
    url: str
    token: str | None

    @classmethod
    def of(cls, spec: Mapping[str, Any], environ: Mapping[str, str]) -> Source:
        url = spec.get("url") or environ.get(spec.get("url_env") or "", "")
        token = environ.get(spec["token_env"]) if spec.get("token_env") else None
        if not url:
            raise SourceFailed(f"environment variable {spec.get('url_env')} is not set")
        if spec.get("token_env") and not token:
            raise SourceFailed(f"environment variable {spec['token_env']} is not set")
        return cls(str(spec["kind"]), str(url), token)

    def secrets(self) -> list[str]:
        found = [s for s in (self.token, self.url) if s]
        try:
            password = make_url(self.url).password if self.kind == "sql" else urllib.parse.urlsplit(self.url).password
        except ValueError:  # an unparsable URL: it is hidden whole already
            password = None
        return found + ([str(password)] if password else [])


def fetch(source: Source, entry: Entry, window: Window, timeout: float = TIMEOUT) -> float:
    """The number `entry` asks `source` for the week `window`. Raises SourceFailed."""
    try:
        if source.kind == "prometheus":
            return _prometheus(source, entry.query or "", window, timeout)
        if source.kind == "sql":
            return _sql(source, entry.query or "", window, timeout)
        return _http(source, entry.path or "", window, timeout)
    except SourceFailed as err:
        raise SourceFailed(redact(str(err), source.secrets())) from None
    except Exception as err:  # noqa: BLE001 (anything a driver raises: said, never guessed)
        raise SourceFailed(redact(f"failed: {type(err).__name__}: {err}", source.secrets())[:300]) from None


def redact(message: str, secrets: list[str]) -> str:
    for secret in sorted(secrets, key=len, reverse=True):
        message = message.replace(secret, "[hidden]")
    return message


# ---- http and prometheus ----


class _Deadline:
    """The end of one fetch: its sockets are shut down when it comes, so no read of a
    trickling answer (headers or body) outlives it."""

    def __init__(self, timeout: float):
        self.at = time.monotonic() + timeout
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(timeout, self.expire)
        self._timer.daemon = True

    def __enter__(self) -> _Deadline:
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()

    def left(self) -> float:
        return max(0.001, self.at - time.monotonic())

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock)
            if self.expired:
                _shut(sock)

    def expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                _shut(sock)


def _shut(sock: socket.socket) -> None:
    """Shut the connection down under a blocked read (a TLS socket's own shutdown would
    touch its TLS state from this thread: the plain socket's is enough)."""
    with contextlib.suppress(OSError):  # closed already: the fetch ended
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


def _opener(deadline: _Deadline) -> urllib.request.OpenerDirector:
    """urllib's usual opener whose connections connect within what is left of `deadline`
    and are watched by it."""

    def watched(base: type[http.client.HTTPConnection]) -> type[http.client.HTTPConnection]:
        class Watched(base):  # type: ignore[valid-type,misc]
            def connect(self) -> None:
                self.timeout = deadline.left()
                self._create_connection = connected  # the plain socket, watched from before any TLS
                super().connect()
                deadline.watch(self.sock)  # the TLS socket (the plain one is detached by then)

        return Watched

    def connected(*args: Any, **kwargs: Any) -> socket.socket:
        sock = socket.create_connection(*args, **kwargs)
        deadline.watch(sock)
        return sock

    plain, tls = watched(http.client.HTTPConnection), watched(http.client.HTTPSConnection)

    class Http(urllib.request.HTTPHandler):
        def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
            return self.do_open(plain, req)

    class Https(urllib.request.HTTPSHandler):
        def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
            return self.do_open(tls, req, context=self._context)  # type: ignore[attr-defined]

    return urllib.request.build_opener(Http(), Https(), _NoRedirects())


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is that fetch's failure: never followed, so no header (a token, Basic
    credentials) reaches any URL but the configured one. (urllib's own handler follows
    to any host, https to http included, and copies Authorization along.)"""

    def http_error_302(self, req: urllib.request.Request, fp: Any, code: int, msg: str, headers: Any) -> Any:
        fp.close()
        location = headers.get("Location") or headers.get("URI")
        if not location:
            raise SourceFailed(f"refused: HTTP {code} without a Location")
        where = urllib.parse.urljoin(req.full_url, location)
        raise SourceFailed(f"redirected to {where[:200]}, not followed")

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302


def _get(source: Source, url: str, timeout: float) -> Any:
    parts = urllib.parse.urlsplit(url)
    headers = {"Accept": "application/json", "User-Agent": "rollout-cadence-bot"}
    if parts.username is not None:  # credentials in the URL (from url_env): sent as Basic
        pair = f"{urllib.parse.unquote(parts.username)}:{urllib.parse.unquote(parts.password or '')}"
        headers["Authorization"] = "Basic " + b64encode(pair.encode()).decode()
        netloc = (parts.hostname or "") + (f":{parts.port}" if parts.port else "")
        url = urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
    if source.token:
        headers["Authorization"] = f"Bearer {source.token}"
    request = urllib.request.Request(url, headers=headers)
    late = SourceFailed(f"timeout: no answer within {timeout:g} s")
    with _Deadline(timeout) as deadline:
        try:
            with _opener(deadline).open(request, timeout=timeout) as answer:
                body = answer.read(MAX_ANSWER + 1)
        except urllib.error.HTTPError as err:
            if deadline.expired:
                raise late from None
            detail = _error_text(err)
            raise SourceFailed(f"refused: HTTP {err.code}" + (f" ({detail})" if detail else "")) from None
        except (OSError, http.client.HTTPException) as err:  # URLError, a timeout, a reset, a cut answer
            reason = err.reason if isinstance(err, urllib.error.URLError) else err
            if deadline.expired or isinstance(reason, TimeoutError):
                raise late from None
            raise SourceFailed(f"unreachable ({reason})") from None
        if deadline.expired:  # the socket was shut under the last read: what came is not the answer
            raise late
    if len(body) > MAX_ANSWER:
        raise SourceFailed("the answer is larger than 1 MiB")
    try:
        return json.loads(body)
    except ValueError:
        raise SourceFailed("the answer is not JSON") from None


def _error_text(err: urllib.error.HTTPError) -> str:
    try:
        data = json.loads(err.read(4096))
        return str(data.get("error", ""))[:200] if isinstance(data, dict) else ""
    except (ValueError, OSError):
        return ""


def _prometheus(source: Source, query: str, window: Window, timeout: float) -> float:
    """An instant query evaluated at the week's end: one sample or a scalar."""
    params = urllib.parse.urlencode({"query": query, "time": f"{window.week_end.timestamp():.3f}"})
    answer = _get(source, source.url.rstrip("/") + "/api/v1/query?" + params, timeout)
    data = answer.get("data") if isinstance(answer, dict) else None
    if not isinstance(data, dict) or answer.get("status") != "success":
        raise SourceFailed("refused: not a Prometheus query answer")
    kind, result = data.get("resultType"), data.get("result")
    if kind == "scalar":
        return _number(result[1] if isinstance(result, list) and len(result) == 2 else None)
    if kind != "vector" or not isinstance(result, list):
        raise SourceFailed(f"the query returned a {kind}, not one number (use an instant vector or a scalar)")
    if len(result) != 1:
        if not result:
            raise SourceFailed("no series came back: nothing matched at the week's end")
        raise SourceFailed(f"{len(result)} series came back, not one (aggregate them, e.g. with sum or avg)")
    return _number(result[0].get("value", [None, None])[1])


def _http(source: Source, path: str, window: Window, timeout: float) -> float:
    """GET with week_start and week_end (ISO 8601 with their offset); the number at `path`."""
    params = urllib.parse.urlencode(
        {"week_start": window.week_start.isoformat(), "week_end": window.week_end.isoformat()}
    )
    url = source.url + ("&" if urllib.parse.urlsplit(source.url).query else "?") + params
    found: Any = _get(source, url, timeout)
    for part in path.split("."):
        if isinstance(found, list) and part.isdigit() and int(part) < len(found):
            found = found[int(part)]
        elif isinstance(found, dict) and part in found:
            found = found[part]
        else:
            raise SourceFailed(f"no value at path {path} of the answer")
    return _number(found)


def _number(value: Any) -> float:
    if isinstance(value, bool) or value is None:
        raise SourceFailed(f"not a number: {json.dumps(value)}")
    if isinstance(value, (int, float, Decimal)):
        number = float(value)
    else:
        try:
            number = float(str(value))
        except ValueError:
            raise SourceFailed(f"not a number: {str(value)[:40]!r}") from None
    if math.isnan(number):
        raise SourceFailed("the value is NaN")
    if math.isinf(number):
        raise SourceFailed("the value is infinite")
    return number


# ---- sql ----


def _sql(source: Source, query: str, window: Window, timeout: float) -> float:
    """One row of one number, read in a read-only transaction; connecting and the
    statement together within `timeout` (the statement gets what connecting left)."""
    deadline = time.monotonic() + timeout
    url = make_url(source.url)
    sqlite = url.get_backend_name() == "sqlite"
    if sqlite:
        params: dict[str, Any] = {
            "week_start": window.week_start.astimezone(UTC).isoformat(),
            "week_end": window.week_end.astimezone(UTC).isoformat(),
        }
        connect_args: dict[str, Any] = {"timeout": timeout}
    else:
        params = {"week_start": window.week_start, "week_end": window.week_end}
        connect_args = {"connect_timeout": max(1, math.ceil(timeout))}  # libpq's unit is whole seconds
    if sqlite and url.database and url.database != ":memory:":  # opened read-only: a missing file is not made
        path = urllib.parse.quote(url.database)
        engine = create_engine(
            "sqlite://",
            poolclass=NullPool,
            creator=lambda: sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=timeout),
        )
    else:
        engine = create_engine(url, poolclass=NullPool, connect_args=connect_args)
    if sqlite:
        event.listen(engine, "connect", lambda conn, _: _sqlite_deadline(conn, deadline))
    late = SourceFailed(f"timeout: no answer within {timeout:g} s")
    try:
        with engine.connect() as connection:
            if sqlite:
                connection.exec_driver_sql("PRAGMA query_only = ON")
            else:
                left = deadline - time.monotonic()
                if left <= 0:  # connecting took it all
                    raise late
                connection.exec_driver_sql("SET TRANSACTION READ ONLY")
                connection.exec_driver_sql(f"SET LOCAL statement_timeout = {max(1, int(left * 1000))}")
            rows = connection.execute(text(query), params).fetchmany(2)
            connection.rollback()
    except SQLAlchemyError as err:
        first = str(getattr(err, "orig", None) or err).strip().splitlines()[0][:200]
        if "statement timeout" in first or "interrupted" in first or "timeout expired" in first:
            raise late from None
        if "connect" in first.lower() or "unable to open" in first:
            raise SourceFailed(f"unreachable ({first})") from None
        raise SourceFailed(f"refused: {first}") from None
    finally:
        engine.dispose()
    if not rows:
        raise SourceFailed("no rows came back")
    if len(rows) > 1 or len(rows[0]) != 1:
        raise SourceFailed("more than one value came back: return one row of one number")
    return _number(rows[0][0])


def _sqlite_deadline(connection: sqlite3.Connection, deadline: float) -> None:
    """SQLite has no statement timeout: a progress handler interrupts the statement."""
    connection.set_progress_handler(lambda: int(time.monotonic() > deadline), 10_000)
