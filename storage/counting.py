"""The reports that count: the latest report of a week (or of a step's week) and how
many were made, read through the partial counting indexes (migration 0011), so the
cost of a read follows the playbook-weeks asked for, not the reports they hold.

Status, the week's close and the digest read these on every call, so each statement is
built once per shape (table, column, number of weeks) and run with its parameters:
building a statement costs more than running it.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import Date, Row, Select, bindparam, func, select, text, union_all
from sqlalchemy.engine import Connection
from sqlalchemy.sql.expression import CompoundSelect
from sqlmodel import Session, col

from storage.models import table_of
from storage.models.playbooks import Playbook, Step
from storage.models.reports import (
    CaseCount,
    CheckIn,
    ExceptionReport,
    GuardrailReading,
    KpiReading,
    KpiRestReading,
    RubricScore,
)
from storage.types import one_of

PLAYBOOK, STEP = table_of(Playbook), table_of(Step)
Reader = Session | Connection  # these are Core reads: a connection serves, and costs less than a session


def latest(s: Reader, table: Any, value: Any, keys: list[tuple[int, date]]) -> dict[tuple[int, date], Any]:
    """The value of the latest report (highest id) per playbook-week: per week asked for,
    one step back from the end of each playbook's range in the counting index, however
    many reports the week has (a grouped max would read every one of them)."""
    weeks = _by_week(keys)
    rows = s.execute(_per_week(table, value.key, len(weeks)), _per_week_parameters(weeks))  # each as it is read
    return {(pid, week_start): v for pid, week_start, v in rows if v is not None}


def series(s: Reader, table: Any, value: Any, playbook_id: int, first: date, last: date) -> dict[date, Any]:
    """One playbook's value that counts (its latest counting report's) in each week from
    `first` to `last` that has one: one statement through the counting index, however
    many weeks. `latest` asks a part per week, which PostgreSQL plans anew each time: 37
    ms for two years of one playbook, against 2 ms here. A week's reports are all read
    here (a grouped max): a playbook's weeks hold a few each."""
    rows = s.execute(_series(table, value.key), {"playbook_id": playbook_id, "first": first, "last": last}).all()
    return {week_start: v for week_start, v in rows}


@functools.cache
def _series(table: Any, value: str) -> Select[Any]:
    """series's statement, built once per table: building it costs more than running it."""
    newest = (
        select(func.max(table.id))
        .where(
            table.playbook_id == bindparam("playbook_id"),
            table.week_start.between(bindparam("first", type_=Date), bindparam("last", type_=Date)),
            col(table.withdrawn_at).is_(None),
        )
        .group_by(table.week_start)
    )
    return select(table.week_start, getattr(table, value)).where(col(table.id).in_(newest))


def week_totals(s: Reader, keys: list[tuple[int, date]], up_to: int) -> dict[tuple[int, date], Row[Any]]:
    """Per playbook-week, in one statement: the KPI that counts and who reported it, how
    many KPI reports count (no further than up_to + 1: a busy week costs no more) and the
    guardrail reading that counts, and the rest's KPI (`compare`). Rows have kpi, kpi_by,
    kpi_reports, guardrail and rest."""
    weeks = _by_week(keys)
    rows = s.execute(_week_totals(len(weeks), up_to + 1), _per_week_parameters(weeks)).all()
    return {(row.id, row.week_start): row for row in rows}


def step_figures(s: Reader, keys: list[tuple[int, date]]) -> dict[tuple[int, date, int], Row[Any]]:
    """Per playbook-week-step, in one statement: the case count and the rubric score that
    count, and how many exceptions count, each from the end of (or the length of) the
    step's range in its table's counting index. Rows have cases, rubric and exceptions."""
    weeks = _by_week(keys)
    rows = s.execute(_step_figures(len(weeks)), _per_week_parameters(weeks)).all()
    return {(row.playbook_id, row.week_start, row.id): row for row in rows}


def _of_weeks(table: Any) -> list[Any]:
    """The reports that count of the playbooks `pids` in the weeks `weeks` (parameters:
    _of_weeks_parameters). Callers keep the (playbook, week) pairs they asked for:
    playbook IN (...) AND week IN (...) walks the counting index one (playbook, week) at
    a time on both databases, where a list of pairs may not."""
    return [
        one_of(col(table.playbook_id), "pids"),
        one_of(col(table.week_start), "weeks", Date()),
        col(table.withdrawn_at).is_(None),
    ]


def latest_checkins(s: Reader, keys: list[tuple[int, date]]) -> list[Row[Any]]:
    """Each member's check-in that counts, per playbook-week, oldest first.

    On SQLite, a walk from member to member along the counting index: one step to each
    member's latest check-in, however many each made that week. Its grouped max reads
    every check-in of the week instead (a week where members checked in 26 times each
    made status three times a report's cost). PostgreSQL keeps the grouped max, which
    its planner serves better than the walk at a team's size (1.05 against 1.5 ms)."""
    wanted = set(keys)
    if _dialect(s) == "sqlite":
        parameters = _of_weeks_parameters(keys)
        walk = {
            "pids": json.dumps(parameters["pids"]),
            "weeks": json.dumps([w.isoformat() for w in parameters["weeks"]]),
        }
        rows = s.execute(_CHECKIN_WALK, walk).all()
    else:
        rows = s.execute(_latest_checkins(), _of_weeks_parameters(keys)).all()
    return [row for row in rows if (row.playbook_id, row.week_start) in wanted]


def _dialect(s: Reader) -> str:
    return (s.get_bind() if isinstance(s, Session) else s).dialect.name


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
def _per_week(table: Any, value: str, weeks: int) -> Select[Any] | CompoundSelect:
    """Per week i, for the playbooks pids_i in week week_i: the latest value of `value`."""
    return _weekly(
        lambda week_start: [
            PLAYBOOK.c.id,
            week_start.label("week_start"),
            _latest_of(table, getattr(table, value), week_start),
        ],
        PLAYBOOK.c.id,
        weeks,
    )


@functools.cache
def _week_totals(weeks: int, limit: int) -> Select[Any] | CompoundSelect:
    return _weekly(
        lambda week_start: [
            PLAYBOOK.c.id,
            week_start.label("week_start"),
            _latest_of(KpiReading, KpiReading.value, week_start).label("kpi"),
            _latest_of(KpiReading, KpiReading.reported_by, week_start).label("kpi_by"),
            _count_of(KpiReading, week_start, limit).label("kpi_reports"),
            _latest_of(GuardrailReading, GuardrailReading.value, week_start).label("guardrail"),
            _latest_of(KpiRestReading, KpiRestReading.value, week_start).label("rest"),
        ],
        PLAYBOOK.c.id,
        weeks,
    )


@functools.cache
def _step_figures(weeks: int) -> Select[Any] | CompoundSelect:
    return _weekly(
        lambda week_start: [
            STEP.c.playbook_id,
            week_start.label("week_start"),
            STEP.c.id,
            _latest_of_step(CaseCount, CaseCount.cases, week_start).label("cases"),
            _latest_of_step(RubricScore, RubricScore.score, week_start).label("rubric"),
            _latest_of_step(RubricScore, RubricScore.reviewed, week_start).label("reviewed"),
            _latest_of_step(RubricScore, RubricScore.dimensions, week_start).label("dimensions"),
            _latest_of_step(RubricScore, RubricScore.review_minutes, week_start).label("review_minutes"),
            _count_of_step(ExceptionReport, week_start).label("exceptions"),
        ],
        STEP.c.playbook_id,
        weeks,
    )


def _weekly(columns: Callable[[Any], list[Any]], playbook: Any, weeks: int) -> Select[Any] | CompoundSelect:
    """One select per week i (the week parameter week_i, its playbooks pids_i), united:
    the pairs asked for, each read through the index, never a scan of a list of pairs."""
    per_week = []
    for i in range(weeks):
        week_start = bindparam(f"week_{i}", type_=Date)
        per_week.append(select(*columns(week_start)).where(one_of(playbook, f"pids_{i}")))
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


def _latest_of_step(table: Any, value: Any, week_start: Any) -> Any:
    """The latest counting report's value of the outer query's step in one week."""
    return select(value).where(*_of_step(table, week_start)).order_by(col(table.id).desc()).limit(1).scalar_subquery()


def _count_of_step(table: Any, week_start: Any) -> Any:
    """How many counting reports the outer query's step has in one week."""
    return select(func.count()).select_from(table).where(*_of_step(table, week_start)).scalar_subquery()


def _of_step(table: Any, week_start: Any) -> list[Any]:
    return [
        table.playbook_id == STEP.c.playbook_id,
        table.week_start == week_start,
        table.step_id == STEP.c.id,
        col(table.withdrawn_at).is_(None),
    ]


# SQLite: per playbook-week (the cross product of two JSON arrays, as _of_weeks asks),
# the first member, then the next after each, each one step into ix_checkin_week_counting
# (the partial index of the check-ins that count); then each member's latest check-in.
_CHECKIN_WALK = text(
    """
    WITH RECURSIVE member(playbook_id, week_start, user_id) AS (
        SELECT pid.value, week.value, (
            SELECT min(c.user_id) FROM checkin AS c
            WHERE c.playbook_id = pid.value AND c.week_start = week.value AND c.withdrawn_at IS NULL
        )
        FROM json_each(:pids) AS pid, json_each(:weeks) AS week
        UNION ALL
        SELECT m.playbook_id, m.week_start, (
            SELECT min(c.user_id) FROM checkin AS c
            WHERE c.playbook_id = m.playbook_id AND c.week_start = m.week_start
              AND c.user_id > m.user_id AND c.withdrawn_at IS NULL
        )
        FROM member AS m
        WHERE m.user_id IS NOT NULL
    )
    SELECT checkin.* FROM member JOIN checkin ON checkin.id = (
        SELECT max(c.id) FROM checkin AS c
        WHERE c.playbook_id = member.playbook_id AND c.week_start = member.week_start
          AND c.user_id = member.user_id AND c.withdrawn_at IS NULL
    )
    ORDER BY checkin.reported_at, checkin.id
    """
).columns(*table_of(CheckIn).c)


@functools.cache
def _latest_checkins() -> Select[Any]:
    latest = (
        select(func.max(col(CheckIn.id)))
        .where(*_of_weeks(CheckIn))
        .group_by(col(CheckIn.playbook_id), col(CheckIn.week_start), col(CheckIn.user_id))
    )
    checkin = table_of(CheckIn)
    return select(checkin).where(checkin.c.id.in_(latest)).order_by(checkin.c.reported_at, checkin.c.id)
