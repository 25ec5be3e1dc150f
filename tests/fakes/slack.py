"""Slack as the use cases ask it, in memory: a TeamDirectory (slack_api/members.py) that
knows each channel's members and each person, and a clock that stands still until moved."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from slack_api.members import DirectoryUnavailable, Person


class FakeDirectory:
    """`members`: channel id -> its members; `people`: user id -> Person (anyone else is
    an active human); `absent`: channel id -> why the bot cannot run a playbook there;
    `down`: Slack's error every call raises (DirectoryUnavailable); `channel_names`:
    channel id -> its name (a channel not in it Slack will not show the bot)."""

    def __init__(
        self,
        members: dict[str, Iterable[str]] | None = None,
        people: dict[str, Person] | None = None,
        absent: dict[str, str] | None = None,
        down: str | None = None,
        channel_names: dict[str, str] | None = None,
    ):
        self.members = {channel: frozenset(users) for channel, users in (members or {}).items()}
        self.known = dict(people or {})
        self.absent = dict(absent or {})
        self.down = down
        self.channel_names = dict(channel_names or {})
        self.asked: list[tuple[str, str]] = []  # (method, id), in order

    def _answer(self, method: str, of: str) -> None:
        self.asked.append((method, of))
        if self.down is not None:
            raise DirectoryUnavailable(of, self.down)

    def channel_members(self, client: Any, channel_id: str, changes: int | None = None) -> frozenset[str]:
        self._answer("channel_members", channel_id)
        return self.members.get(channel_id, frozenset())

    def person(self, client: Any, user_id: str) -> Person:
        self._answer("person", user_id)
        return self.known.get(user_id, Person(user_id, "Europe/Berlin"))

    def teams(
        self, client: Any, channel_ids: list[str], changes: dict[str, int] | None = None
    ) -> dict[str, list[Person] | None]:
        """Each channel's human members (TeamDirectory.teams): with Slack `down` for
        not_in_channel or channel_not_found, a channel maps to None unless it is the only
        one asked; any other error raises."""
        members: dict[str, frozenset[str] | None] = {}
        for channel in channel_ids:
            try:
                members[channel] = self.channel_members(client, channel)
            except DirectoryUnavailable as err:
                if err.reason not in ("not_in_channel", "channel_not_found") or len(channel_ids) == 1:
                    raise
                members[channel] = None
        people = self.people(client, set().union(*(m for m in members.values() if m)))
        return {
            channel: None if ids is None else [people[m] for m in sorted(ids) if people[m].is_human]
            for channel, ids in members.items()
        }

    def people(self, client: Any, user_ids: Iterable[str]) -> dict[str, Person]:
        return {u: self.known.get(u, Person(u, "Europe/Berlin")) for u in user_ids}

    def bot_absence(self, client: Any, channel_id: str) -> str | None:
        self._answer("bot_absence", channel_id)
        return self.absent.get(channel_id)

    def channel_name(self, client: Any, channel_id: str) -> str | None:
        self._answer("channel_name", channel_id)
        return self.channel_names.get(channel_id)


class FixedClock:
    """The current instant, UTC-aware, where a test puts it."""

    def __init__(self, at: datetime):
        self.at = at

    def __call__(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        self.at += timedelta(**delta)
