"""The HTTP surface, one ASGI application (Starlette) served by uvicorn: Slack's requests
at POST /slack/events, health at GET /healthz, figures for Prometheus at GET /metrics,
GET / to the web view, /api and /web mounted from the reporting API and the web view,
which declare routes of their own, and an assistant's tools at /mcp (bot/assistant.py). A path no route has is 404, another method 405 with
the ones it has (`Allow`), each answered as JSON `{"error": ...}` (handlers/http_errors.py,
the one answer of every app of the process to an HTTP error).

Every request's body is read in the event loop (BodyLimits): one declared over 1 MiB is
refused with 413, one that grows past 1 MiB as it streams in (chunked) with 413 once it
has, and one not all in within READ_SECONDS of its head with 408; each of these answers
closes the connection. Before a 413, or any answer an app gives before it read the whole
body (the API's 401 or 429), the rest of the body, up to DISCARD_BYTES in all, is read
and thrown away by its deadline, so that a client still sending it reads the answer; one
declared longer, or whose client waits for `100 Continue`, is not read at all. Nothing waits for a slow client on a thread: what blocks (Bolt, the database) runs
in the thread pool once the body is in.

A request to /slack/events is then checked here, in this order, before anything else
reads it, so a hostile or broken one costs nothing and never reaches a traceback:

1. its Slack signature is verified, here and only here (slack_sdk's SignatureVerifier;
   Bolt is told not to check again): unsigned, tampered or older than 5 minutes gets 401,
   and nothing of the body is parsed;
2. then its shape: anything that is not a form or JSON body in UTF-8 (for forms, a JSON
   `payload` if one is given), whose ids are not Slack's ids, or whose parts are not of
   the types Slack sends, gets 400;
3. then Bolt dispatches it, in the thread pool (Bolt's own Starlette adapter would run
   its listeners inside the event loop, holding every other request meanwhile).

Each refusal is one log line; no body is ever logged.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import threading
import time
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

import anyio
import anyio.to_thread
import click
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from slack_sdk.errors import SlackApiError
from slack_sdk.signature import SignatureVerifier
from sqlalchemy.exc import DBAPIError
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot import healthz, metrics
from bot.assistant import http_edge
from bot.healthz import TokenProbe
from handlers import http_errors
from handlers.api import make_api
from handlers.web_view import make_web_view
from storage.store import Store

if TYPE_CHECKING:
    from slack_bolt import App

    from bot.app import RolloutApp
    from bot.processes import Clockwork
    from bot.settings import Settings
    from slack_api.members import TeamDirectory
    from slack_api.workspace import Unverified, Workspace

EVENTS_PATH = "/slack/events"
API_PREFIX = "/api"  # the reporting API (handlers/api.py, docs/api.md)
WEB_PREFIX = "/web"  # the web view (handlers/web_view.py)
MCP_PATH = "/mcp"  # an assistant's tools (bot/assistant.py, docs/mcp.md), with the `mcp` extra
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
THREADS = 8  # each process's pool for what blocks (Bolt, the database): fewer than its engine's connections

log = logging.getLogger(__name__)


class Malformed(Exception):
    """A request that cannot be Slack's: answered 400 with this reason."""


def make_asgi(
    app: RolloutApp, store: Store, clock: Callable[[], datetime] | None = None, slack_events: bool = True
) -> ASGIApp:
    """The ASGI application around a Bolt app; `clock` is the current instant (tests move it).
    `slack_events`: Slack's requests arrive here (HTTP mode); in Socket Mode they come over
    Slack's connection, and everything else is served all the same."""
    slack: list[BaseRoute] = []
    if slack_events:
        if not app.signing_secret:
            raise ValueError("serving Slack over HTTP needs SLACK_SIGNING_SECRET")
        verifier = SignatureVerifier(app.signing_secret)
        slack = [Route(EVENTS_PATH, partial(_slack_events, verifier, app), methods=["POST"])]
    now = clock or (lambda: datetime.now(UTC))
    view = make_web_view(
        app.services,
        app.session_secret,
        secure=(app.services.web_url or "").startswith("https://"),
        workspace_team=lambda: _team_of(app),
    )
    # An assistant's tools at /mcp (bot/assistant.py), with the `mcp` extra; its session
    # manager runs for the app's life (the lifespan). POST only: a stateless server answered
    # in JSON offers no SSE stream (GET) and no session to end (DELETE), so those are 405
    # with `Allow: POST`, as the transport's spec has a server without a stream answer.
    assistant = http_edge(app.services, MAX_BODY_BYTES)
    mcp = [] if assistant is None else [Route(MCP_PATH, assistant, methods=["POST"])]
    # What the process answers; the API and the web view each declare routes of their own.
    return application(
        Mount(API_PREFIX, make_api(app.services)),  # handlers/api.py, docs/api.md
        *web_view_routes(view),
        Route("/healthz", partial(_healthz, app, store, now, TokenProbe(app)), methods=["GET"]),
        Route("/metrics", partial(_metrics, app, store, now), methods=["GET"]),
        *mcp,
        *slack,
        running=[] if assistant is None else [assistant.lifespan],
    )


def application(*routes: BaseRoute, running: Sequence[Callable[[], AbstractAsyncContextManager[None]]] = ()) -> ASGIApp:
    """An app of these routes, with every request's body held to BodyLimits and every
    error the app answers itself (404, 405 with `Allow`, BodyLimits' 408 and 413, which it
    closes the connection after) as JSON (handlers/http_errors.py), and the startup every
    server of it runs (`_lifespan`; the tests' server runs it too, tests/conftest.py),
    with what `running` names running beside it (the MCP session manager) while it serves."""
    return Starlette(
        routes=list(routes),
        middleware=[Middleware(BodyLimits)],
        exception_handlers={HTTPException: http_errors.as_json},
        lifespan=partial(_lifespan, list(running)),
    )


@contextlib.asynccontextmanager
async def _lifespan(
    running: list[Callable[[], AbstractAsyncContextManager[None]]], app: Starlette
) -> AsyncIterator[None]:
    """The server's event loop runs what blocks in at most THREADS threads (anyio's
    default pool, which run_in_threadpool and the mounted apps' sync routes take, has 40);
    and what runs beside the app, from its start to its end."""
    anyio.to_thread.current_default_thread_limiter().total_tokens = THREADS
    async with contextlib.AsyncExitStack() as stack:
        for each in running:
            await stack.enter_async_context(each())
        yield


def web_view_routes(view: ASGIApp) -> list[BaseRoute]:
    """The web view (handlers/web_view.py) at /web, and GET / to it (bot/demo/view.py too).
    `/web` itself is redirected to `/web/` (Starlette's router, for a mount)."""
    return [Mount(WEB_PREFIX, view), Route("/", _to_web_view, methods=["GET"])]


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
    return _error(413, f"request bodies are limited to {limit} bytes", {"Connection": "close"})


def _error(status: int, error: str, headers: dict[str, str] | None = None) -> Response:
    return _json_answer({"error": error}, status, headers)


def _json_answer(body: dict[str, Any], status: int, headers: dict[str, str] | None = None) -> Response:
    """JSON as the bot has always written it (json.dumps, `{"ok": true}`)."""
    return Response(json.dumps(body), status, headers, media_type="application/json")


async def _to_web_view(request: Request) -> Response:
    """`GET /`: a person who typed the bot's address."""
    return RedirectResponse(WEB_PREFIX + "/", 303)


async def _slack_events(verifier: SignatureVerifier, bolt: App, request: Request) -> Response:
    """`POST /slack/events`: checked as the module says, then Bolt's, in the thread pool."""
    body = await request.body()
    if not _signed(verifier, request.headers, body):
        log.info("refused a request to %s: invalid request signature, or older than 5 minutes", EVENTS_PATH)
        return _error(401, "invalid request signature")
    try:
        _check_shape(request.headers, body)
    except Malformed as err:
        log.info("refused a malformed request to %s: %s", EVENTS_PATH, err)
        return _error(400, str(err))
    answer = await run_in_threadpool(bolt.dispatch, to_bolt_request(request, body))
    return to_starlette_response(answer)


async def _healthz(
    app: RolloutApp, store: Store, now: Callable[[], datetime], probe: TokenProbe, request: Request
) -> Response:
    answer, ok = await run_in_threadpool(healthz.answer, app, store, now, probe)
    return _json_answer(answer, 200 if ok else 503)


async def _metrics(app: RolloutApp, store: Store, now: Callable[[], datetime], request: Request) -> Response:
    forwarded = "x-forwarded-for" in request.headers or "forwarded" in request.headers
    client = request.client.host if request.client else None
    refusal = metrics.refused(app.metrics_token, request.headers.get("authorization", ""), client, forwarded)
    if refusal is not None:
        return _error(*refusal, {"WWW-Authenticate": "Bearer"} if refusal[0] == 401 else None)
    try:
        page = await run_in_threadpool(metrics.exposition, store, now)
    except Exception:
        log.warning("metrics: the database did not answer", exc_info=True)
        return _error(503, "database unreachable")
    return Response(page, 200, media_type=metrics.CONTENT_TYPE)


def _team_of(app: RolloutApp) -> str | None:
    """The bot's workspace, as Slack said (auth.test): whose people may sign in with Slack."""
    workspace = app.guard.workspace(app.slack_client())
    return workspace.team_id if workspace is not None else None


def _signed(verifier: SignatureVerifier, headers: Headers, body: bytes) -> bool:
    """Whether Slack signed this body in the last 5 minutes. (Slack signs UTF-8 text: any
    other body, which slack_sdk's verifier cannot even read, is not signed by Slack.)"""
    timestamp = headers.get("x-slack-request-timestamp", "")
    signature = headers.get("x-slack-signature", "")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return timestamp.isdigit() and len(timestamp) < 12 and verifier.is_valid(text, timestamp, signature)


# Slack's ids: a capital letter for the kind (U, W, B, C, G, D, T, E, A, ...) and capitals
# and digits; today 9 to 11 characters long.
SLACK_ID = re.compile(r"[A-Z][A-Z0-9]{1,31}")
# Where a Slack request carries ids: as fields of the command form, of an event envelope
# and its event, and as the `id` of the objects of an interaction payload.
ID_FIELDS = ("user_id", "channel_id", "team_id", "api_app_id", "enterprise_id")
ID_OBJECTS = ("user", "team", "channel", "enterprise")


def _check_shape(headers: Headers, body: bytes) -> None:
    """Raises Malformed unless a signed body has the shape of a Slack request: the types
    Slack sends where Bolt and the listeners look, and Slack's ids where ids go."""
    content_type = headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type not in ("application/x-www-form-urlencoded", "application/json"):
        raise Malformed("Slack sends application/x-www-form-urlencoded or application/json")
    text = body.decode("utf-8")  # it was signed: UTF-8 (_signed)
    if content_type == "application/json":
        envelope = _json(text)
        if not isinstance(envelope, dict):
            raise Malformed("the body is not a JSON object")
        _check_ids(envelope)
        if "event" in envelope:
            event = envelope["event"]
            if not isinstance(event, dict) or not isinstance(event.get("type"), str):
                raise Malformed("event is not an object with a type")
            _check_ids(event)
        return
    try:
        form = parse_qs(text, keep_blank_values=True, strict_parsing=bool(text), max_num_fields=1000)
    except ValueError:
        raise Malformed("the body is not a valid form") from None
    if "payload" not in form:
        _check_ids({k: v[0] for k, v in form.items()})
        return
    try:
        payload = _json(form["payload"][0])
    except Malformed:
        payload = None
    if not isinstance(payload, dict) or not isinstance(payload.get("type"), str):
        raise Malformed("payload is not a JSON object with a type")
    _check_ids(payload)
    for name in ID_OBJECTS:  # in an interaction's payload, each of these is an object with an id
        if payload.get(name) is not None and not isinstance(payload[name], dict):
            raise Malformed(f"payload.{name} is not an object")
    actions = payload.get("actions", [])
    if not (isinstance(actions, list) and all(isinstance(a, dict) for a in actions)):
        raise Malformed("payload.actions is not a list of objects")
    for name in ("view", "container", "message", "state"):
        if payload.get(name) is not None and not isinstance(payload[name], dict):
            raise Malformed(f"payload.{name} is not an object")
    if isinstance(payload.get("view"), dict):
        _check_view(payload["view"])


def _check_view(view: dict[str, Any]) -> None:
    """A form as Slack sends it back: its type, texts where the listeners read text, and
    its state's values by block and action, each an object (the element's state)."""
    if not isinstance(view.get("type"), str):
        raise Malformed("payload.view has no type")
    for name in ("callback_id", "private_metadata"):
        if view.get(name) is not None and not isinstance(view[name], str):
            raise Malformed(f"payload.view.{name} is not text")
    state = view.get("state")
    if state is None:
        return
    if not isinstance(state, dict):
        raise Malformed("payload.view.state is not an object")
    values = state.get("values")
    if values is not None and not (
        isinstance(values, dict)
        and all(
            isinstance(block, dict) and all(isinstance(element, dict) for element in block.values())
            for block in values.values()
        )
    ):
        raise Malformed("payload.view.state.values is not objects of objects by block and action")


def _check_ids(part: dict[str, Any]) -> None:
    for name in ID_FIELDS + ID_OBJECTS:
        value = part.get(name)
        if name in ID_OBJECTS and isinstance(value, dict):
            value = value.get("id")
        if value not in (None, "") and not (isinstance(value, str) and SLACK_ID.fullmatch(value)):
            raise Malformed(f"{name} is not a Slack id")


def _json(text: str) -> object:
    try:
        return json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        raise Malformed("the body is not valid JSON") from None


def create() -> ASGIApp:
    """The ASGI application for a server of its own, from the environment (uvicorn's
    factory, which `rollout web`, the Procfile's `web`, gives its workers). Each worker process builds its own
    app, engine and caches; the clock runs in a process of its own (`rollout clock`).
    A database that does not answer does not end the process (a platform would only
    start it again, and again): it serves `Waiting` until it can build the app."""
    try:
        return serving(with_clock=False)[0]
    except Exception as err:  # noqa: BLE001 (else a traceback, an exit and a restart in a loop)
        return Waiting(lambda: serving(with_clock=False)[0], *_cause(err))


RETRY_SECONDS = (2.0, 60.0)  # Waiting builds the app again after the first, doubling up to the second


def _cause(err: Exception) -> tuple[str, str]:
    """Why the app could not be built: in full for the log, and what anyone may read of it
    (a waiting process's paths face the internet, Slack's included): never the driver's
    words, which name the database's host, port and user."""
    from bot.startup import SchemaBehind

    if isinstance(err, SchemaBehind):
        return err.format_message(), "its schema is behind the code: run `rollout db upgrade`"
    if isinstance(err, click.ClickException):  # open_store's: the database does not answer
        return err.format_message(), "unreachable"
    if isinstance(err, DBAPIError):
        orig = str(err.orig or type(err).__name__).strip().splitlines()[0]
        return f"the database stopped answering ({orig})", "unreachable"
    return (
        f"could not build the app ({type(err).__name__}: {err})",
        "not checked: the app could not be built (see the log)",
    )


class Waiting:
    """A `web` process's app while it cannot build its own, because the database does
    not answer (or its schema is behind the code): /healthz answers 503 saying why, any
    other request 503. A thread builds the app again, RETRY_SECONDS apart (doubling), and
    once one is built it answers every request; said once each way in the log."""

    def __init__(self, build: Callable[[], ASGIApp], why: str, said: str):
        self.app: ASGIApp | None = None
        self.why, self.said = why, said  # for the log; for anyone (_cause)
        methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
        self.waiting = application(
            Route("/healthz", self._healthz, methods=["GET"]), Route("/{path:path}", self._unavailable, methods=methods)
        )
        log.error("%s; answering 503 meanwhile, and trying again", why)
        threading.Thread(target=self._retry, args=(build,), name="waiting", daemon=True).start()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # The lifespan is the waiting app's (the same thread pool as the app's own).
        app = self.app if self.app is not None and scope["type"] != "lifespan" else self.waiting
        await app(scope, receive, send)

    async def _healthz(self, request: Request) -> Response:
        return _json_answer({"ok": False, "database": self.said}, 503)

    async def _unavailable(self, request: Request) -> Response:
        return _error(503, f"not serving yet (database: {self.said})", {"Retry-After": str(int(RETRY_SECONDS[1]))})

    def _retry(self, build: Callable[[], ASGIApp]) -> None:
        delay = RETRY_SECONDS[0]
        while self.app is None:
            time.sleep(delay)
            delay = min(delay * 2, RETRY_SECONDS[1])
            try:
                self.app = build()
            except Exception as err:  # noqa: BLE001 (it waits on, whatever the cause)
                why, said = _cause(err)
                if why != self.why:
                    self.why, self.said = why, said
                    log.error("%s; answering 503 meanwhile, and trying again", why)
        log.warning("the database answers: serving")


class Running:
    """What a process runs beside its requests: the clock and the dispatcher, and in
    Socket Mode the connection Slack's requests arrive over. Stopped when the process ends."""

    def __init__(self, clockwork: Clockwork | None = None, connection: Any = None, app: RolloutApp | None = None):
        self.clockwork, self.connection, self.app = clockwork, connection, app

    @classmethod
    def socket_mode(
        cls, settings: Settings, workspace: Workspace | Unverified, store: Store, with_clock: bool
    ) -> Running:
        """`rollout socket`: the Bolt app on Slack's Socket Mode connection, and the clock
        beside it sharing its team cache; the Bolt app is `self.app`."""
        from slack_bolt.adapter.socket_mode import SocketModeHandler

        from bot.app import create_app, team_directory
        from bot.startup import socket_mode_refused
        from slack_api.client import not_slacks_answer

        directory = team_directory(store)
        app = create_app(settings, store, directory=directory, workspace=workspace)
        running = cls(connection=SocketModeHandler(app, settings.slack_app_token), app=app)
        if with_clock:
            running.start_clock(settings, store, directory)
        try:
            running.connection.connect()
        except (SlackApiError, OSError) as err:
            running.stop()
            said = not_slacks_answer(err) if isinstance(err, SlackApiError) else None
            if said is not None:  # not Slack's answer at all: no token is to blame
                raise click.ClickException(f"{said}, then start it again") from None
            reason = err.response.get("error") if isinstance(err, SlackApiError) else str(err)
            raise socket_mode_refused(settings, str(reason)) from None
        log.info("connected to Slack in Socket Mode")
        return running

    def start_clock(self, settings: Settings, store: Store, directory: TeamDirectory) -> None:
        from bot.app import create_clockwork

        self.clockwork = create_clockwork(settings, store, directory=directory)
        # A server's worker must not keep its master waiting while a long catch-up runs.
        self.clockwork.start_in_background(wait_for_catch_up=False)
        log.info("cadence clock and dispatcher running in this process")

    def stop(self) -> None:
        if self.connection is not None:
            self.connection.close()
        if self.clockwork is not None:
            self.clockwork.stop()


def serving(
    with_clock: bool, socket_mode: bool = False, known: Workspace | Unverified | None = None
) -> tuple[ASGIApp, Running]:
    """The ASGI application from the environment and, `with_clock`, the clock and the
    dispatcher started beside it in this process, sharing its team cache (the one worker
    of `rollout serve`, which stops them when the worker exits). `socket_mode`: Slack's
    requests come over Socket Mode, opened here, and not over HTTP. `known`: what the
    command that started this worker learned of the token (None: ask Slack here)."""
    from bot.app import create_app, team_directory
    from bot.startup import checked_settings, open_store, verify_slack
    from slack_api.workspace import Unverified
    from usecases.events import slack_access_lost

    settings = checked_settings("SLACK_BOT_TOKEN", *(["SLACK_APP_TOKEN"] if socket_mode else ["SLACK_SIGNING_SECRET"]))
    store = open_store(settings)
    # A server's process that exited here would only be started again, and again: a token
    # Slack refuses is held on instead (below), and said by /healthz.
    known = known or verify_slack(settings, refusal_exits=False)
    if socket_mode:
        running = Running.socket_mode(settings, known, store, with_clock)
        assert running.app is not None
        return make_asgi(running.app, store, slack_events=False), running
    directory = team_directory(store)  # one for the listeners and the clock
    bolt = create_app(settings, store, directory=directory, workspace=known)
    if isinstance(known, Unverified) and known.refused is not None:
        # Held in the database as an uninstall holds it: nothing is sent, /healthz answers
        # 503 with the reason, the log says it once; the web view and the API serve on.
        slack_access_lost(bolt.services, known.refused)
    app = make_asgi(bolt, store)
    running = Running()
    if with_clock:
        running.start_clock(settings, store, directory)
    return app, running
