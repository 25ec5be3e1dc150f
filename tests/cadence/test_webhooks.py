"""What decisions become webhook events, what may receive them, and the retry schedule."""

from datetime import UTC, date, datetime, timedelta

import pytest

from cadence import cycle_decisions, mode_decisions, webhooks
from cadence.decisions import DecisionKind


@pytest.mark.parametrize(
    "url",
    [
        "https://crm.example.com/hooks/rollout",
        "https://crm.example.com:8443/h?x=1",
        "http://127.0.0.1:8099/",
        "http://localhost/h",
        "http://[::1]:9/h",
        "http://127.0.0.2/h",
    ],
)
def test_https_and_loopback_urls_are_taken(url):
    assert webhooks.check_url(url) == url


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("http://example.com/h", "only https:// URLs"),
        ("http://10.0.0.1/h", "only https:// URLs"),
        ("http://localhost.example.com/h", "only https:// URLs"),
        ("ftp://example.com/h", "starts with https://"),
        ("https:///nohost", "starts with https://"),
        ("example.com/h", "starts with https://"),
        ("https://a:b@example.com/h", "credentials"),
        ("https://example.com:notaport/h", "is not a URL"),
    ],
)
def test_other_urls_are_refused_saying_why(url, said):
    with pytest.raises(ValueError, match=said):
        webhooks.check_url(url)


def test_events_are_checked_and_kept_in_their_order():
    assert webhooks.check_events(["stalled", "week_closed"]) == ["week_closed", "stalled"]
    with pytest.raises(ValueError, match="closed: the events are week_closed"):
        webhooks.check_events(["closed"])


def test_the_schedule_is_six_waits_then_failed():
    waits = [webhooks.retry_after(n) for n in range(1, 8)]
    assert waits[:6] == [
        timedelta(seconds=5),
        timedelta(minutes=5),
        timedelta(minutes=30),
        timedelta(hours=2),
        timedelta(hours=5),
        timedelta(hours=10),
    ]
    assert waits[6] is None and webhooks.retry_after(0) is None


def test_which_decisions_are_events():
    told = {kind: webhooks.event_type(kind) for kind in DecisionKind}
    assert {k: v for k, v in told.items() if v} == {
        DecisionKind.MODE_CHANGE: "mode_changed",
        DecisionKind.PROPOSAL: "proposal",
        DecisionKind.SCALE_PROPOSAL: "proposal",
        DecisionKind.PUBLISH: "published",
        DecisionKind.ADOPTED: "adopted",
        DecisionKind.REPLICATION: "replication",
        DecisionKind.STALLED: "stalled",
    }
    assert webhooks.event_type("no-such-kind") is None


def test_a_decision_says_what_history_shows_with_dates_as_text():
    d = cycle_decisions.of_replication(7, date(2026, 12, 7), 1, "replicated", {"weekly": [1.0, None], "hit": True})
    data = webhooks.decision_data(d, None)
    assert data["decision"] == "replication" and data["week"] == "2026-12-07"
    assert data["figures"] == {"cycle": 1, "verdict": "replicated", "weekly": [1.0, None], "hit": True}
    assert data["decided_by"] == "rule:replication" and data["summary"] == "cycle 1: replicated"


def test_a_weeks_close_builds_its_data_only_when_asked():
    built: list[dict] = []
    guardrail = mode_decisions.of_guardrail(1, date(2026, 11, 16), "HOLDS", 4.8, 4.6, None, "CSAT")
    event = webhooks.week_closed(1, date(2026, 11, 16), 1, 1, {"value": 14.0}, guardrail, [])
    assert event.data == {} and event.build is not None
    built.append(event.content())
    assert built[0]["guardrail"]["state"] == "HOLDS" and built[0]["steps"] == []
    body = webhooks.body("week_closed", datetime(2026, 11, 23, 11, tzinfo=UTC), "s", {})
    assert body == {"type": "week_closed", "at": "2026-11-23T11:00:00Z", "playbook": "s", "data": {}}
