"""What the clock asked about each checked input, and what came back (`input_check`;
docs/sources.md, "Input checks"): the clock's memory of which checks are still due,
status's and the web view's latest results, and readiness's weeks met."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import case, func
from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from storage.bulk import insert_all
from storage.db import Bind, reading, unit_of_work
from storage.models import table_of
from storage.models.reports import InputCheckResult
from storage.source_fetches import Asked

CHECKS = table_of(InputCheckResult)


class AlreadyChecked(Exception):
    """An input's check of a week was settled already (by another clock): nothing of the
    unit of work that tried again was written."""


def check_row(
    playbook_id: int,
    week_start: date,
    name: str,
    source: str,
    asked: str,
    minimum: float,
    at: datetime,
    value: float | None = None,
    error: str | None = None,
) -> dict[str, Any]:
    """An `input_check` row: met or below its min (a value), or failed (an error)."""
    outcome = "failed" if error is not None or value is None else ("met" if value >= minimum else "below")
    return dict(
        playbook_id=playbook_id,
        week_start=week_start,
        input=name,
        source=source,
        asked=asked,
        minimum=minimum,
        outcome=outcome,
        value=value,
        error=error,
        checked_at=at,
    )


class InputChecks:
    def __init__(self, bind: Bind):
        self.bind = bind

    def record(self, rows: list[dict[str, Any]]) -> None:
        """Results. Raises AlreadyChecked if another clock settled one first
        (ux_input_check_settled); in a unit of work, nothing of it is kept then."""
        if not rows:
            return
        with unit_of_work(self.bind) as s:
            connection = s.connection()
            refused = (IntegrityError, connection.dialect.loaded_dbapi.IntegrityError)
            try:
                insert_all(s, CHECKS, rows)
            except refused as err:
                raise AlreadyChecked(str(err).splitlines()[0]) from None

    def asked(self, weeks: list[date]) -> dict[tuple[int, date, str], Asked]:
        """Every input check of these weeks the clock has asked, of every playbook: when
        last, whether settled, how many asks failed. One statement."""
        if not weeks:
            return {}
        failed = col(InputCheckResult.outcome) == "failed"
        query = (
            sa_select(
                col(InputCheckResult.playbook_id),
                col(InputCheckResult.week_start),
                col(InputCheckResult.input),
                func.max(col(InputCheckResult.checked_at)),
                func.max(case((failed, 0), else_=1)),
                func.sum(case((failed, 1), else_=0)),
            )
            .where(col(InputCheckResult.week_start).in_(sorted(set(weeks))))
            .group_by(col(InputCheckResult.playbook_id), col(InputCheckResult.week_start), col(InputCheckResult.input))
        )
        with reading(self.bind) as s:
            return {
                (pid, week, name): Asked(at, bool(done), int(failures or 0))
                for pid, week, name, at, done, failures in s.execute(query)
            }

    def of_playbook(self, playbook_id: int, first: date | None = None) -> list[InputCheckResult]:
        """A playbook's results (from the week `first` on), oldest first."""
        query = select(InputCheckResult).where(col(InputCheckResult.playbook_id) == playbook_id)
        if first is not None:
            query = query.where(col(InputCheckResult.week_start) >= first)
        with reading(self.bind) as s:
            return list(s.exec(query.order_by(col(InputCheckResult.id))))
