"""The Bolt app: one listener module per Slack surface, wired to storage and the clock."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timezone

from slack_bolt import App, BoltRequest, BoltResponse
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler

from bot.dispatch import Dispatcher, Pacer
from bot.processes import Clockwork
from bot.settings import Settings
from bot.tick import Cadence
from handlers import actions, commands, events, governance, home, views
from handlers.context import Services
from handlers.members import TeamDirectory
from storage.cadence_log import CadenceLog
from storage.outbox import Outbox
from storage.store import Store

WEB_API_TIMEOUT = 2  # seconds: a lookup on the request path must leave room in Slack's 3 s
DISPATCH_CONCURRENCY = 4  # messages in flight at once: Slack's latency, not our CPU, bounds delivery


class _OwnClientNotice(logging.Filter):
    """Bolt reads SLACK_BOT_TOKEN from the environment by itself and then warns that our
    client (built so SLACK_API_URL applies) takes precedence. That is intended: drop it."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


logging.getLogger("slack_bolt.App").addFilter(_OwnClientNotice())
log = logging.getLogger(__name__)


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def web_client(settings: Settings, timeout: float = WEB_API_TIMEOUT, retries: bool = True) -> WebClient:
    """Every Web API call goes through a client built here, so SLACK_API_URL always applies.

    The dispatcher's client has no retry handlers: it handles 429s and failures itself,
    per message and without blocking other channels.
    """
    handlers = [ConnectionErrorRetryHandler(max_retry_count=1), RateLimitErrorRetryHandler(max_retry_count=1)]
    return WebClient(token=settings.slack_bot_token, base_url=settings.slack_api_url, timeout=timeout,
                     retry_handlers=handlers if retries else [])


def create_app(settings: Settings, store: Store, clock: Callable[[], datetime] = utc_now,
               directory: TeamDirectory | None = None) -> App:
    services = Services(
        store=store,
        outbox=Outbox(store.engine),
        clock=clock,
        admins=settings.admins,
        org_timezone=settings.rollout_timezone,
        directory=directory or TeamDirectory(),
    )
    app = App(
        client=web_client(settings),
        signing_secret=settings.slack_signing_secret,
        # Listeners answer inside the acknowledgement (they only touch the database and
        # cached lookups), which avoids Bolt's thread hand-off and its 10 ms ack polling.
        process_before_response=True,
    )
    app.use(_once(store, clock))
    commands.register(app, services)
    actions.register(app, services)
    governance.register(app, services)
    views.register(app, services)
    home.register(app, services)
    events.register(app, services)
    return app


def _once(store: Store, clock: Callable[[], datetime]):
    """Each request is processed once. A replayed request carries a signature already seen
    (Slack's scheme alone accepts a replay for five minutes); Slack's own retries of an
    event (X-Slack-Retry-Num) carry an event id already seen. Both get an empty 200."""

    def middleware(req: BoltRequest, resp: BoltResponse, next):  # noqa: A002 - Bolt's name
        keys = []
        signature = (req.headers.get("x-slack-signature") or [None])[0]
        if signature:
            keys.append(f"sig:{signature[:100]}")
        event_id = req.body.get("event_id") if isinstance(req.body, dict) else None
        if event_id:
            keys.append(f"event:{event_id[:100]}")
        try:
            first = store.first_time(keys, clock()) if keys else True
        except Exception:  # noqa: BLE001 - better to risk a duplicate than to refuse everyone
            log.exception("could not check for a repeated request; handling it")
            first = True
        if not first:
            log.info("ignored a repeated request (%s)", ", ".join(keys))
            return BoltResponse(status=200, body="")
        return next()

    return middleware


def create_clockwork(settings: Settings, store: Store, clock: Callable[[], datetime] = utc_now,
                     directory: TeamDirectory | None = None, pacer: Pacer | None = None) -> Clockwork:
    """The cadence engine and the outbox dispatcher, ready to run in a process."""
    cadence = Cadence(store, CadenceLog(store.engine), web_client(settings, timeout=10), directory or TeamDirectory(),
                      settings.rollout_timezone, clock)
    dispatcher = Dispatcher(Outbox(store.engine), web_client(settings, timeout=10, retries=False), clock=clock,
                            pacer=pacer, concurrency=DISPATCH_CONCURRENCY)
    return Clockwork(cadence, dispatcher, clock)
