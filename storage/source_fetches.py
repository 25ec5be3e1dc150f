"""What the clock asked each source, and what came back (`source_fetch`): the clock's
memory of which sourced numbers are still missing, `rollout source list`'s last
fetches, and input reliability's arrivals. A fetched value's row goes in with its
report (WeeklyReports.add_reports); failures go in here."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import func, tuple_
from sqlalchemy import select as sa_select
from sqlmodel import col, select

from storage.db import reading
from storage.models.reports import SourceFetch
from storage.pulled import AlreadyPulled, PulledNumbers


class AlreadyFetched(AlreadyPulled):
    """A sourced number of a week was stored already (by another clock): nothing of the
    unit of work that tried again was written."""


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
    outcome = outcome or ("fetched" if error is None else "failed")
    return SourceFetches.row(
        playbook_id, week_start, number, at, source=source, asked=asked, outcome=outcome, value=value, error=error
    )


class SourceFetches(PulledNumbers[SourceFetch]):
    """Fetches (storage/pulled.py): failed ones, and fetched values in the unit of work of
    their reports; `record` raises AlreadyFetched if another clock stored a fetched number
    first (ux_source_fetch_fetched)."""

    model, name, at, refused = SourceFetch, "number", "fetched_at", AlreadyFetched

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
