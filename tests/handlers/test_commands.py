"""/rollout end to end: signed requests to the real HTTP endpoint, Slack played by the stand-in.
The rules behind each reply (which week, who may, what is refused, what undo withdraws) are
tested on the fakes in tests/usecases/fast/ (test_report_*.py, test_undo.py, test_life.py,
test_people_and_org.py, test_status_words.py: status's words; test_rollout_replies.py: the
replies as worded, each refusal's, status, escaping and undo); these keep a signed request
for a report, a report judged again after another process changed the playbook, and
Slack's side: membership lookups, rate limits, a slow or failing Slack."""

import threading
from datetime import date

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from bot.demo.standin.faults import Fault
from storage.models.governance import Decision
from storage.models.org import RoleGrant, Setting
from storage.models.playbooks import Cycle
from storage.models.reports import CaseCount, CheckIn, ExceptionReport, KpiReading, RubricScore
from tests.committed import loaded
from tests.conftest import CHANNEL, MEMBER, OUTSIDER, OWNER

REPORT_TABLES = (KpiReading, CheckIn, ExceptionReport, CaseCount, RubricScore, Cycle, RoleGrant, Setting, Decision)


def row_counts(engine) -> dict[str, int]:
    with Session(engine) as s:
        return {t.__tablename__: s.exec(select(func.count()).select_from(t)).one() for t in REPORT_TABLES}


def assert_refused(reply, *phrases):
    assert reply.status == 200
    assert reply.body["response_type"] == "ephemeral"
    assert ":warning:" in reply.text
    for phrase in phrases:
        assert phrase in reply.text, reply.text


# ---- reports -------------------------------------------------------------------------


def test_member_reports_the_kpi_for_the_current_week(bot, playbook, engine):
    reply = bot.command("kpi support-replies 18.5", user=MEMBER)
    assert reply.body["response_type"] == "ephemeral"
    assert "Recorded *First-response time* = *18.5 min*" in reply.text
    assert "week 1 of cycle 1" in reply.text
    with Session(engine) as s:
        reading = s.exec(select(KpiReading)).one()
    assert (reading.value, reading.week_start, reading.reported_by) == (18.5, date(2026, 11, 16), MEMBER)


@pytest.fixture
def elsewhere(database_url):
    """Another process's store on the same database (a second web worker, the clock)."""
    from storage.db import make_engine
    from storage.store import Store

    other = Store(make_engine(database_url))
    yield other
    other.engine.dispose()


def _redefined(store, clock, **changes):
    from cadence.definition_load import parse_playbook
    from tests.conftest import SUPPORT_REPLIES

    loaded(store, [parse_playbook({**SUPPORT_REPLIES, **changes})], "UTC", actor="test", at=clock())


def test_a_report_judged_on_a_state_changed_elsewhere_is_judged_again(bot, playbook, slack, engine, elsewhere, clock):
    """Moved to another channel by another process after this one last read the playbook:
    the member of the old channel is refused, and nothing is stored."""
    assert "Recorded" in bot.command("kpi support-replies 20", user=MEMBER).text  # this process holds it
    slack.add_channel("CTEAM00002", [OWNER])
    _redefined(elsewhere, clock, channel="CTEAM00002")
    assert_refused(bot.command("kpi support-replies 21", user=MEMBER), "CTEAM00002")
    with Session(engine) as s:
        assert [r.value for r in s.exec(select(KpiReading))] == [20.0]


def test_a_refusal_on_a_state_changed_elsewhere_is_judged_again(bot, playbook, engine, elsewhere, clock):
    """This process holds the KPI as measured in minutes; another made it a percentage
    since. A report in % is not refused on what this process held: it is recorded."""
    assert_refused(bot.command("kpi support-replies 20%", user=MEMBER), "without “%”")
    _redefined(
        elsewhere,
        clock,
        kpi={"name": "First-contact resolution", "unit": "%", "direction": "up", "baseline": 40, "target": 70},
    )
    assert "Recorded" in bot.command("kpi support-replies 55%", user=MEMBER).text
    with Session(engine) as s:
        assert [r.value for r in s.exec(select(KpiReading))] == [55.0]


# ---- Slack: membership lookups -------------------------------------------------------


def test_membership_is_read_across_pages_and_cached(bot, playbook, slack):
    members = [f"UPAGE{i:05d}" for i in range(450)]
    slack.add_channel(CHANNEL, members)
    assert "Recorded" in bot.command("kpi support-replies 20", user="UPAGE00420").text
    pages = slack.calls_to("conversations.members")
    assert len(pages) == 3 and [p.params.get("cursor") for p in pages] == [None, "200", "400"]
    assert "Recorded" in bot.command("kpi support-replies 19", user="UPAGE00001").text
    assert len(slack.calls_to("conversations.members")) == 3  # cached


def test_joining_the_channel_refreshes_membership(bot, playbook, slack):
    assert_refused(bot.command("kpi support-replies 20", user=OUTSIDER), "Only members")
    slack.add_channel(CHANNEL, [OWNER, MEMBER, OUTSIDER])
    assert "Only members" in bot.command("kpi support-replies 20", user=OUTSIDER).text  # still cached
    assert bot.event({"type": "member_joined_channel", "user": OUTSIDER, "channel": CHANNEL}).status == 200
    assert "Recorded" in bot.command("kpi support-replies 20", user=OUTSIDER).text


def test_bot_not_in_the_channel_is_explained(bot, playbook, slack, engine):
    # Slack lists a public channel's members whether or not the bot is in it; a private
    # channel the bot is not in does not exist for it.
    slack.add_channel(CHANNEL, [OWNER, MEMBER], private=True)
    slack.workspace.not_in_channel.add(CHANNEL)
    assert_refused(bot.command("kpi support-replies 20"), "Slack says channel_not_found", "/invite")
    assert row_counts(engine)["kpi_reading"] == 0


def test_rate_limit_never_holds_a_request(bot, playbook, slack, engine):
    """Slack answering 429 with an hour's Retry-After: no sleeping, no retry, an answer
    saying Slack is busy, and nothing stored. A client that waited out the hour would
    leave the command unanswered (SlackRequests gives up after 10 s): no wall-clock bound
    is needed."""
    slack.fail_next("conversations.members", Fault(status=429, retry_after=3600), times=5)
    reply = bot.command("kpi support-replies 20")
    assert_refused(reply, "Slack is busy", "nothing was stored")
    assert len(slack.calls_to("conversations.members")) == 1
    assert row_counts(engine)["kpi_reading"] == 0
    assert "/rollout kpi" in bot.command("help").text  # help never asks Slack
    assert len(slack.calls_to("conversations.members")) == 1


def test_rate_limited_lookup_answers_from_the_last_known_team(bot, playbook, slack):
    assert "Recorded" in bot.command("kpi support-replies 20").text
    assert bot.event({"type": "member_joined_channel", "user": OUTSIDER, "channel": CHANNEL}).status == 200
    slack.fail_next("conversations.members", Fault(status=429, retry_after=10))
    assert "Recorded" in bot.command("kpi support-replies 21").text  # the list from before the event
    assert len(slack.calls_to("conversations.members")) == 2


@pytest.mark.slack_budget
def test_slow_slack_is_cut_off_at_the_budget(bot, playbook, slack, engine):
    """Slack holds its answer (the member list, which would let the reading in) until the
    test lets it go: the bot's answer comes first, so it gave up at its 1 s budget and did
    not wait for Slack's. No wall-clock bound is needed."""
    held = threading.Event()
    slack.fail_next("conversations.members", Fault(hold=held))
    try:
        reply = bot.command("kpi support-replies 20")
    finally:
        held.set()
    assert_refused(reply, "Slack is busy")
    assert row_counts(engine)["kpi_reading"] == 0
    # The next request has a budget of its own: its client is a fresh copy.
    assert "Recorded" in bot.command("kpi support-replies 21").text


def test_slack_failing_refuses_cleanly(bot, playbook, slack, engine):
    slack.fail_next("conversations.members", Fault(status=503), times=3)
    assert_refused(bot.command("kpi support-replies 20"), "didn't tell me who is on the team")
    assert row_counts(engine)["kpi_reading"] == 0
