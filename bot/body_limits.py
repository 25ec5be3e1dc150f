"""Each request's body within its limits, for every route of the HTTP surface (bot/web.py):
at most MAX_BODY_BYTES, all of it within READ_SECONDS, refused with 413 or 408 and the
connection closed, the rest of a refused body read and thrown away so that its client reads
the answer; and the JSON answers the surface writes."""

from __future__ import annotations

import json
import logging
from typing import Any

import anyio
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_BODY_BYTES = 1024 * 1024  # Slack's own payloads are far smaller; anything bigger is not Slack

READ_SECONDS = 5.0  # a request's whole body must be in this long after its head


# A body refused for its size (413) is read to its end and thrown away, up to this much of
# it in all and within READ_SECONDS of its head, so that its client, which writes the
# whole body before it reads (http.client, requests), reads the 413 rather than a reset
# connection. 4 MiB: a body a little over the limit (an export that grew) costs reading
# at most 3 MiB more than the largest body taken, a buffer at a time (uvicorn's, some
# 64 KiB), never held whole and never waited for past the deadline any body has; one
# declared longer is nowhere near the limit and is answered at once, unread (its client,
# if still sending, may see the connection reset instead of the answer).
DISCARD_BYTES = 4 * MAX_BODY_BYTES

log = logging.getLogger("bot.web")  # the HTTP surface's log: one name for all of it


class BodyLimits:
    """Each request's body as the app reads it, in the event loop: refused with 413 when
    its Content-Length says more than MAX_BODY_BYTES or, streamed, once more than that has
    come; with 408 when it has not all come within READ_SECONDS of the request's head.
    Both answers close the connection. The limits hold for every route.

    Before a 413, or an app's answer given before it read the whole body (a 401 or 429),
    the rest of the body is read and thrown away (never stored, never logged), up to
    DISCARD_BYTES of it in all and until the body's deadline, so that a client still
    sending it reads the answer (as a server's "lingering close" lets it). A
    body declared longer than DISCARD_BYTES is not read at all, nor one whose client
    waits for `100 Continue` (`Expect: 100-continue`): uvicorn sends that only when the
    app first reads the body, so this client gets the 413 instead and sends nothing."""

    def __init__(
        self,
        app: ASGIApp,
        max_bytes: int = MAX_BODY_BYTES,
        seconds: float = READ_SECONDS,
        discard_bytes: int = DISCARD_BYTES,
    ):
        self.app, self.max_bytes, self.seconds, self.discard_bytes = app, max_bytes, seconds, discard_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        declared = headers.get("content-length", "")
        deadline = anyio.current_time() + self.seconds
        if declared.isdigit() and int(declared) > self.max_bytes:  # (the server refuses one not a number)
            if int(declared) <= self.discard_bytes and not _waits_to_send(scope, headers):
                await _discard(receive, 0, self.discard_bytes, deadline)
            await _too_large(scope["path"], self.max_bytes)(scope, receive, send)
            return
        received = 0
        whole = declared in ("", "0") and "transfer-encoding" not in headers  # no body: nothing to read
        refused = False

        async def limited() -> Message:
            nonlocal received, whole, refused
            if whole:  # after the body, only the end of the connection: no deadline
                return await receive()
            with anyio.move_on_after(deadline - anyio.current_time()):
                message = None
                message = await receive()
            if message is None or anyio.current_time() > deadline:  # (bytes that keep coming: too late all the same)
                refused = True
                log.info("refused a request to %s: its body did not come within %g s", scope["path"], self.seconds)
                raise HTTPException(408, f"the request's body did not come within {self.seconds:g} s")
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                whole = not message.get("more_body", False)
                if received > self.max_bytes:
                    refused = True
                    log.info("refused a request to %s: its body is over %d bytes", scope["path"], self.max_bytes)
                    if not whole:
                        await _discard(receive, received, self.discard_bytes, deadline)
                    raise HTTPException(413, f"request bodies are limited to {self.max_bytes} bytes")
            return message

        async def closing(message: Message) -> None:
            """An answer given before the request's body has all been read (BodyLimits'
            408 and 413, or an app's refusal that never read it, the API's 401, 429 or 415,
            /mcp's) closes the connection, whichever app's handler wrote it. Before an app's
            refusal, the rest of the body is read and thrown away as before a 413 (up to
            DISCARD_BYTES in all, within the body's deadline, not for a client that waits
            for `100 Continue`), so that a client still sending it reads the answer rather
            than a reset connection."""
            nonlocal whole
            if (refused or not whole) and message["type"] == "http.response.start":
                if not refused and not _waits_to_send(scope, headers):
                    await _discard(receive, received, self.discard_bytes, deadline)
                    whole = True
                message = {**message, "headers": [*message.get("headers", []), (b"connection", b"close")]}
            await send(message)

        await self.app(scope, limited, closing)


def _waits_to_send(scope: Scope, headers: Headers) -> bool:
    """Whether the client sends its body only once told `100 Continue` (h11's rule)."""
    return scope.get("http_version") == "1.1" and headers.get("expect", "").lower() == "100-continue"


async def _discard(receive: Receive, received: int, most: int, deadline: float) -> None:
    """Reads the rest of a refused body and throws it away: until its end, until `most`
    bytes of it have come in all (`received` of them already), or until `deadline`,
    whichever is first."""
    with anyio.move_on_after(deadline - anyio.current_time()):
        while received <= most:
            message = await receive()
            if message["type"] != "http.request" or not message.get("more_body", False):
                return
            received += len(message.get("body", b""))


def _too_large(path: str, limit: int) -> Response:
    log.info("refused a request to %s: it declares a body over %d bytes", path, limit)
    return error_answer(413, f"request bodies are limited to {limit} bytes", {"Connection": "close"})


def error_answer(status: int, error: str, headers: dict[str, str] | None = None) -> Response:
    return json_answer({"error": error}, status, headers)


def json_answer(body: dict[str, Any], status: int, headers: dict[str, str] | None = None) -> Response:
    """JSON as the bot has always written it (json.dumps, `{"ok": true}`)."""
    return Response(json.dumps(body), status, headers, media_type="application/json")
