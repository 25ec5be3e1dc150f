"""Learnings: what a team learned in each cycle. Append-only with who and when; a
withdrawn one is kept and no longer shown."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, select, update
from sqlmodel import col

from cadence.text import folded
from storage.db import Bind, engine_of, joined, reading
from storage.models.playbooks import Playbook
from storage.models.reports import Learning
from storage.types import one_of

_SHOWN = col(Learning.withdrawn_at).is_(None)


def _of(cycles: bool, limit: bool) -> Any:
    query = select(Learning).where(col(Learning.playbook_id) == bindparam("playbook_id"), _SHOWN)
    if cycles:
        query = query.where(one_of(col(Learning.cycle), "cycles"))
    query = query.order_by(col(Learning.id).desc())
    return query.limit(bindparam("limit")) if limit else query


# Built once: status, history and undo read learnings at every request, and composing
# the statement cost more than running it.
_OF = {(cycles, limit): _of(cycles, limit) for cycles in (False, True) for limit in (False, True)}
_NEWEST = (
    select(Learning)
    .where(
        col(Learning.playbook_id) == bindparam("playbook_id"), col(Learning.added_by) == bindparam("user_id"), _SHOWN
    )
    .order_by(col(Learning.id).desc())
    .limit(1)
)


@dataclass(frozen=True)
class Found:
    """A search's learnings (each with its playbook's slug) and whether older ones were beyond its scan."""

    rows: list[tuple[Learning, str]]
    bounded: bool


class Learnings:
    def __init__(self, bind: Bind):
        self.bind, self.engine = bind, engine_of(bind)

    def add(self, playbook_id: int, cycle: int, text: str, by: str, at: datetime) -> Learning:
        with joined(self.bind) as s:
            learning = Learning(
                playbook_id=playbook_id, cycle=cycle, text=text, folded=folded(text), added_by=by, added_at=at
            )
            s.add(learning)
            s.flush()
            return learning

    def newest(self, playbook_id: int, user_id: str) -> Learning | None:
        """`user_id`'s newest learning on the playbook that is still shown."""
        with reading(self.bind) as s:
            return s.execute(_NEWEST, {"playbook_id": playbook_id, "user_id": user_id}).scalar_one_or_none()

    def withdraw(self, learning_id: int, by: str, at: datetime) -> bool:
        """Withdraw a learning still shown; False if it was withdrawn meanwhile (of two
        concurrent undos, one wins it)."""
        with joined(self.bind) as s:
            done = s.exec(
                update(Learning).where(col(Learning.id) == learning_id, _SHOWN).values(withdrawn_at=at, withdrawn_by=by)
            )
            return bool(done.rowcount)

    def of(self, playbook_id: int, cycles: list[int] | None = None, limit: int | None = None) -> list[Learning]:
        """The playbook's learnings still shown, newest first (of these cycles, if given)."""
        query = _OF[cycles is not None, limit is not None]
        with reading(self.bind) as s:
            return list(s.execute(query, {"playbook_id": playbook_id, "cycles": cycles, "limit": limit}).scalars())

    def counts(self, playbook_id: int) -> dict[int, int]:
        """How many learnings each cycle of the playbook has (still shown)."""
        return self.counts_of([playbook_id])[playbook_id]

    def counts_of(self, playbook_ids: list[int]) -> dict[int, dict[int, int]]:
        """The same for each of these playbooks, by id, in one read."""
        found: dict[int, dict[int, int]] = {pid: {} for pid in playbook_ids}
        if not playbook_ids:
            return found
        with reading(self.bind) as s:
            rows = s.execute(
                select(col(Learning.playbook_id), col(Learning.cycle), func.count())
                .where(one_of(col(Learning.playbook_id), "pids"), _SHOWN)
                .group_by(col(Learning.playbook_id), col(Learning.cycle)),
                {"pids": playbook_ids},
            ).all()
        for pid, cycle, count in rows:
            found[pid][cycle] = count
        return found

    def of_playbooks(
        self, playbook_ids: list[int], since: datetime | None = None, until: datetime | None = None, limit: int = 50
    ) -> list[Learning]:
        """The learnings still shown of these playbooks (an origin's adopters), newest
        first, at most `limit`; with `since` and `until`, those added in [since, until)."""
        if not playbook_ids:
            return []
        query = select(Learning).where(one_of(col(Learning.playbook_id), "ids"), _SHOWN)
        if since is not None:
            query = query.where(col(Learning.added_at) >= since)
        if until is not None:
            query = query.where(col(Learning.added_at) < until)
        query = query.order_by(col(Learning.added_at).desc(), col(Learning.id).desc()).limit(limit)
        with reading(self.bind) as s:
            return list(s.execute(query, {"ids": playbook_ids}).scalars())

    def search(
        self, words: list[str], limit: int, offset: int = 0, scan: int = 20_000, slugs: list[str] | None = None
    ) -> Found:
        """The learnings still shown whose text holds every one of `words` (case-insensitive
        in every script on both databases: their case-folded copies compared, cadence.text.folded), newest first,
        `limit` of them after `offset`, each with its playbook's slug; of the playbooks
        `slugs` only, if given. A bounded scan: only the newest `scan` learnings are
        searched (walked down the primary key), and `bounded` says whether older ones were left out."""
        newest: Any = select(col(Learning.id).label("id")).where(_SHOWN).order_by(col(Learning.id).desc()).limit(scan)
        window = newest.subquery()
        query = (
            select(Learning, col(Playbook.slug))
            .join(window, window.c.id == col(Learning.id))
            .join(Playbook, col(Playbook.id) == col(Learning.playbook_id))
        )
        for word in words:
            query = query.where(col(Learning.folded).contains(folded(word), autoescape=True))
        if slugs is not None:
            query = query.where(col(Playbook.slug).in_(slugs))
        query = query.order_by(col(Learning.id).desc()).limit(limit).offset(offset)
        beyond = select(col(Learning.id)).where(_SHOWN).order_by(col(Learning.id).desc()).offset(scan).limit(1)
        with reading(self.bind) as s:
            rows = [(learning, slug) for learning, slug in s.execute(query).all()]
            bounded = s.execute(beyond).first() is not None
        return Found(rows, bounded)

    def added(self, since: datetime, until: datetime, limit: int) -> tuple[list[tuple[Learning, str]], int]:
        """The learnings still shown added in [since, until), newest first, at most `limit`
        (each with its playbook's slug), and how many there are in all."""
        window = (col(Learning.added_at) >= since, col(Learning.added_at) < until, _SHOWN)
        query = (
            select(Learning, col(Playbook.slug))
            .join(Playbook, col(Playbook.id) == col(Learning.playbook_id))
            .where(*window)
            .order_by(col(Learning.added_at).desc(), col(Learning.id).desc())
            .limit(limit)
        )
        with reading(self.bind) as s:
            rows = [(learning, slug) for learning, slug in s.execute(query).all()]
            total = s.execute(select(func.count()).select_from(Learning).where(*window)).scalar() or 0
        return rows, int(total)
