"""The Copilot usage source against its stand-in over loopback HTTP: a report a day whose
signed links are fetched without the token (and fetched afresh when expired), the seats
paged, and every failure said without the token or a link's signature."""

import json
from datetime import date

import pytest

from bot.demo.standin.usage_base import Fault
from bot.demo.standin.usage_copilot import CopilotStandIn
from cadence.usage import Seat, UsageRecord
from sources import SourceFailed
from sources.usage.copilot import Copilot
from tests.sources.usage.conftest import pull

MON, TUE, WED, THU = date(2026, 3, 2), date(2026, 3, 3), date(2026, 3, 4), date(2026, 3, 5)
REPORT = "/orgs/acme/copilot/metrics/reports/users-1-day"


def source(github: CopilotStandIn, token: str | None = None, **more) -> Copilot:
    return Copilot(token or github.token, org="acme", base=github.url, **more)


def failure(github: CopilotStandIn, *days: date, **more) -> str:
    with pytest.raises(SourceFailed) as err:
        pull(source(github, **more), *days)
    said = str(err.value)
    assert github.token not in said
    return said


def test_a_days_rows_from_every_file_of_its_report_and_the_seats_paged(github):
    github.files_per_day = 2
    for login in ("ada", "bob", "cy"):
        github.add_use(MON, login)
    github.add_use(TUE, "ada")
    github.add_use(TUE, "idle", interactions=0)  # listed, did nothing: no day of use
    for n in range(205):
        github.add_seat(f"user{n}", "2026-03-02T10:00:00Z")

    pulled = pull(source(github), MON, TUE)

    assert pulled.days == (MON, TUE)
    assert sorted(pulled.records, key=lambda r: (r.day, r.login)) == [
        UsageRecord("copilot", "ada", MON),
        UsageRecord("copilot", "bob", MON),
        UsageRecord("copilot", "cy", MON),
        UsageRecord("copilot", "ada", TUE),
    ]
    assert pulled.seats is not None and len(pulled.seats) == 205
    assert pulled.seats[0] == Seat("copilot", "user0") and pulled.seats[-1] == Seat("copilot", "user204")
    assert [r.query.get("page", ["1"])[0] for r in github.requests_to("/orgs/acme/copilot/billing/seats")] == [
        "1",
        "2",
        "3",
    ]


def test_the_token_goes_to_the_api_and_never_to_a_signed_link(github):
    github.files_per_day = 2
    github.add_use(MON, "ada")

    pull(source(github), MON)

    asked = github.requests_to(REPORT)
    assert [r.token for r in asked] == [github.token]
    assert asked[0].headers["accept"] == "application/vnd.github+json"
    assert asked[0].headers["x-github-api-version"] == "2022-11-28"
    assert asked[0].query["day"] == ["2026-03-02"]
    downloads = github.requests_to("/download/")
    assert len(downloads) == 2
    assert all("authorization" not in r.headers for r in downloads)


def test_the_enterprise_report(github):
    github.add_use(MON, "ada")

    pulled = pull(Copilot(github.token, enterprise="acme-ent", base=github.url, seats=False), MON)

    assert pulled.records == [UsageRecord("copilot", "ada", MON)]
    assert pulled.seats is None
    assert github.requests_to("/enterprises/acme-ent/copilot/metrics/reports/users-1-day")


def test_an_expired_link_is_asked_afresh_once(github):
    github.add_use(MON, "ada")
    github.expire_next_downloads(1)

    pulled = pull(source(github, seats=False), MON)

    assert pulled.records == [UsageRecord("copilot", "ada", MON)]
    assert len(github.requests_to(REPORT)) == 2  # the report asked again for fresh links


def test_a_link_refused_again_fails_without_its_signature(github):
    github.add_use(MON, "ada")
    github.expire_next_downloads(2)

    said = failure(github, MON, seats=False)

    assert "refused again after asking for fresh links (HTTP 403)" in said
    assert "sig=" not in said and "/download/" not in said


def test_a_link_used_past_its_time_is_refused_as_expired(github):
    github.add_use(MON, "ada")
    github.link_seconds = -1.0  # every link is past its time when fetched

    assert "refused again" in failure(github, MON, seats=False)


def test_a_wrong_token_is_refused_and_not_shown(github):
    said = failure(github, MON, token="ghp-wrong-secret")

    assert "HTTP 401 (Bad credentials)" in said
    assert "ghp-wrong-secret" not in said


def test_429_is_waited_out_then_the_report_comes(github):
    github.add_use(MON, "ada")
    github.rate_limit("0", prefix=REPORT)
    github.rate_limit("1", prefix=REPORT)
    github.fail_next(Fault(403, retry_after="0", prefix="/download/"))  # GitHub's secondary limit, as a 403

    pulled = pull(source(github, seats=False), MON)

    assert pulled.records == [UsageRecord("copilot", "ada", MON)]
    assert len(github.requests_to(REPORT)) == 3


def test_429_past_a_few_waits_fails_rate_limited(github):
    github.rate_limit("0", times=4, prefix=REPORT)

    assert "rate limited (HTTP 429) still after 3 waits" in failure(github, MON)


def test_a_wait_asked_too_long_fails_at_once(github):
    github.rate_limit("3600", prefix=REPORT)

    assert "asked to wait 3600 s" in failure(github, MON)
    assert len(github.requests_to(REPORT)) == 1


def test_a_5xx_is_asked_again_once(github):
    github.add_use(MON, "ada")
    github.fail_next(Fault(502, prefix=REPORT))

    assert pull(source(github, seats=False), MON).records == [UsageRecord("copilot", "ada", MON)]


def test_a_5xx_twice_fails(github):
    github.fail_next(Fault(500, prefix=REPORT), times=2)

    assert "the report of 2026-03-02: the service failed: HTTP 500" in failure(github, MON)
    assert len(github.requests_to(REPORT)) == 2


def test_an_empty_day_is_pulled_with_no_record(github):
    github.add_use(TUE, "ada")

    pulled = pull(source(github, seats=False), MON, TUE)

    assert pulled.days == (MON, TUE)
    assert pulled.records == [UsageRecord("copilot", "ada", TUE)]


def test_the_latest_days_without_a_report_yet_are_left_for_the_next_pull(github):
    github.add_use(MON, "ada")
    github.add_use(TUE, "bob")
    github.missing_days |= {WED, THU}  # GitHub's lag: not processed yet

    pulled = pull(source(github), MON, TUE, WED, THU)

    assert pulled.days == (MON, TUE)
    assert pulled.records == [UsageRecord("copilot", "ada", MON), UsageRecord("copilot", "bob", TUE)]
    assert pulled.seats == []  # the seats are pulled all the same
    assert [r.query["day"] for r in github.requests_to(REPORT)] == [
        ["2026-03-02"],
        ["2026-03-03"],
        ["2026-03-04"],
        ["2026-03-05"],
    ]


def test_no_report_yet_for_even_the_first_day_pulls_nothing_without_failing(github):
    github.missing_days |= {MON, TUE}

    pulled = pull(source(github, seats=False), MON, TUE)

    assert pulled.days == ()
    assert pulled.records == []


def test_a_day_without_a_report_before_one_with_a_report_is_a_gap_and_fails_not_zero(github):
    github.add_use(MON, "ada")
    github.add_use(WED, "ada")
    github.missing_days |= {TUE, THU}

    said = failure(github, MON, TUE, WED, THU, seats=False)

    assert "the report of 2026-03-03: no report for the day, while the report of 2026-03-04 is there" in said


def test_a_malformed_rows_error_names_no_person(github):
    github.add_use(MON, "ada")
    github.add_use(MON, "bob-the-dev", user_initiated_interaction_count="many")

    said = failure(github, MON, seats=False)

    assert "a file of the report of 2026-03-02, line 2: an activity counter is not a number" in said
    assert "bob-the-dev" not in said


@pytest.mark.parametrize(
    ("row", "said"),
    [
        ({"day": "2026-03-02", "user_initiated_interaction_count": 2}, "line 2: no user_login"),
        ({"user_login": "bob", "user_initiated_interaction_count": 2}, "line 2: no day"),
        ({"user_login": "bob", "day": "2026-03-09"}, "line 2: a row of 2026-03-09 in the report of 2026-03-02"),
        ({"user_login": "bob", "day": "Monday"}, "line 2: its day is not a date"),
        (
            {"user_login": "bob", "day": "2026-03-02", "user_initiated_interaction_count": "x"},
            "line 2: an activity counter",
        ),
    ],
)
def test_a_malformed_row_fails_the_pull_naming_it(github, row, said):
    github.add_use(MON, "ada")
    github.add_row(MON, row)

    assert said in failure(github, MON, seats=False)


def test_a_seat_without_its_login_fails(github):
    github.add_seat("ada")
    github.seats.append({"assignee": None})

    assert "the seats' page 1, seat 2: no assignee login" in failure(github, MON)


def test_a_redirect_is_refused_and_said_without_its_query(github):
    github.fail_next(Fault(302, location="https://elsewhere.example/report?sig=s3cret", prefix=REPORT))

    said = failure(github, MON)

    assert "redirected to https://elsewhere.example, not followed" in said
    assert "s3cret" not in said


def test_a_signed_link_redirected_is_refused_too(github):
    github.add_use(MON, "ada")
    github.fail_next(Fault(307, location="/download/other?sig=s3cret", prefix="/download/"))

    said = failure(github, MON, seats=False)

    assert "not followed" in said and "s3cret" not in said


def test_a_file_is_read_by_its_newlines_alone_as_it_streams(github):
    """A JSON string may hold U+2028 or U+0085 unescaped: a row is a line up to b"\\n"
    (httpx's aiter_lines would cut it there too), and a CRLF file reads the same."""
    rows = [
        {"day": "2026-03-02", "user_login": "ada", "user_initiated_interaction_count": 1, "note": "a\u2028b\x85c"},
        {"day": "2026-03-02", "user_login": "bob", "user_initiated_interaction_count": 2},
    ]
    body = b"".join(json.dumps(row, ensure_ascii=False).encode() + b"\r\n" for row in rows) * 3000
    github.fail_next(Fault(200, body=body, prefix="/download/"))

    pulled = pull(source(github, seats=False), MON)

    assert len(pulled.records) == 6000  # a body of some 540 KiB: many chunks, rows cut across them
    assert {r.login for r in pulled.records} == {"ada", "bob"}
