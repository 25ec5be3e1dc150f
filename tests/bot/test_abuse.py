"""Hostile and unlucky requests: replays, Slack's retries, fuzzed commands, a database
connection cut mid-request."""

import json
import time
import uuid
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event, func, text
from sqlmodel import Session, select

from storage.models.governance import Decision
from storage.models.playbooks import Cycle, Playbook
from storage.models.reports import CheckIn, ExceptionReport, KpiReading
from tests.committed import loaded
from tests.conftest import MEMBER, OWNER, examples

TABLES = (KpiReading, CheckIn, ExceptionReport, Cycle, Decision)


def counts(engine):
    with Session(engine) as s:
        return tuple(s.exec(select(func.count()).select_from(t)).one() for t in TABLES)


def test_a_replayed_request_is_processed_once(bot, playbook, engine):
    body = urlencode(
        {
            "command": "/rollout",
            "text": "exception support-replies send refund",
            "user_id": OWNER,
            "channel_id": "CTEAM00001",
            "team_id": "T0ROLLOUT",
            "api_app_id": "A0ROLLOUT",
            "trigger_id": "1.2.3",
            "response_url": "https://hooks.slack.com/x",
        }
    )
    headers = bot.signed_headers(body)
    first = bot.post("/slack/events", body, headers)
    assert "Exception logged" in json.dumps(first.body)
    replay = bot.post("/slack/events", body, headers)
    assert replay.status == 200 and not replay.body
    with Session(engine) as s:
        assert s.exec(select(func.count()).select_from(ExceptionReport)).one() == 1


def _replayed(bot, text: str, user: str = MEMBER):
    """The same signed `/rollout` request sent twice, as an attacker replaying it would."""
    from bot.demo.standin.slack_requests import command_payload

    body = urlencode(command_payload(text, user, "CTEAM00001"))
    headers = bot.signed_headers(body)
    return bot.post("/slack/events", body, headers), bot.post("/slack/events", body, headers)


REPORTS = {  # every report a command writes, with the table it goes to and who sends it
    "kpi support-replies 20": ("kpi_reading", MEMBER),
    "guardrail support-replies 4.7": ("guardrail_reading", MEMBER),
    "attest support-replies yes smooth week": ("checkin", MEMBER),
    "attest support-replies no send skipped the draft": ("checkin", MEMBER),
    "exception support-replies send refund": ("exception_report", OWNER),
    "cases support-replies send 12": ("case_count", OWNER),
    "rubric support-replies send 0.9": ("rubric_score", OWNER),
}


@pytest.mark.parametrize("command", list(REPORTS), ids=str)
def test_a_replayed_report_is_recorded_once_in_one_transaction(bot, playbook, engine, command):
    """The request's signature is recorded with the report, in its one transaction (two
    INSERTs and a COMMIT), before the report: the replay finds its key taken before it
    writes anything, and rolls back."""
    table, user = REPORTS[command]
    commits, writes = [], []

    def committed(connection):
        commits.append(connection)

    def sent(connection, cursor, statement, parameters, context, executemany):
        if "INSERT" in statement:
            writes.append(statement)

    event.listen(engine, "commit", committed)
    event.listen(engine, "before_cursor_execute", sent)
    try:
        first, replay = _replayed(bot, command, user)
    finally:
        event.remove(engine, "commit", committed)
        event.remove(engine, "before_cursor_execute", sent)
    assert first.status == 200 and first.body and "error" not in first.text.lower()
    assert replay.status == 200 and not replay.body
    assert len(commits) == 1  # the replay's INSERT found its key taken and rolled back
    assert sum(f"INSERT INTO {table}" in w for w in writes) == 1  # the replay's report was never sent
    with engine.connect() as connection:
        assert connection.execute(text(f"SELECT count(*) FROM {table}")).scalar() == 1
        assert connection.execute(text("SELECT count(*) FROM seen_request")).scalar() == 1


def test_a_replayed_undo_withdraws_one_report_in_one_transaction(bot, playbook, engine):
    """undo's key is recorded with the withdrawal: a replay finds it taken and withdraws
    nothing more: one transaction commits."""
    assert "Recorded" in bot.command("kpi support-replies 20").text
    assert "Recorded" in bot.command("kpi support-replies 18.5").text
    commits = []

    def committed(connection):
        commits.append(connection)

    event.listen(engine, "commit", committed)
    try:
        first, replay = _replayed(bot, "undo support-replies")
    finally:
        event.remove(engine, "commit", committed)
    assert "Withdrew your KPI reading (First-response time = 18.5 min)" in first.text
    assert replay.status == 200 and not replay.body
    assert len(commits) == 1
    with engine.connect() as connection:
        counting = connection.execute(text("SELECT value FROM kpi_reading WHERE withdrawn_at IS NULL")).scalars()
        assert counting.all() == [20.0]
    assert "Withdrew your KPI reading (First-response time = 20 min)" in bot.command("undo support-replies").text


@pytest.mark.parametrize(
    "command", ["status support-replies", "kpi support-replies lots", "help", "kpi nowhere 20"], ids=str
)
def test_a_replayed_read_or_refusal_answers_nothing(bot, playbook, engine, command):
    """Nothing to write: the request's keys are recorded after its answer, once."""
    first, replay = _replayed(bot, command)
    assert first.status == 200 and first.body
    assert replay.status == 200 and not replay.body
    assert counts(engine) == (0, 0, 0, 1, 2)  # cycle 1 and its decisions from the fixture only


def test_a_replayed_command_opens_its_form_once(bot, playbook, slack):
    """A form is an effect outside the database: the request is recorded before it."""
    first, replay = _replayed(bot, "attest")
    assert first.status == 200 and replay.status == 200 and not replay.body
    assert len(slack.calls_to("views.open")) == 1


def test_slacks_retry_of_an_event_is_processed_once(bot, playbook, slack):
    event_id = f"Ev{uuid.uuid4().hex[:10]}"
    payload = json.dumps(
        {
            "token": "x",
            "team_id": "T0ROLLOUT",
            "api_app_id": "A0ROLLOUT",
            "type": "event_callback",
            "event_id": event_id,
            "event_time": int(time.time()),
            "event": {"type": "app_home_opened", "user": MEMBER, "tab": "home"},
        }
    )
    for retry in (None, "1", "2"):
        headers = bot.signed_headers(payload)
        headers["Content-Type"] = "application/json"
        if retry:
            headers.update({"X-Slack-Retry-Num": retry, "X-Slack-Retry-Reason": "http_timeout"})
        assert bot.post("/slack/events", payload, headers).status == 200
    assert len(slack.calls_to("views.publish")) == 1


commands = st.one_of(
    st.text(max_size=120),
    st.builds(
        lambda sub, args: " ".join([sub, *args]),
        st.sampled_from(
            [
                "kpi",
                "attest",
                "exception",
                "cases",
                "rubric",
                "cycle",
                "mode",
                "publish",
                "adopt",
                "curator",
                "curators-channel",
                "status",
                "registry",
                "help",
            ]
        ),
        st.lists(
            st.one_of(
                st.sampled_from(
                    [
                        "support-replies",
                        "draft",
                        "send",
                        "yes",
                        "no",
                        "week:2",
                        "14,5",
                        "NaN",
                        "-3",
                        "101%",
                        "<!channel>",
                        "<@U0123ABC>",
                        "<#C0123ABC|x>",
                        "2026-11-30",
                        "ai-led",
                        "start",
                        "∞",
                    ]
                ),
                st.text(max_size=12),
            ),
            max_size=6,
        ),
    ),
)


@settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(commands)
def test_fuzzed_commands_never_crash_and_refusals_store_nothing(bot, playbook, engine, text_):
    before = counts(engine)
    started = time.monotonic()
    reply = bot.command(text_, user=OWNER)
    elapsed = time.monotonic() - started
    assert reply.status == 200
    assert elapsed < 3.0  # Slack gives up on an acknowledgement after 3 s
    if reply.body:
        assert reply.body["response_type"] == "ephemeral"
        assert ":x: Something went wrong" not in reply.text  # no crash behind a polite message
        if ":warning:" in reply.text:
            assert counts(engine) == before


def test_a_database_connection_cut_mid_request(bot, store, engine, database_url, clock):
    """pg_terminate_backend between the statements of one write: the user is told, nothing
    is half-written, and the next request works."""
    if not database_url.startswith("postgresql"):
        pytest.skip("pg_terminate_backend is PostgreSQL's")
    from cadence.definition_load import parse_playbook
    from storage.db import make_engine
    from tests.conftest import SUPPORT_REPLIES

    loaded(store, [parse_playbook(SUPPORT_REPLIES)], "UTC", actor="test", at=clock())
    killer = make_engine(database_url)
    cut = []

    @event.listens_for(engine, "before_cursor_execute")
    def terminate(conn, cursor, statement, parameters, context, executemany):
        if statement.startswith("UPDATE playbook") and not cut:
            cut.append(conn.connection.dbapi_connection.info.backend_pid)
            with killer.connect() as k:
                k.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": cut[0]})

    try:
        reply = bot.command("cycle start support-replies", user=OWNER)
        assert cut and "Something went wrong on my side, so nothing was stored" in reply.text
        with Session(engine) as s:
            assert s.exec(select(func.count()).select_from(Cycle)).one() == 0
            assert s.exec(select(Playbook.status)).one() == "draft"
        again = bot.command("cycle start support-replies", user=OWNER)
        assert "Cycle 1 of *support-replies* runs from" in again.text
    finally:
        event.remove(engine, "before_cursor_execute", terminate)
        killer.dispose()


def test_a_held_connection_cut_mid_request(bot, playbook, engine, database_url):
    """pg_terminate_backend on the request's held connection between its read and its
    report: the user is told nothing was stored, and the next request works."""
    if not database_url.startswith("postgresql"):
        pytest.skip("pg_terminate_backend is PostgreSQL's")
    from storage.db import make_engine

    killer = make_engine(database_url)
    cut = []

    def terminate(conn, cursor, statement, parameters, context, executemany):
        if "INSERT INTO kpi_reading" in statement and not cut:
            cut.append(conn.connection.dbapi_connection.info.backend_pid)
            with killer.connect() as k:
                k.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": cut[0]})

    event.listen(engine, "before_cursor_execute", terminate)
    try:
        reply = bot.command("kpi support-replies 20", user=MEMBER)
        assert cut and "nothing was stored" in reply.text
        assert counts(engine)[0] == 0
        again = bot.command("kpi support-replies 21", user=MEMBER)
        assert "Recorded" in again.text
        assert counts(engine)[0] == 1
    finally:
        event.remove(engine, "before_cursor_execute", terminate)
        killer.dispose()


def test_a_replayed_web_link_is_made_once_its_keys_with_its_write(
    http_server, database_url, store, slack, clock, playbook, engine
):
    """`/rollout web` keeps its one-time link through the request's store: the command's
    keys go in with that write, and the replay finds them taken (one commit, one link)."""
    from bot.app import create_app
    from bot.demo.standin.slack_requests import command_payload
    from bot.web import make_asgi
    from tests.conftest import SlackRequests, settings_for

    mount, url = http_server
    settings = settings_for(database_url, slack, rollout_web_url="https://rollout.example.com")
    mount.app = make_asgi(create_app(settings, store, clock=clock), store, clock)
    web = SlackRequests(url)
    commits: list[int] = []
    event.listen(engine, "commit", lambda _: commits.append(1))
    body = urlencode(command_payload("web", MEMBER, "CTEAM00001"))
    headers = web.signed_headers(body)
    first, replay = web.post("/slack/events", body, headers), web.post("/slack/events", body, headers)
    assert "web/login" in first.text and replay.status == 200 and not replay.body
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM web_login")).scalar() == 1
    assert len(commits) == 1
