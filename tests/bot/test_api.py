"""The reporting API (docs/api.md) through the real HTTP endpoint, on SQLite and
PostgreSQL: tokens, every answer code, the rules of /rollout in the same words, all or
nothing, idempotency under concurrent retries, and provenance."""

import http.client
import json
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import text

from tests.bot.conftest import API_NOW as NOW
from tests.bot.conftest import Client
from tests.committed import loaded
from tests.conftest import OWNER
from usecases import tokens
from usecases.shared.life import begin_cycle


def send(base_url: str, token: str, data: bytes, content_type: str | None):
    """A POST of `data` as `content_type` (None: no Content-Type at all, which urllib
    would fill in), through http.client: (status, body)."""
    url = urlsplit(base_url)
    headers = {"Authorization": f"Bearer {token}", "Content-Length": str(len(data))}
    if content_type is not None:
        headers["Content-Type"] = content_type
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    try:
        connection.request("POST", "/api/v1/reports", body=data, headers=headers)
        response = connection.getresponse()
        return response.status, json.loads(response.read() or b"{}")
    finally:
        connection.close()


def rows(engine, sql):
    with engine.connect() as connection:
        return connection.execute(text(sql)).all()


def test_a_report_is_stored_with_its_provenance(api, engine, bot):
    status, body, _ = api.post({"playbook": "support-replies", "kind": "kpi", "value": 14.5})
    assert status == 201
    assert body == {
        "accepted": [
            {"index": 0, "week": "2026-11-16", "counts_for": "support-replies, week 1 of cycle 1 (2026-11-16)"}
        ],
        "duplicates": [],
    }
    assert rows(engine, "SELECT value, reported_by FROM kpi_reading") == [(14.5, "token:helpdesk")]
    status, body, _ = api.post(
        {"playbook": "support-replies", "kind": "cases", "step": "draft", "value": 40, "week": 1}
    )
    assert status == 201 and body["accepted"][0]["counts_for"].endswith("step draft")
    assert "reported by token helpdesk" in bot.command("status support-replies", user=OWNER).text
    assert (
        "Reported in the last 4 weeks by token helpdesk (1 KPI reading, 1 case count)"
        in bot.command("history support-replies").text
    )


def test_without_a_valid_token_nothing_is_read(api, engine):
    report = {"playbook": "support-replies", "kind": "kpi", "value": 14.5}
    for token in (None, "rcb_not-a-token", "xoxb-123", "rcb_" + "x" * 200):
        status, body, headers = api.post(report, token=token)
        assert status == 401 and headers.get("WWW-Authenticate") == "Bearer", (token, body)
    assert rows(engine, "SELECT count(*) FROM kpi_reading") == [(0,)]


def test_a_revoked_token_is_refused_at_once(api, store):
    report = {"playbook": "support-replies", "kind": "kpi", "value": 14.5}
    assert api.post(report)[0] == 201
    tokens.revoke(store, "helpdesk", "test", NOW)
    assert api.post(report)[0] == 401
    with pytest.raises(tokens.TokenRefused):
        tokens.revoke(store, "helpdesk", "test", NOW)


def test_a_playbook_or_kind_outside_the_tokens_scope_is_forbidden(api, engine, store):
    status, body, _ = api.post({"playbook": "support-replies", "kind": "rubric", "step": "draft", "value": 0.9})
    assert status == 403 and body == {"error": "reports[0]: token helpdesk may not report rubric"}
    status, body, _ = api.post({"playbook": "refund-triage", "kind": "kpi", "value": 3})
    assert status == 403 and "may not report on refund-triage" in body["error"]


def test_refusals_come_in_the_words_of_slack_with_index_and_field_and_store_nothing(api, engine, clock, store):
    batch = {
        "reports": [
            {"playbook": "support-replies", "kind": "kpi", "value": 14.5},
            {"playbook": "support-replies", "kind": "cases", "step": "drafts", "value": 40},
            {"playbook": "support-replies", "kind": "kpi", "value": 13, "week": 3},
            {"playbook": "support-replies", "kind": "exception", "step": "send", "reason": "bad\u200bword"},
            {"playbook": "support-replies", "kind": "cases", "step": "send", "value": 2.5},
            {"playbook": "support-replies", "kind": "kpi", "value": "fourteen"},
            {"playbook": "support-replies", "kind": "kpi", "value": 1, "colour": "red"},
        ]
    }
    status, body, _ = api.post(batch)
    assert status == 422
    errors = body["errors"]
    assert [(e["index"], e["field"]) for e in errors] == [(3, "reason"), (5, "value"), (6, "colour")]  # types first
    assert "can't be stored" in errors[0]["message"]
    batch["reports"] = [batch["reports"][i] for i in (0, 1, 2, 4)]
    status, body, _ = api.post(batch)
    assert status == 422
    by_index = {e["index"]: e for e in body["errors"]}
    assert sorted(by_index) == [1, 2, 3]
    assert by_index[1]["field"] == "step" and "has no step" in by_index[1]["message"]
    assert "draft" in by_index[1]["message"]
    assert by_index[2]["field"] == "week"
    assert "week:3 of cycle 1 starts on 2026-11-30, in the future" in by_index[2]["message"]
    assert by_index[3]["field"] == "value" and "whole number" in by_index[3]["message"]
    assert rows(engine, "SELECT count(*) FROM kpi_reading") == [(0,)]  # the good one was not stored either
    # a closed week, named with when it closed
    clock.set(NOW + timedelta(days=7))
    status, body, _ = api.post({"playbook": "support-replies", "kind": "kpi", "value": 14, "week": "2026-11-09"})
    assert status == 422 and body["errors"][0]["field"] == "week"
    status, body, _ = api.post(
        {"playbook": "support-replies", "kind": "kpi", "value": 14, "at": "2026-11-17T10:00:00Z"}
    )
    assert status == 422 and "closed" in body["errors"][0]["message"], body
    # an unknown playbook, with close matches, for a token of every playbook
    every = Client(api.base_url, tokens.create(store, "bi", None, ["kpi"], True, "test", NOW).token)
    status, body, _ = every.post({"playbook": "support-reply", "kind": "kpi", "value": 14})
    assert status == 422 and body["errors"] == [
        {
            "index": 0,
            "field": "playbook",
            "message": "There is no playbook “support-reply”. Did you mean support-replies?",
        }
    ]


def test_a_key_twice_in_one_request_a_naive_instant_and_nested_json_are_refused(api, engine):
    report = {"playbook": "support-replies", "kind": "kpi", "value": 1, "key": "same"}
    status, body, _ = api.post({"reports": [report, {**report, "value": 2}]})
    assert status == 422 and body["errors"] == [
        {"index": 1, "field": "key", "message": "this key is given to another report of this request"}
    ]
    status, body, _ = api.post({**report, "at": "2026-11-18T10:00:00"})
    assert status == 422 and body["errors"][0]["field"] == "at"
    status, body, _ = api.post({**report, "at": "9999-12-31T23:59:59+00:00"})
    assert status == 422 and body["errors"][0]["field"] == "at"
    status, body, _ = api.post({**report, "week": True})
    assert status == 422 and body["errors"][0]["field"] == "week"
    assert api.post(None, raw=b"[" * 100_000)[0] == 400
    status, body, _ = api.post({**report, "key": "a\u0000b"})
    assert status == 422 and body["errors"][0]["field"] == "key"
    assert rows(engine, "SELECT count(*) FROM kpi_reading") == [(0,)]


def test_a_retry_after_the_week_closed_is_answered_as_the_first_time(api, clock):
    report = {"playbook": "support-replies", "kind": "kpi", "value": 14.5, "key": "late-retry"}
    status, first, _ = api.post(report)
    assert status == 201
    clock.set(NOW + timedelta(days=14))  # week 1 has closed since
    status, again, _ = api.post(report)
    assert status == 201 and again["duplicates"] == [{**first["accepted"][0], "key": "late-retry"}]


def test_a_duplicate_key_is_stored_once_even_when_retried_ten_times_at_once(api, engine):
    report = {"playbook": "support-replies", "kind": "kpi", "value": 14.5, "key": "export-2026-11-18"}
    with ThreadPoolExecutor(10) as pool:
        answers = list(pool.map(lambda _: api.post(report), range(10)))
    assert [status for status, _, _ in answers] == [201] * 10
    accepted = [body for _, body, _ in answers if body["accepted"]]
    duplicates = [body for _, body, _ in answers if body["duplicates"]]
    assert len(accepted) == 1 and len(duplicates) == 9
    assert duplicates[0]["duplicates"] == [
        {
            "index": 0,
            "key": "export-2026-11-18",
            "week": "2026-11-16",
            "counts_for": "support-replies, week 1 of cycle 1 (2026-11-16)",
        }
    ]
    assert rows(engine, "SELECT count(*) FROM kpi_reading") == [(1,)]


def test_a_batch_of_a_thousand_is_stored_whole(api, engine):
    batch = {
        "reports": [{"playbook": "support-replies", "kind": "kpi", "value": i, "key": f"k{i}"} for i in range(1000)]
    }
    status, body, _ = api.post(batch)
    assert status == 201 and len(body["accepted"]) == 1000
    assert rows(engine, "SELECT count(*) FROM kpi_reading") == [(1000,)]
    status, body, _ = api.post({"reports": batch["reports"] * 2})
    assert status == 422 and body["errors"][0]["field"] == "reports"  # 2,000 is over the limit


@pytest.fixture
def events(bot, store, clock):
    """support-replies whose draft cases and exceptions, and KPI, come from value events."""
    import copy

    from cadence.definition_load import parse_playbook
    from tests.conftest import SUPPORT_REPLIES

    raw = copy.deepcopy(SUPPORT_REPLIES)
    raw["value_events"] = [
        {"name": "reply_accepted", "step": "draft", "counts": "cases"},
        {"name": "reply_rewritten", "step": "draft", "counts": "exception"},
        {"name": "po_accepted", "counts": "kpi"},
    ]
    clock.set(NOW)
    loaded(store, [parse_playbook(raw)], "UTC", actor="test", at=NOW)
    state = store.playbooks.state("support-replies")
    begin_cycle(store, state.playbook.id, 1, NOW.date() - timedelta(days=2), OWNER, NOW)
    return Client(bot.base_url, tokens.create(store, "events", None, ["event", "cases"], False, "test", NOW).token)


WEEK_ONE = "support-replies, week 1 of cycle 1 (2026-11-16)"


def event(name, count=None, **more):
    return {
        "playbook": "support-replies",
        "kind": "event",
        "event": name,
        **({"count": count} if count else {}),
        **more,
    }


def test_value_events_count_into_cases_exceptions_and_the_kpi(events, bot, engine):
    assert events.post(event("reply_accepted", 3))[0] == 201
    status, body, _ = events.post({"reports": [event("reply_accepted", 2), event("reply_rewritten", 2, reason="tone")]})
    said = [a["counts_for"] for a in body["accepted"]]
    assert status == 201 and said == [f"{WEEK_ONE}, cases of draft", f"{WEEK_ONE}, exceptions of draft"], said
    status, body, _ = events.post(event("po_accepted", 4))
    assert status == 201 and body["accepted"][0]["counts_for"] == f"{WEEK_ONE}, the KPI"
    assert rows(engine, "SELECT cases FROM case_count ORDER BY id") == [(3,), (5,)]
    assert rows(engine, "SELECT reason FROM exception_report") == [("reply_rewritten: tone",)] * 2
    assert rows(engine, "SELECT value, reported_by FROM kpi_reading") == [(4.0, "token:events")]
    status, body, _ = events.post(event("reply_acepted"))
    assert status == 422 and "Did you mean reply_accepted or" in body["errors"][0]["message"]
    # what events carry is not typed in, by Slack or by the API
    refused = bot.command("cases support-replies draft 40", user=OWNER).text
    assert "takes step draft's case count from the value event reply_accepted" in refused
    assert "from the value event po_accepted" in bot.command("kpi support-replies 12").text
    status, body, _ = events.post({"playbook": "support-replies", "kind": "cases", "step": "draft", "value": 9})
    assert status == 422 and body["errors"][0]["field"] == "kind" and "reply_accepted" in body["errors"][0]["message"]
    assert "12 cases recorded" in bot.command("cases support-replies send 12", user=OWNER).text  # not fed by an event


def test_an_event_with_a_value_of_its_own_is_refused_and_nothing_is_stored(events, engine):
    """An event counts `count` times where its playbook says: a `value` (or a number or
    step of the report's own) would be dropped, so the request is refused, naming it."""
    batch = {
        "reports": [
            event("reply_accepted", 2),  # fine
            event("po_accepted", value=412),
            {**event("reply_accepted"), "count": None, "value": -5},
            event("reply_accepted", passed=3),
            event("reply_rewritten", step="send"),
        ]
    }
    status, body, _ = events.post(batch)
    assert status == 422, body
    assert [(e["index"], e["field"]) for e in body["errors"]] == [
        (1, "value"),
        (2, "value"),
        (3, "passed"),
        (4, "step"),
    ]
    assert body["errors"][0]["message"] == (
        "an event report gives how many with count, not value: its playbook says what the event counts for"
    )
    assert rows(engine, "SELECT count(*) FROM case_count") == [(0,)]
    assert rows(engine, "SELECT count(*) FROM kpi_reading") == [(0,)]
    assert rows(engine, "SELECT count(*) FROM exception_report") == [(0,)]


def test_value_events_at_once_add_up(events, engine):
    with ThreadPoolExecutor(10) as pool:
        answers = list(pool.map(lambda _: events.post(event("reply_accepted")), range(10)))
    assert [status for status, _, _ in answers] == [201] * 10
    assert rows(engine, "SELECT max(cases) FROM case_count") == [(10,)]


def test_the_export_keeps_provenance_and_never_a_token_or_its_hash(api, engine, store, tmp_path):
    from storage.readouts import Readouts

    assert api.post({"playbook": "support-replies", "kind": "kpi", "value": 14.5})[0] == 201
    Readouts(engine).export_csv(tmp_path / "export")
    everything = "".join(p.read_text() for p in (tmp_path / "export").glob("*.csv"))
    assert "token:helpdesk" in (tmp_path / "export" / "kpi_reading.csv").read_text()
    assert api.token not in everything and tokens.hash_of(api.token) not in everything
    assert "token_hash" not in (tmp_path / "export" / "api_token.csv").read_text()


def test_batches_over_two_playbooks_in_opposite_orders_never_deadlock(events, store, clock, engine):
    """Batches A = [event on one, kpi on the other] and B the other way round, at once:
    every playbook is locked first in the order of the ids, so none waits in a ring."""
    import copy

    from cadence.definition_load import parse_playbook
    from tests.conftest import SUPPORT_REPLIES

    other = copy.deepcopy(SUPPORT_REPLIES)
    other.update(playbook="support-two", channel="CTEAM00002", value_events=[{"name": "po_accepted", "counts": "kpi"}])
    loaded(store, [parse_playbook(other)], "UTC", actor="test", at=NOW)
    two = store.playbooks.state("support-two")
    begin_cycle(store, two.playbook.id, 1, NOW.date() - timedelta(days=2), OWNER, NOW)
    every = Client(events.base_url, tokens.create(store, "both", None, ["event", "guardrail"], False, "t", NOW).token)
    a = {"reports": [event("reply_accepted"), {"playbook": "support-two", "kind": "guardrail", "value": 4.7}]}
    b = {
        "reports": [
            {**event("po_accepted"), "playbook": "support-two"},
            {"playbook": "support-replies", "kind": "guardrail", "value": 4.8},
        ]
    }
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda i: every.post(a if i % 2 else b), range(16)))
    assert [status for status, _, _ in answers] == [201] * 16, [body for _, body, _ in answers]


def test_each_field_takes_its_own_json_type_only(events, engine, store):
    """Strict types: a string, `true` or 1.0 where a number or a whole count is
    expected is refused, naming the field; nothing of the request is stored."""
    every = Client(
        events.base_url, tokens.create(store, "every", None, list(tokens.REPORT_KINDS), False, "t", NOW).token
    )
    kpi = {"playbook": "support-replies", "kind": "kpi", "value": 14.5}
    batch = {
        "reports": [
            event("reply_accepted", 2),  # fine
            event("reply_accepted", True),
            event("reply_accepted", "3"),
            event("reply_accepted", 1.0),
            {**kpi, "value": "14.5"},
            {**kpi, "value": True},
            {**kpi, "week": True},
            {**kpi, "week": 1.0},
            {**kpi, "at": NOW.timestamp()},
            {**kpi, "step": 1},
            {**kpi, "key": 5},
        ]
    }
    status, body, _ = every.post(batch)
    assert status == 422, body
    fields = [(e["index"], e["field"]) for e in body["errors"]]
    assert fields == [
        (1, "count"),
        (2, "count"),
        (3, "count"),
        (4, "value"),
        (5, "value"),
        (6, "week"),
        (7, "week"),
        (8, "at"),
        (9, "step"),
        (10, "key"),
    ]
    messages = [e["message"] for e in body["errors"]]
    assert messages[0] == "count is a whole number from 1 to 10,000, not true"
    assert messages[1] == 'count is a whole number from 1 to 10,000, not the string "3"'
    assert messages[2] == "count is a whole number from 1 to 10,000, not 1.0"
    assert messages[3] == 'value is a number, not the string "14.5"'
    assert messages[4] == "value is a number, not true"
    assert messages[5] == "week is a day of the week (YYYY-MM-DD) or its number in the cycle, 1 to 4, not true"
    assert messages[8] == "step is text, not 1"
    assert rows(engine, "SELECT count(*) FROM case_count") == [(0,)]
    assert rows(engine, "SELECT count(*) FROM kpi_reading") == [(0,)]


def test_numbers_of_either_json_form_and_days_as_strings_are_still_taken(events, engine):
    batch = {
        "reports": [
            event("reply_accepted", 3),
            event("po_accepted", 2, week="2026-11-16"),
            event("po_accepted", at="2026-11-18T09:00:00+01:00"),
        ]
    }
    status, body, _ = events.post(batch)
    assert status == 201, body
    assert rows(engine, "SELECT cases FROM case_count") == [(3,)]
    assert rows(engine, "SELECT value FROM kpi_reading ORDER BY id") == [(2.0,), (3.0,)]


def test_a_value_may_be_a_whole_number_or_not(api, engine):
    status, body, _ = api.post(
        {
            "reports": [
                {"playbook": "support-replies", "kind": "kpi", "value": 14},
                {"playbook": "support-replies", "kind": "kpi", "value": 14.5, "week": 1},
                {"playbook": "support-replies", "kind": "cases", "step": "draft", "value": 40.0},
            ]
        }
    )
    assert status == 201, body
    assert rows(engine, "SELECT value FROM kpi_reading ORDER BY id") == [(14.0,), (14.5,)]
    assert rows(engine, "SELECT cases FROM case_count") == [(40,)]


def test_a_body_not_sent_as_json_is_refused_unread(api, engine):
    data = json.dumps({"playbook": "support-replies", "kind": "kpi", "value": 14.5}).encode()
    for content_type in ("text/plain", "application/x-www-form-urlencoded", None, "application/jsonx", ""):
        status, body = send(api.base_url, api.token, data, content_type)
        assert status == 415, (content_type, body)
        assert body == {"error": "send the body as JSON: Content-Type: application/json"}
    assert send(api.base_url, api.token, b"{not json", "text/plain")[0] == 415  # before it is parsed
    assert rows(engine, "SELECT count(*) FROM kpi_reading") == [(0,)]
    for content_type in ("application/json; charset=utf-8", "Application/JSON", "application/json;charset=UTF-8"):
        status, body = send(api.base_url, api.token, data, content_type)
        assert status == 201, (content_type, body)
    assert rows(engine, "SELECT count(*) FROM kpi_reading") == [(3,)]


def test_a_key_used_again_is_answered_as_the_first_time_for_the_same_report_only(api, engine, clock):
    report = {"playbook": "support-replies", "kind": "kpi", "value": 14.5, "key": "abc"}
    status, first, _ = api.post(report)
    assert status == 201
    clock.set(NOW + timedelta(hours=1))  # `at` was left out: "now" is not part of the report
    same = b'{ "key": "abc",  "value": 14.5, "kind": "kpi", "playbook": "support-replies" }'
    status, again, _ = api.post(None, raw=same)
    assert status == 201 and again == {"accepted": [], "duplicates": [{**first["accepted"][0], "key": "abc"}]}
    status, body, _ = api.post({**report, "value": 15})
    assert status == 422 and body == {
        "errors": [{"index": 0, "field": "key", "message": 'key "abc" was already used for a different report'}]
    }
    # in a batch: all or nothing, and the other report's key is not spent
    fresh = {"playbook": "support-replies", "kind": "kpi", "value": 3, "key": "fresh"}
    status, body, _ = api.post({"reports": [fresh, {**report, "at": "2026-11-18T13:00:00Z"}]})
    assert status == 422 and [(e["index"], e["field"]) for e in body["errors"]] == [(1, "key")]
    assert rows(engine, "SELECT value FROM kpi_reading") == [(14.5,)]
    status, body, _ = api.post({"reports": [report, fresh]})
    assert status == 201 and [d["index"] for d in body["duplicates"]] == [0]
    assert [a["index"] for a in body["accepted"]] == [1]
    assert rows(engine, "SELECT value FROM kpi_reading ORDER BY id") == [(14.5,), (3.0,)]


def test_one_key_sent_at_once_with_different_reports_stores_one_of_them_only(api, engine):
    """Ten requests at once with one key, for two different values, each with a report
    of its own beside it: one is stored; the ones with its value are duplicates, the
    others are refused whole (their own report is not stored either)."""

    def batch(i):
        return {
            "reports": [
                {"playbook": "support-replies", "kind": "kpi", "value": i % 2, "key": "race"},
                {"playbook": "support-replies", "kind": "cases", "step": "send", "value": 100 + i, "key": f"own-{i}"},
            ]
        }

    both = Client(api.base_url, None)
    with ThreadPoolExecutor(10) as pool:
        answers = list(pool.map(lambda i: both.post(batch(i), token=api.token), range(10)))
    assert sorted({status for status, _, _ in answers}) == [201, 422], answers
    stored = rows(engine, "SELECT value FROM kpi_reading")
    assert len(stored) == 1
    winner = int(stored[0][0])
    for i, (status, body, _) in enumerate(answers):
        if i % 2 == winner:
            assert status == 201, body
        else:
            assert status == 422 and [(e["index"], e["field"]) for e in body["errors"]] == [(0, "key")], body
    own = sorted(cases for (cases,) in rows(engine, "SELECT cases FROM case_count"))
    assert own == [100 + i for i in range(10) if i % 2 == winner]


def test_the_same_report_written_another_way_is_the_same_report(api, engine):
    report = {"playbook": "support-replies", "kind": "kpi", "value": 14, "at": "2026-11-18T13:00:00+01:00", "key": "k"}
    assert api.post(report)[0] == 201
    status, body, _ = api.post({**report, "value": 14.0, "at": "2026-11-18T12:00:00Z"})
    assert status == 201 and [d["key"] for d in body["duplicates"]] == ["k"]
    status, body, _ = api.post({**report, "at": "2026-11-18T12:00:01Z"})
    assert status == 422 and body["errors"][0]["field"] == "key"
    status, body, _ = api.post({key: value for key, value in report.items() if key != "at"})
    assert status == 422 and body["errors"][0]["field"] == "key"  # `at` as sent is part of the report
    assert rows(engine, "SELECT count(*) FROM kpi_reading") == [(1,)]


def test_a_key_stored_before_reports_were_hashed_takes_any_report_as_its_own(api, engine):
    """Keys from before migration 0026 have no hash: they are answered as they were."""
    report = {"playbook": "support-replies", "kind": "kpi", "value": 14.5, "key": "old"}
    assert api.post(report)[0] == 201
    with engine.begin() as connection:
        connection.execute(text("UPDATE api_report_key SET report_hash = NULL"))
    status, body, _ = api.post({**report, "value": 15})
    assert status == 201 and [d["key"] for d in body["duplicates"]] == ["old"]
    assert rows(engine, "SELECT value FROM kpi_reading") == [(14.5,)]


def test_an_exception_reported_over_the_api_is_an_item_of_the_queue(api, store, playbook):
    status, _, _ = api.post({"playbook": "support-replies", "kind": "exception", "step": "send", "reason": "late"})
    assert status == 201
    [item] = store.exception_items.open_of([playbook.playbook.id])
    assert (item.source, item.reason, item.logged_by, item.state) == ("exception", "late", "token:helpdesk", "open")
