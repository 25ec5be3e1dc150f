"""Microsoft Graph's "Microsoft 365 Copilot usage user detail" report on loopback, as
learn.microsoft.com describes it (copilotreportroot-getmicrosoft365copilotusageuserdetail;
reportroot-getmicrosoft365copilotusageuserdetail), for the tests and the demo.

`GET /{v1.0|beta}/[copilot/]reports/getMicrosoft365CopilotUsageUserDetail(period='D7')`:
with `$format=application/json` (or none: the newer path's default), `{"value": [...]}`
of `page_size` rows, and `@odata.nextLink` (with a `$skiptoken`) while more remain; with
`$format=text/csv`, a 302 to a download host, as Graph answers. A wrong token is a 401
(InvalidAuthenticationToken). Every user fed (`add_user`) is a licensed user; their rows
carry the stand-in's `refresh_date`; `add_row` takes a row as the test likes it."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from bot.demo.standin.usage_base import Reply, Request, StandIn, as_json

APPS = (
    "microsoftTeamsCopilotLastActivityDate",
    "wordCopilotLastActivityDate",
    "excelCopilotLastActivityDate",
    "powerPointCopilotLastActivityDate",
    "outlookCopilotLastActivityDate",
    "oneNoteCopilotLastActivityDate",
    "loopCopilotLastActivityDate",
    "copilotChatLastActivityDate",
)
_REPORT = re.compile(r"^/(v1\.0|beta)/(copilot/)?reports/getMicrosoft365CopilotUsageUserDetail\(period='(D\d+|ALL)'\)$")


class M365StandIn(StandIn):
    name = "m365-standin"

    def __init__(self, token: str = "eyJ-standin-graph-token", refresh_date: date = date(2026, 3, 4)):
        super().__init__(token)
        self.refresh_date = refresh_date
        self.rows: list[dict[str, Any]] = []
        self.page_size = 200

    def add_user(self, upn: str, **last: date | None) -> None:
        """A licensed user and the last date of each app they used (`word=...`, `teams=...`,
        named as APPS without "CopilotLastActivityDate", in lower case)."""
        row: dict[str, Any] = {
            "reportRefreshDate": self.refresh_date.isoformat(),
            "userPrincipalName": upn,
            "displayName": upn.split("@")[0].title(),
        }
        dates = {}
        for field in APPS:
            short = field.removesuffix("CopilotLastActivityDate").lower()
            day = last.get(short)
            dates[field] = day.isoformat() if day else ""
        known = [d for d in last.values() if d is not None]
        row["lastActivityDate"] = max(known).isoformat() if known else ""
        self.rows.append({**row, **dates, "copilotActivityUserDetailsByPeriod": [{"reportPeriod": 7}]})

    def add_row(self, row: dict[str, Any]) -> None:
        self.rows.append(row)

    def answer(self, request: Request) -> Reply:
        if not self.authorized(request):
            error = {"code": "InvalidAuthenticationToken", "message": "Access token validation failure."}
            return 401, {}, as_json({"error": error})
        if _REPORT.match(request.path) is None:
            return 404, {}, as_json({"error": {"code": "UnknownError", "message": "Resource not found"}})
        if request.query.get("$format", [""])[0] == "text/csv":
            return 302, {"Location": "https://reports.office.com/data/download/standin?sig=abc"}, b""
        start = int(request.query.get("$skiptoken", ["0"])[0])
        end = start + self.page_size
        body: dict[str, Any] = {"@odata.context": f"{self.url}{request.path}", "value": self.rows[start:end]}
        if end < len(self.rows):
            body["@odata.nextLink"] = f"{self.url}{request.path}?$format=application/json&$skiptoken={end}"
        return 200, {}, as_json(body)
