"""Strict boundaries' out-of-scope counts (storage/models/boundaries.py): a step's count of
a week to record, the latest of each (step, week), and over some weeks the cases beside
them to show their share."""

from __future__ import annotations

from datetime import date
from typing import Any, TypeVar

from sqlmodel import col, select

from storage.db import Bind, engine_of, joined, reading
from storage.models.boundaries import OutOfScopeCount
from storage.models.reports import CaseCount
from storage.types import one_of

M = TypeVar("M", OutOfScopeCount, CaseCount)


class OutOfScope:
    def __init__(self, bind: Bind):
        self.bind, self.engine = bind, engine_of(bind)

    def add(self, rows: list[OutOfScopeCount]) -> None:
        """Counts, in one transaction (or the unit of work's)."""
        with joined(self.bind) as s:
            s.add_all(rows)

    def latest(self, playbook_id: int, first: date, last: date) -> dict[tuple[int, date], int]:
        """By (step id, week start) from `first` to `last`: the latest count."""
        return {(step, week): n for (_, step, week), n in self._latest([playbook_id], first, last).items()}

    def _latest(self, playbook_ids: list[int], first: date, last: date) -> dict[tuple[int, int, date], int]:
        rows = self._weeks(OutOfScopeCount, playbook_ids, first, last)
        return {(r.playbook_id, r.step_id, r.week_start): r.count for r in rows}

    def _weeks(self, model: type[M], playbook_ids: list[int], first: date, last: date, *where: Any) -> list[M]:
        """`model`'s rows of these playbooks from week `first` to `last` (and `where`),
        oldest first: the latest of a (step, week) last."""
        with reading(self.bind) as s:
            query = (
                select(model)
                .where(
                    one_of(col(model.playbook_id), "pids"),
                    col(model.week_start) >= first,
                    col(model.week_start) <= last,
                    *where,
                )
                .order_by(col(model.id))
            )
            return list(s.execute(query, {"pids": playbook_ids}).scalars().all())

    def seen(self, playbook_id: int, first: date, last: date) -> dict[int, tuple[int, int]]:
        """By step id, over the weeks from `first` to `last` with an out-of-scope count: the
        cases (each week's latest count standing, 0 where none) and the cases out of scope."""
        return self.seen_of([playbook_id], first, last).get(playbook_id, {})

    def seen_of(self, playbook_ids: list[int], first: date, last: date) -> dict[int, dict[int, tuple[int, int]]]:
        """`seen` of many playbooks over the same weeks, by playbook id: two queries."""
        out = self._latest(playbook_ids, first, last) if playbook_ids else {}
        if not out:
            return {}
        pids = sorted({pid for pid, _, _ in out})
        rows = self._weeks(CaseCount, pids, first, last, col(CaseCount.withdrawn_at).is_(None))
        cases = {(r.playbook_id, r.step_id, r.week_start): r.cases for r in rows}
        found: dict[int, dict[int, tuple[int, int]]] = {}
        for (pid, step_id, week), count in out.items():
            steps = found.setdefault(pid, {})
            had, outside = steps.get(step_id, (0, 0))
            steps[step_id] = (had + cases.get((pid, step_id, week), 0), outside + count)
        return found
