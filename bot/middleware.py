"""What every Slack request passes through around its listener (bot/app.py wires them into
the Bolt app): its own Slack client and time budget (`RequestClient`), the bot's token as
its authorization (`BotToken`), from this bot's workspace and processed once
(`EachRequest`: a replay or Slack's retry gets an empty 200), and a listener's failure
answered (`listener_failed`)."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

from slack_bolt import BoltContext, BoltRequest, BoltResponse
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.authorization.authorize import Authorize
from slack_bolt.middleware import Middleware
from slack_sdk.web import SlackResponse

from bot.settings import Settings
from cadence import keys as work_keys
from handlers.errors import Malformed
from slack_api.client import request_client
from slack_api.workspace import Guard, Workspace
from storage import replay
from storage.store import Store
from templates import render
from usecases.shared import setup_effort

log = logging.getLogger("bot.app")  # the Bolt app's log: one name for all of it


class RequestClient(Middleware):
    """The first step of every request once Bolt has checked its signature: its own
    client, with one budget for all its waiting on Slack (slack_api/client.py), its
    authorization's included; a call with an effect first records the request's keys, if
    its first write has not (EachRequest). Bolt's `before_authorize`."""

    def __init__(self, settings: Settings, store: Store, clock: Callable[[], datetime]):
        self.settings, self.store, self.clock = settings, store, clock

    def process(self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]) -> BoltResponse | None:
        claim: replay.Claim = req.context["claim"]  # RolloutApp.dispatch's, for this request
        req.context["client"] = request_client(
            self.settings.slack_bot_token,
            self.settings.slack_api_url,
            before_effect=lambda: self.store.request_keys.record(claim),
            view_opened=lambda view: self._opened(view, req.context.user_id),
        )
        return next()

    def _opened(self, view: dict[str, Any], user_id: str | None) -> None:
        """A form opened for `user_id`: its time kept for the active setup time. Bookkeeping
        that fails is logged; the person has their form."""
        try:
            setup_effort.opened(self.store, view, user_id or "", self.clock())
        except Exception:
            log.exception("could not keep when a form opened")


class BotToken(Authorize):
    """Bolt's authorization, given explicitly: this bot serves one workspace with its bot
    token. What Bolt's SingleTeamAuthorization does for an App given `token`: Slack's
    auth.test answer (the bot's ids, which Bolt uses to ignore the bot's own events) is
    asked once, at the first request that needs it and with that request's client, and
    kept; if Slack refuses, Bolt answers that request with its own message and the next
    request asks again.

    Given an `authorize`, Bolt uses no token of its own; with SLACK_CLIENT_ID and
    SLACK_CLIENT_SECRET set (Sign in with Slack's, slack_api/oidc.py) it still builds an
    OAuth flow from them, which nothing reaches: bot/web.py routes every request itself,
    so no install starts and its state store (files) is never written.

    Not a token check at start: the CLI does that once, before serving, with a clear
    message (bot/startup.py, verify_slack)."""

    def __init__(self, token: str | None):
        self.token = token
        self._identity: SlackResponse | None = None
        self._lock = threading.Lock()

    def __call__(
        self,
        *,
        context: BoltContext,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None,
        **actor: str | None,
    ) -> AuthorizeResult:
        if self._identity is None:
            with self._lock:
                if self._identity is None:
                    self._identity = context.client.auth_test()
        identity = self._identity
        return AuthorizeResult(
            enterprise_id=identity.get("enterprise_id"),
            team_id=identity.get("team_id"),
            bot_id=identity.get("bot_id"),
            bot_user_id=identity.get("user_id"),
            bot_token=self.token,
            bot_scopes=identity.headers.get("x-oauth-scopes"),
            user_id=user_id,
        )


class EachRequest(Middleware):
    """What every request needs before its listener, after Bolt has checked its signature
    and authorized it: it is from this bot's workspace (the Guard), and it is processed once.

    A replayed request carries a signature already seen (Slack's scheme alone accepts a
    replay for five minutes); Slack's own retries of an event (X-Slack-Retry-Num) carry
    an event id already seen. Both get an empty 200.
    A slash command's keys are recorded with its first write (storage/replay.py), or
    after its answer if it wrote nothing (RolloutApp.dispatch); anything else, which may
    call Slack before it writes, records them here, before its listener runs. A form's
    submission also carries its view (id and hash), recorded with its first write only:
    the same view sent again after it stored something is a repeat.

    A Middleware of Bolt's own kind, not a function: Bolt calls it as it is, where it
    builds a function middleware's arguments anew on every request."""

    def __init__(self, settings: Settings, store: Store, clock: Callable[[], datetime], guard: Guard):
        self.settings, self.store, self.clock, self.guard = settings, store, clock, guard

    def process(self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]) -> BoltResponse | None:
        refused = _unless_ours(req, self.guard.workspace(req.context["client"]))
        if refused is not None:
            return refused
        # A form's view counts once whatever else the request carries: over Socket Mode
        # it has no signature and no event id, so no keys of its own.
        claim: replay.Claim = req.context["claim"]
        view = _submitted_view(req)
        if view is not None:
            claim.defer_to_write([view], self.clock())
            _submitted(self.store, req, self.clock())
        keys = _keys(req)
        if not keys:
            return next()
        if isinstance(req.body, dict) and req.body.get("command"):
            claim.defer(keys, self.clock())
            return next()
        if not first_time(self.store, keys, self.clock()):
            return repeat(req, keys)
        return next()


def listener_failed(error: Exception, request: BoltRequest) -> BoltResponse | None:
    """A listener raised: a Malformed request answers 400 with one log line; anything
    else is logged with its traceback and answers 500, as Bolt does by default."""
    if isinstance(error, Malformed):
        request.context["outcome"] = "malformed"
        log.info("refused a malformed request: %s", error)
        return BoltResponse(status=400, body=json.dumps({"error": str(error)}))
    log.error("a listener failed: %s", type(error).__name__, exc_info=error)
    return None


def _unless_ours(req: BoltRequest, workspace: Workspace | None) -> BoltResponse | None:
    """A refusal for a request from another workspace, app or enterprise install than the
    token's (nothing of it runs, nothing is stored; counted as outcome `foreign`), or for
    any request while Slack has not yet said which workspace that is. None: go on."""
    if workspace is None:
        req.context["outcome"] = "unconfirmed"
        return BoltResponse(status=503, body=json.dumps({"error": "the bot could not reach Slack yet; try again"}))
    body = req.body if isinstance(req.body, dict) else {}
    context = req.context
    stranger = workspace.stranger(
        context.team_id, body.get("api_app_id"), context.enterprise_id, body.get("is_enterprise_install")
    )
    if stranger is None:
        return None
    req.context["outcome"] = "foreign"
    log.warning("refused a request from %s: this bot serves workspace %s only", stranger, workspace.team_id)
    if body.get("command"):
        return BoltResponse(
            status=200,
            body=json.dumps(render("foreign_workspace")),
            headers={"content-type": "application/json"},
        )
    return BoltResponse(status=200, body="")


def _keys(req: BoltRequest) -> list[str]:
    keys = []
    signature = (req.headers.get("x-slack-signature") or [""])[0]
    if signature:
        keys.append(work_keys.seen_signature(signature))
    event_id = req.body.get("event_id") if isinstance(req.body, dict) else None
    if event_id:
        keys.append(work_keys.seen_event(event_id))
    return keys


def _submitted_view(req: BoltRequest) -> str | None:
    """A form submission's view, by its id and hash (cadence.keys.seen_view): Slack sends
    the same again when a person clicks *Create* twice after a slow answer, with another
    signature. None for anything else."""
    body = req.body if isinstance(req.body, dict) else {}
    view = body.get("view") if body.get("type") == "view_submission" else None
    if not isinstance(view, dict) or not view.get("id") or not view.get("hash"):
        return None
    return work_keys.seen_view(str(view["id"]), str(view["hash"]))


def _submitted(store: Store, req: BoltRequest, at: datetime) -> None:
    """A form submitted: when, kept for the active setup time (usecases/shared/setup_effort.py).
    Bookkeeping that fails is logged; the submission goes on."""
    try:
        setup_effort.submitted(store, req.body["view"], at)
    except Exception:
        log.exception("could not keep when a form was submitted")


def first_time(store: Store, keys: list[str], at: datetime) -> bool:
    try:
        first = store.request_keys.first_time(keys, at)
    except Exception:
        log.exception("could not check for a repeated request; handling it")
        return True
    return first


def repeat(req: BoltRequest, keys: list[str]) -> BoltResponse:
    """A request handled before: an empty 200, and nothing else."""
    req.context["outcome"] = "repeat"
    log.info("ignored a repeated request (%s)", ", ".join(keys))
    return BoltResponse(status=200, body="")
