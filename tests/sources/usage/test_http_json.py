"""The `kind: http` usage source against the usage stand-in, over real HTTP on loopback."""

from datetime import date

import pytest

from bot.demo.standin.usage_http import UsageStandIn
from cadence.usage import UsageRecord
from sources import SourceFailed
from sources.usage.http_json import HttpJson
from tests.sources.usage.conftest import FAST, pull

MONDAY, TUESDAY = date(2026, 11, 2), date(2026, 11, 3)
TOKEN = "usage-test-token"


def source(standin: UsageStandIn, **more) -> HttpJson:
    config = {
        "tool": "cursor",
        "url": standin.url,
        "user_field": "login",
        "day_field": "day",
        "rows_path": "usage.rows",
        "next_path": "next",
        "token": TOKEN,
        "patience": FAST,
    }
    return HttpJson(**{**config, **more})


def failure(standin: UsageStandIn, **more) -> str:
    with pytest.raises(SourceFailed) as failed:
        pull(source(standin, **more), MONDAY)
    message = str(failed.value)
    assert TOKEN not in message
    return message


def row(login, day=MONDAY, **more):
    return {"login": login, "day": day.isoformat() if isinstance(day, date) else day, **more}


def test_pages_through_next_links_with_the_day_as_a_parameter_and_the_token(usage):
    usage.page_size = 2
    usage.rows[MONDAY] += [row(f"dev{n}") for n in range(5)]

    pulled = pull(source(usage), MONDAY)

    assert pulled.records == [UsageRecord("cursor", f"dev{n}", MONDAY) for n in range(5)]
    assert [s.params for s in usage.requests] == [
        {"day": "2026-11-02"},
        {"day": "2026-11-02", "page": "2"},
        {"day": "2026-11-02", "page": "3"},
    ]
    assert all(s.headers["authorization"] == f"Bearer {TOKEN}" for s in usage.requests)


def test_the_day_in_the_path_an_email_field_and_an_empty_day(usage):
    usage.rows[MONDAY] += [row("ada", email="ada@example.com"), row("bo", email=None)]

    pulled = pull(source(usage, url=usage.url + "/{day}", email_field="email"), MONDAY, TUESDAY)

    assert pulled.days == (MONDAY, TUESDAY)
    assert pulled.records == [
        UsageRecord("cursor", "ada", MONDAY, "ada@example.com"),
        UsageRecord("cursor", "bo", MONDAY, None),
    ]
    assert [s.path for s in usage.requests] == ["/usage/2026-11-02", "/usage/2026-11-03"]


def test_a_date_time_is_its_utc_day_and_rows_of_other_days_are_not_this_pulls(usage):
    usage.rows[MONDAY] += [
        row("late", day="2026-11-02T23:30:00-02:00"),  # Tuesday in UTC
        row("early", day="2026-11-02T00:30:00+00:00"),
        row("numbered", day="2026-11-01"),  # an endpoint that ignores day=
    ]
    usage.rows[MONDAY].append({"login": 42, "day": "2026-11-02T08:00:00Z"})

    records = pull(source(usage), MONDAY).records

    assert [r.login for r in records] == ["early", "42"]


@pytest.mark.parametrize(
    ("bad", "said"),
    [
        ({"day": "2026-11-02"}, "row 2 of page 1 has no user (field 'login')"),
        ({"login": " ", "day": "2026-11-02"}, "row 2 of page 1 has no user (field 'login')"),
        ({"login": "bo"}, "row 2 of page 1 has no day (field 'day')"),
        (
            {"login": "bo", "day": "yesterday"},
            "row 2 of page 1: its day (field 'day') is not a date (YYYY-MM-DD or ISO 8601)",
        ),
        ("bo", "row 2 of page 1 is not an object"),
    ],
)
def test_a_malformed_row_fails_the_pull_naming_it(usage, bad, said):
    usage.rows[MONDAY] += [row("ada"), bad]

    assert failure(usage) == f"cursor usage of 2026-11-02: {said}"


def test_no_list_at_the_rows_path_fails(usage):
    assert "nothing at usage.entries of the answer" in failure(usage, rows_path="usage.entries")


def test_a_wrong_token_is_refused_and_never_said(usage):
    message = failure(usage, token="another-secret-token")

    assert "HTTP 401 (bad or no token)" in message and "another-secret-token" not in message


def test_a_redirect_is_refused_and_said_without_its_query(usage):
    usage.redirect(f"https://elsewhere.example/?t={TOKEN}")

    assert "redirected to https://elsewhere.example, not followed" in failure(usage)


def test_a_key_in_the_urls_query_is_never_said(usage):
    usage.redirect(usage.origin + "/moved?key=query-secret-1234")

    message = failure(usage, url=usage.url + "?key=query-secret-1234", token=None)

    assert "redirected to " + usage.origin + ", not followed" in message and "/moved" not in message
    assert "query-secret-1234" not in message


def test_a_next_link_to_another_host_is_not_followed(usage):
    usage.rows[MONDAY].append(row("ada", link="http://127.0.0.2:9/usage?page=2"))

    message = failure(usage, next_path="usage.rows.0.link")

    assert "the next page's link leads to another host, not followed" in message
    assert len(usage.requests) == 1


def test_a_429_then_the_answer(usage):
    usage.rows[MONDAY].append(row("ada"))
    usage.rate_limit("0", times=2)

    assert [r.login for r in pull(source(usage), MONDAY).records] == ["ada"]
    assert len(usage.requests) == 3


def test_a_429_without_retry_after_or_with_a_past_date_is_waited_out(usage):
    """Unlike Claude Code's (a spend cap), a generic endpoint's bare 429 is backed off from."""
    usage.rows[MONDAY].append(row("ada"))
    usage.rate_limit(None)
    usage.rate_limit("Wed, 21 Oct 2015 07:28:00 GMT")  # an HTTP date, past: no wait

    assert [r.login for r in pull(source(usage), MONDAY).records] == ["ada"]
    assert len(usage.requests) == 3


def test_a_5xx_twice_fails(usage):
    usage.fail(502, times=2)

    assert failure(usage) == "cursor usage of 2026-11-02: the service failed: HTTP 502 twice (internal error)"
    assert len(usage.requests) == 2


def test_paging_stops_at_max_pages(usage):
    usage.page_size = 1
    usage.rows[MONDAY] += [row(f"dev{n}") for n in range(3)]

    assert "more than 2 pages" in failure(usage, max_pages=2)


def test_a_malformed_rows_error_names_no_person(usage):
    usage.rows[MONDAY] += [row("ada"), {"login": "bo", "email": "bo@example.com", "day": "bo@example.com"}]

    said = failure(usage)

    assert (
        said
        == "cursor usage of 2026-11-02: row 2 of page 1: its day (field 'day') is not a date (YYYY-MM-DD or ISO 8601)"
    )
    assert "bo@example.com" not in said
