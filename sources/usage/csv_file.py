"""`kind: csv`: a tool's usage as a CSV file a job of one's own drops at a path (an export,
a script over a vendor's report), for a tool with no API the bot speaks.

The file: UTF-8 (a byte-order mark allowed), a header row naming its columns, then a row
per person and day. The user column (`user` by default) names the person, the day column
(`day`) the day (YYYY-MM-DD, or an ISO 8601 date-time: taken in UTC where it has an
offset); an email column (`email`), where the header has one, gives the email, an empty
cell none. Other columns are ignored.

Only rows of the days asked count. The whole file is read each pull and every row must be
whole: a row without a user or a day, with a day that is not one, or with more or fewer
cells than the header, fails the pull, naming its line. One bad row fails the pull rather
than being skipped: a count short of a row is a wrong count, said as a right one; a failed
pull is said as what it is ("usage unknown") and the job that writes the file is fixed. A
missing file fails the pull too: no file is not "no one used it"."""

from __future__ import annotations

import asyncio
import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TextIO

import httpx

from cadence.usage import UsageRecord
from sources import SourceFailed
from sources.usage import Pulled
from sources.usage.days import utc_day

MAX_FILE = 64 << 20  # a file larger than 64 MiB is refused: a job writing without end


@dataclass(frozen=True, kw_only=True)
class CsvFile:
    """A tool's usage rows in a CSV file at `path`, with its columns' names."""

    tool: str
    path: Path
    user_column: str = "user"
    day_column: str = "day"
    email_column: str = "email"

    async def pull(self, client: httpx.AsyncClient, days: tuple[date, ...]) -> Pulled:
        """The records of `days` in the file (`client` unused: a file is read, in a thread).
        Raises SourceFailed."""
        records = await asyncio.to_thread(self.read, frozenset(days))
        return Pulled(days=days, records=records, seats=None)

    def read(self, days: frozenset[date]) -> list[UsageRecord]:
        """The file's records of `days`. Raises SourceFailed."""
        try:
            if self.path.stat().st_size > MAX_FILE:
                raise SourceFailed(f"{self.path}: larger than {MAX_FILE >> 20} MiB")
            with self.path.open(encoding="utf-8-sig", newline="") as file:
                return self._records(file, days)
        except FileNotFoundError:
            raise SourceFailed(f"no file at {self.path}") from None
        except UnicodeDecodeError:
            raise SourceFailed(f"{self.path}: not UTF-8 text") from None
        except csv.Error as err:
            raise SourceFailed(f"{self.path}: not CSV ({err})") from None
        except OSError as err:
            raise SourceFailed(f"{self.path}: not readable ({err.strerror or type(err).__name__})") from None

    def _records(self, file: TextIO, days: frozenset[date]) -> list[UsageRecord]:
        reader = csv.reader(file)
        header = next(reader, None)
        if header is None:
            raise SourceFailed(f"{self.path}: empty, not even a header row")
        names = [name.strip() for name in header]
        for needed in (self.user_column, self.day_column):
            if needed not in names:
                raise SourceFailed(f"{self.path}: the header has no {needed!r} column")
        user, day = names.index(self.user_column), names.index(self.day_column)
        email = names.index(self.email_column) if self.email_column in names else None
        found = []
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue  # a blank line: no row
            where = f"{self.path}, line {reader.line_num}"
            if len(cells) != len(names):
                raise SourceFailed(f"{where}: {len(cells)} cells, the header has {len(names)}")
            login = cells[user].strip()
            if not login:
                raise SourceFailed(f"{where}: no user (column {self.user_column!r})")
            dated = _day_of(cells[day], self.day_column, where)
            if dated in days:
                address = cells[email].strip() if email is not None else ""
                found.append(UsageRecord(self.tool, login, dated, address or None))
        return found


def _day_of(cell: str, column: str, where: str) -> date:
    if not cell.strip():
        raise SourceFailed(f"{where}: no day (column {column!r})")
    try:
        return utc_day(cell)
    except ValueError:
        raise SourceFailed(f"{where}: its day (column {column!r}) is not a date (YYYY-MM-DD or ISO 8601)") from None
