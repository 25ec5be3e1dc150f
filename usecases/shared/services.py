"""What the use cases work with, wired once in bot/app.py."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from slack_api.members import TeamDirectory
from slack_api.oidc import SlackSignIn
from storage.store import Store


@dataclass(frozen=True)
class Services:
    """What the use cases work with, wired once in bot/app.py."""

    store: Store  # the database, one repository per area (storage/store.py): the only way to it
    clock: Callable[[], datetime]  # the current instant, UTC-aware; tests move it
    admins: frozenset[str]
    org_timezone: str
    directory: TeamDirectory
    web_url: str | None = None  # the web view's public address (ROLLOUT_WEB_URL)
    sign_in_with_slack: SlackSignIn | None = None  # SLACK_CLIENT_ID and SLACK_CLIENT_SECRET, if set
    currency: str = "USD"  # ROLLOUT_CURRENCY: what playbooks' costs are given in (an ISO 4217 code)
    hourly_rate: float | None = None  # ROLLOUT_HOURLY_RATE: net value = net hours × rate − spend (None: not set)
    creators: str = "anyone"  # ROLLOUT_CREATORS: who may `/rollout new` (anyone | curators)
