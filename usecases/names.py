"""Names for the pages: the clock asks Slack for the names of the people and channels the
bot shows and keeps them (storage/people.py), so that the web view, its CSVs and the
export show `Ana` and `#support-apac` rather than `U…` and `C…` without asking Slack
while a page is drawn. Slack's `user_change` and `channel_rename` keep them current in
between (usecases/events.py); the clock asks again for names older than a week.

Each tick asks for a few at most, well within Slack's limits (users.info is Tier 4,
100+ a minute; conversations.info Tier 3, 50+): the clock's client waits out a 429's
Retry-After (slack_api/client.py), and a Slack that still refuses, or is slow, ends the
tick's lookups until the next tick.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from slack_sdk import WebClient

from cadence import calendar
from slack_api.members import DirectoryUnavailable, Person, TeamDirectory
from storage.store import Store, UnitOfWork

log = logging.getLogger(__name__)
T = TypeVar("T")

FRESH = timedelta(days=7)  # a name asked of Slack longer ago than this is asked again
PEOPLE_PER_TICK = 40  # users.info calls a tick: Tier 4 allows 100+ a minute
CHANNELS_PER_TICK = 10  # conversations.info calls a tick: Tier 3 allows 50+ a minute
BUDGET_SECONDS = 15.0  # a slow Slack delays the tick's later work no longer than this
RECENT_WEEKS = 2  # between hourly ticks, only the reporters of these recent weeks are looked for


@dataclass
class Named:
    people: int = 0
    channels: int = 0


def name_people_and_channels(
    store: Store,
    client: WebClient,
    directory: TeamDirectory,
    at: datetime,
    now: datetime,
    monotonic: Callable[[], float] = time.monotonic,
    everyone: bool = False,
) -> Named:
    """Ask Slack for the names of the people and channels shown that have none, or one
    older than FRESH, and keep them. `everyone`: every report's author is looked for (a
    read of every report ever, which grows with the years); else those of the last
    RECENT_WEEKS weeks, a read of a few weeks' index."""
    deadline = monotonic() + BUDGET_SECONDS
    since = None if everyone else calendar.monday_of(at.date()) - timedelta(weeks=RECENT_WEEKS)
    named = Named()
    with store.reading() as together:  # one connection for both reads: a tick makes them every minute
        unnamed = together.people.to_name(now - FRESH, since, PEOPLE_PER_TICK)
        unnamed_channels = together.people.channels_to_name(now - FRESH, CHANNELS_PER_TICK)

    def person(user_id: str) -> tuple[str, str | None, str | None]:
        found = directory.person(client, user_id)  # users.info: as Slack says now, not a cached answer
        return (user_id, found.display_name, found.real_name)

    named.people = _ask_and_keep(
        store,
        unnamed,
        person,
        lambda uow, people: uow.people.keep_names(people, now),
        lambda: monotonic() > deadline,
        "names: Slack did not say who %s is (%s); the next tick asks again",
    )
    named.channels = _ask_and_keep(
        store,
        unnamed_channels,
        lambda channel_id: (channel_id, directory.channel_name(client, channel_id)),
        lambda uow, channels: uow.people.keep_channel_names(channels, now),
        lambda: monotonic() > deadline,
        "names: Slack did not name channel %s (%s); the next tick asks again",
    )
    return named


def _ask_and_keep(
    store: Store,
    ids: Iterable[str],
    ask: Callable[[str], T],
    keep: Callable[[UnitOfWork, list[T]], None],
    late: Callable[[], bool],
    unanswered: str,
) -> int:
    """Ask Slack of each id in turn (`ask`) until it is `late`, or Slack does not answer
    (logged: `unanswered`, its id and why), and keep what it said (`keep`, in one unit of
    work), whatever ended the asking; how many were kept."""
    answers: list[T] = []
    try:
        for one in ids:
            if late():
                break
            answers.append(ask(one))
    except DirectoryUnavailable as err:
        log.warning(unanswered, err.channel_id, err.reason)
    finally:
        if answers:
            with store.unit_of_work() as uow:
                keep(uow, answers)
                uow.commit()
    return len(answers)


def keep_person(store: Store, person: Person, now: datetime) -> None:
    """Slack told of a person's names (a `user_change` event)."""
    with store.unit_of_work() as uow:
        uow.people.keep_names([(person.user_id, person.display_name, person.real_name)], now)
        uow.commit()


def keep_channel(store: Store, channel_id: str, name: str | None, now: datetime) -> None:
    """Slack told of a channel's new name (a `channel_rename` event)."""
    with store.unit_of_work() as uow:
        uow.people.keep_channel_names([(channel_id, name)], now)
        uow.commit()
