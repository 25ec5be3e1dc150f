"""Who are curators, and the org's settings: the curators channel, the holidays. A change
here writes no decision row: the use case records it in the same unit of work."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Table, bindparam
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from storage.db import Bind, engine_of, joined, reading
from storage.models import table_of
from storage.models.org import Holiday, RoleGrant, Setting

_ROLE_GRANT, _HOLIDAY = table_of(RoleGrant), table_of(Holiday)
# The setting `rollout demo` writes in the database it makes: its story's last hour (ISO
# 8601), the clock every command reads that database at (bot/startup.py, `reading_clock`).
DEMO_CLOCK = "demo_clock"
_CURATOR = select(_ROLE_GRANT.c.id).where(
    _ROLE_GRANT.c.role == "curator", _ROLE_GRANT.c.user_id == bindparam("user_id")
)


def _insert_new(s: Session, table: Table, row: dict[str, Any]) -> bool:
    """Insert `row` unless its unique key is taken (then nothing): whether it was inserted.
    The key decides, as an INSERT's error would, without spoiling the caller's transaction."""
    dialect = postgresql if s.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table).values(**row).on_conflict_do_nothing().returning(*table.primary_key.columns)
    return s.execute(statement).first() is not None


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
        """False when the user already was a curator (then nothing is written): the unique
        key decides, in the caller's unit of work too."""
        with joined(self.bind) as s:
            return _insert_new(s, _ROLE_GRANT, dict(user_id=user_id, role="curator", granted_by=by, granted_at=at))

    def remove_curator(self, user_id: str) -> bool:
        """False when the user was not a curator (then nothing is written)."""
        with joined(self.bind) as s:
            grant = s.exec(
                select(RoleGrant).where(RoleGrant.role == "curator", RoleGrant.user_id == user_id).with_for_update()
            ).first()
            if grant is None:
                return False
            s.delete(grant)
            s.flush()
            return True

    def setting(self, key: str) -> str | None:
        with reading(self.bind) as s:
            row = s.get(Setting, key)
            return row.value if row else None

    def demo_clock(self) -> datetime | None:
        """When the story of `rollout demo` ended, in a database the demo made; None in any other."""
        kept = self.setting(DEMO_CLOCK)
        return None if kept is None else datetime.fromisoformat(kept)

    def settings(self, keys: list[str]) -> dict[str, Setting]:
        """The settings of `keys` that are set: one query."""
        with reading(self.bind) as s:
            return {row.key: row for row in s.exec(select(Setting).where(col(Setting.key).in_(keys)))}

    def set_setting(self, key: str, value: str, by: str, at: datetime) -> None:
        with joined(self.bind) as s:
            row = s.get(Setting, key, with_for_update=True)
            if row is None:
                row = Setting(key=key, value=value, updated_by=by, updated_at=at)
            else:
                row.value, row.updated_by, row.updated_at = value, by, at
            s.add(row)
            s.flush()

    def holidays(self, first: date, last: date) -> dict[date, str]:
        """The org's holidays from `first` to `last`, with their names."""
        with reading(self.bind) as s:
            rows = s.exec(
                select(col(Holiday.day), col(Holiday.name)).where(col(Holiday.day) >= first, col(Holiday.day) <= last)
            )
            return {day: name for day, name in rows}

    def add_holiday(self, day: date, name: str, by: str, at: datetime) -> bool:
        """False when `day` already was a holiday (then nothing is written): the day's key
        decides, in the caller's unit of work too."""
        with joined(self.bind) as s:
            return _insert_new(s, _HOLIDAY, dict(day=day, name=name, added_by=by, added_at=at))

    def remove_holiday(self, day: date) -> str | None:
        """The name of the holiday `day` was, now removed; None when it was not a holiday."""
        with joined(self.bind) as s:
            holiday = s.get(Holiday, day, with_for_update=True)
            if holiday is None:
                return None
            s.delete(holiday)
            s.flush()
            return holiday.name
