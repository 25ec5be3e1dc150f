"""The Bolt app: one listener module per Slack surface, wired to storage and the clock; what
every request passes through around its listener is bot/middleware.py's."""

from __future__ import annotations

import logging
import math
import secrets
import time
from collections.abc import Callable
from datetime import UTC, datetime
from types import FunctionType
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse
from slack_sdk.oauth import InstallationStore

from bot import metrics
from bot.middleware import BotToken, EachRequest, RequestClient, first_time, listener_failed, repeat
from bot.processes import Clockwork
from bot.settings import Settings
from cadence import judgement
from cadence.capabilities import load
from handlers import grammar
from outbound.webhooks import WebhookLane
from slack_api.client import REQUEST_BUDGET, RolloutWebClient, clock_client, request_client
from slack_api.dispatch import Dispatcher
from slack_api.members import TeamDirectory
from slack_api.oidc import SlackSignIn
from slack_api.pacing import Pacer
from slack_api.workspace import Guard, Unverified, Workspace
from storage import replay
from storage.store import Store
from usecases import people
from usecases.events import slack_access_verified
from usecases.shared import life
from usecases.shared.services import Services
from usecases.tick import Cadence

DISPATCH_CONCURRENCY = 4  # messages in flight at once: Slack's latency, not our CPU, bounds delivery


class _OwnClientNotice(logging.Filter):
    """Bolt reads SLACK_BOT_TOKEN from the environment by itself and then warns that our
    client (built so SLACK_API_URL applies) takes precedence. That is intended: drop it."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


logging.getLogger("slack_bolt.App").addFilter(_OwnClientNotice())
log = logging.getLogger(__name__)


# The handlers' modules, each registering its listeners on the Bolt app: each capability's
# (cadence/capabilities.py `listeners`). No two listen for the same action, view or event.
LISTENERS: list[FunctionType] = load("listeners", "register", FunctionType)


def utc_now() -> datetime:
    return datetime.now(UTC)


def team_directory(store: Store) -> TeamDirectory:
    """A process's team lists, one for its listeners and its clock, kept only while the
    database's count of each channel's membership changes stands: a change that any
    process hears of reaches every process at once."""
    return TeamDirectory(shared=store.memberships)


def create_app(
    settings: Settings,
    store: Store,
    clock: Callable[[], datetime] = utc_now,
    directory: TeamDirectory | None = None,
    workspace: Workspace | Unverified | None = None,
) -> RolloutApp:
    """The Bolt app. `workspace`: whom the token belongs to, as Slack said at start
    (bot/startup.py verify_slack); if Slack did not answer then, it is asked at the first request."""
    services = Services(
        store=store,
        clock=clock,
        admins=settings.admins,
        org_timezone=settings.rollout_timezone,
        directory=directory or team_directory(store),
        web_url=settings.rollout_web_url,
        currency=settings.rollout_currency,
        hourly_rate=settings.rollout_hourly_rate,
        creators=settings.rollout_creators,
        sign_in_with_slack=SlackSignIn(settings.slack_client_id, settings.slack_client_secret, settings.slack_api_url)
        if settings.slack_client_id and settings.slack_client_secret
        else None,
    )
    app = _rollout_app(settings, store, clock, services)
    # Status shows intervals: their statistics library is loaded now, as the clock loads it,
    # so that no request waits a second for its import with the others queued behind it.
    judgement.warm()
    # Slack accepting the token, at start or later, ends a hold a refusal left in the database.
    app.guard = Guard(workspace, on_verified=lambda: slack_access_verified(store))
    if isinstance(workspace, Workspace):
        slack_access_verified(store)
    # One middleware, not one per concern: each is a step of every request.
    app.use(EachRequest(settings, store, clock, app.guard))
    app.error(listener_failed)
    for register in LISTENERS:
        register(app, services)
    return app


def _session_secret(settings: Settings) -> str:
    """What signs the web view's sessions: ROLLOUT_SESSION_SECRET, else the signing secret.
    Socket Mode may have neither: then a secret of this process's own, and a sign-in lasts
    until it restarts."""
    if settings.rollout_session_secret or settings.slack_signing_secret:
        return str(settings.rollout_session_secret or settings.slack_signing_secret)
    log.info("web view: no ROLLOUT_SESSION_SECRET set; sign-ins last until this process restarts")
    return secrets.token_hex(32)


def _rollout_app(settings: Settings, store: Store, clock: Callable[[], datetime], services: Services) -> RolloutApp:
    return RolloutApp(
        store=store,
        clock=clock,
        services=services,
        bot_token=settings.slack_bot_token,
        metrics_token=settings.rollout_metrics_token,
        # For what Bolt does outside a request (Socket Mode's connection). It holds no
        # token: the bot token is given to Bolt through `authorize`, and a request's client
        # is its own (RequestClient), built so SLACK_API_URL and the time budget apply.
        client=RolloutWebClient(base_url=settings.slack_api_url, timeout=math.ceil(REQUEST_BUDGET), retry_handlers=[]),
        before_authorize=RequestClient(settings, store, clock),
        authorize=BotToken(settings.slack_bot_token),
        # No installations: its one is the bot token (BotToken). Said explicitly, so that
        # Bolt does not announce file stores of its own when it finds SLACK_CLIENT_ID and
        # SLACK_CLIENT_SECRET (Sign in with Slack's) in the environment; nothing can be saved.
        installation_store=InstallationStore(),
        signing_secret=settings.slack_signing_secret,
        session_secret=_session_secret(settings),
        # Listeners answer inside the acknowledgement (they only touch the database and
        # cached lookups), which avoids Bolt's thread hand-off and its 10 ms ack polling.
        process_before_response=True,
        # bot/web.py verifies each request's signature before anything reads it; Bolt would
        # verify it a second time, on a clock that has moved on. (Socket Mode's requests come
        # over Slack's own connection and are never signed.)
        request_verification_enabled=False,
        # Bolt's name for its logs. Unnamed, Bolt finds one with inspect.stack(), which reads
        # the source of every frame above it: under pytest, most of what an App costs. Not
        # "rollout": Bolt sets the level of the logger of that name to the root's at each
        # request, which would pin the bot's own "rollout" logger (bot/cli.py, startup.py).
        name="bolt.rollout",
    )


def _surface(req: BoltRequest) -> str:
    """The metrics label of a request: the /rollout subcommand, or the kind of payload."""
    body = req.body if isinstance(req.body, dict) else {}
    if body.get("command"):
        return grammar.label(str(body.get("text") or ""))
    if body.get("type") == "event_callback":
        event = body.get("event")
        return "event:" + str((event.get("type") if isinstance(event, dict) else None) or "unknown")[:40]
    return str(body.get("type") or "unknown")[:40]


class RolloutApp(App):
    """Bolt's App, measured: acknowledgement latency and requests by subcommand and
    outcome (GET /metrics), over HTTP and Socket Mode alike. Listeners answer inside the
    acknowledgement, so the time `dispatch` takes is the time to the ack. (Bolt's global
    middleware cannot do this: its `next()` returns before any listener runs.)

    Each request gets its claim here (storage/replay.py), in its context as "claim", for
    the steps and the listener to pass on: a slash command that wrote nothing has its keys
    recorded here, after its answer, and a repeat answers nothing."""

    def __init__(
        self,
        *,
        store: Store,
        clock: Callable[[], datetime],
        signing_secret: str | None,
        session_secret: str,
        services: Services,
        bot_token: str | None,
        metrics_token: str | None = None,
        **kwargs: Any,
    ):
        super().__init__(signing_secret=signing_secret or "", **kwargs)
        self.store, self.clock = store, clock
        self.bot_token = bot_token  # Bolt's is given through `authorize` (BotToken); this is for bot/web.py
        self.services = services  # what the use cases work with: the reporting API's too (bot/web.py)
        self.signing_secret = signing_secret  # bot/web.py verifies each request with it before anything else
        self.session_secret = session_secret  # signs the web view's session cookies (bot/web.py)
        self.metrics_token = metrics_token  # who may read GET /metrics (bot/metrics.py, refused)
        self.guard = Guard()  # whose requests it serves: set by create_app, asked by /healthz too

    def slack_client(self) -> RolloutWebClient:
        """A client with the bot token for the web side's own questions to Slack (the
        Guard's, bot/web.py), which keeps to a request's time budget."""
        return request_client(self.bot_token, self.client.base_url)

    def dispatch(self, req: BoltRequest) -> BoltResponse:
        started = time.perf_counter()
        claim = req.context["claim"] = replay.Claim()
        response = super().dispatch(req)
        # A command that wrote nothing is recorded now; one whose write found its key
        # taken (claim.repeated) is not asked about again.
        if claim.pending and not first_time(self.store, claim.keys, claim.at or self.clock()):
            claim.repeated = True
        if claim.repeated:
            response = repeat(req, claim.keys + claim.with_write)
        metrics.ACK_SECONDS.observe(time.perf_counter() - started)
        outcome = req.context.get("outcome") or ("ok" if response.status < 400 else "error")
        metrics.REQUESTS.labels(_surface(req), outcome).inc()
        return response


def create_clockwork(
    settings: Settings,
    store: Store,
    clock: Callable[[], datetime] = utc_now,
    directory: TeamDirectory | None = None,
    pacer: Pacer | None = None,
) -> Clockwork:
    """The cadence engine, the outbox dispatcher and the webhooks' lane, ready to run in a process. On a store
    built as a dry run (open_store), the cadence plans and records nothing (see Cadence)."""
    token, url = settings.slack_bot_token, settings.slack_api_url
    cadence = Cadence(
        store,
        clock_client(token, url),
        directory or team_directory(store),
        settings.rollout_timezone,
        clock,
        admins=settings.admins,
        currency=settings.rollout_currency,
        hourly_rate=settings.rollout_hourly_rate,
    )
    dispatcher = Dispatcher(
        store.outbox,
        clock_client(token, url, retries=False),
        clock=clock,
        pacer=pacer,
        concurrency=DISPATCH_CONCURRENCY,
        on_channel_lost=lambda channel, error: life.channel_lost(store, channel, error, clock()),
        access=store.health,
        on_person_gone=lambda user, error: people.person_gone(store, user, error, clock()),
    )
    return Clockwork(
        cadence,
        dispatcher,
        clock,
        heartbeat=lambda at: store.health.beat(metrics.CLOCK, at),
        webhooks=WebhookLane(store.webhooks, clock),
    )
