"""What the handlers are given to work with, wired once in bot/app.py."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from bot.slack.members import TeamDirectory
from storage.outbox import Outbox
from storage.store import Store


class Malformed(Exception):
    """A signed request whose content Slack could not have sent (a button value the bot
    never wrote): answered 400 with one log line (bot/app.py), nothing done."""


@dataclass(frozen=True)
class Services:
    store: Store
    outbox: Outbox  # for messages that are not the reply to a request
    clock: Callable[[], datetime]  # the current instant, UTC-aware; tests move it
    admins: frozenset[str]
    org_timezone: str
    directory: TeamDirectory
