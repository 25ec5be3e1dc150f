"""`kind: http`: any other tool's usage, from a JSON endpoint of one's own making or a
vendor's, one request a day.

The day asked: where the URL holds `{day}` it is put there (`.../usage/{day}.json`), else
the URL is asked with `day=YYYY-MM-DD` added to its query. A token, where given, is sent
as `Authorization: Bearer`. The answer is JSON; `rows_path` is the dotted path to its list of
rows ("" for an answer that is the list; digits index a list: `data.0.rows`), and each
row names its person in `user_field` (a string or a number) and its day in `day_field` (YYYY-MM-DD,
or an ISO 8601 date-time: one with an offset is taken in UTC, one without is UTC
already); `email_field` optionally names an email field, a row without one having none.

Paging, where the endpoint pages: `next_path` is the dotted path to the next page's URL (a
link, absolute or relative to the page's); a missing, null or empty one ends the day.
The link must stay on the configured URL's scheme, host and port: the token goes nowhere
else.

Rows of another day than the one asked are not this pull's and are left out (an endpoint
that ignores `day=` still counts right). A row without a user or a day, or with a day
that is not one, fails the pull, naming the row: never dropped, never counted as 0."""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import httpx

from cadence.usage import UsageRecord
from sources import SourceFailed
from sources.usage import MAX_PAGES, Pulled
from sources.usage.days import each_day, utc_day
from sources.usage.http_get import PATIENCE, Patience, get, same_origin


@dataclass(frozen=True, kw_only=True)
class HttpJson:
    """A tool's usage rows from a JSON endpoint, as its configuration maps them."""

    tool: str
    url: str = field(repr=False)  # may carry a key in its query: never said
    user_field: str  # the field naming the person
    day_field: str  # the field of the row's day
    rows_path: str = ""  # dotted path to the list of rows
    email_field: str | None = None  # the field of the person's email, where there is one
    next_path: str | None = None  # dotted path to the next page's URL, where the endpoint pages
    token: str | None = field(default=None, repr=False)
    max_pages: int = MAX_PAGES  # of one day
    patience: Patience = PATIENCE

    async def pull(self, client: httpx.AsyncClient, days: tuple[date, ...]) -> Pulled:
        """The records of `days`, one day after another. Raises SourceFailed."""
        return await each_day(days, lambda day: self._day(client, day), self.tool)

    def secrets(self) -> list[str]:
        """What no message may show: the token, the URL's password and its query's values."""
        parts = urllib.parse.urlsplit(self.url)
        found = [self.token or "", parts.password or ""]
        found += [value for _, value in urllib.parse.parse_qsl(parts.query) if len(value) >= 4]
        return [s for s in found if s]

    async def _day(self, client: httpx.AsyncClient, day: date) -> list[UsageRecord]:
        headers = {"Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        url, params = self._first(day)
        found: list[UsageRecord] = []
        for page in range(1, self.max_pages + 1):
            # a 429 without Retry-After is waited out, briefly (`patience`): RFC 6585 makes the
            # header optional, and backing off is what APIs that omit it ask
            ask = await get(client, url, headers=headers, params=params, secrets=self.secrets(), patience=self.patience)
            answer = ask.json()
            rows = _at(answer, self.rows_path)
            if not isinstance(rows, list):
                raise SourceFailed(f"no list of rows at {self.rows_path or 'the top'} of the answer")
            for number, row in enumerate(rows, start=1):
                record = self._record(row, f"row {number} of page {page}")
                if record.day == day:
                    found.append(record)
            link = self._next(answer, url)
            if link is None:
                return found
            url, params = link, {}
        raise SourceFailed(f"more than {self.max_pages} pages: the next links never ended")

    def _first(self, day: date) -> tuple[str, dict[str, str]]:
        """The day's first URL, and the query parameters to add to it."""
        if "{day}" in self.url:
            return self.url.replace("{day}", day.isoformat()), {}
        return self.url, {"day": day.isoformat()}

    def _next(self, answer: Any, current: str) -> str | None:
        """The next page's URL (None: the last page), kept on the configured origin."""
        if not self.next_path:
            return None
        link = _at(answer, self.next_path, missing=None)
        if link is None or link == "":
            return None
        if not isinstance(link, str):
            raise SourceFailed(f"the next page's link at {self.next_path} is not a URL")
        absolute = urllib.parse.urljoin(current, link)
        if not same_origin(absolute, self.url):
            raise SourceFailed("the next page's link leads to another host, not followed")
        return absolute

    def _record(self, row: Any, where: str) -> UsageRecord:
        if not isinstance(row, dict):
            raise SourceFailed(f"{where} is not an object")
        login = row.get(self.user_field)
        if isinstance(login, bool) or not isinstance(login, (str, int)) or not str(login).strip():
            raise SourceFailed(f"{where} has no user (field {self.user_field!r})")
        email = row.get(self.email_field) if self.email_field else None
        if email is not None and not isinstance(email, str):
            raise SourceFailed(f"{where}: its email (field {self.email_field!r}) is not text")
        return UsageRecord(
            self.tool, str(login).strip(), _day_of(row.get(self.day_field), self.day_field, where), email or None
        )


_MISSING = object()


def _at(found: Any, path: str, missing: Any = _MISSING) -> Any:
    """The value at the dotted `path` of an answer ("" is the answer); `missing` where
    there is none, else SourceFailed."""
    for part in path.split(".") if path else []:
        if isinstance(found, list) and part.isdigit() and int(part) < len(found):
            found = found[int(part)]
        elif isinstance(found, dict) and part in found:
            found = found[part]
        elif missing is not _MISSING:
            return missing
        else:
            raise SourceFailed(f"nothing at {path} of the answer")
    return found


def _day_of(value: Any, name: str, where: str) -> date:
    if not isinstance(value, str) or not value.strip():
        raise SourceFailed(f"{where} has no day (field {name!r})")
    try:
        return utc_day(value)
    except ValueError:
        raise SourceFailed(f"{where}: its day (field {name!r}) is not a date (YYYY-MM-DD or ISO 8601)") from None
