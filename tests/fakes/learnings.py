"""Learnings in memory: what storage/learnings.py's Learnings answers and keeps (a
withdrawn learning is kept, and no longer shown)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from cadence.text import folded
from storage.models.reports import Learning
from tests.fakes.playbooks import clone, next_id

if TYPE_CHECKING:
    from tests.fakes.store import Held


class FakeLearnings:
    def __init__(self, held: Held):
        self.held = held

    def _shown(self) -> list[Learning]:
        """Still shown, newest first (by id, as the real one's index)."""
        return sorted((x for x in self.held.learnings if x.withdrawn_at is None), key=lambda x: -x.id)

    def add(self, playbook_id: int, cycle: int, text: str, by: str, at: datetime) -> Learning:
        learning = Learning(
            id=next_id(),
            playbook_id=playbook_id,
            cycle=cycle,
            text=text,
            folded=folded(text),
            added_by=by,
            added_at=at,
        )
        self.held.learnings.append(learning)
        return learning

    def newest(self, playbook_id: int, user_id: str) -> Learning | None:
        return next((x for x in self._shown() if x.playbook_id == playbook_id and x.added_by == user_id), None)

    def withdraw(self, learning_id: int, by: str, at: datetime) -> bool:
        for index, x in enumerate(self.held.learnings):
            if x.id == learning_id and x.withdrawn_at is None:
                self.held.learnings[index] = clone(x, withdrawn_at=at, withdrawn_by=by)
                return True
        return False

    def of(self, playbook_id: int, cycles: list[int] | None = None, limit: int | None = None) -> list[Learning]:
        found = [x for x in self._shown() if x.playbook_id == playbook_id and (cycles is None or x.cycle in cycles)]
        return found[:limit] if limit is not None else found

    def counts(self, playbook_id: int) -> dict[int, int]:
        return self.counts_of([playbook_id])[playbook_id]

    def counts_of(self, playbook_ids: list[int]) -> dict[int, dict[int, int]]:
        counts: dict[int, dict[int, int]] = {pid: {} for pid in playbook_ids}
        for x in self._shown():
            if x.playbook_id in counts:
                counts[x.playbook_id][x.cycle] = counts[x.playbook_id].get(x.cycle, 0) + 1
        return counts

    def of_playbooks(
        self, playbook_ids: list[int], since: datetime | None = None, until: datetime | None = None, limit: int = 50
    ) -> list[Learning]:
        found = [
            x
            for x in self._shown()
            if x.playbook_id in playbook_ids
            and (since is None or x.added_at >= since)
            and (until is None or x.added_at < until)
        ]
        return sorted(found, key=lambda x: (x.added_at, x.id), reverse=True)[:limit]

    def added(self, since: datetime, until: datetime, limit: int) -> tuple[list[tuple[Learning, str]], int]:
        slugs = {s.playbook.id: s.playbook.slug for s in self.held.states.values()}
        found = [x for x in self._shown() if since <= x.added_at < until and x.playbook_id in slugs]
        found.sort(key=lambda x: (x.added_at, x.id), reverse=True)
        return [(x, slugs[x.playbook_id]) for x in found[:limit]], len(found)
