"""The one Slack workspace and app this bot serves: the ones its token belongs to.

A request signed with the app's signing secret can still come from another workspace
(the same app installed twice, an enterprise-wide install) or, where an operator reused
a secret, another app. Slack's `auth.test` says whom the token belongs to; a command,
click or event from anyone else is refused before any listener runs (bot/app.py).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from slack_api.client import not_slacks_answer

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Workspace:
    team_id: str
    app_id: str | None  # None only if Slack would not say (then the team alone is checked)
    enterprise_id: str | None
    enterprise_install: bool

    def stranger(self, team_id: Any, app_id: Any, enterprise_id: Any, enterprise_install: Any) -> str | None:
        """Why a request with these ids is not for this workspace and app; None if it is."""
        if _flag(enterprise_install) and not self.enterprise_install:
            return "an enterprise-wide install"
        if team_id != self.team_id:
            return f"workspace {team_id or '(none)'}"
        if self.app_id is not None and app_id != self.app_id:
            return f"app {app_id or '(none)'}"
        if enterprise_id and enterprise_id != self.enterprise_id:
            return f"enterprise {enterprise_id}"
        return None


@dataclass(frozen=True)
class Unverified:
    """Slack could not say whose the token is: unreachable, or an answer that is neither
    yes nor a refusal, or (`refused`) a refusal of the token, which ends a command at
    start but leaves a web process serving with /healthz at 503 (bot/startup.py)."""

    why: str  # "unreachable", or "Slack answered <error>"
    since: datetime
    refused: str | None = None  # Slack's word for refusing the token (invalid_auth, ...)


def identify(client: WebClient) -> Workspace:
    """Ask Slack whom the bot token belongs to (auth.test; the app from bots.info when
    auth.test does not name it). Raises SlackApiError, or OSError when Slack is unreachable."""
    identity = client.auth_test()
    app_id = identity.get("app_id")
    if not app_id and identity.get("bot_id"):
        try:
            app_id = (client.bots_info(bot=identity["bot_id"]).get("bot") or {}).get("app_id")
        except SlackApiError as err:
            log.warning("bots.info answered %s: requests are checked by workspace only", err.response.get("error"))
    return Workspace(
        team_id=str(identity["team_id"]),
        app_id=app_id or None,
        enterprise_id=identity.get("enterprise_id") or None,
        enterprise_install=bool(identity.get("is_enterprise_install")),
    )


class Guard:
    """The workspace, known from the start or learned at the first request that needs it
    (when Slack did not answer at start). Until it is known, nothing is let through, and
    `unverified` says why. `on_verified` runs once Slack has accepted the token, here or
    at start: a token Slack accepts ends a hold that a refusal left (bot/app.py)."""

    def __init__(self, known: Workspace | Unverified | None = None, on_verified: Callable[[], None] | None = None):
        self._workspace = known if isinstance(known, Workspace) else None
        self.unverified = known if isinstance(known, Unverified) else None  # as the start found it, if it did
        self._on_verified = on_verified
        self._lock = threading.Lock()

    def workspace(self, client: WebClient) -> Workspace | None:
        if self._workspace is None:
            with self._lock:
                if self._workspace is None:
                    self._identify(client)
        return self._workspace

    def _identify(self, client: WebClient) -> None:
        try:
            self._workspace = identify(client)
        except SlackApiError as err:
            said = not_slacks_answer(err)
            if said is not None:
                self._failed("not Slack's answer at SLACK_API_URL", said)
            else:
                self._failed(f"Slack answered {err.response.get('error') or err.response.status_code}")
        except (OSError, TimeoutError) as err:
            self._failed("unreachable", type(err).__name__)
        else:
            self.unverified = None
            if self._on_verified is not None:
                self._on_verified()

    def _failed(self, why: str, detail: str = "") -> None:
        if self.unverified is None or self.unverified.why != why:  # said once, not at every request
            log.warning("could not ask Slack which workspace the token belongs to: %s", detail or why)
            self.unverified = Unverified(why, datetime.now(UTC))


def _flag(value: Any) -> bool:
    """Slack's booleans: true in JSON, "true" in a command's form fields."""
    return value is True or (isinstance(value, str) and value.lower() == "true")
