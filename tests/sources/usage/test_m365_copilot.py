"""Microsoft 365 Copilot's usage source against Graph's stand-in and the identity
platform's token endpoint, over real HTTP on loopback (bot/demo/standin/usage_m365.py):
the app token, the report paged, its refresh date's day whole and every earlier day lost,
a refresh that lags or skips a day, Graph's 429 and 5xx, the token endpoint refusing or
failing, and a malformed, concealed or torn report failing the pull, naming no one."""

from datetime import date, timedelta

import pytest

from bot.demo.standin.usage_base import Fault
from bot.demo.standin.usage_m365 import CLIENT_ID, CLIENT_SECRET, SCOPE, TENANT, M365StandIn
from cadence.usage import UsageRecord
from sources import SourceFailed
from sources.usage.m365_copilot import M365Copilot
from tests.sources.usage.conftest import FAST, pull

MONDAY = date(2026, 11, 2)
WEEK = tuple(MONDAY + timedelta(days=n) for n in range(7))
ADA, BOB, CY = "ada@contoso.example", "bob@contoso.example", "cy@contoso.example"


def source(standin: M365StandIn, **more) -> M365Copilot:
    fields = {"tenant": TENANT, "client_id": CLIENT_ID, "secret": CLIENT_SECRET, "patience": FAST}
    return M365Copilot(**{**fields, "base": standin.origin, "login": standin.origin, **more})


def failure(standin: M365StandIn, *days: date, **more) -> str:
    with pytest.raises(SourceFailed) as failed:
        pull(source(standin, **more), *(days or WEEK[:3]))
    message = str(failed.value)
    assert CLIENT_SECRET not in message and not any(t in message for t in standin.issued)
    assert not any(person in message for person in (ADA, BOB, CY, "ada", "bob"))
    return message


def test_the_refresh_date_is_whole_and_every_earlier_day_lost(m365):
    m365.use(ADA, WEEK[0], "word")
    m365.use(ADA, WEEK[2])  # Monday and Wednesday: the report shows Wednesday alone
    m365.use(BOB, WEEK[1], "copilotChat")
    m365.use(CY, WEEK[2], "outlook")
    m365.licensed.append("idle@contoso.example")  # licensed, never used it
    m365.refreshed = WEEK[2]

    pulled = pull(source(m365), *WEEK[:3])

    assert pulled.days == WEEK[:3] and pulled.lost == WEEK[:2] and pulled.seats is None
    assert sorted(pulled.records, key=lambda r: (r.day, r.login)) == [
        UsageRecord("m365-copilot", ADA, WEEK[0], ADA),  # Word's last use: Monday, still proof of it
        UsageRecord("m365-copilot", BOB, WEEK[1], BOB),
        UsageRecord("m365-copilot", ADA, WEEK[2], ADA),
        UsageRecord("m365-copilot", CY, WEEK[2], CY),
    ]
    assert m365.posts == [
        {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "scope": SCOPE, "grant_type": "client_credentials"}
    ]
    (report,) = m365.requests
    assert report.token == m365.issued[0] and "period='D7'" in report.path.replace("%27", "'")
    assert CLIENT_SECRET not in repr(source(m365))


def test_the_report_is_read_page_after_page(m365):
    m365.page_size = 2
    for n in range(5):
        m365.use(f"user{n}@contoso.example", WEEK[1])
    m365.refreshed = WEEK[1]

    pulled = pull(source(m365), WEEK[1])

    assert pulled.days == (WEEK[1],) and pulled.lost == ()
    assert len(pulled.records) == 5 and len(m365.requests) == 3
    assert [r.params.get("$skiptoken") for r in m365.requests] == [None, "2", "4"]


def test_a_refresh_that_lags_leaves_the_later_days_for_a_later_pull(m365):
    m365.use(ADA, WEEK[4])
    m365.refreshed = WEEK[2]
    pulled = pull(source(m365), *WEEK[:5])
    assert pulled.days == WEEK[:3] and pulled.lost == WEEK[:2] and pulled.records == []

    m365.refreshed = MONDAY - timedelta(days=1)  # not even the first day is in yet
    assert pull(source(m365), *WEEK[:5]).days == ()

    m365.refreshed = None  # no report at all (no licensed user): nothing pulled, never a 0
    assert pull(source(m365), *WEEK[:5]).days == ()


def test_a_skipped_refresh_is_a_day_known_only_in_part(m365):
    m365.use(ADA, WEEK[3])
    m365.use(ADA, WEEK[4])  # Thursday and Friday
    m365.use(BOB, WEEK[3])  # Thursday only
    m365.refreshed = WEEK[4]  # Wednesday's refresh seen last; Thursday's skipped

    pulled = pull(source(m365), *WEEK[3:5])

    assert pulled.days == WEEK[3:5] and pulled.lost == (WEEK[3],)  # Thursday: Bob's, not Ada's
    assert {(r.login, r.day) for r in pulled.records} == {(BOB, WEEK[3]), (ADA, WEEK[4])}


def test_graph_s_rate_limit_is_waited_as_its_retry_after_says(m365):
    m365.use(ADA, WEEK[0])
    m365.refreshed = WEEK[0]
    m365.rate_limit(retry_after="0", prefix="/beta")
    assert [r.login for r in pull(source(m365), WEEK[0]).records] == [ADA]
    assert len(m365.requests_to("/beta")) == 2

    m365.rate_limit(retry_after="120", prefix="/beta")
    assert "rate limited: asked to wait 120 s" in failure(m365, WEEK[0])


def test_a_server_failure_is_asked_again_once(m365):
    m365.use(ADA, WEEK[0])
    m365.refreshed = WEEK[0]
    m365.fail(503, prefix="/beta")
    assert pull(source(m365), WEEK[0]).days == (WEEK[0],)

    m365.fail(500, times=2, prefix="/beta")
    assert "the report's page 1: the service failed: HTTP 500 twice" in failure(m365, WEEK[0])


def test_the_token_endpoint_s_refusal_and_failure_fail_the_pull_by_code(m365):
    m365.refreshed = WEEK[0]
    said = failure(m365, WEEK[0], secret="not-the-secret")
    assert said == "the token endpoint: refused: HTTP 401 (invalid_client, AADSTS7000215)"
    assert "not-the-secret" not in said
    assert "AADSTS90002" in failure(m365, WEEK[0], tenant="fabrikam.onmicrosoft.com")
    assert failure(m365, WEEK[0], tenant="../x") == "the tenant is not a tenant id or domain"
    m365.fail_next(Fault(503, prefix=f"/{TENANT}"))
    assert "refused: HTTP 503 (temporarily_unavailable" in failure(m365, WEEK[0])
    assert m365.requests_to("/beta") == []  # no report asked without a token


def test_graph_refusing_the_token_fails_the_pull(m365):
    m365.refreshed = WEEK[0]
    m365.fail_next(Fault(401, prefix="/beta"))
    assert "the report's page 1: refused: HTTP 401" in failure(m365, WEEK[0])


@pytest.mark.parametrize(
    ("row", "said"),
    [
        ("not a row", "the report's page 1, row 2: not an object"),
        ({"reportRefreshDate": "2026-11-04"}, "row 2: no userPrincipalName"),
        ({"userPrincipalName": "bob@contoso.example"}, "row 2: no reportRefreshDate"),
        (
            {"reportRefreshDate": "2026-11-04", "userPrincipalName": "bob@contoso.example", "lastActivityDate": "soon"},
            "row 2: its lastActivityDate is not a date",
        ),
        (
            {
                "reportRefreshDate": "2026-11-04",
                "userPrincipalName": "bob@contoso.example",
                "wordCopilotLastActivityDate": 7,
            },
            "row 2: its wordCopilotLastActivityDate is not a date",
        ),
        (
            {
                "reportRefreshDate": "2026-11-04",
                "userPrincipalName": "bob@contoso.example",
                "lastActivityDate": "2026-11-05",
            },
            "row 2: its lastActivityDate is after the report's refresh date",
        ),
        (
            {"reportRefreshDate": "2026-11-03", "userPrincipalName": "bob@contoso.example"},
            "rows of two refresh dates (2026-11-04, 2026-11-03): refreshed while read",
        ),
    ],
)
def test_a_malformed_row_fails_the_pull_by_its_place_never_its_user(m365, row, said):
    m365.use(ADA, WEEK[2])
    m365.refreshed = WEEK[2]
    m365.extra.append(row)
    assert said in failure(m365)


def test_concealed_names_fail_the_pull_and_say_the_setting(m365):
    m365.use(ADA, WEEK[2])
    m365.refreshed = WEEK[2]
    m365.conceal = True
    assert "conceals user names" in failure(m365) and "Display concealed user" in failure(m365)


def test_a_next_page_on_another_host_is_not_followed(m365):
    m365.refreshed = WEEK[0]
    m365.answer_as({"value": [], "@odata.nextLink": "https://elsewhere.example/next"})
    assert "the next page is on another host, not followed" in failure(m365, WEEK[0])
