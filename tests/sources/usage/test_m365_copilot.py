"""The Microsoft 365 Copilot usage source against its stand-in over loopback HTTP: the
report read as JSON through its next links, a day counted only where the report's refresh
date is that day, every licensed user a seat, and every failure said without the token."""

from datetime import date

import pytest

from bot.demo.standin.usage_base import Fault
from bot.demo.standin.usage_m365 import M365StandIn
from cadence.usage import Seat, UsageRecord
from sources import SourceFailed
from sources.usage.m365_copilot import M365Copilot
from tests.sources.usage.conftest import pull

SUN, MON, TUE = date(2026, 3, 1), date(2026, 3, 2), date(2026, 3, 3)
REPORT = "/v1.0/copilot/reports/getMicrosoft365CopilotUsageUserDetail(period='D7')"


def source(graph: M365StandIn, token: str | None = None, **more) -> M365Copilot:
    return M365Copilot(token or graph.token, **{"base": graph.url, **more})


def failure(graph: M365StandIn, *days: date, **more) -> str:
    with pytest.raises(SourceFailed) as err:
        pull(source(graph, **more), *days)
    said = str(err.value)
    assert graph.token not in said
    return said


def test_the_refresh_date_is_the_day_covered_and_any_apps_last_use_on_it_counts(graph):
    graph.add_user("ada@acme.example", word=MON, teams=SUN)
    graph.add_user("bob@acme.example", teams=MON)
    graph.add_user("cy@acme.example", word=SUN)  # used it Sunday: the report cannot say Sunday was all
    graph.add_user("dee@acme.example")  # licensed, never used it

    pulled = pull(source(graph), SUN, MON)

    assert pulled.days == (MON,)  # Sunday is left uncovered: usage unknown, never 0
    assert pulled.records == [
        UsageRecord("m365-copilot", "ada@acme.example", MON, "ada@acme.example"),
        UsageRecord("m365-copilot", "bob@acme.example", MON, "bob@acme.example"),
    ]
    assert pulled.seats == [
        Seat("m365-copilot", f"{name}@acme.example", f"{name}@acme.example") for name in ("ada", "bob", "cy", "dee")
    ]


def test_a_day_after_the_refresh_date_is_not_covered(graph):
    graph.add_user("ada@acme.example", word=MON)

    pulled = pull(source(graph), TUE)

    assert pulled.days == () and pulled.records == []


def test_the_pages_are_followed_with_the_token_as_json(graph):
    graph.page_size = 2
    for n in range(5):
        graph.add_user(f"user{n}@acme.example", chat=MON)

    pulled = pull(source(graph), MON)

    assert len(pulled.records) == 5
    asked = graph.requests_to("/v1.0/")
    assert len(asked) == 3
    assert all(r.token == graph.token for r in asked)
    assert asked[0].query["$format"] == ["application/json"]
    assert [r.query.get("$skiptoken", ["0"])[0] for r in asked] == ["0", "2", "4"]


def test_a_concealed_name_is_kept_without_an_email(graph):
    graph.add_user("DC8C64D6EC3A3AA17481D7E5EB5B68A6", word=MON)

    assert pull(source(graph), MON).records == [UsageRecord("m365-copilot", "DC8C64D6EC3A3AA17481D7E5EB5B68A6", MON)]


def test_an_empty_day_is_covered_with_no_record(graph):
    graph.add_user("ada@acme.example", word=SUN)

    pulled = pull(source(graph), MON)

    assert pulled.days == (MON,) and pulled.records == []


def test_a_wrong_token_is_refused_and_not_shown(graph):
    said = failure(graph, MON, token="eyJ-wrong-secret")

    assert "HTTP 401 (Access token validation failure.)" in said
    assert "eyJ-wrong-secret" not in said


def test_429_is_waited_out(graph):
    graph.add_user("ada@acme.example", word=MON)
    graph.rate_limit("0")
    graph.rate_limit("1")

    assert len(pull(source(graph), MON).records) == 1
    assert len(graph.requests) == 3


def test_429_past_a_few_waits_fails_rate_limited(graph):
    graph.rate_limit("0", times=4)

    assert "rate limited (HTTP 429) still after 3 waits" in failure(graph, MON)


def test_a_5xx_is_asked_again_once_then_fails(graph):
    graph.add_user("ada@acme.example", word=MON)
    graph.fail_next(Fault(503))
    assert len(pull(source(graph), MON).records) == 1

    graph.fail_next(Fault(500), times=2)
    assert "the report's page 1: the service failed: HTTP 500" in failure(graph, MON)


@pytest.mark.parametrize(
    ("row", "said"),
    [
        ({"reportRefreshDate": "2026-03-02", "lastActivityDate": "2026-03-02"}, "row 2: no userPrincipalName"),
        (
            {"userPrincipalName": "bob@acme.example", "lastActivityDate": ""},
            "the row of bob@acme.example: no reportRefreshDate",
        ),
        (
            {
                "userPrincipalName": "bob@acme.example",
                "reportRefreshDate": "2026-03-02",
                "wordCopilotLastActivityDate": "soon",
            },
            "the row of bob@acme.example: wordCopilotLastActivityDate: 'soon' is not a date",
        ),
        ({"userPrincipalName": "bob@acme.example", "reportRefreshDate": "2026-03-01"}, "2 refresh dates, not one"),
    ],
)
def test_a_malformed_row_fails_the_pull_naming_it(graph, row, said):
    graph.add_user("ada@acme.example", word=MON)
    graph.add_row(row)

    assert said in failure(graph, MON)


def test_a_redirect_is_refused(graph):
    graph.fail_next(Fault(302, location="https://reports.office.com/data/download/standin?sig=abc"))
    said = failure(graph, MON)

    assert "redirected to https://reports.office.com/data/download/standin, not followed" in said
    assert "sig=" not in said


def test_a_next_link_elsewhere_is_not_followed(graph):
    graph.page_size = 1
    graph.add_user("ada@acme.example", word=MON)
    graph.add_user("bob@acme.example", word=MON)
    graph.url = "http://127.0.0.2:9"  # the next links the stand-in writes now lead elsewhere

    assert "the next page is not on Graph's host, not followed" in failure(
        graph, MON, base=f"http://127.0.0.1:{graph._server.server_port}"
    )
