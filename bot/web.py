"""The HTTP surface: Slack's requests at POST /slack/events, health at GET /healthz,
figures for Prometheus at GET /metrics, and GET / to the web view; /api and /web are
handed on to the reporting API and the web view, which have tables of their own.
`make_wsgi` declares these in one table (handlers/routing.py): a path no route has is
404, another method 405 with the ones it has.

A plain WSGI callable, served by gunicorn (`rollout serve`, the Procfile's `web`). A
request to /slack/events is checked here, in this order, before anything else reads it,
so a hostile or broken one costs nothing and never reaches a traceback:

1. a body over 1 MiB is refused with 413 without being read;
2. its Slack signature is verified (slack_sdk's SignatureVerifier, the same check Bolt
   makes again): unsigned, tampered or older than 5 minutes gets 401, and nothing of
   the body is parsed;
3. then its shape: anything that is not a form or JSON body in UTF-8 (for forms, a JSON
   `payload` if one is given), whose ids are not Slack's ids, or whose parts are not of
   the types Slack sends, gets 400.

Each refusal is one log line; no body is ever logged.
"""

from __future__ import annotations

import asyncio
import functools
import io
import json
import logging
import re
import threading
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import parse_qs

from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk.errors import SlackApiError
from slack_sdk.signature import SignatureVerifier
from starlette.applications import Starlette
from starlette.routing import Mount as StarletteMount

from bot import metrics
from handlers import routing
from handlers.api import make_api
from handlers.routing import Mount, Route, Routes
from handlers.web_view import make_web_view
from storage.store import Store

if TYPE_CHECKING:
    from bot.app import RolloutApp
    from bot.processes import Clockwork
    from bot.settings import Settings
    from slack_api.members import TeamDirectory
    from slack_api.workspace import Unverified, Workspace

EVENTS_PATH = "/slack/events"
API_PREFIX = "/api"  # the reporting API (handlers/api.py, docs/api.md)
WEB_PREFIX = "/web"  # the web view (handlers/web_view.py)
MAX_BODY_BYTES = 1024 * 1024  # Slack's own payloads are far smaller; anything bigger is not Slack
# waitress (the demo's and the tests' server) buffers a request before the app sees it: it
# must refuse an oversized one itself.
WAITRESS_OPTIONS = {"max_request_body_size": MAX_BODY_BYTES, "ident": "rollout"}
CLOCK_SILENT_AFTER = 300  # seconds without a tick before /healthz calls the clock stale

log = logging.getLogger(__name__)
Wsgi = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class Malformed(Exception):
    """A request that cannot be Slack's: answered 400 with this reason."""


def make_wsgi(
    app: RolloutApp, store: Store, clock: Callable[[], datetime] | None = None, slack_events: bool = True
) -> Wsgi:
    """The WSGI application around a Bolt app; `clock` is the current instant (tests move it).
    `slack_events`: Slack's requests arrive here (HTTP mode); in Socket Mode they come over
    Slack's connection, and everything else is served all the same."""
    slack: list[Route[Wsgi]] = []
    if slack_events:
        if not app.signing_secret:
            raise ValueError("serving Slack over HTTP needs SLACK_SIGNING_SECRET")
        checked = SignatureVerifier(app.signing_secret), SlackRequestHandler(app, path=EVENTS_PATH)
        slack = [Route("POST", EVENTS_PATH, partial(_slack_events, *checked))]
    now = clock or (lambda: datetime.now(UTC))
    api = _bridged(API_PREFIX, make_api(app.services))  # temporary: until this app is ASGI
    view = make_web_view(
        app.services,
        app.session_secret,
        secure=(app.services.web_url or "").startswith("https://"),
        workspace_team=lambda: _team_of(app),
    )
    # What the process answers; the API and the web view each have a table of their own.
    routes: Routes[Wsgi] = Routes(
        Mount(API_PREFIX, api),  # handlers/api.py, docs/api.md
        Mount(
            WEB_PREFIX, asgi_as_wsgi(Starlette(routes=[StarletteMount(WEB_PREFIX, app=view)]))
        ),  # handlers/web_view.py
        Route("GET", "/", _to_web_view),
        Route("GET", "/healthz", partial(_healthz, app, store, now)),
        Route("GET", "/metrics", partial(_metrics, store, now)),
        *slack,
    )

    def wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        try:
            answer, _ = routes.match(environ.get("REQUEST_METHOD", ""), environ.get("PATH_INFO", ""))
        except routing.NotFound:
            return _reply(start_response, "404 Not Found", {"error": "not found"})
        except routing.MethodNotAllowed as err:
            return _reply(start_response, "405 Method Not Allowed", {"error": err.only}, [("Allow", err.allow)])
        return answer(environ, start_response)

    return wsgi


def asgi_as_wsgi(asgi: Any) -> Wsgi:
    """Temporary, until the top-level app is ASGI: an ASGI app under a WSGI server
    (a2wsgi), every one on one event loop of its own thread."""
    from a2wsgi import ASGIMiddleware

    return cast(Wsgi, ASGIMiddleware(asgi, loop=_bridge_loop()))


@functools.cache
def _bridge_loop() -> asyncio.AbstractEventLoop:
    loop = asyncio.new_event_loop()
    threading.Thread(target=loop.run_forever, daemon=True, name="asgi-bridge").start()
    return loop


def _to_web_view(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """`GET /`: a person who typed the bot's address."""
    start_response("303 See Other", [("Location", WEB_PREFIX + "/"), ("Content-Length", "0")])
    return [b""]


def _slack_events(
    verifier: SignatureVerifier,
    slack: SlackRequestHandler,
    environ: dict[str, Any],
    start_response: Callable[..., Any],
) -> Iterable[bytes]:
    """`POST /slack/events`: checked as the module says, then Bolt's."""
    try:
        body = _small_body(environ)
    except _TooLarge:
        return _reply(
            start_response,
            "413 Content Too Large",
            {"error": f"request bodies are limited to {MAX_BODY_BYTES} bytes"},
            [("Connection", "close")],
        )
    except Malformed as err:
        log.info("refused a malformed request to %s: %s", EVENTS_PATH, err)
        return _reply(start_response, "400 Bad Request", {"error": str(err)})
    if not _signed(verifier, environ, body):
        log.info("refused a request to %s: invalid request signature, or older than 5 minutes", EVENTS_PATH)
        return _reply(start_response, "401 Unauthorized", {"error": "invalid request signature"})
    try:
        _check_shape(environ, body)
    except Malformed as err:
        log.info("refused a malformed request to %s: %s", EVENTS_PATH, err)
        return _reply(start_response, "400 Bad Request", {"error": str(err)})
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    answer: Iterable[bytes] = slack(environ, start_response)
    return answer


def _healthz(
    app: RolloutApp,
    store: Store,
    now: Callable[[], datetime],
    environ: dict[str, Any],
    start_response: Callable[..., Any],
) -> Iterable[bytes]:
    ok = _safely(store.health.ping)
    answer: dict[str, Any] = {"ok": ok, "database": "ok" if ok else "unreachable"}
    if ok:  # the clock may run in another process: its heartbeat is in the database
        answer["clock"] = _clock_state(lambda: store.health.heartbeat(metrics.CLOCK), now)
        answer["slack"], ok = _slack_state(app, store)
        answer["ok"] = ok
    return _reply(start_response, "200 OK" if ok else "503 Service Unavailable", answer)


def _metrics(
    store: Store, now: Callable[[], datetime], environ: dict[str, Any], start_response: Callable[..., Any]
) -> Iterable[bytes]:
    try:
        page = metrics.exposition(store, now)
    except Exception:
        log.warning("metrics: the database did not answer", exc_info=True)
        return _reply(start_response, "503 Service Unavailable", {"error": "database unreachable"})
    start_response("200 OK", [("Content-Type", metrics.CONTENT_TYPE), ("Content-Length", str(len(page)))])
    return [page]


class _TooLarge(Exception):
    pass


def _team_of(app: RolloutApp) -> str | None:
    """The bot's workspace, as Slack said (auth.test): whose people may sign in with Slack."""
    workspace = app.guard.workspace(app.client)
    return workspace.team_id if workspace is not None else None


def _slack_state(app: RolloutApp, store: Store) -> tuple[str, bool]:
    """/healthz's word on Slack, and whether it is healthy. Slack refusing the token (a
    hold in the database, any process may have heard it) is unhealthy: 503. A token this
    process could not yet verify because Slack is down is said as such, healthy all the
    same, so an outage of Slack's does not take web processes out of rotation."""
    lost = store.health.slack_access_lost()  # first: a refused token is not asked about again here
    if lost is not None:
        return f"token refused ({lost[0]}) since {lost[1].isoformat()}", False
    verified = app.guard.workspace(app.client) is not None  # asks Slack only until it has answered
    unverified = app.guard.unverified
    if verified or unverified is None:
        return "ok", True
    return f"not verified ({unverified.why} since {unverified.since.isoformat(timespec='seconds')})", True


def _bridged(prefix: str, asgi: Any) -> Wsgi:
    """TEMPORARY (removed when this app is ASGI): an ASGI app mounted at `prefix` as WSGI,
    by a2wsgi, on one event loop of the process; it sees `prefix` as its root path."""
    import asyncio
    import threading

    from a2wsgi import ASGIMiddleware

    global _BRIDGE_LOOP
    if _BRIDGE_LOOP is None:
        _BRIDGE_LOOP = asyncio.new_event_loop()
        threading.Thread(target=_BRIDGE_LOOP.run_forever, daemon=True, name="asgi-bridge").start()
    wsgi = ASGIMiddleware(asgi, loop=_BRIDGE_LOOP)

    def mounted(environ: Any, start_response: Callable[..., Any]) -> Iterable[bytes]:
        environ["SCRIPT_NAME"], environ["PATH_INFO"] = prefix, environ.get("PATH_INFO", "")[len(prefix) :]
        if not environ.get("CONTENT_LENGTH"):  # chunked: a2wsgi reads only a declared length
            body = environ["wsgi.input"].read(MAX_BODY_BYTES + 1)
            environ["wsgi.input"], environ["CONTENT_LENGTH"] = io.BytesIO(body), str(len(body))
        return wsgi(environ, start_response)

    return mounted


_BRIDGE_LOOP: Any = None


def _small_body(environ: dict[str, Any]) -> bytes:
    """The request body, read only if it is small enough."""
    declared = environ.get("CONTENT_LENGTH") or ""
    if declared:
        if not declared.isdigit():
            raise Malformed("Content-Length is not a number")
        if int(declared) > MAX_BODY_BYTES:
            raise _TooLarge
        body: bytes = environ["wsgi.input"].read(int(declared))
        return body
    body = environ["wsgi.input"].read(MAX_BODY_BYTES + 1)  # chunked: one byte past the limit tells
    if len(body) > MAX_BODY_BYTES:
        raise _TooLarge
    return body


def _signed(verifier: SignatureVerifier, environ: dict[str, Any], body: bytes) -> bool:
    """Whether Slack signed this body in the last 5 minutes. (Slack signs UTF-8 text: any
    other body, which slack_sdk's verifier cannot even read, is not signed by Slack.)"""
    timestamp = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP") or ""
    signature = environ.get("HTTP_X_SLACK_SIGNATURE") or ""
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


def _check_shape(environ: dict[str, Any], body: bytes) -> None:
    """Raises Malformed unless a signed body has the shape of a Slack request: the types
    Slack sends where Bolt and the listeners look, and Slack's ids where ids go."""
    content_type = (environ.get("CONTENT_TYPE") or "").split(";")[0].strip().lower()
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


def _clock_state(last_tick: Callable[[], datetime | None], now: Callable[[], datetime]) -> str:
    try:
        last = last_tick()
    except Exception:  # noqa: BLE001
        return "unknown"
    if last is None:
        return "never ticked"
    age = (now() - last).total_seconds()
    return "ok" if age <= CLOCK_SILENT_AFTER else f"silent for {int(age)} s"


def _safely(check: Callable[[], bool]) -> bool:
    try:
        return bool(check())
    except Exception:  # noqa: BLE001 - any failure means unhealthy
        return False


def _reply(
    start_response: Callable[..., Any], status: str, body: dict[str, Any], headers: list[Any] | None = None
) -> list[bytes]:
    data = json.dumps(body).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(data))), *(headers or [])])
    return [data]


def create() -> Callable[..., Any]:
    """The WSGI application for a server of its own, from the environment (gunicorn:
    `gunicorn 'bot.web:create()'`, see the Procfile). Each worker process builds its own
    app, engine and caches; the clock runs in a process of its own (`rollout clock`)."""
    return serving(with_clock=False)[0]


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

        directory = team_directory(store)
        app = create_app(settings, store, directory=directory, workspace=workspace)
        running = cls(connection=SocketModeHandler(app, settings.slack_app_token), app=app)
        if with_clock:
            running.start_clock(settings, store, directory)
        try:
            running.connection.connect()
        except (SlackApiError, OSError) as err:
            running.stop()
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
) -> tuple[Callable[..., Any], Running]:
    """The WSGI application from the environment and, `with_clock`, the clock and the
    dispatcher started beside it in this process, sharing its team cache (the one worker
    of `rollout serve`, which stops them when the worker exits). `socket_mode`: Slack's
    requests come over Socket Mode, opened here, and not over HTTP. `known`: what the
    command that started this worker learned of the token (None: ask Slack here)."""
    from bot.app import create_app, team_directory
    from bot.startup import checked_settings, open_store, verify_slack
    from slack_api.workspace import Unverified
    from usecases.events import slack_access_lost

    settings = checked_settings("SLACK_BOT_TOKEN", *(["SLACK_APP_TOKEN"] if socket_mode else ["SLACK_SIGNING_SECRET"]))
    # A server's process that exited here would only be started again, and again: a token
    # Slack refuses is held on instead (below), and said by /healthz.
    known = known or verify_slack(settings, refusal_exits=False)
    store = open_store(settings)
    if socket_mode:
        running = Running.socket_mode(settings, known, store, with_clock)
        assert running.app is not None
        return make_wsgi(running.app, store, slack_events=False), running
    directory = team_directory(store)  # one for the listeners and the clock
    bolt = create_app(settings, store, directory=directory, workspace=known)
    if isinstance(known, Unverified) and known.refused is not None:
        # Held in the database as an uninstall holds it: nothing is sent, /healthz answers
        # 503 with the reason, the log says it once; the web view and the API serve on.
        slack_access_lost(bolt.services, known.refused)
    app = make_wsgi(bolt, store)
    running = Running()
    if with_clock:
        running.start_clock(settings, store, directory)
    return app, running
