"""The org and its people in memory: storage/roles.py's curators, settings and holidays
(its reads, and the writes the fakes had before it was reshaped), and storage/people.py's
days away, deactivated accounts and the names Slack gave."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from storage.models.org import Setting

if TYPE_CHECKING:
    from tests.fakes.store import Held


class FakeOrg:
    def __init__(self, held: Held):
        self.held = held

    def curators(self) -> set[str]:
        return set(self.held.curators)

    def is_curator(self, user_id: str) -> bool:
        return user_id in self.held.curators

    def add_curator(self, user_id: str, by: str, at: datetime) -> bool:
        added = user_id not in self.held.curators
        self.held.curators.add(user_id)
        return added

    def remove_curator(self, user_id: str) -> bool:
        removed = user_id in self.held.curators
        self.held.curators.discard(user_id)
        return removed

    def set_setting(self, key: str, value: str, by: str, at: datetime) -> None:
        self.held.settings[key] = value
        self.held.settings_at[key] = (by, at)

    def setting(self, key: str) -> str | None:
        return self.held.settings.get(key)

    def settings(self, keys: list[str]) -> dict[str, Setting]:
        """The settings of `keys` that are set (one put in `held.settings` by a test: by no one, at no time)."""
        return {
            key: Setting(
                key=key,
                value=self.held.settings[key],
                updated_by=self.held.settings_at.get(key, ("", None))[0],
                updated_at=self.held.settings_at.get(key, ("", datetime.min))[1],
            )
            for key in keys
            if key in self.held.settings
        }

    def add_holiday(self, day: date, name: str, by: str, at: datetime) -> bool:
        if day in self.held.holidays:
            return False
        self.held.holidays[day] = name
        return True

    def remove_holiday(self, day: date) -> str | None:
        return self.held.holidays.pop(day, None)

    def holidays(self, first: date, last: date) -> dict[date, str]:
        return {d: n for d, n in sorted(self.held.holidays.items()) if first <= d <= last}


class FakePeople:
    def __init__(self, held: Held):
        self.held = held

    def set_away(self, user_id: str, first: date, last: date, at: datetime) -> None:
        self.held.away[user_id] = (first, last)

    def clear_away(self, user_id: str, at: datetime) -> date | None:
        gone = self.held.away.pop(user_id, None)
        return gone[1] if gone else None

    def away(self, user_ids: list[str] | None = None, through: date | None = None) -> dict[str, tuple[date, date]]:
        return {
            user: days
            for user, days in self.held.away.items()
            if (user_ids is None or user in user_ids) and (through is None or days[1] >= through)
        }

    def deactivate(self, user_id: str, at: datetime) -> bool:
        news = user_id not in self.held.deactivated
        self.held.deactivated.add(user_id)
        return news

    def reactivate(self, user_id: str, at: datetime) -> bool:
        was = user_id in self.held.deactivated
        self.held.deactivated.discard(user_id)
        return was

    def deactivated(self, user_ids: list[str] | None = None) -> set[str]:
        return {u for u in self.held.deactivated if user_ids is None or u in user_ids}

    def names(self, user_ids: Iterable[str]) -> dict[str, str]:
        """Slack's display name, else the real name, of those Slack named."""
        found = {}
        for user in user_ids:
            display, real, _ = self.held.names.get(user, (None, None, None))
            if display or real:
                found[user] = display or real or ""
        return found

    def channel_names(self, channel_ids: Iterable[str]) -> dict[str, str]:
        named = {c: self.held.channel_names.get(c, (None, None))[0] for c in channel_ids}
        return {c: name for c, name in named.items() if name}

    def keep_names(self, named: list[tuple[str, str | None, str | None]], at: datetime) -> None:
        for user, display, real in named:
            self.held.names[user] = (display, real, at)

    def keep_channel_names(self, named: list[tuple[str, str | None]], at: datetime) -> None:
        for channel, name in named:
            self.held.channel_names[channel] = (name, at)

    def to_name(self, named_before: datetime, reporters_since: date | None, limit: int) -> list[str]:
        """The people the pages show (Slack user ids) never named or named before
        `named_before`: never named first, then the longest ago; at most `limit`."""
        named_at = {user: at for user, (_, _, at) in self.held.names.items()}
        return _not_named_since(_shown_people(self.held, reporters_since), named_at, named_before, ("U", "W"), limit)

    def channels_to_name(self, named_before: datetime, limit: int) -> list[str]:
        shown = {s.playbook.channel_id for s in self.held.states.values()}
        shown |= {r.channel_id for r in self.held.registry.requests.values()}
        shown |= {_named(s.playbook.definition, "handoff", "escalate_to") or "" for s in self.held.states.values()}
        named_at = {channel: at for channel, (_, at) in self.held.channel_names.items()}
        return _not_named_since(shown, named_at, named_before, ("C", "G"), limit)


def _shown_people(held: Held, reporters_since: date | None) -> set[str]:
    """Every id a page may show as a person: owners, champions, who decided, learned,
    moved an item, asked or decided a request, marked a checklist, curates, published, and
    who reported (from the week of `reporters_since` on) or withdrew a report."""
    people = {s.playbook.owner_id for s in held.states.values()}
    people |= {s.playbook.champion_id for s in held.states.values() if s.playbook.champion_id}
    people |= {d["actor"] for d in held.decisions}
    people |= {p.decided_by for p in held.governance.proposals.values() if p.decided_by}
    people |= {x.added_by for x in held.learnings} | {e.by for e in held.item_events}
    for r in held.registry.requests.values():
        people |= {r.requester_id, r.champion_id, *([r.decided_by] if r.decided_by else [])}
    people |= {m.marked_by for m in held.marks} | set(held.curators)
    people |= {v.published_by for v in held.registry.versions.values()}
    people |= {e.by for e in held.escalations}  # the clock's `clock` is no id: left out by its prefix
    for state in held.states.values():  # the people a definition names, whom its revisions' words name
        people |= {_named(state.playbook.definition, *path) or "" for path in _DEFINITION_PEOPLE}
    for row in held.reports.rows:
        if reporters_since is None or row.values["week_start"] >= reporters_since:
            people.add(row.by)
            if row.values.get("undone_by"):
                people.add(row.values["undone_by"])
    return people


# Where a definition names people (and `escalate_to`, a person or a channel) by id.
_DEFINITION_PEOPLE = (
    ("exception_owner",),
    ("owners", "business_rules"),
    ("owners", "model_updates"),
    ("handoff", "escalate_to"),
)


def _named(definition: dict[str, Any], *path: str) -> str | None:
    """The id at `path` in a definition, None where it names none."""
    found: Any = definition
    for key in path:
        found = found.get(key) if isinstance(found, dict) else None
    return found if isinstance(found, str) else None


def _not_named_since(
    shown: set[str], named_at: dict[str, datetime], before: datetime, prefixes: tuple[str, ...], limit: int
) -> list[str]:
    due = [i for i in shown if i[:1] in prefixes and (i not in named_at or named_at[i] < before)]
    due.sort(key=lambda i: (i in named_at, named_at.get(i, before), i))
    return due[:limit]
