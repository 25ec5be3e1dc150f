"""Claude Code's usage, from the Anthropic Admin API's Claude Code Analytics
(https://platform.claude.com/docs/en/api/admin-api/claude-code/get-claude-code-usage-report,
and the guide https://docs.anthropic.com/en/api/claude-code-analytics-api).

As documented: `GET /v1/organizations/usage_report/claude_code?starting_at=YYYY-MM-DD`
gives that one UTC day (there is no range: one request a day, paged), `limit` records a
page (1 to 1000, default 20), `page` the previous answer's `next_page` cursor while
`has_more`; headers `x-api-key` (an Admin key, sk-ant-admin...) and `anthropic-version:
2023-06-01`. Each record is one actor's day: `date` (RFC 3339, midnight UTC), `actor`
(`user_actor` with `email_address`, signed in with OAuth, or `api_actor` with
`api_key_name`), `core_metrics` (`num_sessions`, `lines_of_code.added/removed`,
`commits_by_claude_code`, `pull_requests_by_claude_code`) and more (tool actions, models,
cost) this module has no use for.

What counts as a day of use (the spec's "active"): a record with one session at least,
or any line added or removed, commit or pull request by Claude Code. A record with all of
them zero is the API's, not the person's use, and is left out (said here, not guessed).
A record without an actor, a date or its metrics fails the pull, naming the record: a
pull that cannot read its records is "usage unknown", never a smaller count. An actor
may have more than one record a day (the records carry a `terminal_type`): each gives the
same day of use, and the counting takes a person's days as a set (cadence/usage.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import httpx

from cadence.usage import UsageRecord
from sources import SourceFailed
from sources.usage import MAX_PAGES, Pulled
from sources.usage.days import each_day, utc_day
from sources.usage.http_get import PATIENCE, Patience, get

TOOL = "claude-code"
PATH = "/v1/organizations/usage_report/claude_code"
API_VERSION = "2023-06-01"  # the version the analytics endpoint documents
PAGE_SIZE = 1000  # the documented maximum: fewest requests


@dataclass(frozen=True, kw_only=True)
class ClaudeCode:
    """Claude Code's records, read with an Admin API key (`key`: a secret, never said)."""

    key: str = field(repr=False)
    base_url: str = "https://api.anthropic.com"
    page_size: int = PAGE_SIZE
    max_pages: int = MAX_PAGES  # of one day: a cursor that never ends fails the pull here
    # a 429 without Retry-After is not waited out (wait_unsaid=False): it is Anthropic's
    # answer to a spend cap, which no wait lifts; a rate limit says its Retry-After
    patience: Patience = PATIENCE
    tool: str = TOOL

    async def pull(self, client: httpx.AsyncClient, days: tuple[date, ...]) -> Pulled:
        """The records of `days`, one day's pages after another. Raises SourceFailed."""
        return await each_day(days, lambda day: self._day(client, day), "Claude Code")

    async def _day(self, client: httpx.AsyncClient, day: date) -> list[UsageRecord]:
        url = self.base_url.rstrip("/") + PATH
        headers = {"x-api-key": self.key, "anthropic-version": API_VERSION, "Accept": "application/json"}
        params = {"starting_at": day.isoformat(), "limit": str(self.page_size)}
        found: list[UsageRecord] = []
        for page in range(1, self.max_pages + 1):
            answer = await get(
                client,
                url,
                headers=headers,
                params=params,
                secrets=[self.key],
                patience=self.patience,
                wait_unsaid=False,
            )
            rows, cursor = _page(answer.json())
            for number, row in enumerate(rows, start=1):
                record = _record(row, day, f"record {number} of page {page}")
                if record is not None:
                    found.append(record)
            if cursor is None:
                return found
            params = {**params, "page": cursor}
        raise SourceFailed(f"more than {self.max_pages} pages: the cursor never ended")


def _page(answer: Any) -> tuple[list[Any], str | None]:
    """A page's records, and the cursor of the next page (None: the last)."""
    if not isinstance(answer, dict) or not isinstance(answer.get("data"), list):
        raise SourceFailed("the answer is not a usage report (no `data` list)")
    if answer.get("has_more") is not True:
        return answer["data"], None
    cursor = answer.get("next_page")
    if not isinstance(cursor, str) or not cursor:
        raise SourceFailed("the answer has more records but no next_page cursor")
    return answer["data"], cursor


def _record(row: Any, day: date, where: str) -> UsageRecord | None:
    """The person's day of use a record says, or None: a record of no activity."""
    if not isinstance(row, dict):
        raise SourceFailed(f"{where} is not an object")
    login, email = _actor(row.get("actor"), where)
    dated = _date(row.get("date"), where)
    if dated != day:
        raise SourceFailed(f"{where} is dated {dated.isoformat()}, not the day asked")
    return UsageRecord(TOOL, login, day, email) if _active(row.get("core_metrics"), where) else None


def _actor(actor: Any, where: str) -> tuple[str, str | None]:
    """The login and email of a record's actor: a user's email (both), or an API key's name
    (a login the mapping file may match; no email)."""
    kind = actor.get("type") if isinstance(actor, dict) else None
    if kind == "user_actor":
        email = actor.get("email_address")
        if isinstance(email, str) and email.strip():
            return email.strip(), email.strip()
        raise SourceFailed(f"{where}: a user_actor without an email_address")
    if kind == "api_actor":
        name = actor.get("api_key_name")
        if isinstance(name, str) and name.strip():
            return name.strip(), None
        raise SourceFailed(f"{where}: an api_actor without an api_key_name")
    if actor is None:
        raise SourceFailed(f"{where} has no actor")
    raise SourceFailed(f"{where}: an actor of an unknown type")


def _date(value: Any, where: str) -> date:
    """A record's `date`: RFC 3339 (as documented, "2025-08-08T00:00:00Z") or a bare date."""
    if not isinstance(value, str):
        raise SourceFailed(f"{where} has no date")
    try:
        return utc_day(value)
    except ValueError:
        raise SourceFailed(f"{where}: its date is not a date") from None


def _active(metrics: Any, where: str) -> bool:
    """Whether the core metrics show use: a session, or a line, commit or pull request."""
    if not isinstance(metrics, dict):
        raise SourceFailed(f"{where} has no core_metrics")
    lines = metrics.get("lines_of_code") or {}
    if not isinstance(lines, dict):
        raise SourceFailed(f"{where}: lines_of_code is not an object")
    counts = (
        metrics.get("num_sessions"),
        lines.get("added"),
        lines.get("removed"),
        metrics.get("commits_by_claude_code"),
        metrics.get("pull_requests_by_claude_code"),
    )
    for count in counts:
        if count is not None and (isinstance(count, bool) or not isinstance(count, (int, float))):
            raise SourceFailed(f"{where}: a core metric is not a number")
    return any(count for count in counts)
