"""OpenAI's organization Usage API, completions, on loopback, as the API reference
describes it (platform.openai.com/docs/api-reference/usage/completions), for the tests
and the demo.

`GET /v1/organization/usage/completions?start_time=&end_time=&bucket_width=1d&group_by=user_id&limit=&page=`:
`{"object": "page", "data": [bucket...], "has_more", "next_page"}`, a bucket a UTC day
from `start_time` to `end_time` (exclusive), `limit` buckets a page (default 7, at most
31), each with the results of the users who made requests that day (grouped by user only
when `group_by` says user_id; else one result of them all). A wrong admin key is a 401.
The test feeds the usage (`add_use`) and may put a result as it likes (`add_result`)."""

from __future__ import annotations

import base64
from collections import defaultdict
from datetime import UTC, date, datetime
from typing import Any

from bot.demo.standin.usage_base import Reply, Request, StandIn, as_json

PATH = "/v1/organization/usage/completions"
DAY = 86400


class OpenAIStandIn(StandIn):
    name = "openai-standin"

    def __init__(self, token: str = "sk-admin-standin-key"):
        super().__init__(token)
        self.results: dict[date, list[dict[str, Any]]] = defaultdict(list)

    def add_use(self, day: date, user_id: str | None, requests: int = 4) -> None:
        self.add_result(
            day,
            {
                "object": "organization.usage.completions.result",
                "input_tokens": 100 * requests,
                "output_tokens": 50 * requests,
                "input_cached_tokens": 0,
                "num_model_requests": requests,
                "project_id": None,
                "user_id": user_id,
                "api_key_id": None,
                "model": None,
                "batch": None,
            },
        )

    def add_result(self, day: date, result: dict[str, Any]) -> None:
        self.results[day].append(result)

    def answer(self, request: Request) -> Reply:
        if not self.authorized(request):
            error = {
                "message": "Incorrect API key provided.",
                "type": "invalid_request_error",
                "code": "invalid_api_key",
            }
            return 401, {}, as_json({"error": error})
        if request.path != PATH:
            return 404, {}, as_json({"error": {"message": "Not found", "type": "invalid_request_error"}})
        query = {k: v[0] for k, v in request.query.items()}
        if query.get("bucket_width", "1d") != "1d" or "start_time" not in query:
            return 400, {}, as_json({"error": {"message": "stand-in: 1d buckets and start_time only"}})
        start = int(query["start_time"])
        end = int(query.get("end_time", start + 7 * DAY))
        limit = min(31, int(query.get("limit", "7")))
        first = int(base64.b64decode(query["page"]).decode()) if "page" in query else start
        starts = list(range(first, end, DAY))
        chosen, more = starts[:limit], len(starts) > limit
        by_user = "user_id" in request.query.get("group_by", []) + request.query.get("group_by[]", [])
        data = [self._bucket(at, by_user) for at in chosen]
        cursor = base64.b64encode(str(starts[limit]).encode()).decode() if more else None
        return 200, {}, as_json({"object": "page", "data": data, "has_more": more, "next_page": cursor})

    def _bucket(self, at: int, by_user: bool) -> dict[str, Any]:
        day = datetime.fromtimestamp(at, UTC).date()
        results = self.results.get(day, [])
        if not by_user and results:
            total = sum(int(r.get("num_model_requests", 0)) for r in results)
            results = [{"object": "organization.usage.completions.result", "num_model_requests": total}]
        return {"object": "bucket", "start_time": at, "end_time": at + DAY, "results": results}
