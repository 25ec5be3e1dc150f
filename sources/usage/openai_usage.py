"""The OpenAI API's usage by person, from the organization's Usage API, completions
(https://platform.openai.com/docs/api-reference/usage/completions), with an admin key.

`GET /v1/organization/usage/completions?start_time=&end_time=&bucket_width=1d&group_by=user_id&limit=31`:
`start_time` (Unix seconds, inclusive) the first asked day's UTC midnight, `end_time`
(exclusive) the day after the last; daily buckets (`data`, each with `start_time`,
`end_time` and `results`), at most 31 a page (the documented maximum for 1d), the next
page asked with `page=<next_page>` while `has_more`. A result is a user's day:
`user_id` and `num_model_requests`; one request or more is a day of use.

A day counts as pulled when its bucket came back (an asked day in the range but not
asked, a gap, is read past). A bucket without results is a day no one used the API. A
result without `user_id`, or a bucket without its `start_time`, fails the pull. A result
whose `user_id` is null is usage the API names no person for (a service account's key):
it is no person's use and is not counted as anyone's; it is not an error.

The person is OpenAI's user id (`user-...`): matched by the mapping file's logins; the
records carry no email."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx

from cadence.usage import UsageRecord
from sources import SourceFailed
from sources.usage import MAX_PAGES, Pulled, required
from sources.usage.http_get import PATIENCE, Patience, failed_safely, get

TOOL = "openai"
API = "https://api.openai.com"
PATH = "/v1/organization/usage/completions"
BUCKETS = 31  # daily buckets a page: the documented maximum for bucket_width=1d


@dataclass(frozen=True)
class OpenAIUsage:
    """The completions usage of one OpenAI organization (whose admin key it is)."""

    key: str = field(repr=False)
    base: str = API
    tool: str = TOOL
    patience: Patience = PATIENCE  # how long a busy or failing API is waited on

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> OpenAIUsage:
        """OPENAI_ADMIN_KEY; OPENAI_API_URL where not OpenAI's own."""
        return cls(required(environ, "OPENAI_ADMIN_KEY"), environ.get("OPENAI_API_URL") or API)

    async def pull(self, client: httpx.AsyncClient, days: tuple[date, ...]) -> Pulled:
        """The records of `days`. Raises SourceFailed."""
        if not days:
            return Pulled(days)
        try:
            buckets = await self._buckets(client, min(days), max(days) + timedelta(days=1))
            return _pulled(buckets, days)
        except Exception as err:  # noqa: BLE001 (said, with the key hidden)
            raise failed_safely(err, [self.key]) from None

    async def _buckets(self, client: httpx.AsyncClient, start: date, end: date) -> list[Any]:
        """Every daily bucket from `start` to `end` (exclusive), page after page."""
        headers = {"Authorization": f"Bearer {self.key}", "Accept": "application/json"}
        params: dict[str, str | int] = {
            "start_time": _unix(start),
            "end_time": _unix(end),
            "bucket_width": "1d",
            "group_by": "user_id",
            "limit": BUCKETS,
        }
        buckets: list[Any] = []
        for page in range(1, MAX_PAGES + 1):
            what = f"the usage's page {page}"
            url = self.base.rstrip("/") + PATH
            found = (await get(client, url, what=what, headers=headers, params=params, patience=self.patience)).json(
                what
            )
            data = found.get("data") if isinstance(found, dict) else None
            if not isinstance(data, list):
                raise SourceFailed(f"{what}: the answer has no list of data")
            buckets += data
            cursor = found.get("next_page")
            if not found.get("has_more"):
                return buckets
            if not isinstance(cursor, str) or not cursor:
                raise SourceFailed(f"{what}: has_more without a next_page")
            params = {**params, "page": cursor}
        raise SourceFailed(f"the usage: more than {MAX_PAGES} pages")


def _pulled(buckets: list[Any], days: tuple[date, ...]) -> Pulled:
    """The buckets of the asked days as records: one a user with a request that day."""
    asked = set(days)
    seen: set[date] = set()
    records: list[UsageRecord] = []
    for number, bucket in enumerate(buckets, start=1):
        day = _bucket_day(bucket, f"bucket {number}")
        if day not in asked:
            continue
        seen.add(day)
        results = bucket.get("results")
        if not isinstance(results, list):
            raise SourceFailed(f"the bucket of {day}: no list of results")
        for index, result in enumerate(results, start=1):
            user = _user(result, f"the bucket of {day}, result {index}")
            if user is not None:
                records.append(UsageRecord(TOOL, user, day))
    return Pulled(tuple(day for day in days if day in seen), records)


def _bucket_day(bucket: Any, where: str) -> date:
    start = bucket.get("start_time") if isinstance(bucket, dict) else None
    if isinstance(start, bool) or not isinstance(start, int):
        raise SourceFailed(f"{where}: no start_time")
    return datetime.fromtimestamp(start, UTC).date()


def _user(result: Any, where: str) -> str | None:
    """The user of a result with a request; None: no request, or no person named."""
    if not isinstance(result, dict) or "user_id" not in result:
        raise SourceFailed(f"{where}: no user_id")
    user, requests = result["user_id"], result.get("num_model_requests")
    if isinstance(requests, bool) or not isinstance(requests, int):
        raise SourceFailed(f"{where}: num_model_requests is not a number")
    if user is not None and (not isinstance(user, str) or not user):
        raise SourceFailed(f"{where}: user_id is not a user's id")
    return user if requests > 0 else None


def _unix(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())
