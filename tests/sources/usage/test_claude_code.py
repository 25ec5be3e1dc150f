"""Claude Code's usage source against the Admin API's stand-in, over real HTTP on loopback."""

import time
from datetime import date

import pytest

from bot.demo.standin.usage_claude_code import ADMIN_KEY, ClaudeCodeStandIn, record
from cadence.usage import UsageRecord
from sources import SourceFailed
from sources.usage.claude_code import ClaudeCode
from tests.sources.usage.conftest import FAST, pull

MONDAY, TUESDAY = date(2026, 11, 2), date(2026, 11, 3)


def source(standin: ClaudeCodeStandIn, **more) -> ClaudeCode:
    return ClaudeCode(**{"key": ADMIN_KEY, "base_url": standin.origin, "patience": FAST, **more})


def failure(standin: ClaudeCodeStandIn, *days: date, **more) -> str:
    with pytest.raises(SourceFailed) as failed:
        pull(source(standin, **more), *(days or (MONDAY,)))
    message = str(failed.value)
    assert ADMIN_KEY not in message
    return message


def test_pages_through_a_day_with_the_cursor_and_sends_the_key(claude):
    people = [f"dev{n}@example.com" for n in range(5)]
    claude.rows[MONDAY] += [record(MONDAY, email=person) for person in people]

    pulled = pull(source(claude, page_size=2), MONDAY)

    assert pulled.days == (MONDAY,) and pulled.seats is None
    assert pulled.records == [UsageRecord("claude-code", p, MONDAY, p) for p in people]
    assert len(claude.requests) == 3  # 2 + 2 + 1
    first, second, third = claude.requests
    assert first.params == {"starting_at": "2026-11-02", "limit": "2"}
    assert second.params["page"].startswith("page_") and third.params["page"] != second.params["page"]
    assert all(
        s.headers["x-api-key"] == ADMIN_KEY and s.headers["anthropic-version"] == "2023-06-01" for s in claude.requests
    )


def test_one_request_a_day_and_an_empty_day_is_an_empty_result(claude):
    claude.rows[MONDAY].append(record(MONDAY, email="ada@example.com"))

    pulled = pull(source(claude), MONDAY, TUESDAY)

    assert pulled.days == (MONDAY, TUESDAY)
    assert [r.login for r in pulled.records] == ["ada@example.com"]
    assert [s.params["starting_at"] for s in claude.requests] == ["2026-11-02", "2026-11-03"]
    assert [s.params["limit"] for s in claude.requests] == ["1000", "1000"]  # the documented maximum


def test_a_record_of_no_activity_is_no_day_of_use_and_an_api_key_is_a_login(claude):
    claude.rows[MONDAY] += [
        record(MONDAY, email="idle@example.com", sessions=0),
        record(MONDAY, email="committer@example.com", sessions=0, commits=1),
        record(MONDAY, api_key_name="ci-bot"),
    ]

    records = pull(source(claude), MONDAY).records

    assert records == [
        UsageRecord("claude-code", "committer@example.com", MONDAY, "committer@example.com"),
        UsageRecord("claude-code", "ci-bot", MONDAY, None),
    ]


def test_a_wrong_key_is_refused_and_the_key_never_said(claude):
    message = failure(claude, key="sk-ant-admin01-wrong-key-0123")  # overrides the right one

    assert "HTTP 401" in message and "invalid x-api-key" in message
    assert "sk-ant-admin01-wrong-key-0123" not in message


def test_a_redirect_is_refused_and_said_without_its_query(claude):
    claude.redirect(f"https://elsewhere.example/usage?key={ADMIN_KEY}")

    message = failure(claude)

    assert "redirected to https://elsewhere.example, not followed" in message and "/usage" not in message
    assert len(claude.requests) == 1


def test_a_429_is_waited_out_as_retry_after_says(claude):
    claude.rows[MONDAY].append(record(MONDAY, email="ada@example.com"))
    claude.rate_limit("1")

    started = time.monotonic()
    records = pull(source(claude), MONDAY).records

    assert time.monotonic() - started >= 0.9
    assert [r.login for r in records] == ["ada@example.com"] and len(claude.requests) == 2


def test_429s_past_the_retries_fail_rate_limited(claude):
    claude.rate_limit("0", times=4)

    assert "rate limited (HTTP 429) still after 3 waits" in failure(claude)
    assert len(claude.requests) == 4


def test_a_429_without_retry_after_or_asking_too_long_fails_at_once(claude):
    claude.rate_limit(None)
    assert "rate limited (HTTP 429 without a Retry-After)" in failure(claude)
    claude.rate_limit("3600")
    assert "rate limited: asked to wait 3600 s, more than 2 s" in failure(claude)
    assert len(claude.requests) == 2


def test_a_5xx_is_tried_once_more_then_fails(claude):
    claude.rows[MONDAY].append(record(MONDAY, email="ada@example.com"))
    claude.fail(500)
    assert len(pull(source(claude), MONDAY).records) == 1

    claude.fail(503, times=2)
    message = failure(claude)
    assert message == "Claude Code usage of 2026-11-02: the service failed: HTTP 503 twice (internal error)"
    assert len(claude.requests) == 4  # 500, 200; 503, 503: no loop


@pytest.mark.parametrize(
    ("bad", "said"),
    [
        ({"actor": None}, "record 2 of page 1 has no actor"),
        ({"actor": {"type": "user_actor"}}, "record 2 of page 1: a user_actor without an email_address"),
        ({"actor": {"type": "robot"}}, "record 2 of page 1: an actor of an unknown type"),
        ({"date": None}, "record 2 of page 1 has no date"),
        ({"date": "2026-11-03T00:00:00Z"}, "record 2 of page 1 is dated 2026-11-03, not the day asked"),
        ({"core_metrics": None}, "record 2 of page 1 has no core_metrics"),
        ({"core_metrics": {"num_sessions": "many"}}, "record 2 of page 1: a core metric is not a number"),
    ],
)
def test_a_malformed_record_fails_the_pull_naming_it(claude, bad, said):
    claude.rows[MONDAY] += [record(MONDAY, email="ada@example.com"), {**record(MONDAY, email="bo@example.com"), **bad}]

    assert failure(claude) == f"Claude Code usage of 2026-11-02: {said}"


def test_paging_stops_at_max_pages(claude):
    claude.rows[MONDAY] += [record(MONDAY, email=f"dev{n}@example.com") for n in range(5)]

    assert "more than 2 pages" in failure(claude, page_size=2, max_pages=2)
    assert len(claude.requests) == 2


def test_an_answer_that_is_not_a_report_fails(claude):
    with pytest.raises(SourceFailed, match="HTTP 404"):
        pull(ClaudeCode(key=ADMIN_KEY, base_url=claude.origin + "/elsewhere", patience=FAST), MONDAY)


def test_an_unreachable_api_fails_said_so(claude):
    claude.stop()

    assert "unreachable" in failure(claude)


def test_more_records_without_a_cursor_fail(claude):
    claude.answer_as({"data": [], "has_more": True, "next_page": None})

    assert "the answer has more records but no next_page cursor" in failure(claude)


@pytest.mark.parametrize("bad", [{"date": "bo@example.com"}, {"core_metrics": {"num_sessions": "bo@example.com"}}])
def test_a_malformed_records_error_names_no_person(claude, bad):
    claude.rows[MONDAY] += [record(MONDAY, email="ada@example.com"), {**record(MONDAY, email="bo@example.com"), **bad}]

    said = failure(claude)

    assert said.startswith("Claude Code usage of 2026-11-02: record 2 of page 1")
    assert "bo@example.com" not in said and "bo@" not in said
