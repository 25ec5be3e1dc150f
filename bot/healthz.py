"""What GET /healthz says (bot/web.py serves it): whether the database answers, when
the clock (which may run in another process: its heartbeat is in the database) last
ticked, and whether Slack accepts the bot token."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot import metrics
from storage.store import Store

if TYPE_CHECKING:
    from bot.app import RolloutApp

CLOCK_SILENT_AFTER = 300  # seconds without a tick before /healthz calls the clock stale


def answer(
    app: RolloutApp, store: Store, now: Callable[[], datetime], probe: TokenProbe
) -> tuple[dict[str, Any], bool]:
    ok = _safely(store.health.ping)
    said: dict[str, Any] = {"ok": ok, "database": "ok" if ok else "unreachable"}
    if ok:  # the clock may run in another process: its heartbeat is in the database
        said["clock"] = _clock_state(lambda: store.health.heartbeat(metrics.CLOCK), now)
        said["slack"], ok = slack_state(app, store, probe)
        if not ok and said["clock"] == "ok":  # the clock ticks on, and its dispatcher asks Slack again
            said["clock"] = "ok, holding delivery until Slack accepts the token"
        said["ok"] = ok
    return said, ok


PROBE_SECONDS = (2.0, 300.0)  # while Slack refuses the token, /healthz asks again after the first, doubling


class TokenProbe:
    """While Slack refuses the bot token, /healthz asks Slack again (auth.test), at most
    once per interval (PROBE_SECONDS, doubling), so that a `web` process with no clock
    beside it recovers by itself: once Slack accepts the token, the hold is lifted
    (usecases/events.py) and /healthz says ok."""

    def __init__(self, app: RolloutApp):
        self.app = app
        self.delay = PROBE_SECONDS[0]
        self.next_at = time.monotonic() + self.delay
        self.lock = threading.Lock()

    def accepted(self) -> bool:
        with self.lock:
            if time.monotonic() < self.next_at:
                return False
            self.delay = min(self.delay * 2, PROBE_SECONDS[1])
            self.next_at = time.monotonic() + self.delay
        from slack_sdk.errors import SlackClientError

        from usecases.events import slack_access_verified

        try:
            self.app.slack_client().auth_test()
        except (SlackClientError, OSError, TimeoutError):
            return False
        self.delay = PROBE_SECONDS[0]
        slack_access_verified(self.app.services.store)
        return True


def slack_state(app: RolloutApp, store: Store, probe: TokenProbe) -> tuple[str, bool]:
    """/healthz's word on Slack, and whether it is healthy. Slack refusing the token (a
    hold in the database, any process may have heard it) is unhealthy: 503, until the
    probe hears Slack accept it. A token this process could not yet verify because Slack
    is down is said as such, healthy all the same, so an outage of Slack's does not take
    web processes out of rotation."""
    lost = store.health.slack_access_lost()  # first: a refused token is asked about only by the probe
    if lost is not None and not probe.accepted():
        return f"token refused ({lost[0]}) since {lost[1].isoformat()}", False
    verified = app.guard.workspace(app.slack_client()) is not None  # asks Slack only until it has answered
    unverified = app.guard.unverified
    if verified or unverified is None:
        return "ok", True
    return f"not verified ({unverified.why} since {unverified.since.isoformat(timespec='seconds')})", True


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
