"""Who are curators, and the org's settings: the curators channel, the holidays."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import bindparam
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from cadence import decisions
from storage.db import Bind, engine_of, own_transaction, reading, unit_of_work
from storage.governance_rows import decision_columns
from storage.models import table_of
from storage.models.governance import Decision
from storage.models.org import Holiday, RoleGrant, Setting

_ROLE_GRANT = table_of(RoleGrant)
_CURATOR = select(_ROLE_GRANT.c.id).where(
    _ROLE_GRANT.c.role == "curator", _ROLE_GRANT.c.user_id == bindparam("user_id")
)


class RolesAndSettings:
    def __init__(self, bind: Bind):
        self.bind, self.engine = bind, engine_of(bind)

    def curators(self) -> set[str]:
        with reading(self.bind) as s:
            return set(s.exec(select(RoleGrant.user_id).where(RoleGrant.role == "curator")))

    def is_curator(self, user_id: str) -> bool:
        with reading(self.bind) as s:
            return s.execute(_CURATOR, {"user_id": user_id}).first() is not None

    def add_curator(self, user_id: str, by: str, at: datetime) -> bool:
        """False when the user already was a curator (then nothing is written)."""
        try:
            with own_transaction(self.bind) as s:
                s.add(RoleGrant(user_id=user_id, role="curator", granted_by=by, granted_at=at))
                s.flush()  # the unique key decides, before the decision row is added
                s.add(Decision(**decision_columns(decisions.of_curator(user_id, True, by), at)))
            return True
        except IntegrityError:
            return False

    def remove_curator(self, user_id: str, by: str, at: datetime) -> bool:
        """False when the user was not a curator (then nothing is written)."""
        with unit_of_work(self.bind) as s:
            grant = s.exec(
                select(RoleGrant).where(RoleGrant.role == "curator", RoleGrant.user_id == user_id).with_for_update()
            ).first()
            if grant is None:
                return False
            s.delete(grant)
            s.add(Decision(**decision_columns(decisions.of_curator(user_id, False, by), at)))
            return True

    def setting(self, key: str) -> str | None:
        with reading(self.bind) as s:
            row = s.get(Setting, key)
            return row.value if row else None

    def settings(self, keys: list[str]) -> dict[str, Setting]:
        """The settings of `keys` that are set: one query."""
        with reading(self.bind) as s:
            return {row.key: row for row in s.exec(select(Setting).where(col(Setting.key).in_(keys)))}

    def set_setting(self, key: str, value: str, by: str, at: datetime) -> None:
        with unit_of_work(self.bind) as s:
            row = s.get(Setting, key, with_for_update=True)
            if row is None:
                row = Setting(key=key, value=value, updated_by=by, updated_at=at)
            else:
                row.value, row.updated_by, row.updated_at = value, by, at
            s.add(row)
            s.add(Decision(**decision_columns(decisions.of_setting(key, value, by), at)))

    def holidays(self, first: date, last: date) -> dict[date, str]:
        """The org's holidays from `first` to `last`, with their names."""
        with reading(self.bind) as s:
            rows = s.exec(
                select(col(Holiday.day), col(Holiday.name)).where(col(Holiday.day) >= first, col(Holiday.day) <= last)
            )
            return {day: name for day, name in rows}

    def add_holiday(self, day: date, name: str, by: str, at: datetime) -> bool:
        """False when `day` already was a holiday (then nothing is written)."""
        try:
            with own_transaction(self.bind) as s:
                s.add(Holiday(day=day, name=name, added_by=by, added_at=at))
                s.flush()
                s.add(Decision(**decision_columns(decisions.of_holiday(day, name, True, by), at)))
            return True
        except IntegrityError:
            return False

    def remove_holiday(self, day: date, by: str, at: datetime) -> bool:
        """False when `day` was not a holiday."""
        with unit_of_work(self.bind) as s:
            holiday = s.get(Holiday, day, with_for_update=True)
            if holiday is None:
                return False
            s.delete(holiday)
            s.add(Decision(**decision_columns(decisions.of_holiday(day, holiday.name, False, by), at)))
            return True
