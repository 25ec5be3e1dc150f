"""The day a usage record is of, as the sources write it, and the day-by-day pull of the
sources that ask one day at a time: what they share."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime

from cadence.usage import UsageRecord
from sources import SourceFailed
from sources.usage import Pulled


def utc_day(text: str) -> date:
    """The UTC day `text` says: a date (YYYY-MM-DD), or an ISO 8601 date-time (its UTC day
    where it has an offset, "Z" included; its own day where it has none: the usage sources
    date their records in UTC). Raises ValueError."""
    text = text.strip()
    if len(text) == 10:
        return date.fromisoformat(text)
    moment = datetime.fromisoformat(text)
    return moment.astimezone(UTC).date() if moment.tzinfo else moment.date()


async def each_day(
    days: tuple[date, ...], pull_day: Callable[[date], Awaitable[list[UsageRecord]]], name: str
) -> Pulled:
    """The records of `days`, pulled one day after another by `pull_day`, for a source that
    asks one day at a time; a day's failure fails the pull, said with the tool and the day
    (`name` usage of 2026-11-02: ...). No seats: such a source lists none."""
    records: list[UsageRecord] = []
    for day in days:
        try:
            records += await pull_day(day)
        except SourceFailed as err:
            raise SourceFailed(f"{name} usage of {day.isoformat()}: {err}") from None
    return Pulled(days=days, records=records, seats=None)
