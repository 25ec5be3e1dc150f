"""Strict boundaries' out-of-scope counts (storage/models/boundaries.py): a step's count of
a week to record, the latest of each (step, week), and over some weeks the cases beside
them to show their share."""

from __future__ import annotations

from datetime import date

from sqlmodel import col, select

from storage.db import Bind, engine_of, joined, reading
from storage.models.boundaries import OutOfScopeCount
from storage.models.reports import CaseCount


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

    def seen(self, playbook_id: int, first: date, last: date) -> dict[int, tuple[int, int]]:
        """By step id, over the weeks from `first` to `last` with an out-of-scope count: the
        cases (each week's latest count standing, 0 where none) and the cases out of scope."""
        out = self.latest(playbook_id, first, last)
        if not out:
            return {}
        with reading(self.bind) as s:
            rows = s.exec(
                select(CaseCount)
                .where(
                    col(CaseCount.playbook_id) == playbook_id,
                    col(CaseCount.week_start) >= first,
                    col(CaseCount.week_start) <= last,
                    col(CaseCount.withdrawn_at).is_(None),
                )
                .order_by(col(CaseCount.id))
            ).all()
        cases = {(r.step_id, r.week_start): r.cases for r in rows}
        found: dict[int, tuple[int, int]] = {}
        for (step_id, week), count in out.items():
            had, outside = found.get(step_id, (0, 0))
            found[step_id] = (had + cases.get((step_id, week), 0), outside + count)
        return found
