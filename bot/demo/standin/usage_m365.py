"""Microsoft Graph's Microsoft 365 Copilot usage report and the Microsoft identity
platform's token endpoint on loopback, for the tests and the demo, answered as their
documents say:

- `POST /{tenant}/oauth2/v2.0/token` (the client credentials grant,
  https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow):
  a form of `client_id`, `client_secret`, `scope` (`https://graph.microsoft.com/.default`)
  and `grant_type=client_credentials`; answers `{"token_type": "Bearer", "expires_in",
  "access_token"}`, or the platform's error (`{"error": "invalid_client",
  "error_description": "AADSTS7000215: ...", "error_codes": [7000215]}`);
- `GET /beta/copilot/reports/getMicrosoft365CopilotUsageUserDetail(period='D7')`
  (https://learn.microsoft.com/microsoft-365/copilot/extensibility/api/admin-settings/reports/copilotreportroot-getmicrosoft365copilotusageuserdetail):
  the bearer token issued, else Graph's 401; `{"value": [...]}` a row a licensed user,
  `page_size` rows a page, `@odata.nextLink` (with a `$skiptoken`) while more remain.

A row is what Microsoft shows as of the report's refresh date (`refreshed`): each app's
last activity date up to it (`used` keeps the days each user used each app; the days after
the refresh date are not in the report yet), `lastActivityDate` the latest of them. So a
test plays a refresh that lags (`refreshed` behind the days used), a refresh skipped
(`refreshed` moved two days on), names concealed (`conceal`), a malformed row (`extra`),
and, through the switches of `StandIn` (usage_base.py), a 429 with Retry-After or a 5xx."""

from __future__ import annotations

import contextlib
import hashlib
import itertools
from collections import defaultdict
from datetime import date
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from bot.demo.standin.usage_base import Reply, Request, StandIn, as_json

TENANT = "contoso.onmicrosoft.com"
CLIENT_ID = "11111111-2222-3333-4444-555555555555"
CLIENT_SECRET = "m365-standin-client-secret"
SCOPE = "https://graph.microsoft.com/.default"
REPORT = "/beta/copilot/reports/getMicrosoft365CopilotUsageUserDetail"
PERIODS = ("D7", "D30", "D90", "D180", "ALL")
APPS = ("copilotChat", "microsoftTeams", "word", "excel", "powerPoint", "outlook", "oneNote", "loop")


def _app_field(app: str) -> str:
    return "copilotChatLastActivityDate" if app == "copilotChat" else f"{app}CopilotLastActivityDate"


class M365StandIn(StandIn):
    """Graph's report and the token endpoint on loopback: `start()` it, give the source its
    `origin` as both `base` and `login`; set `refreshed`, and `use(user, day, app)`."""

    name = "m365-copilot-standin"

    def __init__(self, refreshed: date | None = None, page_size: int = 100):
        super().__init__(token=None)
        self.refreshed = refreshed
        self.page_size = page_size
        self.licensed: list[str] = []  # the users with a license, in the report's order
        self.used: dict[str, dict[str, set[date]]] = defaultdict(lambda: defaultdict(set))
        self.extra: list[Any] = []  # rows served as they are, after the users' (a malformed one)
        self.conceal = False  # the tenant's reports conceal user names
        self.issued: list[str] = []
        self._tokens = itertools.count(1)
        self.posts: list[dict[str, str]] = []  # the token requests' forms

    def use(self, user: str, day: date, app: str = "microsoftTeams") -> None:
        """`user` used Copilot in `app` on `day` (a licensed user from then on)."""
        if user not in self.licensed:
            self.licensed.append(user)
        self.used[user][app].add(day)

    # ---- the token endpoint ----

    def grant(self, path: str, form: dict[str, str]) -> Reply:
        self.posts.append(form)
        parts = path.strip("/").split("/")
        if len(parts) != 4 or parts[1:] != ["oauth2", "v2.0", "token"]:
            return 404, {}, {"error": "invalid_request", "error_description": "AADSTS900561: not an endpoint"}
        if parts[0] != TENANT:
            return 400, {}, _entra("invalid_request", 90002, f"Tenant '{parts[0]}' not found.")
        if form.get("grant_type") != "client_credentials" or form.get("scope") != SCOPE:
            return 400, {}, _entra("invalid_request", 900144, "The request body must contain a valid grant.")
        if form.get("client_id") != CLIENT_ID:
            return 400, {}, _entra("unauthorized_client", 700016, "Application not found in the directory.")
        if form.get("client_secret") != CLIENT_SECRET:
            return 401, {}, _entra("invalid_client", 7000215, "Invalid client secret provided.")
        issued = f"eyJ0eXAi.m365-standin-token-{next(self._tokens)}"
        self.issued.append(issued)
        return 200, {}, {"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599, "access_token": issued}

    # ---- the report ----

    def error_body(self, status: int, message: str) -> Any:
        code = {401: "InvalidAuthenticationToken", 429: "TooManyRequests"}.get(status, "UnknownError")
        return {"error": {"code": code, "message": message, "innerError": {"request-id": "standin"}}}

    def answer(self, request: Request) -> Reply:
        path = unquote(request.path)
        if not path.startswith(REPORT + "(") or not path.endswith(")"):
            return 404, {}, self.error_body(404, "Resource not found")
        if request.token is None or request.token not in self.issued:
            return 401, {}, self.error_body(401, "Access token is empty or invalid.")
        period = path[len(REPORT) + 1 : -1].removeprefix("period=").strip("'")
        if period not in PERIODS:
            return 400, {}, self.error_body(400, "Invalid period")
        rows = self.rows()
        start = int(request.params.get("$skiptoken", "0") or 0)
        end = start + self.page_size
        page: dict[str, Any] = {"value": rows[start:end]}
        if end < len(rows):
            page["@odata.nextLink"] = f"{self.origin}{request.path}?$skiptoken={end}"
        return 200, {}, page

    def rows(self) -> list[Any]:
        """The report's rows as of `refreshed` (none before a first refresh), then `extra`."""
        if self.refreshed is None:
            return list(self.extra)
        return [self._row(user, self.refreshed) for user in self.licensed] + list(self.extra)

    def _row(self, user: str, refreshed: date) -> dict[str, Any]:
        last = {app: max((d for d in self.used[user].get(app, ()) if d <= refreshed), default=None) for app in APPS}
        latest = max((d for d in last.values() if d is not None), default=None)
        shown = _hashed(user) if self.conceal else user  # as a concealing report shows a user: a hash
        row: dict[str, Any] = {
            "reportRefreshDate": refreshed.isoformat(),
            "userPrincipalName": shown,
            "displayName": _hashed("name:" + user) if self.conceal else user.split("@")[0],
            "lastActivityDate": latest.isoformat() if latest else "",
        }
        row |= {_app_field(app): day.isoformat() if day else "" for app, day in last.items()}
        row["copilotActivityUserDetailsByPeriod"] = [{"reportPeriod": 7}]
        return row

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        standin = self
        base = super()._handler_class()

        class Handler(base):  # type: ignore[misc, valid-type]
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                length = int(self.headers.get("Content-Length") or 0)
                form = {k: v[-1] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                fault = standin._post_fault()
                status, headers, body = fault or standin.grant(urlsplit(self.path).path, form)
                data = as_json(body)
                self.send_response(status)
                for name, value in {"Content-Type": "application/json", **headers}.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(data)

        return Handler

    def _post_fault(self) -> Reply | None:
        """A queued fault whose prefix is the token endpoint's tenant ("/contoso..."): the
        token endpoint failing (a 5xx) as a test asks."""
        with self._lock:
            if self._faults and self._faults[0].prefix.startswith(f"/{TENANT}"):
                fault = self._faults.popleft()
                return fault.status, {}, _entra("temporarily_unavailable", 90033, "service unavailable")
        return None


def _hashed(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest().upper()


def _entra(error: str, code: int, words: str) -> dict[str, Any]:
    """The identity platform's error, as it answers one."""
    return {
        "error": error,
        "error_description": f"AADSTS{code}: {words} Trace ID: 0000 Correlation ID: 0000",
        "error_codes": [code],
        "timestamp": "2026-11-02 09:00:00Z",
        "trace_id": "00000000-0000-0000-0000-000000000000",
        "correlation_id": "00000000-0000-0000-0000-000000000000",
    }
