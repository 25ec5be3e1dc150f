"""The OpenAI usage source against its stand-in over loopback HTTP: daily buckets grouped
by user, paged by cursor, a request or more a day of use, and every failure said without
the admin key."""

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.demo.standin.usage_base import Fault
from bot.demo.standin.usage_openai import OpenAIStandIn
from cadence.usage import UsageRecord
from sources import SourceFailed
from sources.usage import MAX_PAGES
from sources.usage.http_get import Patience
from sources.usage.openai_usage import OpenAIUsage
from tests.sources.usage.conftest import pull

MON, TUE, WED = date(2026, 3, 2), date(2026, 3, 3), date(2026, 3, 4)
PATH = "/v1/organization/usage/completions"


def source(openai: OpenAIStandIn, key: str | None = None) -> OpenAIUsage:
    return OpenAIUsage(key or openai.token, base=openai.url)


def failure(openai: OpenAIStandIn, *days: date, key: str | None = None) -> str:
    with pytest.raises(SourceFailed) as err:
        pull(source(openai, key), *days)
    said = str(err.value)
    assert openai.token not in said
    return said


def unix(day: date) -> str:
    return str(int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()))


def test_a_user_with_a_request_in_a_days_bucket_is_active_that_day(openai):
    openai.add_use(MON, "user-ada", requests=12)
    openai.add_use(MON, "user-bob", requests=1)
    openai.add_use(WED, "user-ada")
    openai.add_use(WED, "user-idle", requests=0)

    pulled = pull(source(openai), MON, TUE, WED)

    assert pulled.days == (MON, TUE, WED)  # Tuesday's bucket came back empty: no one used it
    assert pulled.records == [
        UsageRecord("openai", "user-ada", MON),
        UsageRecord("openai", "user-bob", MON),
        UsageRecord("openai", "user-ada", WED),
    ]
    [asked] = openai.requests
    assert asked.token == openai.token
    assert {k: v[0] for k, v in asked.query.items()} == {
        "start_time": unix(MON),
        "end_time": unix(WED + timedelta(days=1)),
        "bucket_width": "1d",
        "group_by": "user_id",
        "limit": "31",
    }


def test_the_pages_are_followed_by_their_cursor(openai):
    days = [date(2026, 1, 1) + timedelta(days=n) for n in range(70)]
    for day in days:
        openai.add_use(day, "user-ada")

    pulled = pull(source(openai), *days)

    assert len(pulled.records) == 70 and pulled.days == tuple(days)
    pages = [r.query.get("page", [None])[0] for r in openai.requests]
    assert len(pages) == 3 and pages[0] is None and None not in pages[1:]


def test_a_day_between_asked_days_is_read_past(openai):
    openai.add_use(TUE, "user-ada")
    openai.add_use(WED, "user-bob")

    pulled = pull(source(openai), MON, WED)

    assert pulled.days == (MON, WED)
    assert pulled.records == [UsageRecord("openai", "user-bob", WED)]


def test_usage_of_no_person_is_no_ones_use(openai):
    openai.add_use(MON, None, requests=40)  # a service account's key
    openai.add_use(MON, "user-ada")

    assert pull(source(openai), MON).records == [UsageRecord("openai", "user-ada", MON)]


def test_a_wrong_key_is_refused_and_not_shown(openai):
    said = failure(openai, MON, key="sk-admin-wrong-secret")

    assert "HTTP 401 (Incorrect API key provided.)" in said
    assert "sk-admin-wrong-secret" not in said


def test_429_is_waited_out(openai):
    openai.add_use(MON, "user-ada")
    openai.rate_limit("1")
    openai.rate_limit("0")

    assert pull(source(openai), MON).records == [UsageRecord("openai", "user-ada", MON)]
    assert len(openai.requests) == 3


def test_429_past_a_few_waits_fails_rate_limited(openai):
    openai.rate_limit("0", times=4)

    assert "rate limited (HTTP 429) still after 3 waits" in failure(openai, MON)


def test_a_429_without_retry_after_is_waited_out_briefly(openai):
    """OpenAI's docs: back off and retry a rate limit; one without Retry-After waits `pause`."""
    openai.add_use(MON, "user-ada")
    openai.rate_limit(None, times=2)
    quick = OpenAIUsage(openai.token, base=openai.url, patience=Patience(pause=0.0))

    assert pull(quick, MON).records == [UsageRecord("openai", "user-ada", MON)]
    assert len(openai.requests) == 3

    openai.rate_limit(None, times=4)
    with pytest.raises(SourceFailed, match=r"rate limited \(HTTP 429\) still after 3 waits"):
        pull(quick, MON)


def test_a_5xx_is_asked_again_once_then_fails(openai):
    openai.add_use(MON, "user-ada")
    openai.fail_next(Fault(500))
    assert len(pull(source(openai), MON).records) == 1

    openai.fail_next(Fault(503), times=2)
    assert "the usage's page 1: the service failed: HTTP 503" in failure(openai, MON)


@pytest.mark.parametrize(
    ("result", "said"),
    [
        ({"num_model_requests": 3}, "the bucket of 2026-03-02, result 2: no user_id"),
        ({"user_id": "user-bob"}, "result 2: num_model_requests is not a number"),
        ({"user_id": 7, "num_model_requests": 3}, "result 2: user_id is not a user's id"),
    ],
)
def test_a_malformed_result_fails_the_pull_naming_it(openai, result, said):
    openai.add_use(MON, "user-ada")
    openai.add_result(MON, result)

    assert said in failure(openai, MON)


def test_a_redirect_is_refused(openai):
    openai.fail_next(Fault(301, location="https://elsewhere.example/v1/usage?key=s3cret"))

    said = failure(openai, MON)

    assert "redirected to https://elsewhere.example, not followed" in said and "/v1/usage" not in said
    assert "s3cret" not in said


def test_paging_stops_at_a_bound(openai, monkeypatch):
    """A cursor that never ends fails the pull (the bound lowered to keep the test small)."""
    monkeypatch.setattr("sources.usage.openai_usage.MAX_PAGES", 2)
    days = [date(2026, 1, 1) + timedelta(days=n) for n in range(100)]

    assert "the usage: more than 2 pages" in failure(openai, *days)
    assert MAX_PAGES > 2


def test_a_malformed_results_error_names_no_person(openai):
    openai.add_use(MON, "user-ada")
    openai.add_result(MON, {"user_id": "user-bob", "num_model_requests": "many"})

    said = failure(openai, MON)

    assert "the bucket of 2026-03-02, result 2: num_model_requests is not a number" in said
    assert "user-bob" not in said
