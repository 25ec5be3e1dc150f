"""The HTTP surface, one ASGI application (Starlette) served by uvicorn: Slack's requests
at POST /slack/events, health at GET /healthz, figures for Prometheus at GET /metrics,
GET / to the web view, /api and /web mounted from the reporting API and the web view,
which declare routes of their own, and an assistant's tools at /mcp (bot/assistant.py). A path no route has is 404, another method 405 with
the ones it has (`Allow`), each answered as JSON `{"error": ...}` (handlers/http_errors.py,
the one answer of every app of the process to an HTTP error).

Every request's body is read in the event loop (BodyLimits, bot/body_limits.py): one declared over 1 MiB is
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
2. then its shape (bot/slack_shape.py): anything that is not a form or JSON body in UTF-8
   (for forms, a JSON `payload` if one is given), whose ids are not Slack's ids, or whose
   parts are not of the types Slack sends, gets 400;
3. then Bolt dispatches it, in the thread pool (Bolt's own Starlette adapter would run
   its listeners inside the event loop, holding every other request meanwhile).

Each refusal is one log line; no body is ever logged.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING, Any

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
from starlette.types import ASGIApp, Receive, Scope, Send

from bot import healthz, metrics
from bot.assistant import http_edge
from bot.body_limits import MAX_BODY_BYTES, BodyLimits, error_answer, json_answer
from bot.healthz import TokenProbe
from bot.slack_shape import Malformed, check_shape
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
THREADS = 8  # each process's pool for what blocks (Bolt, the database): fewer than its engine's connections

log = logging.getLogger(__name__)


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


async def _to_web_view(request: Request) -> Response:
    """`GET /`: a person who typed the bot's address."""
    return RedirectResponse(WEB_PREFIX + "/", 303)


async def _slack_events(verifier: SignatureVerifier, bolt: App, request: Request) -> Response:
    """`POST /slack/events`: checked as the module says, then Bolt's, in the thread pool."""
    body = await request.body()
    if not _signed(verifier, request.headers, body):
        log.info("refused a request to %s: invalid request signature, or older than 5 minutes", EVENTS_PATH)
        return error_answer(401, "invalid request signature")
    try:
        check_shape(request.headers, body)
    except Malformed as err:
        log.info("refused a malformed request to %s: %s", EVENTS_PATH, err)
        return error_answer(400, str(err))
    answer = await run_in_threadpool(bolt.dispatch, to_bolt_request(request, body))
    return to_starlette_response(answer)


async def _healthz(
    app: RolloutApp, store: Store, now: Callable[[], datetime], probe: TokenProbe, request: Request
) -> Response:
    answer, ok = await run_in_threadpool(healthz.answer, app, store, now, probe)
    return json_answer(answer, 200 if ok else 503)


async def _metrics(app: RolloutApp, store: Store, now: Callable[[], datetime], request: Request) -> Response:
    forwarded = "x-forwarded-for" in request.headers or "forwarded" in request.headers
    client = request.client.host if request.client else None
    refusal = metrics.refused(app.metrics_token, request.headers.get("authorization", ""), client, forwarded)
    if refusal is not None:
        return error_answer(*refusal, {"WWW-Authenticate": "Bearer"} if refusal[0] == 401 else None)
    try:
        page = await run_in_threadpool(metrics.exposition, store, now)
    except Exception:
        log.warning("metrics: the database did not answer", exc_info=True)
        return error_answer(503, "database unreachable")
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
        return json_answer({"ok": False, "database": self.said}, 503)

    async def _unavailable(self, request: Request) -> Response:
        return error_answer(
            503, f"not serving yet (database: {self.said})", {"Retry-After": str(int(RETRY_SECONDS[1]))}
        )

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
