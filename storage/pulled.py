"""What the clock asked a source for a pulled number of a week, and what came back
(cadence/pulled.py): the write and the reads of the two tables that keep it,
`source_fetch` (storage/source_fetches.py) and `input_check` (storage/input_checks.py)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import case, func
from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel, select

from cadence.pulled import FAILED, Asked
from storage.bulk import insert_all
from storage.db import Bind, joined, reading
from storage.models import table_of

M = TypeVar("M", bound=SQLModel)


class AlreadyPulled(Exception):
    """A pulled number of a week was settled already (by another clock): nothing of the
    unit of work that tried again was written."""


class PulledNumbers(Generic[M]):
    """A table of pulled numbers: its `model`, its columns of the number's `name` and of
    when it was asked (`at`), and what its unique index refusing a number another clock
    settled first raises (`refused`)."""

    model: type[M]
    name: str
    at: str
    refused: type[AlreadyPulled]

    def __init__(self, bind: Bind):
        self.bind, self.table = bind, table_of(self.model)

    @classmethod
    def row(cls, playbook_id: int, week_start: date, name: str, at: datetime, **rest: Any) -> dict[str, Any]:
        """A row: the number `name` of a week, asked at `at`; `rest`, the other columns."""
        return dict(playbook_id=playbook_id, week_start=week_start, **{cls.name: name, cls.at: at}, **rest)

    def record(self, rows: list[dict[str, Any]]) -> None:
        """Rows. Raises `refused` if another clock settled one of their numbers first; in
        a unit of work, nothing of it is kept then."""
        if not rows:
            return
        with joined(self.bind) as s:
            connection = s.connection()
            # COPY (PostgreSQL) raises the driver's own error, an INSERT SQLAlchemy's.
            refused = (IntegrityError, connection.dialect.loaded_dbapi.IntegrityError)
            try:
                insert_all(s, self.table, rows)  # the session: its pending rows go first
            except refused as err:
                raise self.refused(str(err).splitlines()[0]) from None

    def asked(self, weeks: list[date]) -> dict[tuple[int, date, str], Asked]:
        """Every number of these weeks the clock has asked for, of every playbook: when
        last, whether settled, how many asks failed. One statement."""
        if not weeks:
            return {}
        c, failed = self.table.c, self.table.c.outcome == FAILED
        settled, failures = func.max(case((failed, 0), else_=1)), func.sum(case((failed, 1), else_=0))
        query = (
            sa_select(c.playbook_id, c.week_start, c[self.name], func.max(c[self.at]), settled, failures)
            .where(c.week_start.in_(sorted(set(weeks))))
            .group_by(c.playbook_id, c.week_start, c[self.name])
        )
        with reading(self.bind) as s:
            return {
                (pid, week, name): Asked(at, bool(done), int(missed or 0))
                for pid, week, name, at, done, missed in s.execute(query)
            }

    def of_playbook(self, playbook_id: int, first: date | None = None) -> list[M]:
        """A playbook's rows (from the week `first` on), oldest first."""
        c = self.table.c
        query = select(self.model).where(c.playbook_id == playbook_id)
        if first is not None:
            query = query.where(c.week_start >= first)
        with reading(self.bind) as s:
            return list(s.exec(query.order_by(c.id)))
