"""Requests that race each other, or the clock, through the real HTTP endpoint: the
database decides, so every answer tells the truth about what was stored."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from bot.demo.standin.faults import Fault
from tests.committed import loaded
from tests.conftest import ADMIN, CHANNEL, MEMBER, OWNER, Clock, Engine
from tests.usecases.test_governance import publish_over

UNDOERS = 8
ADOPTERS = 5
CURATOR = "UCURATOR1"


def test_concurrent_undos_each_withdraw_the_next_report(bot, playbook, engine):
    """Eight reports, eight undos at once by the same member: each undo withdraws one of
    them (a loser of a race for the newest report moves on to the next), none says
    "nothing to undo" while a report still counts."""
    for value in range(UNDOERS):
        assert "Recorded" in bot.command(f"kpi support-replies {20 + value}").text
    with ThreadPoolExecutor(UNDOERS) as pool:
        replies = list(pool.map(lambda _: bot.command("undo support-replies"), range(UNDOERS)))
    assert [("Withdrew your KPI reading" in r.text) for r in replies] == [True] * UNDOERS, [r.text for r in replies]
    withdrawn = sorted(float(r.text.split("First-response time = ")[1].split(" ")[0]) for r in replies)
    assert withdrawn == [float(20 + value) for value in range(UNDOERS)]  # each report once
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM kpi_reading WHERE withdrawn_at IS NULL")).scalar() == 0
    assert "nothing to undo" in bot.command("undo support-replies").text


def test_concurrent_adopts_into_one_channel_make_one_playbook(bot, playbook, slack, engine, store):
    """Five curators' adopts of the same version into one channel at once: one adoption,
    four refusals (adopted already, or its phase's second pilot running), held by the
    database's unique index."""
    slack.add_user(CURATOR)
    slack.add_channel("CADOPT0002", ["UROLLOUTBOT", OWNER])
    assert "now a curator" in bot.command(f"curator add <@{CURATOR}>", user=ADMIN).text
    assert "v1" in publish_over(bot, store, "publish support-replies override a pilot ahead of readiness")
    command = "adopt support-replies <#CADOPT0002|adopters>"
    with ThreadPoolExecutor(ADOPTERS) as pool:
        replies = list(pool.map(lambda _: bot.command(command, user=CURATOR), range(ADOPTERS)))
    texts = [r.text for r in replies]
    assert sum("*support-replies-adopters* now runs in <#CADOPT0002>" in t for t in texts) == 1, texts
    refused = [t for t in texts if "now runs in" not in t]
    assert len(refused) == ADOPTERS - 1
    # refused as adopted already, or, where the adoption committed first, as the version's
    # second pilot running (its phase: cadence/phases.py): both store nothing
    held = ("already runs support-replies-adopters, adopted from support-replies", "still in phase 1")
    assert all(any(why in t for why in held) for t in refused), refused
    assert all(r.status == 200 and r.body["response_type"] == "ephemeral" for r in replies if "now runs" not in r.text)
    with engine.connect() as connection:
        adopted = connection.execute(text("SELECT slug FROM playbook WHERE channel_id = 'CADOPT0002'")).scalars()
        assert adopted.all() == ["support-replies-adopters"]
        decisions = connection.execute(text("SELECT count(*) FROM decision WHERE kind = 'adopted'")).scalar()
        assert decisions == 1


def test_concurrent_adopts_into_many_channels_keep_the_wave(bot, slack, engine, store, clock):
    """A version with a wave of 2, in phase 1 (assessed: cadence/phases.py), adopted into five
    channels at once: one adoption, its second pilot, and four refusals naming its phase, held
    by the origin's versions' row locks in the adoption's transaction (or SQLite's one
    writer), the count the wave's limit uses, not by the count read before it."""
    import copy

    from cadence.definition_load import parse_playbook
    from tests.conftest import SUPPORT_REPLIES

    loaded(store, [parse_playbook({**copy.deepcopy(SUPPORT_REPLIES), "adoption_wave": 2})], "UTC", "t", clock())
    slack.add_user(CURATOR)
    assert "now a curator" in bot.command(f"curator add <@{CURATOR}>", user=ADMIN).text
    assert "v1" in publish_over(bot, store, "publish support-replies override a wave test")
    channels = [f"CWAVE0000{i}" for i in range(ADOPTERS)]
    for channel in channels:
        slack.add_channel(channel, ["UROLLOUTBOT", OWNER])
    with ThreadPoolExecutor(ADOPTERS) as pool:
        replies = list(
            pool.map(lambda c: bot.command(f"adopt support-replies <#{c}|{c.lower()}>", user=CURATOR), channels)
        )
    texts = [r.text for r in replies]
    assert sum("now runs in" in t for t in texts) == 1, texts
    assert sum("A wave is not opened for a version still in phase 1" in t for t in texts) == ADOPTERS - 1, texts
    with engine.connect() as connection:
        adopted = connection.execute(text("SELECT count(*) FROM playbook WHERE adopted_from_id IS NOT NULL"))
        assert adopted.scalar() == 1


BEFORE_THE_CLOSE = datetime(2026, 11, 23, 10, 59, 59, 700000, tzinfo=UTC)  # week 1 closes at 11:00 UTC (noon Berlin)
REPORTS_IN_THE_LAST_SECOND = {
    "kpi support-replies 777 week:1": "kpi_reading",
    "guardrail support-replies 4.1 week:1": "guardrail_reading",
    "attest support-replies no send skipped the draft week:1": "checkin",
}


@pytest.mark.parametrize("command", list(REPORTS_IN_THE_LAST_SECOND), ids=str)
def test_a_report_judged_open_but_written_after_the_close_is_refused(bot, playbook, slack, engine, clock, command):
    """A report sent 0.3 s before week 1 closes is judged open by its start time; while
    its member lookup waits on Slack, the clock closes the week and records its verdicts.
    The report is then refused as too late, with nothing stored, not acknowledged and
    left out of the verdict it missed."""
    table = REPORTS_IN_THE_LAST_SECOND[command]
    the_clock = Engine(engine, slack, Clock(datetime(2026, 11, 23, 10, 0, tzinfo=UTC)))
    the_clock.run(datetime(2026, 11, 23, 10, 0, tzinfo=UTC))  # nothing closes yet
    clock.set(BEFORE_THE_CLOSE)
    answer = threading.Event()
    slack.fail_next("conversations.members", Fault(hold=answer))  # Slack is slow to say who is a member
    with ThreadPoolExecutor(1) as pool:
        reply = pool.submit(bot.command, command)
        deadline = time.monotonic() + 10
        while not slack.calls_to("conversations.members") and time.monotonic() < deadline:
            time.sleep(0.005)
        assert slack.calls_to("conversations.members"), "the report never asked Slack"
        closed = the_clock.run(datetime(2026, 11, 23, 11, 0, tzinfo=UTC))  # meanwhile, week 1 closes
        answer.set()
        refused = reply.result(timeout=30)
    assert closed.counts[("close", "done")] == 1
    assert refused.body["response_type"] == "ephemeral" and ":warning:" in refused.text, refused.text
    assert "Week 1 of cycle 1 closed on" in refused.text and "Nothing was stored" in refused.text, refused.text
    with engine.connect() as connection:
        assert connection.execute(text(f"SELECT count(*) FROM {table}")).scalar() == 0
    summary = next(m["text"] for m in slack.posted(CHANNEL) if "week 1 of cycle 1 closed" in m["text"])
    assert summary  # the verdict went out without the report, as the report was refused
    assert "closed on" in bot.command(command, user=MEMBER).text  # and by time now, as before


def test_an_undo_that_reaches_the_database_after_the_close_withdraws_nothing_the_close_counted(
    bot, playbook, slack, engine, clock
):
    """An undo judged by its start time, a moment before week 1 closes, that reaches the
    database after the close (a clock a little ahead, or a slow request) withdraws
    nothing from the closed week: the verdict counted that report, and it keeps counting."""
    clock.set(BEFORE_THE_CLOSE)
    assert "Recorded" in bot.command("kpi support-replies 777 week:1").text
    the_clock = Engine(engine, slack, Clock(datetime(2026, 11, 23, 11, 0, tzinfo=UTC)))
    closed = the_clock.run(datetime(2026, 11, 23, 11, 0, tzinfo=UTC))  # the clock closes week 1
    assert closed.counts[("close", "done")] == 1
    clock.set(BEFORE_THE_CLOSE)  # the undo's own start: week 1 still open by time
    reply = bot.command("undo support-replies")
    assert "Nothing" in reply.text or "nothing" in reply.text, reply.text
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM kpi_reading WHERE withdrawn_at IS NULL")).scalar() == 1
