"""The outbound adapter to the systems numbers are pulled from (docs/sources.md): one
question, one number or a `SourceFailed` whose words say why. Decides nothing, stores
nothing; secrets come from the environment passed in and never reach a message.

The fetches of a pass run in one event loop (`each`), at most `workers` at once. HTTP
(Prometheus's `/api/v1/query` with `time=`, and `http` sources) is httpx: one
`AsyncClient` a pass, redirects answered and never followed, no proxy or .netrc from
the environment, the system's trusted authorities, the answer streamed and read to
1 MiB at most. SQL is SQLAlchemy, which the bot already speaks, on a connection of its
own per fetch (NullPool), in a thread.

The timeout is a deadline for the whole fetch, not for each read: a server that trickles
a byte a second, or a query that runs long, fails when it is reached (HTTP:
`asyncio.timeout` over the whole GET; SQL: `statement_timeout`, or SQLite's progress
handler)."""

from __future__ import annotations

import asyncio
import json
import math
import sqlite3
import time
import urllib.parse
from collections.abc import Awaitable, Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from functools import partial
from typing import Any, TypeVar

import httpx
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from cadence.sources import Entry, SourceSpec
from outbound.http import innermost, read_raw, system_tls

TIMEOUT = 10.0  # seconds: a source that hangs costs this, and no more
MAX_ANSWER = 1 << 20  # a JSON answer larger than 1 MiB is refused
REDIRECTS = (301, 302, 303, 307, 308)  # said, never followed

T = TypeVar("T")
R = TypeVar("R")


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
    def of(cls, spec: SourceSpec, environ: Mapping[str, str]) -> Source:
        url = spec.url or environ.get(spec.url_env or "", "")
        token = environ.get(spec.token_env) if spec.token_env else None
        if not url:
            raise SourceFailed(f"environment variable {spec.url_env} is not set")
        if spec.token_env and not token:
            raise SourceFailed(f"environment variable {spec.token_env} is not set")
        return cls(spec.kind, url, token)

    def secrets(self) -> list[str]:
        found = [s for s in (self.token, self.url) if s]
        try:
            password = make_url(self.url).password if self.kind == "sql" else urllib.parse.urlsplit(self.url).password
        except ValueError:  # an unparsable URL: it is hidden whole already
            password = None
        return found + ([str(password)] if password else [])


def fetch(source: Source, entry: Entry, window: Window, timeout: float = TIMEOUT) -> float:
    """The number `entry` asks `source` for the week `window`, asked on its own (the clock
    asks many at once: `each`). Raises SourceFailed."""

    async def one(fetcher: Fetcher, _: None) -> float:
        return await fetcher.fetch(source, entry, window)

    return each([None], one, 1, timeout)[0]


def each(items: Sequence[T], work: Callable[[Fetcher, T], Awaitable[R]], workers: int, timeout: float) -> list[R]:
    """`work(fetcher, item)` for every item, at most `workers` at once, started in the
    items' order, in an event loop of its own: the results, in that order."""

    async def run() -> list[R]:
        limit = asyncio.Semaphore(workers)
        # name lookups run in the loop's default threads (a handful by default): one for
        # each fetch under way, so that no lookup waits behind another source's
        asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor(workers, thread_name_prefix="source-lookup"))
        async with Fetcher(workers, timeout) as fetcher:

            async def one(item: T) -> R:
                async with limit:
                    return await work(fetcher, item)

            return await asyncio.gather(*(one(item) for item in items))

    loop = asyncio.new_event_loop()  # not asyncio.run, which would wait on a name lookup that hangs
    try:
        return loop.run_until_complete(run())
    finally:
        loop.close()


class Fetcher:
    """The fetches of one pass, in one event loop: http and prometheus through one httpx
    `AsyncClient` (at most `workers` connections, kept open between fetches to one host),
    sql in `workers` threads of its own."""

    def __init__(self, workers: int, timeout: float):
        self.timeout = timeout
        self._workers = workers
        self._client = httpx.AsyncClient(
            verify=system_tls(),
            follow_redirects=False,  # a redirect is the fetch's failure: no credential goes elsewhere
            trust_env=False,  # no proxy from the environment, no .netrc: straight to the URL, with what it says
            limits=httpx.Limits(max_connections=workers, max_keepalive_connections=workers),
            timeout=httpx.Timeout(timeout),  # backs up the deadline of the whole fetch (`_get`)
            # asked uncompressed, and read as it came (`read_raw`): 1 MiB read is 1 MiB held
            headers={"Accept": "application/json", "Accept-Encoding": "identity", "User-Agent": "rollout-cadence-bot"},
        )
        self._threads: ThreadPoolExecutor | None = None

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._client.aclose()
        if self._threads is not None:
            self._threads.shutdown(wait=False)

    async def fetch(self, source: Source, entry: Entry, window: Window) -> float:
        """The number `entry` asks `source` for the week `window`. Raises SourceFailed."""
        try:
            if source.kind == "prometheus":
                return _prometheus_number(await self._get(source, _prometheus_url(source, entry.query or "", window)))
            if source.kind == "sql":
                if self._threads is None:
                    self._threads = ThreadPoolExecutor(self._workers, thread_name_prefix="source-sql")
                call = partial(_sql, source, entry.query or "", window, self.timeout)
                return await asyncio.get_running_loop().run_in_executor(self._threads, call)
            return _at_path(await self._get(source, _http_url(source, window)), entry.path or "")
        except SourceFailed as err:
            raise SourceFailed(redact(str(err), source.secrets())) from None
        except Exception as err:  # noqa: BLE001 (anything a driver raises: said, never guessed)
            raise SourceFailed(redact(f"failed: {type(err).__name__}: {err}", source.secrets())[:300]) from None

    async def _get(self, source: Source, address: str) -> Any:
        """GET `address` and parse its JSON, all of it within the timeout (connecting, the
        headers, the whole body: however slowly bytes come). Credentials in the URL (from
        url_env) are sent as Basic; a token as Bearer."""
        url, auth, headers = _credentials(source, httpx.URL(address))
        try:
            async with asyncio.timeout(self.timeout):
                async with self._client.stream("GET", url, headers=headers, auth=auth) as answer:
                    if answer.status_code in REDIRECTS:
                        raise _redirected(answer)
                    if answer.status_code >= 300:
                        detail = _error_text(await read_raw(answer, 4096))
                        raise SourceFailed(f"refused: HTTP {answer.status_code}" + (f" ({detail})" if detail else ""))
                    body = await read_raw(answer, MAX_ANSWER)
        except (TimeoutError, httpx.TimeoutException):
            raise SourceFailed(f"timeout: no answer within {self.timeout:g} s") from None
        except (httpx.TransportError, OSError) as err:  # refused, no such name, a cut answer
            cause = innermost(err)  # the refused connection, the name not found
            raise SourceFailed(f"unreachable ({str(cause) or type(cause).__name__})") from None
        if len(body) > MAX_ANSWER:
            raise SourceFailed("the answer is larger than 1 MiB")
        try:
            return json.loads(body)
        except ValueError:
            raise SourceFailed("the answer is not JSON") from None


def _credentials(source: Source, url: httpx.URL) -> tuple[httpx.URL, httpx.BasicAuth | None, dict[str, str]]:
    """The URL without its credentials, sent as Basic instead; or the source's token, as Bearer."""
    auth, headers = None, {}
    if url.userinfo:
        auth = httpx.BasicAuth(url.username, url.password)
        url = url.copy_with(userinfo=b"")
    if source.token:
        auth, headers = None, {"Authorization": f"Bearer {source.token}"}
    return url, auth, headers


def redact(message: str, secrets: list[str]) -> str:
    for secret in sorted(secrets, key=len, reverse=True):
        message = message.replace(secret, "[hidden]")
    return message


# ---- http and prometheus ----


def _redirected(answer: httpx.Response) -> SourceFailed:
    location = answer.headers.get("Location")
    if not location:
        return SourceFailed(f"refused: HTTP {answer.status_code} without a Location")
    try:
        where = str(answer.request.url.join(location))
    except httpx.InvalidURL:
        where = location
    return SourceFailed(f"redirected to {where[:200]}, not followed")


def _error_text(body: bytes) -> str:
    try:
        data = json.loads(body)
    except ValueError:
        return ""
    return str(data.get("error", ""))[:200] if isinstance(data, dict) else ""


def _prometheus_url(source: Source, query: str, window: Window) -> str:
    """An instant query evaluated at the week's end."""
    params = urllib.parse.urlencode({"query": query, "time": f"{window.week_end.timestamp():.3f}"})
    return source.url.rstrip("/") + "/api/v1/query?" + params


def _prometheus_number(answer: Any) -> float:
    """One sample or a scalar."""
    data = answer.get("data") if isinstance(answer, dict) else None
    if not isinstance(data, dict) or answer.get("status") != "success":
        raise SourceFailed("refused: not a Prometheus query answer")
    kind, result = data.get("resultType"), data.get("result")
    if kind == "scalar":
        return _number(result[1] if isinstance(result, list) and len(result) == 2 else None)
    if kind != "vector" or not isinstance(result, list):
        raise SourceFailed(f"the query returned a {kind}, not one number (use an instant vector or a scalar)")
    return _one_sample(result)


def _one_sample(result: list[Any]) -> float:
    """The number of an instant vector's one series."""
    if len(result) != 1:
        if not result:
            raise SourceFailed("no series came back: nothing matched at the week's end")
        raise SourceFailed(f"{len(result)} series came back, not one (aggregate them, e.g. with sum or avg)")
    return _number(result[0].get("value", [None, None])[1])


def _http_url(source: Source, window: Window) -> str:
    """The URL with week_start and week_end (ISO 8601 with their offset)."""
    params = urllib.parse.urlencode(
        {"week_start": window.week_start.isoformat(), "week_end": window.week_end.isoformat()}
    )
    return source.url + ("&" if urllib.parse.urlsplit(source.url).query else "?") + params


def _at_path(found: Any, path: str) -> float:
    """The number at the dotted `path` of an answer."""
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
    params, connect_args = _sql_params(window, sqlite, timeout)
    engine = _sql_engine(url, sqlite, connect_args, timeout)
    if sqlite:
        event.listen(engine, "connect", lambda conn, _: _sqlite_deadline(conn, deadline))
    late = SourceFailed(f"timeout: no answer within {timeout:g} s")
    try:
        with engine.connect() as connection:
            _read_only(connection, sqlite, deadline, late)
            rows = connection.execute(text(query), params).fetchmany(2)
            connection.rollback()
    except SQLAlchemyError as err:
        raise _sql_failure(err, late) from None
    finally:
        engine.dispose()
    if not rows:
        raise SourceFailed("no rows came back")
    if len(rows) > 1 or len(rows[0]) != 1:
        raise SourceFailed("more than one value came back: return one row of one number")
    return _number(rows[0][0])


def _sql_params(window: Window, sqlite: bool, timeout: float) -> tuple[dict[str, Any], dict[str, Any]]:
    """The query's week_start and week_end (SQLite's as UTC ISO 8601 text), and how to
    connect within `timeout`."""
    if sqlite:
        params: dict[str, Any] = {
            "week_start": window.week_start.astimezone(UTC).isoformat(),
            "week_end": window.week_end.astimezone(UTC).isoformat(),
        }
        connect_args: dict[str, Any] = {"timeout": timeout}
    else:
        params = {"week_start": window.week_start, "week_end": window.week_end}
        connect_args = {"connect_timeout": max(1, math.ceil(timeout))}  # libpq's unit is whole seconds
    return params, connect_args


def _sql_engine(url: URL, sqlite: bool, connect_args: dict[str, Any], timeout: float) -> Engine:
    """The engine for one ask: a SQLite file opened read-only (a missing file is not made)."""
    if sqlite and url.database and url.database != ":memory:":  # opened read-only: a missing file is not made
        path = urllib.parse.quote(url.database)
        return create_engine(
            "sqlite://",
            poolclass=NullPool,
            creator=lambda: sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=timeout),
        )
    return create_engine(url, poolclass=NullPool, connect_args=connect_args)


def _read_only(connection: Connection, sqlite: bool, deadline: float, late: SourceFailed) -> None:
    """The connection made read-only, and a server's statement given what connecting left
    of the time (`late`, raised where connecting took it all)."""
    if sqlite:
        connection.exec_driver_sql("PRAGMA query_only = ON")
        return
    left = deadline - time.monotonic()
    if left <= 0:  # connecting took it all
        raise late
    connection.exec_driver_sql("SET TRANSACTION READ ONLY")
    connection.exec_driver_sql(f"SET LOCAL statement_timeout = {max(1, int(left * 1000))}")


def _sql_failure(err: SQLAlchemyError, late: SourceFailed) -> SourceFailed:
    """A driver's error as the failure it says: too late, unreachable, or refused."""
    first = str(getattr(err, "orig", None) or err).strip().splitlines()[0][:200]
    if "statement timeout" in first or "interrupted" in first or "timeout expired" in first:
        return late
    if "connect" in first.lower() or "unable to open" in first:
        return SourceFailed(f"unreachable ({first})")
    return SourceFailed(f"refused: {first}")


def _sqlite_deadline(connection: sqlite3.Connection, deadline: float) -> None:
    """SQLite has no statement timeout: a progress handler interrupts the statement."""
    connection.set_progress_handler(lambda: int(time.monotonic() > deadline), 10_000)
