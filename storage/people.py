"""People: the days someone said they are away, and who has left (deactivated in Slack)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from sqlmodel import col

from storage.bulk import upsert
from storage.db import reading, unit_of_work
from storage.models import table_of
from storage.models.org import Person

PERSON = table_of(Person)


class People:
    def __init__(self, engine: Engine):
        self.engine = engine

    def set_away(self, user_id: str, first: date, last: date, at: datetime) -> None:
        """`user_id` is away from `first` to `last`, both included, instead of any days
        they gave before."""
        days = dict(away_from=first, away_until=last, updated_at=at)
        with unit_of_work(self.engine) as s:
            upsert(s, PERSON, dict(user_id=user_id, **days), days)

    def clear_away(self, user_id: str, at: datetime) -> date | None:
        """`user_id` is back; the last day they had given, or None if they were not away."""
        with unit_of_work(self.engine) as s:
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
        with reading(self.engine) as s:
            return {user: (first, last) for user, first, last in s.execute(query).all()}

    def deactivate(self, user_id: str, at: datetime) -> bool:
        """Slack calls `user_id`'s account deactivated: True if that is news."""
        gone = dict(deactivated_at=at, updated_at=at)
        with unit_of_work(self.engine) as s:
            return upsert(s, PERSON, dict(user_id=user_id, **gone), gone, where=PERSON.c.deactivated_at.is_(None))

    def reactivate(self, user_id: str, at: datetime) -> bool:
        """`user_id` is active in Slack again: True if they had been deactivated."""
        with unit_of_work(self.engine) as s:
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
        with reading(self.engine) as s:
            return set(s.execute(query).scalars())
