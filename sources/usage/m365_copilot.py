"""Microsoft 365 Copilot's usage, from Microsoft Graph's usage report "Microsoft 365 Copilot
usage user detail" (https://learn.microsoft.com/en-us/microsoft-365/copilot/extensibility/api/admin-settings/reports/copilotreportroot-getmicrosoft365copilotusageuserdetail;
its older path: https://learn.microsoft.com/en-us/graph/api/reportroot-getmicrosoft365copilotusageuserdetail).

The report is asked as JSON (`$format=application/json`: as CSV, Graph answers a 302 to a
download host, which this client never follows) and read page after page through
`@odata.nextLink` (followed only on Graph's own host: the token goes nowhere else). A row
is a user enabled for (licensed to) Microsoft 365 Copilot: `userPrincipalName`, the
report's `reportRefreshDate`, and the last date of activity of each app
(`wordCopilotLastActivityDate`, `microsoftTeamsCopilotLastActivityDate`, ..., and
`lastActivityDate` over them all; empty or null: none).

The report gives LAST activity dates, not every day of use. A day counts so:
- the day the report was refreshed for (`reportRefreshDate`) is fully known: a user is
  active on it when one of their last-activity dates is that day (a use that day is the
  last one as of that day). Pulled daily, each day is seen once as the refresh date.
- an earlier day is not: a use on Monday is overwritten by Tuesday's. So a pull covers
  only the asked days that are the report's refresh date (`Pulled.days`); other asked
  days are left uncovered (usage unknown), never counted 0. Ask the last few days each
  pull: Graph's reports lag two or three days.
Every row is a seat: the report lists the users a license enables.

The token is a Graph bearer token for an app granted Reports.Read.All, taken from the
environment (M365_GRAPH_TOKEN): acquiring it (client credentials against Entra ID) is
outside this module. A tenant that conceals user names in reports (Microsoft 365 admin
center, Org settings, Reports) gives hashes for names: no person can be matched then, and
the usage job counts them unmatched."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import httpx

from cadence.usage import Seat, UsageRecord
from sources import SourceFailed
from sources.usage import MAX_PAGES, Pulled, required
from sources.usage.http_get import PATIENCE, Patience, failed_safely, get, same_origin

TOOL = "m365-copilot"
GRAPH = "https://graph.microsoft.com"
REPORT = "/v1.0/copilot/reports/getMicrosoft365CopilotUsageUserDetail(period='D7')"


@dataclass(frozen=True)
class M365Copilot:
    """The Microsoft 365 Copilot usage of one tenant (whose token it is)."""

    token: str = field(repr=False)
    base: str = GRAPH
    report: str = REPORT  # the report's path: the beta one, or another period, where a tenant needs it
    tool: str = TOOL
    patience: Patience = PATIENCE  # how long a busy or failing API is waited on

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> M365Copilot:
        """M365_GRAPH_TOKEN; M365_GRAPH_URL and M365_COPILOT_REPORT where not Graph's own."""
        return cls(
            required(environ, "M365_GRAPH_TOKEN"),
            environ.get("M365_GRAPH_URL") or GRAPH,
            environ.get("M365_COPILOT_REPORT") or REPORT,
        )

    async def pull(self, client: httpx.AsyncClient, days: tuple[date, ...]) -> Pulled:
        """The records of the asked days the report covers (its refresh date), and the
        seats. Raises SourceFailed."""
        try:
            rows = await self._rows(client)
            return _pulled(rows, days)
        except Exception as err:  # noqa: BLE001 (said, with the secret hidden)
            raise failed_safely(err, [self.token]) from None

    async def _rows(self, client: httpx.AsyncClient) -> list[dict[str, Any]]:
        """Every row of the report, page after page."""
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/json"}
        url: str | None = self.base.rstrip("/") + self.report
        params: dict[str, str | int] | None = {"$format": "application/json"}
        rows: list[dict[str, Any]] = []
        for page in range(1, MAX_PAGES + 1):
            if url is None:
                return rows
            what = f"the report's page {page}"
            answer = await get(client, url, what=what, headers=headers, params=params, patience=self.patience)
            found = answer.json(what)
            value = found.get("value") if isinstance(found, dict) else None
            if not isinstance(value, list):
                raise SourceFailed(f"{what}: the answer has no list of value")
            for number, row in enumerate(value, start=1):
                if not isinstance(row, dict):
                    raise SourceFailed(f"{what}, row {number}: not an object")
                rows.append(row)
            url, params = _next(found, self.base, what), None  # a next link carries its own query
        raise SourceFailed(f"the report: more than {MAX_PAGES} pages")


def _next(found: dict[str, Any], base: str, what: str) -> str | None:
    link = found.get("@odata.nextLink")
    if link is None:
        return None
    if not isinstance(link, str) or not same_origin(link, base):
        raise SourceFailed(f"{what}: the next page is not on Graph's host, not followed")
    return link


def _pulled(rows: list[dict[str, Any]], days: tuple[date, ...]) -> Pulled:
    """The rows as records of the asked days the report's refresh date is; every row a seat."""
    refreshed: set[date] = set()
    users: list[tuple[str, set[date]]] = []
    for number, row in enumerate(rows, start=1):
        where = f"row {number}"
        name = row.get("userPrincipalName")
        if not isinstance(name, str) or not name:
            raise SourceFailed(f"{where}: no userPrincipalName")
        where = f"the row of {name}"
        refreshed.add(_date(row.get("reportRefreshDate"), f"{where}: reportRefreshDate") or _missing(where))
        users.append((name, _activity(row, where)))
    if len(refreshed) > 1:
        raise SourceFailed(f"the report's rows have {len(refreshed)} refresh dates, not one")
    covered = tuple(day for day in days if day in refreshed)
    records = [UsageRecord(TOOL, name, day, _email(name)) for name, dates in users for day in covered if day in dates]
    return Pulled(covered, records, [Seat(TOOL, name, _email(name)) for name, _ in users])


def _activity(row: dict[str, Any], where: str) -> set[date]:
    """The row's last-activity dates, of every app (any field named ...LastActivityDate)."""
    found = set()
    for key, value in row.items():
        if key == "lastActivityDate" or key.endswith("LastActivityDate"):
            day = _date(value, f"{where}: {key}")
            if day is not None:
                found.add(day)
    return found


def _date(value: Any, where: str) -> date | None:
    """A report's date (YYYY-MM-DD); None: empty or null, no activity."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise SourceFailed(f"{where} is not a date")
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        raise SourceFailed(f"{where}: {value[:20]!r} is not a date") from None


def _missing(where: str) -> date:
    raise SourceFailed(f"{where}: no reportRefreshDate")


def _email(name: str) -> str | None:
    """A user principal name is the sign-in address: the person's email where it is one."""
    return name if "@" in name else None
