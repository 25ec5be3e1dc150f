"""The reports that count: the latest report of a week (or of a step's week) and how
many were made, read through the partial counting indexes (migration 0011), so the
cost of a read follows the playbook-weeks asked for, not the reports they hold."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Date, func, literal, select, union_all
from sqlmodel import Session, col

from storage.models import Playbook

PLAYBOOK = Playbook.__table__


def latest(s: Session, table: Any, value: Any, keys: list[tuple[int, date]], per_step: bool = True) -> dict[Any, Any]:
    """The value of the latest report (highest id) per playbook-week, or per playbook-week-step."""
    if not per_step:
        # Per week asked for, one step back from the end of each playbook's range in the
        # counting index, however many reports the week has (a grouped max would read
        # every one of them). The weeks asked for are few: this week, a trend of eight.
        by_week: dict[date, set[int]] = {}
        for pid, week_start in keys:
            by_week.setdefault(week_start, set()).add(pid)
        per_week = [
            select(PLAYBOOK.c.id, literal(week_start, Date), _latest_of(table, value, week_start)).where(
                PLAYBOOK.c.id.in_(sorted(pids))
            )
            for week_start, pids in sorted(by_week.items())
        ]
        rows = s.execute(union_all(*per_week) if len(per_week) > 1 else per_week[0]).all()
        return {(pid, week_start): v for pid, week_start, v in rows if v is not None}
    group = [table.playbook_id, table.week_start] + ([table.step_id] if per_step else [])
    latest = select(func.max(table.id)).where(*of_weeks(table, keys)).group_by(*group)
    rows = s.execute(select(*group, value).where(col(table.id).in_(latest))).all()
    wanted = set(keys)
    return {tuple(row[:-1]): row[-1] for row in rows if (row[0], row[1]) in wanted}


def count(
    s: Session, table: Any, keys: list[tuple[int, date]], per_step: bool = True, up_to: int | None = None
) -> dict[Any, Any]:
    """How many reports count per playbook-week (or playbook-week-step). With `up_to`, per
    playbook-week and counted no further than up_to + 1: a busy week costs no more."""
    if up_to is not None and not per_step:
        by_week: dict[date, set[int]] = {}
        for pid, week_start in keys:
            by_week.setdefault(week_start, set()).add(pid)
        per_week = [
            select(PLAYBOOK.c.id, literal(week_start, Date), _count_of(table, week_start, up_to + 1)).where(
                PLAYBOOK.c.id.in_(sorted(pids))
            )
            for week_start, pids in sorted(by_week.items())
        ]
        capped = s.execute(union_all(*per_week) if len(per_week) > 1 else per_week[0]).all()
        return {(pid, week_start): n for pid, week_start, n in capped if n}
    group = [table.playbook_id, table.week_start] + ([table.step_id] if per_step else [])
    rows = s.execute(select(*group, func.count()).where(*of_weeks(table, keys)).group_by(*group)).all()
    wanted = set(keys)
    return {tuple(row[:-1]): row[-1] for row in rows if (row[0], row[1]) in wanted}


def of_weeks(table: Any, keys: list[tuple[int, date]]) -> list[Any]:
    """The reports that count of these playbook-weeks, and perhaps a few more (the callers
    keep only `keys`): playbook IN (...) AND week IN (...) walks the counting index one
    (playbook, week) at a time on both databases, where a list of pairs may not."""
    return [
        col(table.playbook_id).in_(sorted({pid for pid, _ in keys})),
        col(table.week_start).in_(sorted({week for _, week in keys})),
        col(table.withdrawn_at).is_(None),
    ]


def _latest_of(table: Any, value: Any, week_start: date) -> Any:
    """The latest counting report's value of the outer query's playbook in one week."""
    return (
        select(value)
        .where(table.playbook_id == PLAYBOOK.c.id, table.week_start == week_start, col(table.withdrawn_at).is_(None))
        .order_by(col(table.id).desc())
        .limit(1)
        .scalar_subquery()
    )


def _count_of(table: Any, week_start: date, limit: int) -> Any:
    """How many counting reports the outer query's playbook has in one week, up to `limit`."""
    reports = (
        select(table.id)
        .where(table.playbook_id == PLAYBOOK.c.id, table.week_start == week_start, col(table.withdrawn_at).is_(None))
        .correlate(PLAYBOOK)  # the outer query's playbook, not a second FROM inside
        .limit(limit)
        .subquery()
    )
    return select(func.count()).select_from(reports).scalar_subquery()
