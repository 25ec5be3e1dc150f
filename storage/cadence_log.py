"""The record of cadence work done or skipped, the tick's reads about it, and the readiness
notices still owed (migration 0063, usecases/readiness_news.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, func, select, tuple_
from sqlmodel import col

from cadence.change import Message
from storage.bulk import insert_new
from storage.db import Bind, engine_of, joined, reading
from storage.models import table_of
from storage.models.bookkeeping import CadenceJob, ReadinessNotice
from storage.models.reports import CheckIn

JOBS = table_of(CadenceJob)


@dataclass(frozen=True)
class Work:
    """A unit of cadence work to record, with the messages it sends (none if skipped)."""

    key: str
    kind: str
    due_at: datetime
    status: str  # done | skipped
    playbook_id: int | None = None
    week_start: date | None = None
    user_id: str | None = None
    note: str | None = None
    messages: list[Message] = field(default_factory=list)


def job_row(work: Work, at: datetime) -> dict[str, Any]:
    """A unit of work as the columns of its cadence_job row."""
    return dict(
        key=work.key,
        kind=work.kind,
        playbook_id=work.playbook_id,
        week_start=work.week_start,
        user_id=work.user_id,
        due_at=work.due_at,
        status=work.status,
        recorded_at=at,
        note=work.note,
    )


class CadenceLog:
    def __init__(self, bind: Bind):
        self.bind, self.engine = bind, engine_of(bind)

    def claim(self, work: list[Work], at: datetime) -> set[str]:
        """Record work whose key is new: work already recorded (by an earlier tick, or a
        concurrent one) is not, which is what makes a tick safe to run twice. The keys
        recorded; their messages are the use case's to enqueue in the same unit of work
        (usecases/shared/work.py)."""
        if not work:
            return set()
        with joined(self.bind) as s:
            return insert_new(s, JOBS, [job_row(w, at) for w in work])

    # The reads below are one statement each, so they go in `reading`: no transaction, and
    # no turn among the writers (storage/db.py), which the clock would otherwise wait for
    # at every tick.

    def latest_weeks(self) -> tuple[dict[int, dict[str, date]], dict[str, date]]:
        """The tick's cursors: for each playbook, the latest week recorded per kind of work;
        and for the work of no playbook (the digest, "digest-waiting"), the latest Monday
        recorded per kind. One query; ix_cadence_job_cursor holds every column it reads."""
        with reading(self.bind) as s:
            rows = s.execute(
                select(
                    col(CadenceJob.playbook_id), col(CadenceJob.kind), func.max(col(CadenceJob.week_start))
                ).group_by(col(CadenceJob.playbook_id), col(CadenceJob.kind))
            ).all()
        cursors: dict[int, dict[str, date]] = {}
        org: dict[str, date] = {}
        for playbook_id, kind, week_start in rows:
            if playbook_id is None:
                if week_start is not None:
                    org[kind] = week_start
            else:
                cursors.setdefault(playbook_id, {})[kind] = week_start
        return cursors, org

    def recorded_members(self, weeks: list[tuple[int, str, date]]) -> set[tuple[int, str, date, str]]:
        """(playbook, kind, week, user) already recorded, for the given (playbook, kind, week)s: one query."""
        if not weeks:
            return set()
        with reading(self.bind) as s:
            rows = s.execute(
                select(
                    col(CadenceJob.playbook_id),
                    col(CadenceJob.kind),
                    col(CadenceJob.week_start),
                    col(CadenceJob.user_id),
                ).where(
                    tuple_(col(CadenceJob.playbook_id), col(CadenceJob.kind), col(CadenceJob.week_start)).in_(weeks),
                    col(CadenceJob.user_id).is_not(None),
                )
            ).all()
        return {tuple(row) for row in rows}

    def checked_in(self, weeks: list[tuple[int, date]]) -> set[tuple[int, date, str]]:
        """(playbook, week, user) with any check-in, for the given (playbook, week)s: one query."""
        if not weeks:
            return set()
        with reading(self.bind) as s:
            rows = s.execute(
                select(col(CheckIn.playbook_id), col(CheckIn.week_start), col(CheckIn.user_id))
                .distinct()
                .where(
                    tuple_(col(CheckIn.playbook_id), col(CheckIn.week_start)).in_(weeks),
                    col(CheckIn.withdrawn_at).is_(None),
                )
            ).all()
        return {tuple(row) for row in rows}

    def any_close_through(self, week: date) -> bool:
        """Whether any playbook's week up to `week` has closed (its close recorded), whatever
        the playbook's state now: before that, a digest would report nothing."""
        with reading(self.bind) as s:
            query = select(col(CadenceJob.id)).where(
                col(CadenceJob.kind) == "close", col(CadenceJob.week_start) <= week
            )
            return s.execute(query.limit(1)).first() is not None

    def readiness_owed(self) -> list[int]:
        """The playbooks owed the one notice of what the new readiness rules miss
        (migration 0063; usecases/readiness_news.py), by id."""
        with reading(self.bind) as s:
            return list(
                s.execute(select(col(ReadinessNotice.playbook_id)).order_by(col(ReadinessNotice.playbook_id))).scalars()
            )

    def readiness_told(self, playbook_ids: list[int]) -> None:
        """These playbooks owe that notice no more: in the unit of work that records it."""
        if playbook_ids:
            with joined(self.bind) as s:
                s.execute(delete(ReadinessNotice).where(col(ReadinessNotice.playbook_id).in_(playbook_ids)))

    def jobs(self) -> list[CadenceJob]:
        with reading(self.bind) as s:
            return list(s.execute(select(CadenceJob).order_by(col(CadenceJob.id))).scalars())
