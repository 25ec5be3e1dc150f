"""The Anthropic Admin API's Claude Code Analytics on loopback, for the tests and the demo:
`GET /v1/organizations/usage_report/claude_code`, answered as its reference documents
(https://platform.claude.com/docs/en/api/admin-api/claude-code/get-claude-code-usage-report).

- `x-api-key` must be the stand-in's Admin key (401 `authentication_error` otherwise), and
  `anthropic-version` must be sent (400 `invalid_request_error`);
- `starting_at` (YYYY-MM-DD, required) picks the one day; `limit` (1 to 1000, default 20)
  sizes the page; `page` is the previous answer's opaque `next_page` cursor;
- the answer is `{"data": [...], "has_more": bool, "next_page": cursor or null}`, each
  record one actor's day (`record` builds one as documented);
- errors are Anthropic's shape: `{"type": "error", "error": {"type", "message"}}`.

The switches of `StandIn` (usage_base.py) make the next requests answer a 429 with or
without Retry-After, a 5xx or a redirect; an empty day is one fed nothing; a malformed
record is fed as it is (`rows[day].append({...})`)."""

from __future__ import annotations

import base64
import binascii
from collections import defaultdict
from datetime import date
from typing import Any

from bot.demo.standin.usage_base import Reply, Request, StandIn

PATH = "/v1/organizations/usage_report/claude_code"
ADMIN_KEY = "sk-ant-admin01-standin-key"
ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    404: "not_found_error",
    429: "rate_limit_error",
}


def record(
    day: date,
    email: str | None = None,
    api_key_name: str | None = None,
    sessions: int = 1,
    added: int = 0,
    removed: int = 0,
    commits: int = 0,
    pull_requests: int = 0,
) -> dict[str, Any]:
    """One actor's day as the API documents it: a user's (by email) or an API key's."""
    actor = (
        {"type": "user_actor", "email_address": email}
        if email is not None
        else {"type": "api_actor", "api_key_name": api_key_name or "key"}
    )
    return {
        "actor": actor,
        "core_metrics": {
            "commits_by_claude_code": commits,
            "lines_of_code": {"added": added, "removed": removed},
            "num_sessions": sessions,
            "pull_requests_by_claude_code": pull_requests,
        },
        "customer_type": "api",
        "date": f"{day.isoformat()}T00:00:00Z",
        "model_breakdown": [],
        "organization_id": "12345678-1234-5678-1234-567812345678",
        "subscription_type": "enterprise",
        "terminal_type": "vscode",
        "tool_actions": {"edit_tool": {"accepted": 1, "rejected": 0}},
    }


class ClaudeCodeStandIn(StandIn):
    """Claude Code Analytics on loopback: `start()` it, give the source its `origin` as
    `base_url` and `key`, feed `rows[day]` (records, e.g. `record(day, email=...)`)."""

    name = "claude-code-standin"

    def __init__(self, key: str = ADMIN_KEY):
        super().__init__(token=None)
        self.key = key
        self.rows: dict[date, list[Any]] = defaultdict(list)  # day -> its records, as served

    def error_body(self, status: int, message: str) -> Any:
        kind = ERROR_TYPES.get(status, "api_error")
        return {"type": "error", "error": {"type": kind, "message": message}, "request_id": "req_standin"}

    def _error(self, status: int, message: str) -> Reply:
        return status, {}, self.error_body(status, message)

    def answer(self, request: Request) -> Reply:
        query, headers = request.params, request.headers
        if request.path != PATH:
            return self._error(404, "Not found")
        if headers.get("x-api-key") != self.key:
            return self._error(401, "invalid x-api-key")
        if not headers.get("anthropic-version"):
            return self._error(400, "anthropic-version: header is required")
        try:
            day = date.fromisoformat(query.get("starting_at", ""))
        except ValueError:
            return self._error(400, "starting_at: a UTC date in YYYY-MM-DD format is required")
        limit = query.get("limit", "20")
        if not limit.isdigit() or not 1 <= int(limit) <= 1000:
            return self._error(400, "limit: must be between 1 and 1000")
        start = _offset(query.get("page"), day)
        if start is None:
            return self._error(400, "page: invalid cursor")
        rows = self.rows.get(day, [])
        end = start + int(limit)
        more = end < len(rows)
        return 200, {}, {"data": rows[start:end], "has_more": more, "next_page": _cursor(day, end) if more else None}


def _cursor(day: date, offset: int) -> str:
    """An opaque cursor, as the API's look ("page_" and base64)."""
    return "page_" + base64.b64encode(f"{day.isoformat()}|{offset}".encode()).decode()


def _offset(cursor: str | None, day: date) -> int | None:
    """Where a cursor of `day` starts (0 without one); None: not a cursor of this day's."""
    if cursor is None:
        return 0
    try:
        said, _, offset = base64.b64decode(cursor.removeprefix("page_"), validate=True).decode().partition("|")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return int(offset) if said == day.isoformat() and offset.isdigit() else None
