"""Depth over months (docs/judgement.md): per closed week, the cases
a playbook (or the org) ran, the share of its steps that were AI-led or collaborative,
and the people who reported; and the weekly cases the plateau rule reads.

Cases and modes are the closed weeks' verdicts (`step_verdict`: the numbers each week was
judged on, the mode the step had that week). People are the Slack users who reported a
number or checked in that week, by reports that still count: an API token's reports
(`token:<name>`) and a source's (`source:<name>`) are not people's.

Each read is two statements (verdicts, reporters) whatever the number of weeks or
playbooks, statements built once (docs/architecture.md, kept for speed)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Date, bindparam, func, select, union
from sqlmodel import col

from storage.db import Bind, engine_of, reading
from storage.models import table_of
from storage.models.governance import StepVerdict
from storage.models.reports import CaseCount, CheckIn, ExceptionReport, GuardrailReading, KpiReading, RubricScore
from storage.types import one_of

WIDER_MODES = ("collaborative", "ai-led")  # the modes that count as AI's share of the work

_VERDICT = table_of(StepVerdict)
_REPORTED = [
    (table_of(t), "reported_by") for t in (KpiReading, GuardrailReading, CaseCount, RubricScore, ExceptionReport)
] + [(table_of(CheckIn), "user_id")]


@dataclass(frozen=True)
class DepthWeek:
    """One closed week's depth: None where the week has no verdict (cases, modes)."""

    cases: int | None  # all steps' cases judged that week
    steps: int  # steps judged (their verdicts)
    wider: int  # of them, AI-led or collaborative that week
    people: int  # distinct people who reported or checked in

    @property
    def wider_share(self) -> float | None:
        return self.wider / self.steps if self.steps else None


def _verdicts(one_playbook: bool) -> Any:
    wider = col(StepVerdict.mode).in_(WIDER_MODES)
    where = [
        _VERDICT.c.week_start >= bindparam("since", type_=Date),
        _VERDICT.c.week_start <= bindparam("until", type_=Date),
    ]
    if one_playbook:
        where.append(_VERDICT.c.playbook_id == bindparam("playbook_id"))
    return (
        select(
            _VERDICT.c.week_start,
            func.sum(_VERDICT.c.cases),
            func.count(),
            func.count().filter(wider),
        )
        .where(*where)
        .group_by(_VERDICT.c.week_start)
    )


def _people(one_playbook: bool) -> Any:
    """Distinct (week, person) across the report tables and check-ins, counted by week."""
    parts = []
    for table, who in _REPORTED:
        where = [
            table.c.week_start >= bindparam("since", type_=Date),
            table.c.week_start <= bindparam("until", type_=Date),
            table.c.withdrawn_at.is_(None),
            table.c[who].not_like("%:%"),  # token:<name>, source:<name>: not people
        ]
        if one_playbook:
            where.append(table.c.playbook_id == bindparam("playbook_id"))
        # Each table's own (week, person) pairs first, in the order of its index by week and
        # person (ix_<table>_week_people), so the union below merges a few per week, not
        # every report of two years.
        parts.append(select(table.c.week_start.label("week_start"), table.c[who].label("who")).where(*where).distinct())
    pairs = union(*parts).subquery()  # UNION: each person once a week, whatever they reported
    return select(pairs.c.week_start, func.count()).group_by(pairs.c.week_start)


_STATEMENTS = {one: (_verdicts(one), _people(one)) for one in (True, False)}

# The plateau rule's weekly cases of a few playbooks, through ix_step_verdict_playbook_week;
# of many (the overview's, the digest's: every playbook), every playbook's weeks from
# ix_step_verdict_depth alone, in its order (week, playbook), and the ones asked picked
# here: 1,000 playbooks' 16 weeks read 80,000 verdicts' rows by playbook, the index by week
# holds their cases.
_CASES = func.sum(_VERDICT.c.cases)
_SPAN = (
    _VERDICT.c.week_start >= bindparam("since", type_=Date),
    _VERDICT.c.week_start <= bindparam("until", type_=Date),
)
_WEEKLY_CASES = (
    select(_VERDICT.c.playbook_id, _VERDICT.c.week_start, _CASES)
    .where(one_of(_VERDICT.c.playbook_id, "playbook_ids"), *_SPAN)
    .group_by(_VERDICT.c.playbook_id, _VERDICT.c.week_start)
)
_ALL_WEEKLY_CASES = (
    select(_VERDICT.c.playbook_id, _VERDICT.c.week_start, _CASES)
    .where(*_SPAN)
    .group_by(_VERDICT.c.week_start, _VERDICT.c.playbook_id)
)
MANY = 50  # playbooks: from this many on, every playbook's weeks are read


class Depth:
    def __init__(self, bind: Bind):
        self.bind, self.engine = bind, engine_of(bind)

    def weeks(self, since: date, until: date, playbook_id: int | None = None) -> dict[date, DepthWeek]:
        """Each week from `since` to `until` (Mondays) that has a verdict or a person's
        report: of one playbook, or of the org (`playbook_id` None)."""
        verdicts, people = _STATEMENTS[playbook_id is not None]
        parameters: dict[str, Any] = {"since": since, "until": until}
        if playbook_id is not None:
            parameters["playbook_id"] = playbook_id
        with reading(self.bind) as s:
            connection = s.connection()
            judged = {w: (cases, steps, wider) for w, cases, steps, wider in connection.execute(verdicts, parameters)}
            reported: dict[date, int] = {w: n for w, n in connection.execute(people, parameters)}
        return {
            w: DepthWeek(
                int(judged[w][0]) if w in judged and judged[w][0] is not None else None,
                int(judged[w][1]) if w in judged else 0,
                int(judged[w][2]) if w in judged else 0,
                int(reported.get(w, 0)),
            )
            for w in sorted({*judged, *reported})
        }

    def weekly_cases(self, playbook_ids: list[int], since: date, until: date) -> dict[tuple[int, date], int]:
        """The cases judged per playbook and closed week from `since` to `until` (weeks with
        a verdict that counted cases)."""
        if not playbook_ids:
            return {}
        wanted = set(playbook_ids)
        many = len(wanted) >= MANY
        parameters: dict[str, Any] = {"since": since, "until": until}
        if not many:
            parameters["playbook_ids"] = playbook_ids
        with reading(self.bind) as s:  # each row taken as it is read: 16,000 of them never all held at once
            rows = s.connection().execute(_ALL_WEEKLY_CASES if many else _WEEKLY_CASES, parameters)
            return {(pid, w): int(n) for pid, w, n in rows if n is not None and pid in wanted}
