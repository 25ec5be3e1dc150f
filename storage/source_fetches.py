"""What the clock asked each source, and what came back (`source_fetch`): the clock's
memory of which sourced numbers are still missing, `rollout source list`'s last
fetches, and input reliability's arrivals. A fetched value's row goes in with its
report (WeeklyReports.add_reports); failures go in here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import case, func, tuple_
from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from storage.bulk import insert_all
from storage.db import Bind, engine_of, reading, unit_of_work
from storage.models import table_of
from storage.models.reports import SourceFetch

FETCHES = table_of(SourceFetch)


class AlreadyFetched(Exception):
    """A sourced number of a week was stored already (by another clock): nothing of the
    unit of work that tried again was written."""


@dataclass(frozen=True)
class Asked:
    """A sourced number of a week as the clock left it: when it was last asked, whether
    it is settled (a value fetched, or an override typed), and how many asks failed."""

    last_at: datetime
    settled: bool
    failures: int = 0


def fetch_row(
    playbook_id: int,
    week_start: date,
    number: str,
    source: str,
    asked: str,
    at: datetime,
    value: float | None = None,
    error: str | None = None,
    outcome: str | None = None,
) -> dict[str, Any]:
    """A `source_fetch` row: fetched (a value), failed (an error) or typed (an override)."""
    return dict(
        playbook_id=playbook_id,
        week_start=week_start,
        number=number,
        source=source,
        asked=asked,
        outcome=outcome or ("fetched" if error is None else "failed"),
        value=value,
        error=error,
        fetched_at=at,
    )


class SourceFetches:
    def __init__(self, bind: Bind):
        self.bind, self.engine = bind, engine_of(bind)

    def record(self, rows: list[dict[str, Any]]) -> None:
        """Fetches: failed ones, and fetched values in the unit of work of their reports.
        Raises AlreadyFetched if another clock stored a fetched number first
        (ux_source_fetch_fetched); in a unit of work, nothing of it is kept then."""
        if not rows:
            return
        with unit_of_work(self.bind) as s:
            connection = s.connection()
            # COPY (PostgreSQL) raises the driver's own error, an INSERT SQLAlchemy's.
            refused = (IntegrityError, connection.dialect.loaded_dbapi.IntegrityError)
            try:
                insert_all(s, FETCHES, rows)  # the session: its pending rows go first
            except refused as err:
                raise AlreadyFetched(str(err).splitlines()[0]) from None

    def asked(self, weeks: list[date]) -> dict[tuple[int, date, str], Asked]:
        """Every sourced number of these weeks the clock has asked for, of every playbook:
        one statement, whatever the number of playbooks."""
        if not weeks:
            return {}
        settled = func.max(case((col(SourceFetch.outcome) == "failed", 0), else_=1))
        failures = func.sum(case((col(SourceFetch.outcome) == "failed", 1), else_=0))
        query = (
            sa_select(
                col(SourceFetch.playbook_id),
                col(SourceFetch.week_start),
                col(SourceFetch.number),
                func.max(col(SourceFetch.fetched_at)),
                settled,
                failures,
            )
            .where(col(SourceFetch.week_start).in_(sorted(set(weeks))))
            .group_by(col(SourceFetch.playbook_id), col(SourceFetch.week_start), col(SourceFetch.number))
        )
        with reading(self.bind) as s:
            return {
                (pid, week, number): Asked(at, bool(done), int(failed or 0))
                for pid, week, number, at, done, failed in s.execute(query)
            }

    def failures(self, weeks: list[tuple[int, date]]) -> dict[tuple[int, date], dict[str, str]]:
        """For each (playbook, week), the sourced numbers still missing and the last error
        each was fetched with: one statement."""
        if not weeks:
            return {}
        query = (
            select(SourceFetch)
            .where(tuple_(col(SourceFetch.playbook_id), col(SourceFetch.week_start)).in_(weeks))
            .order_by(col(SourceFetch.id))
        )
        found: dict[tuple[int, date], dict[str, str]] = {}
        settled: set[tuple[int, date, str]] = set()
        with reading(self.bind) as s:
            for row in s.exec(query):
                if row.outcome == "failed":
                    found.setdefault((row.playbook_id, row.week_start), {})[row.number] = row.error or ""
                else:
                    settled.add((row.playbook_id, row.week_start, row.number))
        for (pid, week), errors in found.items():
            for number in [n for n in errors if (pid, week, n) in settled]:
                del errors[number]
        return found

    def of_playbook(self, playbook_id: int, first: date | None = None) -> list[SourceFetch]:
        """A playbook's fetches (from the week `first` on), oldest first."""
        query = select(SourceFetch).where(col(SourceFetch.playbook_id) == playbook_id)
        if first is not None:
            query = query.where(col(SourceFetch.week_start) >= first)
        with reading(self.bind) as s:
            return list(s.exec(query.order_by(col(SourceFetch.id))))

    def last_fetches(self) -> dict[tuple[int, str], SourceFetch]:
        """The newest fetch of each (playbook, source)."""
        newest = (
            sa_select(func.max(col(SourceFetch.id)))
            .where(col(SourceFetch.outcome) != "typed")
            .group_by(col(SourceFetch.playbook_id), col(SourceFetch.source))
        )
        with reading(self.bind) as s:
            rows = s.exec(select(SourceFetch).where(col(SourceFetch.id).in_(newest)))
            return {(row.playbook_id, row.source): row for row in rows}
