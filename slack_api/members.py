"""Who is on a playbook's team: the human members of its Slack channel, asked of Slack.

Membership is cached per channel for a few minutes, because every member command
needs it and Slack's `conversations.members` is rate limited (Tier 4). The cache is
also dropped when Slack tells us someone joined or left (usecases/events.py).
People (time zone, bot or not, deactivated or not) are cached for hours: they rarely
change, and a large team is read with a few paged `users.list` calls instead of one
`users.info` per person.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

PAGE_SIZE = 200  # Slack's recommended page size for cursor pagination
BULK_AFTER = 50  # more unknown people than this: one paged users.list instead of users.info each
SLACKBOT = "USLACKBOT"
GONE = ("not_in_channel", "channel_not_found", "is_archived")  # Slack's answers for a channel we can't read


@dataclass(frozen=True)
class Person:
    user_id: str
    timezone: str | None  # Slack's `tz`, which can be null
    is_bot: bool = False
    deleted: bool = False
    is_app_user: bool = False
    found: bool = True  # False: Slack answered user_not_found
    display_name: str | None = None  # the profile's display_name ("" in Slack: None here)
    real_name: str | None = None  # the profile's real_name, else the user's
    email: str | None = None  # the profile's email: given to an app granted users:read.email only

    @property
    def is_human(self) -> bool:
        return not (self.is_bot or self.is_app_user or self.deleted or self.user_id == SLACKBOT)


class DirectoryUnavailable(Exception):
    """Slack would not tell us the members: `reason` is Slack's error code or 'timeout'."""

    def __init__(self, channel_id: str, reason: str):
        super().__init__(f"{channel_id}: {reason}")
        self.channel_id = channel_id
        self.reason = reason


class SharedChanges(Protocol):
    """Where every process counts the membership changes Slack told any of them about
    (storage/membership.py): a team list is kept only while its channel's count stands."""

    def versions(self, channel_ids: list[str]) -> dict[str, int]: ...

    def changed(self, channel_id: str, at: datetime) -> None: ...


class TeamDirectory:
    def __init__(
        self,
        ttl_seconds: float = 300,
        people_ttl_seconds: float = 6 * 3600,
        monotonic: Callable[[], float] = time.monotonic,
        shared: SharedChanges | None = None,
    ):
        self.ttl = ttl_seconds
        self.people_ttl = people_ttl_seconds
        self.monotonic = monotonic
        self.shared = shared  # None: this process's own changes only (one process, or none kept)
        self._members: dict[str, tuple[float, int, frozenset[str]]] = {}  # expiry, changes counted, members
        self._people: dict[str, tuple[float, Person]] = {}
        self._lock = threading.Lock()

    def teams(
        self, client: WebClient, channel_ids: list[str], changes: dict[str, int] | None = None
    ) -> dict[str, list[Person] | None]:
        """Several channels' human members, with their people looked up together (so a large
        org costs a few paged users.list calls, not a users.info per person). A channel
        Slack would not list maps to None; the first one to fail for another reason raises.
        `changes`: the channels' counts of membership changes, if already read."""
        if changes is None:
            changes = self.shared.versions(channel_ids) if self.shared else {}
        members = self._members_of(client, channel_ids, changes)
        people = self.people(client, set().union(*(m for m in members.values() if m)))
        return {channel: None if ids is None else _humans(ids, people) for channel, ids in members.items()}

    def _members_of(
        self, client: WebClient, channel_ids: list[str], changes: dict[str, int]
    ) -> dict[str, frozenset[str] | None]:
        """Each channel's members' ids; None for one Slack would not list (of several)."""
        members: dict[str, frozenset[str] | None] = {}
        for channel in channel_ids:
            try:
                members[channel] = self.channel_members(client, channel, changes.get(channel, 0))
            except DirectoryUnavailable as err:
                if err.reason not in ("not_in_channel", "channel_not_found") or len(channel_ids) == 1:
                    raise
                members[channel] = None
        return members

    def people(self, client: WebClient, user_ids: Iterable[str]) -> dict[str, Person]:
        now = self.monotonic()
        wanted = set(user_ids)
        with self._lock:
            known = {u: p for u, (expires, p) in self._people.items() if u in wanted and expires > now}
        missing = wanted - set(known)
        if len(missing) > BULK_AFTER:
            self._remember(self._list_everyone(client), now)
        elif missing:
            self._remember([self._lookup(client, u) for u in sorted(missing)], now)
        with self._lock:
            return {u: self._people[u][1] for u in wanted if u in self._people}

    def _remember(self, people: Iterable[Person], now: float) -> None:
        with self._lock:
            for person in people:
                self._people[person.user_id] = (now + self.people_ttl, person)

    @staticmethod
    def _person(user: dict[str, Any]) -> Person:
        return person_of(user)

    def person(self, client: WebClient, user_id: str) -> Person:
        """One person as Slack says now (users.info, not the cache): for naming someone
        owner or curator. Raises DirectoryUnavailable if Slack does not answer."""
        person = self._lookup(client, user_id)
        self._remember([person], self.monotonic())
        return person

    def _lookup(self, client: WebClient, user_id: str) -> Person:
        try:
            return self._person(client.users_info(user=user_id)["user"])
        except SlackApiError as err:
            if err.response.get("error") in ("user_not_found", "account_inactive"):
                return Person(user_id, None, deleted=True, found=err.response.get("error") != "user_not_found")
            raise DirectoryUnavailable(user_id, str(err.response.get("error") or err.response.status_code)) from err
        except (OSError, TimeoutError) as err:
            raise DirectoryUnavailable(user_id, "timeout") from err

    def _list_everyone(self, client: WebClient) -> list[Person]:
        people, cursor = [], None
        try:
            while True:
                page = client.users_list(limit=PAGE_SIZE, cursor=cursor)
                members: list[dict[str, Any]] = page.get("members", [])
                people += [self._person(u) for u in members]
                cursor = (page.get("response_metadata") or {}).get("next_cursor")
                if not cursor:
                    return people
        except SlackApiError as err:
            raise DirectoryUnavailable(
                "users.list", str(err.response.get("error") or err.response.status_code)
            ) from err
        except (OSError, TimeoutError) as err:
            raise DirectoryUnavailable("users.list", "timeout") from err

    def channel_members(self, client: WebClient, channel_id: str, changes: int | None = None) -> frozenset[str]:
        """The channel's members, asked of Slack unless this process asked since its
        membership last changed (`changes`: the count of its changes, if already read)
        and less than `ttl` seconds ago."""
        now = self.monotonic()
        if changes is None:
            changes = self.shared.versions([channel_id])[channel_id] if self.shared else 0
        with self._lock:
            cached = self._members.get(channel_id)
        if cached and cached[0] > now and cached[1] == changes:
            return cached[2]
        try:
            members = self._fetch(client, channel_id)
        except DirectoryUnavailable as err:
            # Slack is busy or slow: a list a few minutes old beats no answer at all.
            # (A channel we were removed from is not "busy": that answer stands.)
            if cached and err.reason not in GONE:
                return cached[2]
            raise
        with self._lock:
            self._members[channel_id] = (now + self.ttl, changes, members)
        return members

    def bot_absence(self, client: WebClient, channel_id: str) -> str | None:
        """Why the bot cannot run a playbook in a channel (None: it is in it, and it is
        open), as Slack says now. Only conversations.info's `is_member` tells: Slack lists
        a public channel's members whether or not the bot is one of them. Raises
        DirectoryUnavailable if Slack does not answer."""
        try:
            found = client.conversations_info(channel=channel_id)["channel"]
        except SlackApiError as err:
            reason = str(err.response.get("error") or err.response.status_code)
            if reason in GONE:
                return reason
            raise DirectoryUnavailable(channel_id, reason) from err
        except (OSError, TimeoutError) as err:
            raise DirectoryUnavailable(channel_id, "timeout") from err
        if found.get("is_archived"):
            return "is_archived"
        if not found.get("is_member"):
            return "is_member: false"
        return None

    @staticmethod
    def channel_name(client: WebClient, channel_id: str) -> str | None:
        """The channel's name as Slack says now (conversations.info), None if Slack will
        not show the bot the channel. Raises DirectoryUnavailable if Slack does not answer."""
        try:
            found = client.conversations_info(channel=channel_id)["channel"]
        except SlackApiError as err:
            reason = str(err.response.get("error") or err.response.status_code)
            if reason in GONE:
                return None
            raise DirectoryUnavailable(channel_id, reason) from err
        except (OSError, TimeoutError) as err:
            raise DirectoryUnavailable(channel_id, "timeout") from err
        return str(found.get("name") or "") or None

    def forget(self, channel_id: str, at: datetime) -> None:
        """Slack said `channel_id`'s membership changed (at `at`): every process asks anew."""
        if self.shared is not None:
            self.shared.changed(channel_id, at)
        with self._lock:  # expired, not dropped: still the fallback while Slack is busy
            cached = self._members.get(channel_id)
            if cached:
                self._members[channel_id] = (float("-inf"), cached[1], cached[2])

    @staticmethod
    def _fetch(client: WebClient, channel_id: str) -> frozenset[str]:
        members: set[str] = set()
        cursor = None
        try:
            while True:
                page = client.conversations_members(channel=channel_id, limit=PAGE_SIZE, cursor=cursor)
                members.update(page.get("members", []))
                cursor = (page.get("response_metadata") or {}).get("next_cursor")
                if not cursor:
                    return frozenset(members)
        except SlackApiError as err:
            raise DirectoryUnavailable(channel_id, str(err.response.get("error") or err.response.status_code)) from err
        except (OSError, TimeoutError) as err:
            raise DirectoryUnavailable(channel_id, "timeout") from err


def person_of(user: dict[str, Any]) -> Person:
    """A person from Slack's user object (users.info's `user`, users.list's members, the
    `user_change` event's `user`)."""
    profile = user.get("profile") or {}
    return Person(
        user_id=user["id"],
        timezone=user.get("tz") or None,
        is_bot=bool(user.get("is_bot")),
        deleted=bool(user.get("deleted")),
        is_app_user=bool(user.get("is_app_user")),
        display_name=str(profile.get("display_name") or "").strip() or None,
        real_name=str(profile.get("real_name") or user.get("real_name") or "").strip() or None,
        email=str(profile.get("email") or "").strip() or None,
    )


def _humans(ids: frozenset[str], people: dict[str, Person]) -> list[Person]:
    """The people of `ids` that are known and human, by id."""
    return [people[m] for m in sorted(ids) if m in people and people[m].is_human]
