"""Strict boundaries' out-of-scope counts (storage/models/boundaries.py): a step's count of
a week to record, and the latest of each (step, week) to show."""

from __future__ import annotations

from datetime import date

from sqlmodel import col, select

from storage.db import Bind, engine_of, joined, reading
from storage.models.boundaries import OutOfScopeCount


class OutOfScope:
    def __init__(self, bind: Bind):
        self.bind, self.engine = bind, engine_of(bind)

    def add(self, rows: list[OutOfScopeCount]) -> None:
        """Counts, in one transaction (or the unit of work's)."""
        with joined(self.bind) as s:
            s.add_all(rows)

    def latest(self, playbook_id: int, first: date, last: date) -> dict[tuple[int, date], int]:
        """By (step id, week start) from `first` to `last`: the latest count."""
        with reading(self.bind) as s:
            rows = s.exec(
                select(OutOfScopeCount)
                .where(
                    col(OutOfScopeCount.playbook_id) == playbook_id,
                    col(OutOfScopeCount.week_start) >= first,
                    col(OutOfScopeCount.week_start) <= last,
                )
                .order_by(col(OutOfScopeCount.id))
            ).all()
        return {(r.step_id, r.week_start): r.count for r in rows}
