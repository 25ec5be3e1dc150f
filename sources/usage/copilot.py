"""GitHub Copilot's usage, per person per day, from GitHub's Copilot usage metrics API
(https://docs.github.com/en/rest/copilot/copilot-usage-metrics), and its seats, from the
Copilot user management API (https://docs.github.com/en/rest/copilot/copilot-user-management).

A day's report is asked of `GET /orgs/{org}/copilot/metrics/reports/users-1-day?day=D`
(or `/enterprises/{enterprise}/...`). The answer holds no rows: it gives `download_links`,
signed URLs of NDJSON files (one JSON object a line, one a user), valid for a short while.
Each link is fetched WITHOUT the GitHub token (its signature is its credential; the token
must not go to the storage host), and a link refused (expired: the storage answers 403,
or 404/410) makes the report be asked again, once, for fresh links.

A file is read as it streams, line by line, never whole, on the first ask and on any
retry alike: a day of a large organization's report is a file of tens of thousands of
rows, and a pull asks up to a month of days. It is asked through `http_get.stream`, with
its waits and retries: a rate limit (429, or 403 with Retry-After) is asked again only
after the Retry-After it said (a longer wait than `Patience.max_wait` fails the pull), a
server's failure once after a pause; a redirect fails at once, and a refusal as above.

A row is a person's day: `user_login` (the login, what the mapping file names) and `day`
(YYYY-MM-DD). A row whose activity counters are all zero is not a day of use; a row
without counters counts (the report lists the users active that day). A row without a
login or a day, or of another day than the report's, fails the pull: never dropped.

Seats (`GET /orgs/{org}/copilot/billing/seats`, paged by `page` and `per_page` with a
`Link: rel="next"` header) are included by default: the team's week says how many of
its people hold a seat beside how many used it, which is what a rollout watches (a seat
unused is the finding). The seat listing's `last_activity_at` is not used as usage: one
timestamp, overwritten, is no day-by-day record.

GitHub's metrics lag about two days: a day's report exists only once the day is fully
processed, and until then it is asked in vain (a 404 or 204). The days are pulled oldest
first and the pull stops at the first day without a report yet: the days before it are
pulled, it and the later ones are left for the next pull (`Pulled.days` says which were
pulled; none, when even the first asked day has no report yet). A day without a report
BEFORE a later day with one is a gap, and fails the pull: usage unknown, never 0.

An error never names a person: a malformed row is said by its position (its file and
line in the report of its day), never by its login."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import httpx

from cadence.usage import Seat, UsageRecord
from sources import SourceFailed
from sources.usage import MAX_PAGES, Pulled, required
from sources.usage.http_get import PATIENCE, Patience, Refused, failed_safely, get, same_origin, stream

TOOL = "copilot"
API = "https://api.github.com"
API_VERSION = "2022-11-28"  # the REST API version the endpoints are documented at
MAX_REPORT = 256 << 20  # an NDJSON file larger than 256 MiB is refused (it streams: this bounds its time, not memory)
NDJSON = {"Accept": "application/x-ndjson"}
PER_PAGE = 100  # seats a page: the documented maximum
NO_REPORT = 404  # how the API answers a day whose report is not there (yet); or a 204
EXPIRED = (403, 404, 410)  # how a storage host refuses a signed link past its time
# the per-user counters of activity; a row with all of those it carries at 0 is no day of use
ACTIVITY = ("user_initiated_interaction_count", "code_generation_activity_count", "code_acceptance_activity_count")
_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="next"')


@dataclass(frozen=True)
class Copilot:
    """The Copilot usage of one organization (`org`) or one enterprise (`enterprise`)."""

    token: str = field(repr=False)
    org: str | None = None
    enterprise: str | None = None
    base: str = API
    seats: bool = True
    tool: str = TOOL
    patience: Patience = PATIENCE  # how long a busy or failing API is waited on

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Copilot:
        """COPILOT_TOKEN (a token that may read the metrics and seats), COPILOT_ORG or
        COPILOT_ENTERPRISE, COPILOT_API_URL (GitHub Enterprise Server's, else GitHub's)."""
        token = required(environ, "COPILOT_TOKEN")
        org, enterprise = environ.get("COPILOT_ORG") or None, environ.get("COPILOT_ENTERPRISE") or None
        if (org is None) == (enterprise is None):
            raise SourceFailed("set one of COPILOT_ORG and COPILOT_ENTERPRISE")
        return cls(token, org, enterprise, environ.get("COPILOT_API_URL") or API)

    @property
    def _owner(self) -> str:
        return f"/orgs/{self.org}" if self.org else f"/enterprises/{self.enterprise}"

    @property
    def _headers(self) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {self.token}",
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": API_VERSION,
        }

    async def pull(self, client: httpx.AsyncClient, days: tuple[date, ...]) -> Pulled:
        """The records of `days`, a report a day, and the seats. Raises SourceFailed."""
        secrets = [self.token]
        try:
            pulled, records = await self._days(client, tuple(sorted(days)), secrets)
            seats = await self._seats(client) if self.seats else None
        except Exception as err:  # noqa: BLE001 (said, with the secrets hidden)
            raise failed_safely(err, secrets) from None
        return Pulled(pulled, records, seats)

    async def _days(
        self, client: httpx.AsyncClient, days: tuple[date, ...], secrets: list[str]
    ) -> tuple[tuple[date, ...], list[UsageRecord]]:
        """The days pulled, oldest first, up to the first without a report yet, and their
        records. A day without a report before a later one with a report is a gap: raises."""
        records: list[UsageRecord] = []
        for index, day in enumerate(days):
            found = await self._day(client, day, secrets)
            if found is None:
                later = await self._first_reported(client, days[index + 1 :], secrets)
                if later is not None:
                    raise SourceFailed(
                        f"the report of {day}: no report for the day, while the report of {later} is there"
                    )
                return days[:index], records
            records += found
        return days, records

    async def _first_reported(
        self, client: httpx.AsyncClient, days: tuple[date, ...], secrets: list[str]
    ) -> date | None:
        """The first of `days` whose report is there; None: none of them has one yet."""
        for day in days:
            if await self._links(client, day, secrets) is not None:
                return day
        return None

    async def _day(self, client: httpx.AsyncClient, day: date, secrets: list[str]) -> list[UsageRecord] | None:
        """The day's rows, from every file of its report (None: no report for the day yet);
        a refused link asks the report again once, and the files are read afresh from the
        fresh links."""
        links = await self._links(client, day, secrets)
        if links is None:
            return None
        try:
            return [record for link in links for record in await self._file(client, link, day)]
        except Refused as err:
            if err.status not in EXPIRED:
                raise
        links = await self._links(client, day, secrets)
        if links is None:
            raise SourceFailed(f"the report of {day}: gone when asked again for fresh links")
        try:
            return [record for link in links for record in await self._file(client, link, day)]
        except Refused as err:
            raise SourceFailed(
                f"the report of {day}: its download link was refused again after asking for fresh links (HTTP {err.status})"
            ) from None

    async def _links(self, client: httpx.AsyncClient, day: date, secrets: list[str]) -> list[str] | None:
        """The signed links of the day's report (kept among the secrets: a signature is
        one); None: no report for the day yet (a 404, or a 204)."""
        what = f"the report of {day}"
        url = f"{self.base.rstrip('/')}{self._owner}/copilot/metrics/reports/users-1-day"
        params = {"day": day.isoformat()}
        try:
            answer = await get(client, url, what=what, headers=self._headers, params=params, patience=self.patience)
        except Refused as err:
            if err.status == NO_REPORT:
                return None
            raise
        if not answer.body.strip():  # 204: no report for the day (yet)
            return None
        found = answer.json(what)
        links = found.get("download_links") if isinstance(found, dict) else None
        if not isinstance(links, list) or not all(isinstance(link, str) and link for link in links):
            raise SourceFailed(f"{what}: the answer has no list of download_links")
        secrets.extend(links)  # a signed link is a credential: hidden from every error
        secrets.extend(httpx.URL(link).query.decode("ascii") for link in links if httpx.URL(link).query)
        return links

    async def _file(self, client: httpx.AsyncClient, link: str, day: date) -> list[UsageRecord]:
        """One NDJSON file of the report, fetched without the token, its rows read as they
        stream, with `stream`'s waits and retries (module docstring). Raises SourceFailed
        (Refused for a refusal: an expired link)."""
        what = f"a file of the report of {day}"

        async def rows(chunks: AsyncIterator[bytes], _headers: httpx.Headers) -> list[UsageRecord]:
            return await _rows(chunks, day, what)

        return await stream(client, link, rows, what=what, headers=NDJSON, patience=self.patience)

    async def _seats(self, client: httpx.AsyncClient) -> list[Seat]:
        """Every seat, page after page as the Link header leads (on the API's own host)."""
        url: str | None = f"{self.base.rstrip('/')}{self._owner}/copilot/billing/seats?per_page={PER_PAGE}"
        seats: list[Seat] = []
        for page in range(1, MAX_PAGES + 1):
            if url is None:
                return seats
            what = f"the seats' page {page}"
            answer = await get(client, url, what=what, headers=self._headers, patience=self.patience)
            found = answer.json(what)
            listed = found.get("seats") if isinstance(found, dict) else None
            if not isinstance(listed, list):
                raise SourceFailed(f"{what}: the answer has no list of seats")
            seats += [_seat(one, f"{what}, seat {n}") for n, one in enumerate(listed, start=1)]
            url = _next_link(answer.headers.get("Link", ""), self.base, what)
        raise SourceFailed(f"the seats: more than {MAX_PAGES} pages")


async def _rows(chunks: AsyncIterator[bytes], day: date, what: str) -> list[UsageRecord]:
    """The records of a file's rows as its bytes come, a line at a time (at b"\\n": httpx's
    `aiter_lines` also splits where str.splitlines does, at U+2028 or U+0085, which a JSON
    string may hold unescaped). Raises past MAX_REPORT bytes, or on a malformed row."""
    records: list[UsageRecord] = []
    rest, read, number = b"", 0, 0
    async for chunk in chunks:
        read += len(chunk)
        if read > MAX_REPORT:
            raise SourceFailed(f"{what}: larger than {MAX_REPORT >> 20} MiB")
        *lines, rest = (rest + chunk).split(b"\n")
        for line in lines:
            number += 1
            if line.strip() and (record := _record(line, day, f"{what}, line {number}")) is not None:
                records.append(record)
    if rest.strip() and (record := _record(rest, day, f"{what}, line {number + 1}")) is not None:
        records.append(record)
    return records


def _record(line: bytes, day: date, where: str) -> UsageRecord | None:
    """A row as the record of a day of use; None: a row of no activity. Raises on a
    row without its login or day, or of another day."""
    try:
        row = json.loads(line)
    except ValueError:
        raise SourceFailed(f"{where}: not JSON") from None
    if not isinstance(row, dict):
        raise SourceFailed(f"{where}: not an object")
    login = row.get("user_login")
    if not isinstance(login, str) or not login:
        raise SourceFailed(f"{where}: no user_login")
    on = _day(row.get("day"), where)
    if on != day:
        raise SourceFailed(f"{where}: a row of {on} in the report of {day}")
    if not _active(row, where):
        return None
    return UsageRecord(TOOL, login, day)  # the report's day: one date object for all its rows


def _day(value: Any, where: str) -> date:
    if not isinstance(value, str):
        raise SourceFailed(f"{where}: no day")
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        raise SourceFailed(f"{where}: its day is not a date") from None


def _active(row: dict[str, Any], where: str) -> bool:
    """Whether a row is a day of use: one of its activity counters above 0, or none carried."""
    counters = [row[name] for name in ACTIVITY if name in row]
    if any(isinstance(n, bool) or not isinstance(n, (int, float)) for n in counters):
        raise SourceFailed(f"{where}: an activity counter is not a number")
    return not counters or any(n > 0 for n in counters)


def _seat(seat: Any, where: str) -> Seat:
    assignee = seat.get("assignee") if isinstance(seat, dict) else None
    login = assignee.get("login") if isinstance(assignee, dict) else None
    if not isinstance(login, str) or not login:
        raise SourceFailed(f"{where}: no assignee login")
    email = assignee.get("email") if isinstance(assignee, dict) else None
    return Seat(TOOL, login, email if isinstance(email, str) and email else None)


def _next_link(header: str, base: str, what: str) -> str | None:
    """The next page's URL of GitHub's Link header; None: the last page."""
    found = _NEXT.search(header)
    if found is None:
        return None
    if not same_origin(found.group(1), base):
        raise SourceFailed(f"{what}: the next page is on another host, not followed")
    return found.group(1)
