"""Every Web API client the bot uses: SLACK_API_URL applies, failures are counted, and
a client on the request path keeps to a time budget.

Slack gives up on a request after 3 seconds. A person waiting on `/rollout` must
never wait on Slack's rate limits, so the request path's client never retries a 429
and shares one budget (REQUEST_BUDGET, 1 s in all) across every call it makes; past
it a call fails at once with SlackBusy and the listener answers from what it knows.
The clock's clients are patient instead: nobody is waiting on them.
"""

from __future__ import annotations

import copy
import functools
import math
import re
import time
from collections.abc import Callable
from typing import Any

from prometheus_client import Counter
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler

# GET /metrics (bot/metrics.py) reads Prometheus's default registry, this counter's too.
SLACK_ERRORS = Counter(
    "rollout_slack_api_errors", "Slack Web API calls that failed, by method and error.", ["method", "error"]
)


REQUEST_BUDGET = 1.0  # seconds of waiting on Slack, in all, while a person waits for an answer
CLOCK_TIMEOUT = 10  # seconds per call for the clock, which nobody waits on


# The Web API methods the bot calls that only read; any other call has an effect.
READS = frozenset(
    {
        "auth.test",
        "bots.info",
        "conversations.history",
        "conversations.info",
        "conversations.members",
        "users.info",
        "users.list",
    }
)


NOT_JSON = "Received a response in a non-JSON format"  # slack_sdk's error for an answer it cannot read
TITLE = re.compile(r"<title[^>]*>\s*([^<]{1,80})", re.IGNORECASE)


def not_slacks_answer(err: SlackApiError) -> str | None:
    """For an answer that is not Slack's JSON (a proxy's sign-in page, a SLACK_API_URL
    that is not Slack's Web API): one sentence naming the URL asked and what came back.
    None for Slack's own answers."""
    error = err.response.get("error") if isinstance(err.response.data, dict) else None
    if not (isinstance(error, str) and error.startswith(NOT_JSON)):
        return None
    body = error.removeprefix(NOT_JSON).lstrip(": ")
    headers = {str(k).lower(): str(v) for k, v in (err.response.headers or {}).items()}
    kind = headers.get("content-type", "").split(";")[0].strip()
    title = TITLE.search(body)
    if title:
        what = f"an HTML page titled {title.group(1).strip()!r}"
    elif "html" in kind or body.lstrip().lower().startswith(("<!doctype html", "<html")):
        what = f"an HTML page beginning {body[:40]!r}"
    else:
        what = f"{kind or 'an answer'} beginning {body[:40]!r}"
    return (
        f"{err.response.api_url} answered HTTP {err.response.status_code} with {what}, not Slack's JSON: "
        "check SLACK_API_URL (Slack's is https://slack.com/api/) and any proxy between here and Slack"
    )


class SlackBusy(TimeoutError):
    """The request's time budget for Slack is spent: answer without asking Slack."""


class RolloutWebClient(WebClient):
    """A WebClient that counts failed calls by method and error and, when given a
    deadline (time.monotonic()), never waits on Slack past it."""

    deadline: float | None = None
    # Run before any call that does more than read (see READS): a request records that it
    # was handled before it has an effect outside the database (bot/app.py, _EachRequest).
    before_effect: Callable[[], None] | None = None
    # Given the view Slack opened, after a views.open it answered (the forms' time, kept
    # for the active setup time: usecases/shared/setup_effort.py).
    view_opened: Callable[[dict[str, Any]], None] | None = None

    def api_call(self, api_method: str, **kwargs: Any) -> Any:
        if self.before_effect is not None and api_method not in READS:
            self.before_effect()
        answer = self._call(api_method, **kwargs)
        if api_method == "views.open" and self.view_opened is not None:
            view = answer.get("view") if isinstance(answer.data, dict) else None
            if isinstance(view, dict):
                self.view_opened(view)
        return answer

    def _call(self, api_method: str, **kwargs: Any) -> Any:
        if self.deadline is not None:
            remaining = self.deadline - time.monotonic()
            if remaining <= 0.01:
                SLACK_ERRORS.labels(api_method, "budget_spent").inc()
                raise SlackBusy(f"{api_method}: no time left to wait on Slack")
            # This client serves one request, so changing it is safe. slack_sdk annotates
            # the timeout as int; urllib, which uses it, takes fractions of a second.
            self.timeout = remaining  # type: ignore[assignment]
        try:
            return super().api_call(api_method, **kwargs)
        except SlackApiError as err:
            error = err.response.get("error") if isinstance(err.response.data, dict) else None
            SLACK_ERRORS.labels(api_method, str(error or err.response.status_code)).inc()
            raise
        except (OSError, TimeoutError):
            SLACK_ERRORS.labels(api_method, "timeout").inc()
            raise


def clock_client(token: str | None, base_url: str, retries: bool = True) -> RolloutWebClient:
    """For the clock: patient. Rate limits are waited out (Retry-After), a dropped
    connection is tried again. The dispatcher's client has no retry handlers: it
    handles 429s and failures itself, per message and without blocking other channels."""
    handlers = [ConnectionErrorRetryHandler(max_retry_count=2), RateLimitErrorRetryHandler(max_retry_count=3)]
    return RolloutWebClient(
        token=token, base_url=base_url, timeout=CLOCK_TIMEOUT, retry_handlers=handlers if retries else []
    )


def request_client(
    token: str | None,
    base_url: str,
    budget: float | None = None,
    before_effect: Callable[[], None] | None = None,
    view_opened: Callable[[dict[str, Any]], None] | None = None,
) -> RolloutWebClient:
    """For one request a person is waiting on: no retries, and `budget` seconds in all.
    A copy of one client kept per token and URL: building a WebClient reads the proxy
    environment and the platform for its user agent, on every request; slack_sdk changes
    neither the headers nor the default parameters a copy shares after it is built."""
    if budget is None:
        budget = REQUEST_BUDGET  # read when called, so a whole process can be given another (tests/conftest.py)
    client = copy.copy(_request_prototype(token, base_url))
    client.timeout = math.ceil(budget)
    client.deadline = time.monotonic() + budget
    client.before_effect = before_effect
    client.view_opened = view_opened
    return client


@functools.lru_cache(maxsize=4)
def _request_prototype(token: str | None, base_url: str) -> RolloutWebClient:
    return RolloutWebClient(token=token, base_url=base_url, retry_handlers=[])
