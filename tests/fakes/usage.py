"""storage/usage.py in memory: each team's weeks of each tool (`held.usage_weeks`, counts
only, as the database keeps them), each usage source's pulls (`held.usage_pulls`) and the
mapping file's logins (`held.usage_logins`)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date, datetime
from typing import TYPE_CHECKING

from cadence.licenses import SeatWeek
from cadence.usage import TeamWeek
from storage.usage import LoginRow, PullState, monday, record_problem

if TYPE_CHECKING:
    from tests.fakes.store import Held


class FakeUsage:
    def __init__(self, held: Held):
        self.held = held

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
        lost_days = frozenset(lost)
        refused = record_problem(list(pulled_days), team_weeks, source, seats, lost_days)
        if refused is not None:
            raise ValueError(refused)
        keys = [(w.channel_id, w.tool, w.week) for w in team_weeks]
        pulled = {w.week for w in seats}
        others = {k: w for k, w in self.held.usage_seats.items() if not (k[0] == source and k[1] in pulled)}
        self.held.usage_seats = {**others, **{(w.tool, w.week, w.function): w for w in seats}}
        self.held.usage_weeks = {**self.held.usage_weeks, **dict(zip(keys, team_weeks, strict=True))}
        was = self.held.usage_pulls.get(source)
        kept = was.last_day if was is not None and was.last_day is not None and was.last_day >= last_day else last_day
        gone = (was.lost if was is not None else frozenset()) | lost_days
        self.held.usage_pulls = {**self.held.usage_pulls, source: PullState(source, kept, None, None, False, at, gone)}

    def failed(self, source: str, error: str, at: datetime) -> bool:
        was = self.held.usage_pulls.get(source, PullState(source, None, None, None, False, at))
        since = was.failing_since if was.failing_since is not None else at
        now = replace(was, last_error=error, failing_since=since, updated_at=at)
        self.held.usage_pulls = {**self.held.usage_pulls, source: now}
        return not now.told

    def told(self, source: str) -> bool:
        was = self.held.usage_pulls.get(source)
        if was is None or was.failing_since is None or was.told:
            return False
        self.held.usage_pulls = {**self.held.usage_pulls, source: replace(was, told=True)}
        return True

    def weeks(self, channel_ids: list[str], since: date) -> list[TeamWeek]:
        return [
            w
            for _, w in sorted(self.held.usage_weeks.items())
            if w.channel_id in channel_ids and w.week >= monday(since)
        ]

    def week_modes(self, keys: Iterable[tuple[int, date]]) -> dict[tuple[int, date], dict[int, str]]:
        wanted = set(keys)
        found: dict[tuple[int, date], dict[int, str]] = {}
        for v, _ in self.held.governance.verdicts:
            if (v.playbook_id, v.week_start) in wanted:
                found.setdefault((v.playbook_id, v.week_start), {})[v.step_id] = v.mode
        return found

    def seat_weeks(self, since: date) -> list[SeatWeek]:
        return [w for _, w in sorted(self.held.usage_seats.items()) if w.week >= monday(since)]

    def pulls(self) -> dict[str, PullState]:
        return dict(sorted(self.held.usage_pulls.items()))

    def logins(self, tool: str) -> dict[str, str]:
        return {login: user for (t, login), user in self.held.usage_logins.items() if t == tool}

    def map_logins(self, rows: list[LoginRow]) -> None:
        mapped: dict[tuple[str, str], str] = {}
        for tool, login, user in rows:
            if mapped.setdefault((tool, login), user) != user:
                raise ValueError(f"{tool} login {login} is mapped to two people")
        tools = {tool for tool, _ in mapped}
        kept = {key: user for key, user in self.held.usage_logins.items() if key[0] not in tools}
        self.held.usage_logins = {**kept, **mapped}
