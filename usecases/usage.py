"""Attested and used: the AI tools' own usage records pulled, matched to Slack people,
counted per team and week, and kept as counts only (docs/usage-records.md).

- `load` keeps the organization's usage file (`rollout usage load FILE`), `sources_of`
  reads it back;
- `run` pulls each source for the days it has not pulled whole (`days_to_pull`), all
  sources at once in one event loop, matches each record to a team's person (the mapping
  file's logins, else the team's Slack emails), counts the teams' weeks and records the
  counts, or the failure, in one unit of work a source: the records never leave this
  pass's memory;
- `map_logins` keeps the mapping file (`rollout usage map FILE`): a tool's login to a
  Slack person, for a tool whose records give no email Slack has.

The teams are given by the caller (`teams_of` asks Slack for the clock's playbooks'
channels): a pass asks Slack once, whoever runs it."""

from __future__ import annotations

import asyncio
import csv
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import httpx
from slack_sdk import WebClient

from cadence import setup_decisions
from cadence.change import Change
from cadence.licenses import SeatWeek, seat_weeks
from cadence.usage import TeamWeek, match, team_weeks
from cadence.usage_sources import TOOL_RE, UsageFile, UsageSourceSpec, parse
from slack_api.members import TeamDirectory
from sources import SourceFailed
from sources.usage import Pulled, client
from sources.usage.configured import build
from storage.store import Store
from storage.usage import LoginRow, monday
from usecases.shared.usage_weeks import SETTING, sources_of

FIRST_DAYS = 7  # a new source's first pull: its last week of days (then back to that week's Monday)
MOST_DAYS = 31  # a pull never asks more days than this: a source down for months starts afresh
USER_RE = re.compile(r"^[UW][A-Z0-9]{2,}$")  # a Slack user's id
MAP_HEADER = ["tool", "login", "slack_user"]

Teams = Mapping[str, Sequence[tuple[str, str | None]]]  # channel: its people, (user id, email or None)


@dataclass(frozen=True)
class Passed:
    """A source's part of a pass: the days it asked, how many teams were counted, how many
    of the tool's users no team's person matched, and its error in words (None: pulled).
    `tell`: its failure is new, so its owner and curators are told now. `weeks`: the counts,
    given back by a dry run (stored, they are not)."""

    source: str
    days: tuple[date, ...]
    teams: int
    unmatched: int
    error: str | None = None
    tell: bool = False
    weeks: tuple[TeamWeek, ...] = ()


# ---- the usage file ---------------------------------------------------------------------


def load(store: Store, text: str, env: Mapping[str, str], by: str, at: datetime) -> list[str]:
    """`rollout usage load FILE`: the file's problems (nothing kept), or none, the file
    kept whole in place of the last one, with the setting's decision row (who changed
    which sources, as every setting change of the org is recorded)."""
    specs, problems = parse(text, env)
    if problems:
        return problems
    kept = UsageFile(usage=specs).model_dump_json(exclude_none=True)
    named = ", ".join(f"{name} ({spec.kind})" for name, spec in specs.items())
    with store.unit_of_work() as uow:
        uow.org.set_setting(SETTING, kept, by, at)
        uow.governance.apply(Change(decisions=[setup_decisions.of_setting(SETTING, named, by)]), at)
        uow.commit()
    return []


# ---- the days a pull asks ----------------------------------------------------------------


def days_to_pull(last_day: date | None, today: date) -> tuple[date, ...]:
    """The UTC days a source's pull asks, oldest first: from the Monday of the week of the
    first day not pulled whole (counts are all that is kept, so a week is recounted from
    all its days) to yesterday; for a new source, from the Monday of the week of its last
    FIRST_DAYS days. At most MOST_DAYS, cut at a Monday (an older week cut short would be
    counted short). Nothing when yesterday was pulled already."""
    yesterday = today - timedelta(days=1)
    first = yesterday - timedelta(days=FIRST_DAYS - 1) if last_day is None else last_day + timedelta(days=1)
    if first > yesterday:
        return ()
    start = monday(first)
    oldest = yesterday - timedelta(days=MOST_DAYS - 1)
    if start < oldest:
        start = oldest + timedelta(days=(7 - oldest.weekday()) % 7)
    return tuple(start + timedelta(days=n) for n in range((yesterday - start).days + 1))


# ---- a pass ----------------------------------------------------------------------------


def teams_of(store: Store, directory: TeamDirectory, slack: WebClient) -> dict[str, list[tuple[str, str | None]]]:
    """The teams a pass counts: the human members, with their Slack emails, of the channels
    of the playbooks the clock watches. A channel Slack will not list is left out (its
    weeks are not counted: unknown, never 0). Raises DirectoryUnavailable when Slack does
    not answer."""
    channels = sorted({state.playbook.channel_id for state in store.playbooks.clock_states()})
    if not channels:
        return {}
    found = directory.teams(slack, channels)
    return {channel: [(p.user_id, p.email) for p in people] for channel, people in found.items() if people is not None}


def run(
    store: Store,
    env: Mapping[str, str],
    teams: Teams,
    at: datetime,
    dry_run: bool = False,
    only: str | None = None,
) -> list[Passed]:
    """Each configured source (or `only`) pulled for its days, counted for `teams` and
    recorded (its counts and last day, or its failure), a unit of work a source. With
    `dry_run` nothing is stored, each source asks the days a new one would, and the
    counts come back in `Passed.weeks`. ValueError when `only` is not a source."""
    specs = sources_of(store)
    if only is not None:
        if only not in specs:
            raise ValueError(f"no usage source {only}")
        specs = {only: specs[only]}
    today = at.astimezone(UTC).date()
    pulls = store.usage.pulls()
    days = {name: days_to_pull(None if dry_run or name not in pulls else pulls[name].last_day, today) for name in specs}
    wanted = {name: spec for name, spec in specs.items() if days[name]}
    pulled = asyncio.run(_pull_all(wanted, days, env))
    passed = [Passed(name, (), 0, 0) for name in specs if name not in wanted]
    functions = {} if dry_run or not pulled else functions_of(store, teams)
    for name, got in pulled.items():
        was = None if name not in pulls else pulls[name].last_day
        passed.append(_kept(store, name, got, teams, at, dry_run, functions, was))
    return sorted(passed, key=lambda p: p.source)


async def _pull_all(
    specs: Mapping[str, UsageSourceSpec], days: Mapping[str, tuple[date, ...]], env: Mapping[str, str]
) -> dict[str, Pulled | str]:
    """Every source's pull at once, over one client: each its records, or its error's words."""
    async with client() as shared:
        names = sorted(specs)
        found = await asyncio.gather(*(_pull(shared, name, specs[name], days[name], env) for name in names))
    return dict(zip(names, found, strict=True))


async def _pull(
    shared: httpx.AsyncClient, name: str, spec: UsageSourceSpec, days: tuple[date, ...], env: Mapping[str, str]
) -> Pulled | str:
    """A source's pull, or its failure's words (a variable gone, the API's refusal). Any
    other error is this source's failure too, named by its kind only (its text could hold
    what the source was sent), so one source's surprise never stops the others' pulls."""
    try:
        return await build(name, spec, env).pull(shared, days)
    except SourceFailed as err:
        return str(err) or type(err).__name__
    except Exception as err:  # noqa: BLE001 (said, never guessed; the next pass asks again)
        return f"failed unexpectedly ({type(err).__name__})"


def functions_of(store: Store, teams: Teams) -> dict[str, frozenset[str]]:
    """Each function's people (docs/usage-records.md, "Licenses against results"): the
    people of `teams` whose channels are those of the function's playbooks the clock runs."""
    found: dict[str, set[str]] = {}
    for state in store.playbooks.clock_states():
        people = teams.get(state.playbook.channel_id, ())
        found.setdefault(state.spec.function, set()).update(user for user, _ in people)
    return {function: frozenset(people) for function, people in found.items()}


def _kept(
    store: Store,
    name: str,
    got: Pulled | str,
    teams: Teams,
    at: datetime,
    dry_run: bool,
    functions: Mapping[str, frozenset[str]] | None = None,
    was: date | None = None,
) -> Passed:
    """A source's pull counted and recorded in one unit of work (its records dropped with
    this frame), or its failure recorded; with `dry_run` only counted. The days the source
    says it can never make whole are kept as lost where they are after `was`, its last day
    pulled whole before this pull (a day up to it was whole when pulled)."""
    if isinstance(got, str):
        if dry_run:
            return Passed(name, (), 0, 0, got)
        with store.unit_of_work() as uow:
            tell = uow.usage.failed(name, got, at)
            uow.commit()
        return Passed(name, (), 0, 0, got, tell)
    if not got.days:  # no day's records out yet (a vendor's lag): nothing counted, nothing failed
        return Passed(name, (), 0, 0)
    weeks, unmatched = _counted(store, name, got, teams)
    if dry_run:
        return Passed(name, got.days, len(teams), unmatched, weeks=tuple(weeks))
    seats = _seated(store, name, got, teams, functions or {})
    lost = tuple(day for day in got.lost if was is None or day > was)
    with store.unit_of_work() as uow:
        uow.usage.record(got.days, weeks, name, got.days[-1], at, seats, lost)
        uow.commit()
    return Passed(name, got.days, len(teams), unmatched)


def _counted(store: Store, tool: str, got: Pulled, teams: Teams) -> tuple[list[TeamWeek], int]:
    """The teams' weeks of `tool` in the pulled days, and how many of its users no team's
    person matched: by the mapping file's login first, else by the Slack email, without
    case. Every pulled week gets a row for every team: asked, no one used it is a 0."""
    by_login = store.usage.logins(tool)
    by_email = {email.casefold(): user for people in teams.values() for user, email in people if email}
    members = {channel: frozenset(user for user, _ in people) for channel, people in teams.items()}
    covered = {(tool, monday(day)) for day in got.days}
    return team_weeks(
        got.records,
        got.seats or [],
        lambda login, email: match(login, email, by_email, by_login),
        members,
        monday,
        covered,
    )


def _seated(
    store: Store, tool: str, got: Pulled, teams: Teams, functions: Mapping[str, frozenset[str]]
) -> list[SeatWeek]:
    """The tool's seats in each pulled week, the org's and each function's, matched as the
    teams' weeks are (cadence.licenses.seat_weeks): counts only."""
    by_login = store.usage.logins(tool)
    by_email = {email.casefold(): user for people in teams.values() for user, email in people if email}
    weeks = {monday(day) for day in got.days}
    seats = got.seats
    user_of = lambda login, email: match(login, email, by_email, by_login)  # noqa: E731
    return seat_weeks(tool, got.records, seats, user_of, functions, weeks, monday)


# ---- the mapping file --------------------------------------------------------------------


def map_logins(store: Store, text: str) -> tuple[int, list[str]]:
    """`rollout usage map FILE`: a CSV file of `tool,login,slack_user` rows (a header row
    first) kept in place of the logins of the tools it names. How many rows were kept, or
    the problems by line (nothing kept: a file half loaded maps half the people)."""
    rows, problems = _mapping(text)
    if problems:
        return 0, problems
    with store.unit_of_work() as uow:
        uow.usage.map_logins(rows)
        uow.commit()
    return len(rows), []


def _mapping(text: str) -> tuple[list[LoginRow], list[str]]:
    """The file's rows, or its problems, each naming its line."""
    lines = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    if not lines or [cell.strip().lower() for cell in lines[0]] != MAP_HEADER:
        return [], [f"line 1: the header row is {','.join(MAP_HEADER)}"]
    rows: list[LoginRow] = []
    problems: list[str] = []
    seen: dict[tuple[str, str], tuple[int, str]] = {}
    for number, cells in enumerate(lines[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue
        problem = _row_problem(cells)
        if problem is None:
            tool, login, user = (cell.strip() for cell in cells)
            first = seen.setdefault((tool, login), (number, user))
            if first[1] != user:
                problem = f"its login is mapped to another person on line {first[0]} already"
            else:
                rows.append((tool, login, user))
        if problem is not None:
            problems.append(f"line {number}: {problem}")
    return rows, problems


def _row_problem(cells: list[str]) -> str | None:
    """What is wrong with a row of the mapping file, in words (its login never said: the
    problem goes to a terminal and may go to a log)."""
    if len(cells) != len(MAP_HEADER):
        return f"{len(cells)} cells; a row is tool,login,slack_user"
    tool, login, user = (cell.strip() for cell in cells)
    if not re.match(TOOL_RE, tool):
        return f"{tool!r} is not a tool's name (lowercase letters, digits, - or _)"
    if not login:
        return "no login"
    if not USER_RE.match(user):
        return f"{user!r} is not a Slack user's id (U… or W…)"
    return None
