"""Attested and used (storage/models/usage.py): a team's weeks of each AI tool as counted
from the tools' own records, each usage source's pulls, and the mapping file's logins.

Counts only. The clock's usage job pulls a source's records, matches and counts them
(cadence.usage.team_weeks) and hands `record` the counts alone: no method here takes a
record, a login's activity or a day a person used a tool, so nothing a person did can
reach a row, the export (every table's CSV) or a log. The records themselves live only
in the job's memory for its unit of work and are dropped with it.

A re-pull of a week recounts it: `record` writes each (team, tool, week)'s counts in place
of the ones there (one upsert on the table's key, so two pulls racing on a week both land
and the later commit's counts stand)."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import case, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col

from cadence.licenses import SeatWeek
from cadence.usage import TeamWeek
from storage.db import Bind, engine_of, joined, reading
from storage.models import table_of
from storage.models.governance import StepVerdict
from storage.models.usage import UsageLogin, UsageLostDay, UsagePull, UsageSeat, UsageWeek
from storage.types import one_of

WEEKS, PULLS, LOGINS, SEATS = table_of(UsageWeek), table_of(UsagePull), table_of(UsageLogin), table_of(UsageSeat)
LOST = table_of(UsageLostDay)
VERDICT = table_of(StepVerdict)  # a closed week's steps' modes (`week_modes`)
COUNTS = ("people", "active", "active_days", "seats", "pulled_at")
LoginRow = tuple[str, str, str]  # a mapping file's row: tool, login, Slack user id


@dataclass(frozen=True)
class PullState:
    """A usage source's pulls as kept: the last day pulled whole (None: never), and while
    it fails, its last error, since when, and whether its owner and curators were told.
    `lost`: the days before its last day it can never pull whole (none but a source whose
    report is whole only for its refresh date: Microsoft 365 Copilot's)."""

    source: str
    last_day: date | None
    last_error: str | None
    failing_since: datetime | None
    told: bool
    updated_at: datetime
    lost: frozenset[date] = frozenset()


def monday(day: date) -> date:
    """The Monday of `day`'s week: the week a TeamWeek of that day is kept under."""
    return day - timedelta(days=day.weekday())


@functools.cache
def _weeks_upsert(dialect_name: str) -> Any:
    """Each (team, tool, week)'s counts, in place of the ones there: built once a dialect."""
    insert = (postgresql if dialect_name == "postgresql" else sqlite).insert(WEEKS)
    return insert.on_conflict_do_update(
        index_elements=list(WEEKS.primary_key.columns), set_={c: insert.excluded[c] for c in COUNTS}
    )


@functools.cache
def _seats_upsert(dialect_name: str) -> Any:
    """Each (tool, week, function)'s seats, in place of the ones there: built once a dialect."""
    insert = (postgresql if dialect_name == "postgresql" else sqlite).insert(SEATS)
    return insert.on_conflict_do_update(
        index_elements=list(SEATS.primary_key.columns),
        set_={c: insert.excluded[c] for c in ("seats", "active", "pulled_at")},
    )


def record_problem(
    pulled_days: Sequence[date],
    team_weeks: Sequence[TeamWeek],
    source: str,
    seats: Sequence[SeatWeek],
    lost: Iterable[date] = (),
) -> str | None:
    """Why a pull's counts cannot be kept, in words (None: they can): `Usage.record`'s checks."""
    weeks = {monday(day) for day in pulled_days}
    keys = [(w.channel_id, w.tool, w.week) for w in team_weeks]
    if any(w.week.weekday() != 0 or w.week not in weeks for w in team_weeks):
        return "a team's week is the Monday of a week the pull covered"
    if len(set(keys)) != len(keys):
        return "a team's week of a tool is counted once a pull"
    if not set(lost) <= set(pulled_days):
        return "a day lost is a day the pull covered"
    return seats_problem(weeks, source, seats)


def seats_problem(weeks: set[date], source: str, seats: Sequence[SeatWeek]) -> str | None:
    """Why a pull's seats cannot be kept, in words (None: they can)."""
    if any(w.tool != source or w.week.weekday() != 0 or w.week not in weeks for w in seats):
        return "a tool's seats are its own source's, of the Monday of a week the pull covered"
    keys = [(w.week, w.function) for w in seats]
    if len(set(keys)) != len(keys):
        return "a tool's seats of a week are counted once a pull"
    if any(
        (w.seats is None) != (w.active is None) or (w.seats is not None and not 0 <= (w.active or 0) <= w.seats)
        for w in seats
    ):
        return "a week's seats and their active holders are both known, 0 <= active <= seats, or both unknown"
    return None


@functools.cache
def _pulled(dialect_name: str) -> Any:
    """A source's pull done: its last day advanced (never moved back by a re-pull of older
    days), its failure cleared."""
    insert = (postgresql if dialect_name == "postgresql" else sqlite).insert(PULLS)
    later = (PULLS.c.last_day.is_(None)) | (PULLS.c.last_day < insert.excluded.last_day)
    return insert.on_conflict_do_update(
        index_elements=[PULLS.c.source],
        set_={
            "last_day": case((later, insert.excluded.last_day), else_=PULLS.c.last_day),
            "last_error": None,
            "failing_since": None,
            "told": False,
            "updated_at": insert.excluded.updated_at,
        },
    )


@functools.cache
def _lost(dialect_name: str) -> Any:
    """A source's lost days, each kept once (a re-pull naming one again changes nothing)."""
    insert = (postgresql if dialect_name == "postgresql" else sqlite).insert(LOST)
    return insert.on_conflict_do_nothing(index_elements=list(LOST.primary_key.columns))


@functools.cache
def _failing(dialect_name: str) -> Any:
    """A source's pull failed: its error kept, its failure's start kept from the first,
    and whether anyone was told of it yet returned (on PostgreSQL the row's lock makes a
    second failure racing this one wait, then read what the first committed)."""
    insert = (postgresql if dialect_name == "postgresql" else sqlite).insert(PULLS)
    return insert.on_conflict_do_update(
        index_elements=[PULLS.c.source],
        set_={
            "last_error": insert.excluded.last_error,
            "failing_since": case(
                (PULLS.c.failing_since.is_(None), insert.excluded.failing_since), else_=PULLS.c.failing_since
            ),
            "updated_at": insert.excluded.updated_at,
        },
    ).returning(PULLS.c.told)


class Usage:
    def __init__(self, bind: Bind):
        self.bind, self.engine = bind, engine_of(bind)

    def record(
        self,
        pulled_days: Iterable[date],
        team_weeks: list[TeamWeek],
        source: str,
        last_day: date,
        at: datetime,
        seats: Sequence[SeatWeek] = (),
        lost: Iterable[date] = (),
    ) -> None:
        """A pull of `source` done: each team's week of each tool (`team_weeks`, counted by
        cadence.usage.team_weeks from the records of `pulled_days`, zero rows included)
        written in place of what was kept for it, the source's last day pulled whole
        advanced to `last_day` and its failure cleared; and the tool's `seats` of its weeks
        (cadence.licenses.seat_weeks, counts only) in place of what was kept for those
        weeks, a function no longer counted dropped; and its `lost` days (days among
        `pulled_days` it can never pull whole) kept. ValueError (nothing written) for a week
        not a Monday, a week none of `pulled_days` is in (its counts would replace a week
        this pull did not recount), a (team, tool, week) or (week, function) given twice,
        seats not `source`'s, or a lost day not pulled. In the use case's unit of work."""
        lost_days = sorted(set(lost))
        refused = record_problem(list(pulled_days), team_weeks, source, seats, lost_days)
        if refused is not None:
            raise ValueError(refused)
        pull = {"source": source, "last_day": last_day, "last_error": None, "failing_since": None, "told": False}
        with joined(self.bind) as s:
            if team_weeks:
                s.execute(_weeks_upsert(self.engine.dialect.name), [{**asdict(w), "pulled_at": at} for w in team_weeks])
            if seats:
                self._seats(s, source, seats, at)
            if lost_days:
                s.execute(_lost(self.engine.dialect.name), [{"source": source, "day": day} for day in lost_days])
            s.execute(_pulled(self.engine.dialect.name), {**pull, "updated_at": at})

    def _seats(self, s: Any, source: str, seats: Sequence[SeatWeek], at: datetime) -> None:
        """The seats of the pull's weeks, in place of the ones kept (a function gone dropped)."""
        for week in sorted({w.week for w in seats}):
            kept = [w.function for w in seats if w.week == week]
            s.execute(delete(SEATS).where(SEATS.c.tool == source, SEATS.c.week == week, SEATS.c.function.not_in(kept)))
        s.execute(_seats_upsert(self.engine.dialect.name), [{**asdict(w), "pulled_at": at} for w in seats])

    def week_modes(self, keys: Iterable[tuple[int, date]]) -> dict[tuple[int, date], dict[int, str]]:
        """Each closed week's steps' modes as its close judged them (step id: mode), by
        (playbook id, Monday): what a week's attestation claimed, whatever the steps' modes
        are now (usecases/shared/usage_weeks.py). A week not closed is not in it. One read."""
        wanted = set(keys)
        if not wanted:
            return {}
        values = {"pids": sorted({p for p, _ in wanted}), "weeks": sorted({w for _, w in wanted})}
        query = select(VERDICT.c.playbook_id, VERDICT.c.week_start, VERDICT.c.step_id, VERDICT.c.mode).where(
            one_of(VERDICT.c.playbook_id, "pids"), one_of(VERDICT.c.week_start, "weeks")
        )
        found: dict[tuple[int, date], dict[int, str]] = {}
        with reading(self.bind) as s:
            for pid, week, step_id, mode in s.execute(query, values):
                if (pid, week) in wanted:
                    found.setdefault((pid, week), {})[step_id] = mode
        return found

    def seat_weeks(self, since: date) -> list[SeatWeek]:
        """Every tool's seats from the week of `since` on, the org's and each function's, by
        tool, week and function: counts only, as cadence.licenses.SeatWeek."""
        query = select(UsageSeat).where(col(UsageSeat.week) >= monday(since))
        query = query.order_by(col(UsageSeat.tool), col(UsageSeat.week), col(UsageSeat.function))
        with reading(self.bind) as s:
            rows = s.execute(query).scalars().all()
        return [SeatWeek(r.tool, r.week, r.function, r.seats, r.active) for r in rows]

    def failed(self, source: str, error: str, at: datetime) -> bool:
        """A pull of `source` failed with `error` (words safe to show anyone): kept, the
        source's last day left where it was (the next pull asks for the same days again).
        True while nobody has been told of this run of failures: at its first failure since
        the last success, and again at the next if the notice was not recorded as given
        (`told`), so the caller tells the owner and curators once. In the use case's unit of work."""
        row = {"source": source, "last_day": None, "last_error": error, "failing_since": at, "told": False}
        with joined(self.bind) as s:
            told = s.execute(_failing(self.engine.dialect.name), {**row, "updated_at": at}).scalar_one()
        return not told

    def told(self, source: str) -> bool:
        """The owner and curators were told of `source`'s failing: not again until it has
        succeeded and failed anew. False (nothing changed) if they had been told already
        or it is not failing: a compare-and-set, so two notices racing give one. In the
        use case's unit of work."""
        where = (PULLS.c.source == source) & PULLS.c.failing_since.is_not(None) & PULLS.c.told.is_(False)
        with joined(self.bind) as s:
            return bool(s.exec(update(PULLS).where(where).values(told=True)).rowcount)

    def weeks(self, channel_ids: list[str], since: date) -> list[TeamWeek]:
        """These teams' weeks of every tool from the week of `since` on, by team, tool and
        week: counts only, as cadence.usage.TeamWeek."""
        if not channel_ids:
            return []
        query = (
            select(UsageWeek)
            .where(one_of(col(UsageWeek.channel_id), "channels"), col(UsageWeek.week) >= monday(since))
            .order_by(col(UsageWeek.channel_id), col(UsageWeek.tool), col(UsageWeek.week))
        )
        with reading(self.bind) as s:
            rows = s.execute(query, {"channels": sorted(set(channel_ids))}).scalars().all()
        return [TeamWeek(r.channel_id, r.tool, r.week, r.people, r.active, r.active_days, r.seats) for r in rows]

    def pulls(self) -> dict[str, PullState]:
        """Each usage source's pulls, by its name (a source never pulled has no row)."""
        lost: dict[str, set[date]] = {}
        with reading(self.bind) as s:
            rows = s.execute(select(UsagePull).order_by(col(UsagePull.source))).scalars().all()
            for source, day in s.execute(select(LOST.c.source, LOST.c.day)):
                lost.setdefault(source, set()).add(day)
        return {
            r.source: PullState(
                r.source,
                r.last_day,
                r.last_error,
                r.failing_since,
                r.told,
                r.updated_at,
                frozenset(lost.get(r.source, ())),
            )
            for r in rows
        }

    def logins(self, tool: str) -> dict[str, str]:
        """The mapping file's logins of `tool`: each login's Slack user (cadence.usage.match's `by_login`)."""
        with reading(self.bind) as s:
            rows = s.execute(select(LOGINS.c.login, LOGINS.c.user_id).where(LOGINS.c.tool == tool)).all()
        return {login: user for login, user in rows}

    def map_logins(self, rows: list[LoginRow]) -> None:
        """A mapping file loaded (`rollout usage map FILE`): every login of the tools it
        names replaced by its rows (tool, login, Slack user), so a login taken out of the
        file is forgotten; other tools' logins kept. ValueError (nothing written) for a
        login the file maps to two people. In the use case's unit of work."""
        mapped: dict[tuple[str, str], str] = {}
        for tool, login, user in rows:
            if mapped.setdefault((tool, login), user) != user:
                raise ValueError(f"{tool} login {login} is mapped to two people")
        tools = sorted({tool for tool, _ in mapped})
        with joined(self.bind) as s:
            if tools:
                s.execute(delete(LOGINS).where(LOGINS.c.tool.in_(tools)))
            if mapped:
                s.execute(
                    LOGINS.insert(),
                    [{"tool": tool, "login": login, "user_id": user} for (tool, login), user in mapped.items()],
                )
