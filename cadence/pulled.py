"""A pulled number: one the clock asks a source for once a week, until it is settled or
its week closes, a sourced number (cadence/sources.py) or an input's check
(cadence/inputs.py). Plain Python: the week asked about, and which numbers are due."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from cadence.sources import next_ask

FAILED = "failed"  # an ask that brought no number; any other outcome settles the number for its week
T = TypeVar("T")
K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True)
class Asked:
    """A pulled number of a week as the clock left it: when it was last asked, whether
    it is settled (a value came back, or an override was typed), and how many asks failed."""

    last_at: datetime
    settled: bool
    failures: int = 0


def week_ends_at(week_start: date, tz: str) -> datetime:
    """When a week ends, the next Monday 00:00 in the playbook's zone: its sourced numbers are asked from then."""
    return datetime.combine(week_start + timedelta(days=7), time(0), tzinfo=ZoneInfo(tz))


def week_bounds(week_start: date, tz: str) -> tuple[datetime, datetime]:
    """The week asked about, as instants in the playbook's zone: Monday 00:00 to its end."""
    return datetime.combine(week_start, time(0), tzinfo=ZoneInfo(tz)), week_ends_at(week_start, tz)


def _still_missing(
    candidates: Sequence[T], asked: Mapping[K, Asked], key: Callable[[T], K], group: Callable[[T], Hashable]
) -> dict[Hashable, list[Asked]]:
    """The asks of the numbers asked and not settled, by the group they are asked with."""
    missing: dict[Hashable, list[Asked]] = defaultdict(list)
    for job in candidates:
        before = asked.get(key(job))
        if before is not None and not before.settled:
            missing[group(job)].append(before)
    return missing


def due(
    candidates: Sequence[T],
    asked: Mapping[K, Asked],
    at: datetime,
    key: Callable[[T], K],
    closes_at: Callable[[T], datetime],
    together: Callable[[T], Hashable] | None = None,
) -> list[T]:
    """Of the numbers of the weeks open to asking (`candidates`, asked as `key`), those due
    at `at`: never asked, or not settled and their next ask come (next_ask, before their
    week `closes_at`); never asked first, then the longest waiting. Numbers asked
    `together` (a source's of a week) wait as one: on the latest ask and the most
    failures of those still missing."""
    group = together or key
    missing = _still_missing(candidates, asked, key, group)
    jobs: list[tuple[datetime, T]] = []
    for job in candidates:
        before = asked.get(key(job))
        if before is None:
            jobs.append((datetime.min.replace(tzinfo=at.tzinfo), job))
        elif not before.settled:
            tried = missing[group(job)]
            last = max(a.last_at for a in tried)
            if next_ask(last, max(a.failures for a in tried), closes_at(job)) <= at:
                jobs.append((last, job))
    return [job for _, job in sorted(jobs, key=lambda pair: pair[0])]
