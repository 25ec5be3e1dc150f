"""People: the days someone said they are away, who has left (deactivated in Slack), and
the names of people and channels as Slack last gave them (what pages show for their ids)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, func, or_, select, union, update
from sqlmodel import col

from storage.bulk import upsert
from storage.db import Bind, engine_of, joined, reading
from storage.models import table_of
from storage.models.governance import AdoptionRequest, Decision, Proposal, RegistryVersion
from storage.models.org import NAME_LENGTH, ChannelName, Person, RoleGrant
from storage.models.playbooks import ChecklistMark, Playbook
from storage.models.reports import (
    CaseCount,
    CheckIn,
    ExceptionEscalation,
    ExceptionItemEvent,
    ExceptionReport,
    GuardrailReading,
    KpiReading,
    Learning,
    RubricScore,
)
from storage.types import one_of

PERSON = table_of(Person)
CHANNEL_NAME = table_of(ChannelName)


class People:
    def __init__(self, bind: Bind):
        self.bind, self.engine = bind, engine_of(bind)

    def set_away(self, user_id: str, first: date, last: date, at: datetime) -> None:
        """`user_id` is away from `first` to `last`, both included, instead of any days
        they gave before."""
        days = dict(away_from=first, away_until=last, updated_at=at)
        with joined(self.bind) as s:
            upsert(s, PERSON, dict(user_id=user_id, **days), days)

    def clear_away(self, user_id: str, at: datetime) -> date | None:
        """`user_id` is back; the last day they had given, or None if they were not away."""
        with joined(self.bind) as s:
            person = s.get(Person, user_id, with_for_update=True)
            if person is None or person.away_until is None:
                return None
            last = person.away_until
            person.away_from, person.away_until, person.updated_at = None, None, at
            return last

    def away(self, user_ids: list[str] | None = None, through: date | None = None) -> dict[str, tuple[date, date]]:
        """Who is away, with their first and last day: of `user_ids` (None: everyone),
        leaving out absences that ended before `through`."""
        query = select(col(Person.user_id), col(Person.away_from), col(Person.away_until)).where(
            col(Person.away_until).is_not(None)
        )
        if user_ids is not None:
            query = query.where(col(Person.user_id).in_(user_ids))
        if through is not None:
            query = query.where(col(Person.away_until) >= through)
        with reading(self.bind) as s:
            return {user: (first, last) for user, first, last in s.execute(query).all()}

    def deactivate(self, user_id: str, at: datetime) -> bool:
        """Slack calls `user_id`'s account deactivated: True if that is news."""
        gone = dict(deactivated_at=at, updated_at=at)
        with joined(self.bind) as s:
            return upsert(s, PERSON, dict(user_id=user_id, **gone), gone, where=PERSON.c.deactivated_at.is_(None))

    def reactivate(self, user_id: str, at: datetime) -> bool:
        """`user_id` is active in Slack again: True if they had been deactivated."""
        with joined(self.bind) as s:
            changed = s.exec(
                update(Person)
                .where(col(Person.user_id) == user_id, col(Person.deactivated_at).is_not(None))
                .values(deactivated_at=None, updated_at=at)
            ).rowcount
            return bool(changed)

    def deactivated(self, user_ids: list[str] | None = None) -> set[str]:
        """Of `user_ids` (None: everyone), who Slack calls deactivated."""
        query = select(col(Person.user_id)).where(col(Person.deactivated_at).is_not(None))
        if user_ids is not None:
            query = query.where(col(Person.user_id).in_(user_ids))
        with reading(self.bind) as s:
            return set(s.execute(query).scalars())

    # ---- names ----

    def names(self, user_ids: Iterable[str]) -> dict[str, str]:
        """The name each of `user_ids` is shown by: Slack's display name, else their real
        name. Someone Slack gave no name (or not asked yet) is left out: shown by their id."""
        wanted = sorted(set(user_ids))
        if not wanted:
            return {}
        query = select(col(Person.user_id), col(Person.display_name), col(Person.real_name)).where(
            one_of(col(Person.user_id), "ids"),
            or_(col(Person.display_name).is_not(None), col(Person.real_name).is_not(None)),
        )
        with reading(self.bind) as s:
            rows = s.execute(query, {"ids": wanted}).all()
        return {user: (display or real) for user, display, real in rows if display or real}

    def channel_names(self, channel_ids: Iterable[str]) -> dict[str, str]:
        """The name (without #) of each of `channel_ids` Slack has named."""
        wanted = sorted(set(channel_ids))
        if not wanted:
            return {}
        query = select(col(ChannelName.channel_id), col(ChannelName.name)).where(
            one_of(col(ChannelName.channel_id), "ids"), col(ChannelName.name).is_not(None)
        )
        with reading(self.bind) as s:
            return {channel: name for channel, name in s.execute(query, {"ids": wanted}).all() if name}

    def keep_names(self, named: list[tuple[str, str | None, str | None]], at: datetime) -> None:
        """(user id, display name, real name) as Slack said them at `at` (None: no name)."""
        with joined(self.bind) as s:
            for user_id, display, real in named:
                names = dict(display_name=_cut(display), real_name=_cut(real), named_at=at)
                upsert(s, PERSON, dict(user_id=user_id, updated_at=at, **names), names)

    def keep_channel_names(self, named: list[tuple[str, str | None]], at: datetime) -> None:
        """(channel id, name) as Slack said them at `at` (None: Slack would not say)."""
        with joined(self.bind) as s:
            for channel_id, name in named:
                upsert(
                    s,
                    CHANNEL_NAME,
                    dict(channel_id=channel_id, name=_cut(name), named_at=at),
                    dict(name=_cut(name), named_at=at),
                )

    def to_name(self, named_before: datetime, reporters_since: date | None, limit: int) -> list[str]:
        """People the pages show whose names were never asked of Slack or were asked before
        `named_before`: never asked first, then the longest ago; at most `limit`. Reports
        count from the week of `reporters_since` on (None: every report ever)."""
        query, values = _TO_NAME_EVERYONE, dict(named_before=named_before, limit=limit)
        if reporters_since is not None:
            query, values["since"] = _TO_NAME_RECENT, reporters_since
        with reading(self.bind) as s:
            return list(s.execute(query, values).scalars())

    def channels_to_name(self, named_before: datetime, limit: int) -> list[str]:
        """Channels the pages show (playbooks' and those asked to adopt a version) whose
        names were never asked of Slack or asked before `named_before`; at most `limit`."""
        with reading(self.bind) as s:
            return list(s.execute(_CHANNELS_TO_NAME, dict(named_before=named_before, limit=limit)).scalars())


def _cut(name: str | None) -> str | None:
    return name.strip()[:NAME_LENGTH] or None if name else None


def _shown_people(reporters_since: Any) -> Any:
    """Every id a page or a CSV may show as a person (and some that are not people, such
    as `rule:…` or `token:…`: the caller keeps Slack's user ids). Reports count from the
    week of `reporters_since` on (a date or a bind parameter; None: every report ever)."""
    people: list[Any] = [
        select(col(Playbook.owner_id).label("id")),
        select(col(Playbook.champion_id)).where(col(Playbook.champion_id).is_not(None)),
        select(col(Decision.actor)),
        select(col(Proposal.decided_by)).where(col(Proposal.decided_by).is_not(None)),
        select(col(Learning.added_by)),
        select(col(ExceptionItemEvent.by)),
        select(col(AdoptionRequest.requester_id)),
        select(col(AdoptionRequest.champion_id)),
        select(col(AdoptionRequest.decided_by)).where(col(AdoptionRequest.decided_by).is_not(None)),
        select(col(ChecklistMark.marked_by)),
        select(col(RoleGrant.user_id)),
        select(col(RegistryVersion.published_by)),
        select(col(ExceptionEscalation.by)),  # the clock's `clock` is no id: left out below
        # the people a playbook's definition names, whom its revisions' words name too
        *(select(_named_in_definition(*path)) for path in _DEFINITION_PEOPLE),
    ]
    for table, reporter in (
        (CheckIn, CheckIn.user_id),
        (KpiReading, KpiReading.reported_by),
        (GuardrailReading, GuardrailReading.reported_by),
        (ExceptionReport, ExceptionReport.reported_by),
        (CaseCount, CaseCount.reported_by),
        (RubricScore, RubricScore.reported_by),
    ):
        recent = [col(table.week_start) >= reporters_since] if reporters_since is not None else []
        people.append(select(col(reporter)).where(*recent))
        people.append(select(col(table.withdrawn_by)).where(col(table.withdrawn_by).is_not(None), *recent))
    return union(*people)


# Where a definition names people (and `escalate_to`, a person or a channel) by id: the
# revisions' words name them (cadence/revisions.py), and the pages show those by name.
_DEFINITION_PEOPLE = (
    ("exception_owner",),
    ("owners", "business_rules"),
    ("owners", "model_updates"),
    ("handoff", "escalate_to"),
)


def _named_in_definition(*path: str) -> Any:
    """The id at `path` in each playbook's definition (null where it names none)."""
    return col(Playbook.definition)[path if len(path) > 1 else path[0]].as_string().label("id")


def _not_named_since(shown: Any, named: Any, key: Any, named_at: Any, prefixes: tuple[str, ...]) -> Any:
    """The ids of `shown` (a subquery of `id`s) starting with one of `prefixes` whose name
    (a row of `named`, found by `key`) is missing or older than `named_before`: the never
    named first, then the oldest, at most `limit`."""
    return (
        select(shown.c.id)
        .outerjoin(named, key == shown.c.id)
        .where(
            func.substr(shown.c.id, 1, 1).in_(prefixes),
            or_(named_at.is_(None), named_at < bindparam("named_before")),
        )
        .order_by(named_at.is_not(None), named_at, shown.c.id)
        .limit(bindparam("limit"))
    )


def _to_name(reporters_since: Any) -> Any:
    shown = _shown_people(reporters_since).subquery()
    return _not_named_since(shown, Person, col(Person.user_id), col(Person.named_at), ("U", "W"))


# The tick asks both every minute: made once, as building the union of two dozen selects
# cost more than the database's answer.
_TO_NAME_EVERYONE = _to_name(None)
_TO_NAME_RECENT = _to_name(bindparam("since"))
_CHANNELS_SHOWN = union(
    select(col(Playbook.channel_id).label("id")),
    select(col(AdoptionRequest.channel_id)),
    select(_named_in_definition("handoff", "escalate_to")),  # a channel, or a person (left out: not C or G)
).subquery()
_CHANNELS_TO_NAME = _not_named_since(
    _CHANNELS_SHOWN, ChannelName, col(ChannelName.channel_id), col(ChannelName.named_at), ("C", "G")
)
