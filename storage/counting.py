"""The reports that count: the latest report of a week (or of a step's week) and how
many were made, read through the partial counting indexes (migration 0011), so the
cost of a read follows the playbook-weeks asked for, not the reports they hold.

Status, the week's close and the digest read these on every call, so each statement is
built once per shape (table, column, number of weeks) and run with its parameters:
building a statement costs more than running it.
"""

from __future__ import annotations

import functools
from datetime import date
from typing import Any

from sqlalchemy import Date, Row, Select, bindparam, func, select, union_all
from sqlalchemy.sql.expression import CompoundSelect
from sqlmodel import Session, col

from storage.models import CheckIn, Playbook

PLAYBOOK = Playbook.__table__


def latest(s: Session, table: Any, value: Any, keys: list[tuple[int, date]], per_step: bool = True) -> dict[Any, Any]:
    """The value of the latest report (highest id) per playbook-week, or per playbook-week-step."""
    if not per_step:
        # Per week asked for, one step back from the end of each playbook's range in the
        # counting index, however many reports the week has (a grouped max would read
        # every one of them). The weeks asked for are few: this week, a trend of eight.
        weeks = _by_week(keys)
        statement = _per_week(table, value.key, len(weeks), None)
        rows = s.execute(statement, _per_week_parameters(weeks)).all()
        return {(pid, week_start): v for pid, week_start, v in rows if v is not None}
    rows = s.execute(_latest_per_step(table, value.key), _of_weeks_parameters(keys)).all()
    wanted = set(keys)
    return {tuple(row[:-1]): row[-1] for row in rows if (row[0], row[1]) in wanted}


def count(
    s: Session, table: Any, keys: list[tuple[int, date]], per_step: bool = True, up_to: int | None = None
) -> dict[Any, Any]:
    """How many reports count per playbook-week (or playbook-week-step). With `up_to`, per
    playbook-week and counted no further than up_to + 1: a busy week costs no more."""
    if up_to is not None and not per_step:
        weeks = _by_week(keys)
        statement = _per_week(table, None, len(weeks), up_to + 1)
        capped = s.execute(statement, _per_week_parameters(weeks)).all()
        return {(pid, week_start): n for pid, week_start, n in capped if n}
    rows = s.execute(_count_grouped(table, per_step), _of_weeks_parameters(keys)).all()
    wanted = set(keys)
    return {tuple(row[:-1]): row[-1] for row in rows if (row[0], row[1]) in wanted}


def _of_weeks(table: Any) -> list[Any]:
    """The reports that count of the playbooks `pids` in the weeks `weeks` (parameters:
    _of_weeks_parameters). Callers keep the (playbook, week) pairs they asked for:
    playbook IN (...) AND week IN (...) walks the counting index one (playbook, week) at
    a time on both databases, where a list of pairs may not."""
    return [
        col(table.playbook_id).in_(bindparam("pids", expanding=True)),
        col(table.week_start).in_(bindparam("weeks", expanding=True, type_=Date)),
        col(table.withdrawn_at).is_(None),
    ]


def latest_checkins(s: Session, keys: list[tuple[int, date]]) -> list[Row[Any]]:
    """Each member's check-in that counts, per playbook-week, oldest first."""
    wanted = set(keys)
    rows = s.execute(_latest_checkins(), _of_weeks_parameters(keys)).all()
    return [row for row in rows if (row.playbook_id, row.week_start) in wanted]


def _of_weeks_parameters(keys: list[tuple[int, date]]) -> dict[str, list[Any]]:
    return {"pids": sorted({pid for pid, _ in keys}), "weeks": sorted({week for _, week in keys})}


def _by_week(keys: list[tuple[int, date]]) -> list[tuple[date, list[int]]]:
    by_week: dict[date, set[int]] = {}
    for pid, week_start in keys:
        by_week.setdefault(week_start, set()).add(pid)
    return [(week_start, sorted(pids)) for week_start, pids in sorted(by_week.items())]


def _per_week_parameters(weeks: list[tuple[date, list[int]]]) -> dict[str, Any]:
    parameters: dict[str, Any] = {}
    for i, (week_start, pids) in enumerate(weeks):
        parameters[f"week_{i}"], parameters[f"pids_{i}"] = week_start, pids
    return parameters


@functools.cache
def _per_week(table: Any, value: str | None, weeks: int, limit: int | None) -> Select[Any] | CompoundSelect:
    """Per week i, for the playbooks pids_i in week week_i: the latest value of `value`,
    or (value None) how many reports count, up to `limit`."""
    per_week = []
    for i in range(weeks):
        week_start = bindparam(f"week_{i}", type_=Date)
        figure = _latest_of(table, getattr(table, value), week_start) if value else _count_of(table, week_start, limit)
        per_week.append(
            select(PLAYBOOK.c.id, week_start.label("week_start"), figure).where(
                PLAYBOOK.c.id.in_(bindparam(f"pids_{i}", expanding=True))
            )
        )
    return union_all(*per_week) if len(per_week) > 1 else per_week[0]


def _latest_of(table: Any, value: Any, week_start: Any) -> Any:
    """The latest counting report's value of the outer query's playbook in one week."""
    return (
        select(value)
        .where(table.playbook_id == PLAYBOOK.c.id, table.week_start == week_start, col(table.withdrawn_at).is_(None))
        .order_by(col(table.id).desc())
        .limit(1)
        .scalar_subquery()
    )


def _count_of(table: Any, week_start: Any, limit: int | None) -> Any:
    """How many counting reports the outer query's playbook has in one week, up to `limit`."""
    reports = (
        select(table.id)
        .where(table.playbook_id == PLAYBOOK.c.id, table.week_start == week_start, col(table.withdrawn_at).is_(None))
        .correlate(PLAYBOOK)  # the outer query's playbook, not a second FROM inside
        .limit(limit)
        .subquery()
    )
    return select(func.count()).select_from(reports).scalar_subquery()


@functools.cache
def _latest_per_step(table: Any, value: str) -> Select[Any]:
    group = [table.playbook_id, table.week_start, table.step_id]
    latest = select(func.max(table.id)).where(*_of_weeks(table)).group_by(*group)
    return select(*group, getattr(table, value)).where(col(table.id).in_(latest))


@functools.cache
def _latest_checkins() -> Select[Any]:
    latest = (
        select(func.max(CheckIn.id))
        .where(*_of_weeks(CheckIn))
        .group_by(CheckIn.playbook_id, CheckIn.week_start, CheckIn.user_id)
    )
    checkin = CheckIn.__table__
    return select(checkin).where(checkin.c.id.in_(latest)).order_by(checkin.c.reported_at, checkin.c.id)


@functools.cache
def _count_grouped(table: Any, per_step: bool) -> Select[Any]:
    group = [table.playbook_id, table.week_start] + ([table.step_id] if per_step else [])
    return select(*group, func.count()).where(*_of_weeks(table)).group_by(*group)
