"""Microsoft 365 Copilot's usage, from Microsoft Graph's Copilot usage user detail report
(https://learn.microsoft.com/microsoft-365/copilot/extensibility/api/admin-settings/reports/copilotreportroot-getmicrosoft365copilotusageuserdetail),
read with an app's token (client credentials, application permission Reports.Read.All:
https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow).

As documented: `POST {login}/{tenant}/oauth2/v2.0/token` with `client_id`,
`client_secret`, `scope=https://graph.microsoft.com/.default` and
`grant_type=client_credentials` gives `access_token`; then
`GET /beta/copilot/reports/getMicrosoft365CopilotUsageUserDetail(period='D7')` (beta
answers JSON) gives `value`, a row a licensed user, paged by `@odata.nextLink`. A row
holds `reportRefreshDate`, `userPrincipalName`, `lastActivityDate` (any Copilot app) and
each app's own last activity date (`copilotChatLastActivityDate`,
`wordCopilotLastActivityDate`, ...: every field ending in `LastActivityDate`, empty or
null where never).

What such a report can vouch for. It gives each user's LAST activity date only, as of its
refresh date R (the last day its data covers):
- R itself is a complete day: whoever used Copilot on R has R as a last activity date, so
  the users with an activity date of R are all those who used it that day;
- an earlier day D is known in part: a user whose last activity (any app's) is D used it
  on D, but someone who used it on D and again later shows only the later day. D's
  records prove use; they never prove that no one used it.
So a pull gives the records of every asked day up to R (`Pulled.days`, the days after R
wait for a later refresh, as GitHub's lag does), and names every asked day before R as
lost (`Pulled.lost`): this source can never make it whole. The pass keeps as lost those
it had not pulled whole already (usecases/usage.py), and a week with a lost day is never
counted as "without usage" (usecases/shared/usage_weeks.py). A week is whole only where
each of its days was a refresh date seen: the source pulled each day, as the clock does.

Seats are not listed (the report's users are its licensed ones, but a week's active seat
holders could not be counted whole from last activity dates). A report whose rows carry
two refresh dates (refreshed while paged) fails the pull; so does one whose user names are
concealed (the tenant's reports setting: matching needs real user principal names). A
row without its refresh date or user, or with a date that is no date or after the refresh,
fails the pull, said by its page and row, never by its user. Graph's 429 is waited as its
Retry-After says, a 5xx asked again once (http_get.get); the token endpoint's refusal or
failure fails the pull at once (the clock asks again within the hour), said by its error
code (`invalid_client`, AADSTS7000215), never its description or the secret."""

from __future__ import annotations

import asyncio
import json
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import quote

import httpx

from cadence.usage import UsageRecord
from outbound.http import innermost, read_raw
from sources import REDIRECTS, SourceFailed
from sources.usage import MAX_PAGES, TIMEOUT, Pulled
from sources.usage.http_get import PATIENCE, Patience, failed_safely, get, same_origin

TOOL = "m365-copilot"
GRAPH = "https://graph.microsoft.com"
LOGIN = "https://login.microsoftonline.com"
REPORT = "/beta/copilot/reports/getMicrosoft365CopilotUsageUserDetail(period='D7')"
SCOPE = "https://graph.microsoft.com/.default"
MAX_TOKEN = 64 << 10  # a token answer is a few KiB
TENANT_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.-]{0,99}$")  # a tenant's id (a GUID) or its domain
CONCEALED_RE = re.compile(r"^[0-9A-Fa-f]{32}$")  # how a report conceals a user's name: a hash
CONCEALED = (
    "the report conceals user names: turn off 'Display concealed user, group, and site names in all "
    "reports' (Microsoft 365 admin center, Settings, Org settings, Reports) so users match by email"
)


@dataclass(frozen=True, kw_only=True)
class M365Copilot:
    """Microsoft 365 Copilot's records of one tenant, read by an app registration's client
    credentials (`secret`: never said)."""

    tenant: str
    client_id: str
    secret: str = field(repr=False)
    base: str = GRAPH  # Microsoft Graph's
    login: str = LOGIN  # the Microsoft identity platform's
    tool: str = TOOL
    patience: Patience = PATIENCE
    max_pages: int = MAX_PAGES

    async def pull(self, client: httpx.AsyncClient, days: tuple[date, ...]) -> Pulled:
        """The records of `days` up to the report's refresh date, the days before it lost
        (module docstring). Raises SourceFailed."""
        secrets = [self.secret]
        try:
            token = await self._token(client)
            secrets.append(token)
            refreshed, users = await self._report(client, token, secrets)
        except Exception as err:  # noqa: BLE001 (said, with the secrets hidden)
            raise failed_safely(err, secrets) from None
        return pulled(tuple(sorted(days)), refreshed, users, self.tool)

    async def _token(self, client: httpx.AsyncClient) -> str:
        """An app token of the client credentials grant. Raises SourceFailed."""
        if not TENANT_RE.match(self.tenant):
            raise SourceFailed("the tenant is not a tenant id or domain")
        url = f"{self.login.rstrip('/')}/{quote(self.tenant, safe='')}/oauth2/v2.0/token"
        form = {
            "client_id": self.client_id,
            "client_secret": self.secret,
            "scope": SCOPE,
            "grant_type": "client_credentials",
        }
        what = "the token endpoint"
        try:
            async with asyncio.timeout(TIMEOUT), client.stream("POST", url, data=form) as answer:
                status, body = answer.status_code, await read_raw(answer, MAX_TOKEN)
        except (TimeoutError, httpx.TimeoutException):
            raise SourceFailed(f"{what}: timeout: no answer within {TIMEOUT:g} s") from None
        except (httpx.TransportError, OSError) as err:
            cause = innermost(err)
            raise SourceFailed(f"{what}: unreachable ({str(cause) or type(cause).__name__})") from None
        if status in REDIRECTS:
            raise SourceFailed(f"{what}: redirected (HTTP {status}), not followed")
        found = _json(body)
        if status != 200:
            raise SourceFailed(f"{what}: refused: HTTP {status}{_entra_error(found)}")
        token = found.get("access_token") if isinstance(found, dict) else None
        if not isinstance(token, str) or not token:
            raise SourceFailed(f"{what}: the answer has no access_token")
        return token

    async def _report(
        self, client: httpx.AsyncClient, token: str, secrets: list[str]
    ) -> tuple[date | None, dict[str, set[date]]]:
        """The report's refresh date (None: no rows) and each user's activity dates, page
        after page as `@odata.nextLink` leads (on Graph's own host)."""
        url: str | None = self.base.rstrip("/") + REPORT
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        refreshed: date | None = None
        users: dict[str, set[date]] = {}
        for page in range(1, self.max_pages + 1):
            if url is None:
                return refreshed, users
            what = f"the report's page {page}"
            answer = await get(client, url, what=what, headers=headers, secrets=secrets, patience=self.patience)
            rows, url = _page(answer.json(what), self.base, what)
            for number, row in enumerate(rows, start=1):
                user, on, dates = _row(row, f"{what}, row {number}")
                if refreshed is not None and on != refreshed:
                    raise SourceFailed(f"{what}: rows of two refresh dates ({refreshed}, {on}): refreshed while read")
                refreshed = on
                users.setdefault(user, set()).update(dates)
        raise SourceFailed(f"the report: more than {self.max_pages} pages")


def pulled(days: tuple[date, ...], refreshed: date | None, users: dict[str, set[date]], tool: str = TOOL) -> Pulled:
    """What a report refreshed through `refreshed` gives of `days` (oldest first): the days
    up to it, the records of their users' activity dates, and the days before it lost.
    Nothing pulled without a refresh date (no rows), or where it is before the first day."""
    if refreshed is None:
        return Pulled(())
    out = tuple(day for day in days if day <= refreshed)
    asked = set(out)
    records = [
        UsageRecord(tool, user, day, user) for user, dates in users.items() for day in sorted(dates) if day in asked
    ]
    return Pulled(out, records, None, tuple(day for day in out if day != refreshed))


def _page(found: Any, base: str, what: str) -> tuple[list[Any], str | None]:
    """A page's rows and the next page's link (None: the last)."""
    if not isinstance(found, dict) or not isinstance(found.get("value"), list):
        raise SourceFailed(f"{what}: the answer has no list of value")
    link = found.get("@odata.nextLink")
    if link is None:
        return found["value"], None
    if not isinstance(link, str) or not link:
        raise SourceFailed(f"{what}: its @odata.nextLink is not a link")
    if not same_origin(link, base):
        raise SourceFailed(f"{what}: the next page is on another host, not followed")
    return found["value"], link


def _row(row: Any, where: str) -> tuple[str, date, set[date]]:
    """A row's user, its refresh date and its activity dates (any app's)."""
    if not isinstance(row, dict):
        raise SourceFailed(f"{where}: not an object")
    user = row.get("userPrincipalName")
    if not isinstance(user, str) or not user.strip():
        raise SourceFailed(f"{where}: no userPrincipalName")
    if CONCEALED_RE.match(user.strip()):
        raise SourceFailed(CONCEALED)
    refreshed = _date(row.get("reportRefreshDate"), where, "reportRefreshDate")
    if refreshed is None:
        raise SourceFailed(f"{where}: no reportRefreshDate")
    dates = set()
    for key, value in row.items():
        if key == "lastActivityDate" or key.endswith("LastActivityDate"):
            day = _date(value, where, key)
            if day is not None and day > refreshed:
                raise SourceFailed(f"{where}: its {key} is after the report's refresh date")
            if day is not None:
                dates.add(day)
    return user.strip(), refreshed, dates


def _date(value: Any, where: str, key: str) -> date | None:
    """A date field (YYYY-MM-DD); None where empty or null (never active)."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise SourceFailed(f"{where}: its {key} is not a date")
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        raise SourceFailed(f"{where}: its {key} is not a date") from None


def _json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        return None


def _entra_error(found: Any) -> str:
    """The identity platform's error, " (invalid_client, AADSTS7000215)": its code and the
    first of its AADSTS codes, never its description (it may quote what was sent)."""
    if not isinstance(found, dict):
        return ""
    code = found.get("error")
    codes = found.get("error_codes")
    said = [str(code)[:60]] if isinstance(code, str) and code else []
    if isinstance(codes, list) and codes and isinstance(codes[0], int):
        said.append(f"AADSTS{codes[0]}")
    return f" ({', '.join(said)})" if said else ""
