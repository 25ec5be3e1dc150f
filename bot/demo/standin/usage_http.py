"""A usage endpoint on loopback, for the tests and the demo: the `kind: http` usage
source's other side (sources/usage/http_json.py).

`UsageStandIn` answers `GET /usage?day=YYYY-MM-DD` and `GET /usage/YYYY-MM-DD` with the
rows fed to that day, `page_size` a page: `{"usage": {"rows": [...]}, "next": link}`,
the link relative, null on the last page. A bearer token is checked where one is set
(401 otherwise). Every request is kept (`requests`), and the next requests can be made
to answer otherwise (the switches of `StandIn`, usage_base.py: `rate_limit`, `fail`,
`redirect`, `answer_as`). An empty day is a day fed nothing; a malformed row is a row fed
as it is (`rows[day].append`)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from bot.demo.standin.usage_base import Reply, Request, StandIn


class UsageStandIn(StandIn):
    """A loopback usage endpoint: `start()` it, give the source its `url`, feed `rows`."""

    name = "usage-standin"

    def __init__(self, token: str | None = "usage-test-token", page_size: int = 100):
        super().__init__(token)
        self.page_size = page_size
        self.rows: dict[date, list[Any]] = defaultdict(list)  # day -> its rows, as served
        self.url = self.origin + "/usage"

    def answer(self, request: Request) -> Reply:
        """The generic usage endpoint's answer."""
        path, query = request.path, request.params
        if self.token is not None and not self.authorized(request):
            return 401, {}, {"error": "bad or no token"}
        if path != "/usage" and not path.startswith("/usage/"):
            return 404, {}, {"error": "no such path"}
        day_text = path.removeprefix("/usage/") if path.startswith("/usage/") else query.get("day", "")
        try:
            day, page = date.fromisoformat(day_text), int(query.get("page", "1"))
        except ValueError:
            return 400, {}, {"error": "day: not YYYY-MM-DD, or page: not a number"}
        rows = self.rows.get(day, [])
        start = (page - 1) * self.page_size
        more = start + self.page_size < len(rows)
        link = f"{path}?" + ("" if path != "/usage" else f"day={day.isoformat()}&") + f"page={page + 1}"
        return 200, {}, {"usage": {"rows": rows[start : start + self.page_size]}, "next": link if more else None}
