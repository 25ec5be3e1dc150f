"""How every HTTP usage source (copilot, openai_usage, claude_code,
http_json) asks: one GET at a time, each within a deadline, read to a bound, with the
retries a vendor's API asks for and no more. As the numbers' sources do it
(sources/__init__.py): a redirect is said and never followed (no credential goes
elsewhere), and an error's words are safe to show (the secrets given are redacted, and a
redirect's address is said by its scheme and host only: its path or query may hold a
signed link's signature, a credential no one listed, or a person's name).

Retries, kept few so a pull that cannot succeed fails soon and says why (a failed pull is
"usage unknown" for the day, and the daily pull tries again tomorrow):
- 429, and GitHub's 403 with Retry-After (its secondary rate limit): wait what
  Retry-After says (seconds or an HTTP date), up to `Patience.max_wait`, at most
  `Patience.retries` times; a longer wait asked fails at once (a clock tick is not held
  for minutes). A 429 WITHOUT Retry-After is the source's call (`wait_unsaid`): GitHub's
  and OpenAI's docs say to back off and retry a secondary limit, so by default it is
  waited out `Patience.pause`; Anthropic's answer to a spend cap comes without one and
  waiting does not lift it, so the Claude Code source fails at once.
- 5xx: asked again once, after `Patience.pause`; a second 5xx fails the pull.
- anything else of 3xx/4xx fails the pull (`Refused` for a 4xx, its status kept), with
  the vendor's own message where it gives one.

`stream` asks so and hands a 2xx answer's body, as it comes, to the caller's consumer (an
NDJSON file of hundreds of MiB is read by its lines, never held whole); `get` is `stream`
with a consumer that reads the body whole, to a bound. One loop of waits serves both: the
first answer's Retry-After is waited like any other."""

from __future__ import annotations

import asyncio
import json
import math
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

import httpx

from outbound.http import innermost, read_raw
from sources import REDIRECTS, SourceFailed, redact
from sources.usage import TIMEOUT

MAX_ANSWER = 16 << 20  # a JSON page larger than 16 MiB is refused (1000 Claude Code records are about 1.5 MiB)
MAX_ERROR = 4096  # an error's body is read this far: enough for its message

T = TypeVar("T")
# what a 2xx answer's body is given to: its raw chunks as they come, and its headers
Consumer = Callable[[AsyncIterator[bytes], httpx.Headers], Awaitable[T]]


@dataclass(frozen=True)
class Patience:
    """How long a pull waits on a busy or failing server before it fails."""

    retries: int = 3  # rate-limited answers waited out, in one request's life
    max_wait: float = 60.0  # seconds: a Retry-After asking longer fails the pull at once
    pause: float = 1.0  # seconds before the one retry of a 5xx, and on a 429 that says no wait


PATIENCE = Patience()


@dataclass(frozen=True)
class Answer:
    """A 2xx answer: its headers (GitHub's `Link` pages) and its body, read whole to the
    bound (raw bytes: NDJSON is read by line, not as one JSON)."""

    headers: httpx.Headers
    body: bytes

    def json(self, what: str = "") -> Any:
        try:
            return json.loads(self.body)
        except ValueError:
            raise SourceFailed(_said(what, "the answer is not JSON")) from None


class Refused(SourceFailed):
    """A 4xx the caller may answer itself (an expired signed link): the status kept."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


async def get(
    client: httpx.AsyncClient,
    url: str | httpx.URL,
    *,
    what: str = "",
    headers: Mapping[str, str] | None = None,
    params: Mapping[str, str | int] | None = None,
    secrets: Sequence[str] = (),
    patience: Patience = PATIENCE,
    wait_unsaid: bool = True,
    limit: int = MAX_ANSWER,
    timeout: float = TIMEOUT,
) -> Answer:
    """GET `url` (its own query kept, `params` added) as the module's docstring says, its
    body read whole to `limit` bytes. `what` names the ask in an error ("the report of
    2026-01-05"); `secrets` are hidden from it; `wait_unsaid`: whether a 429 without
    Retry-After is waited out. Raises SourceFailed (Refused for a 4xx other than a rate
    limit)."""

    async def whole(chunks: AsyncIterator[bytes], answer_headers: httpx.Headers) -> Answer:
        body = await _read(chunks, limit)
        if len(body) > limit:
            raise SourceFailed(_said(what, f"the answer is larger than {limit >> 20} MiB"))
        return Answer(answer_headers, body)

    return await stream(
        client,
        url,
        whole,
        what=what,
        headers=headers,
        params=params,
        secrets=secrets,
        patience=patience,
        wait_unsaid=wait_unsaid,
        timeout=timeout,
    )


async def stream(
    client: httpx.AsyncClient,
    url: str | httpx.URL,
    consume: Consumer[T],
    *,
    what: str = "",
    headers: Mapping[str, str] | None = None,
    params: Mapping[str, str | int] | None = None,
    secrets: Sequence[str] = (),
    patience: Patience = PATIENCE,
    wait_unsaid: bool = True,
    timeout: float = TIMEOUT,
) -> T:
    """GET `url` as `get` does, waits and retries alike, but a 2xx answer's body is given,
    as it streams (raw: never decompressed), to `consume(chunks, headers)`, whose result is
    returned. `timeout` bounds each ask whole: connecting, the headers and the consumer's
    reading. The consumer bounds what it reads; its own SourceFailed is said as it says it
    (it names its place: `what` is not put before it), the secrets hidden. Raises
    SourceFailed (Refused for a 4xx other than a rate limit)."""
    hidden = [s for s in secrets if s]  # an empty one would be "found" everywhere
    try:
        address = httpx.URL(url)
        if params:  # merged only when given: merging re-encodes the query (a signed link's)
            address = address.copy_merge_params(dict(params))
        return await _patiently(client, address, dict(headers or {}), consume, patience, wait_unsaid, timeout)
    except httpx.InvalidURL as err:
        raise SourceFailed(_said(what, f"not a URL one can ask ({redact(str(err), hidden)})")) from None
    except _Consumed as err:
        raise SourceFailed(redact(str(err), hidden)) from None
    except SourceFailed as err:
        said = redact(_said(what, str(err)), hidden)
        raise (Refused(err.status, said) if isinstance(err, Refused) else SourceFailed(said)) from None


class _Consumed(SourceFailed):
    """A consumer's own SourceFailed, said as it said it."""


@dataclass(frozen=True)
class _Failed:
    """An answer other than a 2xx: its status, headers and body (to MAX_ERROR)."""

    status: int
    headers: httpx.Headers
    body: bytes


async def _patiently(
    client: httpx.AsyncClient,
    url: httpx.URL,
    headers: dict[str, str],
    consume: Consumer[T],
    patience: Patience,
    wait_unsaid: bool,
    timeout: float,
) -> T:
    limited = failed = 0
    while True:
        answer = await _once(client, url, headers, consume, timeout)
        if not isinstance(answer, _Failed):
            return answer
        status = answer.status
        if status == 429 or (status == 403 and "Retry-After" in answer.headers):
            wait = _wait(status, answer.headers.get("Retry-After"), limited, patience, wait_unsaid)
            limited += 1
            await asyncio.sleep(wait)
        elif status >= 500 and not failed:
            failed += 1
            await asyncio.sleep(patience.pause)
        else:
            raise _failure(status, answer.headers, answer.body)


async def _once(
    client: httpx.AsyncClient, url: httpx.URL, headers: dict[str, str], consume: Consumer[T], timeout: float
) -> T | _Failed:
    """One GET within `timeout` (connecting, the headers, the whole body): a 2xx's body
    consumed, else the answer (its body to MAX_ERROR)."""
    try:
        async with asyncio.timeout(timeout):
            async with client.stream("GET", url, headers=headers) as answer:
                if answer.status_code in REDIRECTS:
                    raise _redirected(answer)
                if answer.status_code >= 300:
                    return _Failed(answer.status_code, answer.headers, await read_raw(answer, MAX_ERROR))
                try:
                    return await consume(answer.aiter_raw(), answer.headers)
                except SourceFailed as err:
                    raise _Consumed(str(err)) from None
    except (TimeoutError, httpx.TimeoutException):
        raise SourceFailed(f"timeout: no answer within {timeout:g} s") from None
    except (httpx.TransportError, OSError) as err:  # refused, no such name, a cut answer
        cause = innermost(err)
        raise SourceFailed(f"unreachable ({str(cause) or type(cause).__name__})") from None


async def _read(chunks: AsyncIterator[bytes], limit: int) -> bytes:
    """The chunks joined, to `limit` + 1 bytes at most: a longer body is not waited for."""
    body = bytearray()
    async for chunk in chunks:
        body += chunk
        if len(body) > limit:
            break
    return bytes(body)


def _wait(status: int, after: str | None, limited: int, patience: Patience, wait_unsaid: bool) -> float:
    """The seconds to wait on a rate-limited answer; raises when it is not to be waited out:
    no Retry-After where the source does not wait those, too many waits, or too long a one."""
    wait = _seconds(after) if after is not None else None
    if wait is None and not wait_unsaid:
        raise SourceFailed(f"rate limited (HTTP {status} without a Retry-After)")
    if limited >= patience.retries:
        raise SourceFailed(f"rate limited (HTTP {status}) still after {limited} waits")
    if wait is None:
        return patience.pause
    if wait > patience.max_wait:
        raise SourceFailed(f"rate limited: asked to wait {wait:g} s, more than {patience.max_wait:g} s (HTTP {status})")
    return wait


def _seconds(after: str) -> float | None:
    """Retry-After as seconds: a number, or an HTTP date (RFC 9110); None: neither."""
    try:
        seconds = float(after)
    except ValueError:
        try:
            when = parsedate_to_datetime(after)
        except (TypeError, ValueError):
            return None
        when = when if when.tzinfo is not None else when.replace(tzinfo=UTC)
        seconds = (when - datetime.now(UTC)).total_seconds()
    return max(0.0, seconds) if math.isfinite(seconds) else math.inf


def _failure(status: int, headers: httpx.Headers, body: bytes) -> SourceFailed:
    detail = _detail(body)
    if status == 403 and headers.get("X-RateLimit-Remaining") == "0":
        return SourceFailed("rate limited (HTTP 403, the API's hourly limit is spent)")
    if status >= 500:
        return SourceFailed(f"the service failed: HTTP {status} twice{detail}")
    return Refused(status, f"refused: HTTP {status}{detail}")


def _detail(body: bytes) -> str:
    """An error answer's own words, " (...)" where it gives some: GitHub's `message`,
    OpenAI's, Graph's and Anthropic's `error.message` (or `error.code`, `error.type`), or
    a flat `error`; at most 200 characters."""
    try:
        data = json.loads(body)
    except ValueError:
        return ""
    if not isinstance(data, dict):
        return ""
    error = data.get("error")
    if isinstance(error, dict):
        said = error.get("message") or error.get("code") or error.get("type") or ""
    else:
        said = error or data.get("message") or ""
    return f" ({str(said)[:200]})" if said else ""


def _redirected(answer: httpx.Response) -> SourceFailed:
    """A redirect, said with the scheme and host it led to, nothing more: its path or
    query could hold a signature, a person's name or id."""
    location = answer.headers.get("Location")
    if not location:
        return SourceFailed(f"refused: HTTP {answer.status_code} without a Location")
    try:
        where = answer.request.url.join(location)
        host = where.host if ":" not in where.host else f"[{where.host}]"
        port = f":{where.port}" if where.port is not None else ""
    except httpx.InvalidURL:
        return SourceFailed(f"redirected (HTTP {answer.status_code}), not followed")
    if not where.scheme or not host:
        return SourceFailed(f"redirected (HTTP {answer.status_code}), not followed")
    return SourceFailed(f"redirected to {where.scheme}://{host[:100]}{port}, not followed")


def _said(what: str, text: str) -> str:
    return f"{what}: {text}" if what else text


def same_origin(url: str, base: str) -> bool:
    """Whether `url` (a next page's link) is on the API's own scheme, host and port: a
    token is sent nowhere else."""
    try:
        one, other = httpx.URL(url), httpx.URL(base)
    except httpx.InvalidURL:
        return False
    return (one.scheme, one.host, one.port) == (other.scheme, other.host, other.port)


def failed_safely(err: Exception, secrets: Sequence[str]) -> SourceFailed:
    """Any error of a pull as the SourceFailed it reports: its words with the secrets hidden
    (a pull's own checks, not only its GETs, may quote what a secret is in)."""
    hidden = [s for s in secrets if s]
    if isinstance(err, SourceFailed):
        return SourceFailed(redact(str(err), hidden)[:400])
    return SourceFailed(redact(f"failed: {type(err).__name__}: {err}", hidden)[:300])
