"""GitHub's Copilot usage metrics and seats on loopback, as the REST docs describe them
(docs.github.com/en/rest/copilot/copilot-usage-metrics, .../copilot-user-management),
for the tests and the demo.

- `GET /orgs/{org}/copilot/metrics/reports/users-1-day?day=YYYY-MM-DD` (and
  `/enterprises/{enterprise}/...`): `{"download_links": [...], "report_day": day}`; a day
  in `missing_days` is a 404, a wrong or missing token a 401 ("Bad credentials").
- the download links: `/download/<id>?sig=...`, signed: a link answers once, within
  `link_seconds` of being given, and never to a request carrying an Authorization header
  (400, as a storage host refuses a second credential); past its time, used, or expired
  by the test (`expire_next_downloads`), it is refused 403 with the storage host's
  AuthenticationFailed. The rows of a day are split over `files_per_day` NDJSON files.
- `GET /orgs/{org}/copilot/billing/seats?per_page=&page=`: `{"total_seats", "seats"}`,
  paged with a `Link: <...>; rel="next"` header.

The test feeds the rows (`add_use`, or `add_row` for a row as it likes, malformed even)
and the seats (`add_seat`). A large organization costs nothing to set up: with
`daily_users` N, every day's report lists N more users active (logins `generated_login(n)`,
n from 0), their rows made as a file is downloaded, never kept (bench/usage.py)."""

from __future__ import annotations

import secrets
import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.demo.standin.usage_base import Reply, Request, StandIn, as_json

EXPIRED_BODY = (
    b'<?xml version="1.0" encoding="utf-8"?><Error><Code>AuthenticationFailed</Code>'
    b"<Message>Signed expiry time has passed.</Message></Error>"
)


@dataclass
class _Link:
    day: date
    part: int
    given: float
    used: bool = False
    expired: bool = False


class CopilotStandIn(StandIn):
    name = "copilot-standin"

    def __init__(
        self, token: str = "ghp-standin-token", org: str = "acme", enterprise: str = "acme-ent", daily_users: int = 0
    ):
        super().__init__(token)
        self.daily_users = daily_users
        self.org, self.enterprise = org, enterprise
        self.rows: dict[date, list[dict[str, Any]]] = defaultdict(list)
        self.seats: list[dict[str, Any]] = []
        self.missing_days: set[date] = set()
        self.files_per_day = 1
        self.link_seconds = 300.0
        self.links: dict[str, _Link] = {}
        self._expire_next = 0
        self._links_lock = threading.Lock()

    # ---- set-up ----

    @staticmethod
    def generated_login(n: int) -> str:
        """The login of the `n`th of the `daily_users`."""
        return f"octo-{n:06d}"

    def add_use(self, day: date, login: str, interactions: int = 3, **more: Any) -> None:
        """A row of a day of use, as the users-1-day report's NDJSON has it."""
        self.rows[day].append({**_use(day, login, interactions), **more})

    def add_row(self, day: date, row: dict[str, Any]) -> None:
        self.rows[day].append(row)

    def add_seat(self, login: str, last_activity_at: str | None = None) -> None:
        self.seats.append(
            {
                "created_at": "2026-01-05T09:00:00Z",
                "last_activity_at": last_activity_at,
                "last_activity_editor": "vscode" if last_activity_at else None,
                "plan_type": "business",
                "assignee": {"login": login, "id": abs(hash(login)) % 10**8, "type": "User"},
            }
        )

    def expire_next_downloads(self, times: int = 1) -> None:
        """The next `times` downloads find their link expired (as if the pull had been slow)."""
        with self._links_lock:
            self._expire_next += times

    # ---- the API ----

    def answer(self, request: Request) -> Reply:
        if request.path.startswith("/download/"):
            return self._download(request)
        if not self.authorized(request):
            return 401, {}, as_json({"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"})
        owners = (f"/orgs/{self.org}", f"/enterprises/{self.enterprise}")
        for owner in owners:
            if request.path == f"{owner}/copilot/metrics/reports/users-1-day":
                return self._report(request)
            if request.path == f"{owner}/copilot/billing/seats":
                return self._seats(request, owner)
        return 404, {}, as_json({"message": "Not Found"})

    def _report(self, request: Request) -> Reply:
        try:
            day = date.fromisoformat(request.query.get("day", [""])[0])
        except ValueError:
            return 422, {}, as_json({"message": "Invalid day"})
        if day in self.missing_days:
            return 404, {}, as_json({"message": "Not Found"})
        links = []
        with self._links_lock:
            for part in range(self.files_per_day):
                key = secrets.token_hex(8)
                self.links[key] = _Link(day, part, time.monotonic())
                links.append(f"{self.url}/download/{key}?sv=2025-01-05&se=soon&sig={secrets.token_urlsafe(16)}")
        return 200, {}, as_json({"download_links": links, "report_day": day.isoformat()})

    def _download(self, request: Request) -> Reply:
        if "authorization" in request.headers:
            return 400, {"Content-Type": "application/xml"}, b"<Error><Code>InvalidAuthenticationInfo</Code></Error>"
        key = request.path.rsplit("/", 1)[-1]
        with self._links_lock:
            link = self.links.get(key)
            if link is None:
                return 404, {"Content-Type": "application/xml"}, b"<Error><Code>BlobNotFound</Code></Error>"
            if self._expire_next and not link.used:
                self._expire_next -= 1
                link.expired = True
            late = time.monotonic() - link.given > self.link_seconds
            if link.used or link.expired or late:
                return 403, {"Content-Type": "application/xml"}, EXPIRED_BODY
            link.used = True
        rows = self.rows.get(link.day, [])[link.part :: self.files_per_day]
        made = (_use(link.day, self.generated_login(n)) for n in range(link.part, self.daily_users, self.files_per_day))
        body = b"".join(as_json(row) + b"\n" for row in (*rows, *made))
        return 200, {"Content-Type": "application/x-ndjson"}, body

    def _seats(self, request: Request, owner: str) -> Reply:
        per_page = min(100, int(request.query.get("per_page", ["50"])[0]))
        page = int(request.query.get("page", ["1"])[0])
        chosen = self.seats[(page - 1) * per_page : page * per_page]
        headers = {}
        if page * per_page < len(self.seats):
            following = f"{self.url}{owner}/copilot/billing/seats?per_page={per_page}&page={page + 1}"
            headers["Link"] = (
                f'<{following}>; rel="next", <{self.url}{owner}/copilot/billing/seats?page=1>; rel="first"'
            )
        return 200, headers, as_json({"total_seats": len(self.seats), "seats": chosen})


def _use(day: date, login: str, interactions: int = 3) -> dict[str, Any]:
    """A row of a day of use, as the users-1-day report's NDJSON has it."""
    return {
        "day": day.isoformat(),
        "user_id": abs(hash(login)) % 10**8,
        "user_login": login,
        "user_initiated_interaction_count": interactions,
        "code_generation_activity_count": interactions,
        "code_acceptance_activity_count": 0,
        "totals_by_ide": [{"ide": "vscode", "user_initiated_interaction_count": interactions}],
    }
