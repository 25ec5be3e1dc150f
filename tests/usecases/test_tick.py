"""The cadence engine end to end: ticks move through whole cycles on a fake clock,
messages go through the outbox to the Slack stand-in. Its rules (each member's zone, the
DM's buttons, a catch-up, the digest's way to the curators or the admins, week one's input
contract) are tests/usecases/fast/test_tick.py's, on the fakes."""

import gc
import sys
import threading
from datetime import UTC, date, datetime

import pytest

from storage.db import make_engine
from tests import reported
from tests.committed import committed, loaded
from tests.conftest import CHANNEL, MEMBER, OWNER, Clock, Engine
from usecases.shared.life import begin_cycle

UTC = UTC
NEW_YORK = "UNEWYORK01"
NO_TZ = "UNOTZ00001"
A_BOT = "UABOT00001"
GONE = "UGONE00001"
HUMANS = [OWNER, MEMBER, NEW_YORK, NO_TZ]


@pytest.fixture
def team(slack):
    slack.add_channel(CHANNEL, [OWNER, MEMBER, NEW_YORK, NO_TZ, A_BOT, GONE, "UROLLOUTBOT"])
    slack.add_user(OWNER, tz="Europe/Berlin")
    slack.add_user(MEMBER, tz="Europe/Berlin")
    slack.add_user(NEW_YORK, tz="America/New_York")
    slack.add_user(NO_TZ, tz=None)
    slack.add_user(A_BOT, is_bot=True)
    slack.add_user(GONE, deleted=True, tz="Europe/Berlin")
    slack.add_user("UROLLOUTBOT", is_bot=True)
    return slack


@pytest.fixture
def engine_(engine, team, playbook):
    return Engine(engine, team, Clock(datetime(2026, 11, 15, tzinfo=UTC)))


def texts(slack, channel):
    return [m["text"] for m in slack.posted(channel)]


def test_a_whole_cycle(engine_, team, store, playbook):
    # MEMBER checks in during week 1 (Thursday evening), so gets no reminder that week
    engine_.run_through(datetime(2026, 11, 15, tzinfo=UTC), datetime(2026, 11, 19, 18, 0, tzinfo=UTC))
    committed(store).reports.add_checkin(
        playbook.playbook.id,
        date(2026, 11, 16),
        MEMBER,
        "followed",
        None,
        None,
        datetime(2026, 11, 19, 18, 30, tzinfo=UTC),
    )
    engine_.run_through(datetime(2026, 11, 19, 19, 0, tzinfo=UTC), datetime(2026, 12, 15, tzinfo=UTC))

    channel = texts(team, CHANNEL)
    nudges = [t for t in channel if "week " in t and "closed" not in t]
    assert nudges == [
        f"support-replies: week {w} of cycle {c}. " + stage
        for c, w, stage in [
            (1, 1, "Pick the workflow, set the one KPI, publish the mode map."),
            (1, 2, "Run the workflow and capture the evaluation rubric."),
            (1, 3, "Iterate and harden the playbook (package it for reuse)."),
            (1, 4, "Scale: record deltas, submit to the registry if the scale rule holds, pick the next team."),
            (2, 1, "Pick the workflow, set the one KPI, publish the mode map."),
        ]
    ]
    assert [t for t in channel if "closed" in t] == [
        f"support-replies: week {w} of cycle 1 closed" for w in (1, 2, 3, 4)
    ]
    for person in HUMANS:
        dms = texts(team, person)
        assert sum(t.startswith("check in") for t in dms) == 4, person
        reminders = sum(t.startswith("Reminder") for t in dms)
        assert reminders == (3 if person == MEMBER else 4), person
    for not_a_person in (A_BOT, GONE, "UROLLOUTBOT"):
        assert team.posted(not_a_person) == []
    # everything was sent once, and the tick recorded why each reminder was or was not sent
    assert all(m.status == "sent" for m in engine_.outbox.all())
    skipped = [j for j in engine_.log.jobs() if j.status == "skipped" and j.kind in ("nudge", "checkin", "reminder")]
    assert [(j.kind, j.user_id, j.note) for j in skipped] == [("reminder", MEMBER, "already checked in")]


def test_a_tick_run_twice_does_everything_once(engine_, team):
    at = datetime(2026, 11, 19, 20, 0, tzinfo=UTC)
    first = engine_.run(at)
    second = engine_.run(at)
    assert first.counts and not second.counts
    assert len(team.calls_to("chat.postMessage")) == len(engine_.outbox.all())


def test_the_collector_is_paused_only_while_a_week_closes(engine_, team):
    collections = []  # for each collection: did it start inside a week's close?

    def count(phase, info):
        if phase == "start":
            frame, closing = sys._getframe(), False
            while frame is not None and not closing:
                closing = frame.f_code.co_name == "close_round"
                frame = frame.f_back
            collections.append(closing)

    engine_.run(datetime(2026, 11, 16, 8, 0, tzinfo=UTC))
    gc.callbacks.append(count)
    try:
        gc.set_threshold(1)  # collect at nearly every allocation, unless paused
        report = engine_.run(datetime(2026, 11, 23, 12, 0, tzinfo=UTC))
    finally:
        gc.set_threshold(700, 10, 10)
        gc.callbacks.remove(count)
    assert report.counts[("close", "done")] == 1
    assert collections and not any(collections), "the rest of the tick still collects; the close does not"
    assert gc.isenabled()
    gc.disable()  # a host that runs without the collector keeps it off
    try:
        engine_.run(datetime(2026, 11, 30, 12, 0, tzinfo=UTC))
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_slack_down_while_listing_the_team_delays_dms_without_losing_them(engine_, team):
    from bot.demo.standin.faults import Fault

    team.fail_next("conversations.members", Fault(status=503), times=20)
    report = engine_.run(datetime(2026, 11, 19, 14, 0, tzinfo=UTC))
    assert report.unreachable == [CHANNEL]
    assert team.posted(MEMBER) == []
    team.reset_faults()
    engine_.run(datetime(2026, 11, 19, 15, 0, tzinfo=UTC))
    assert texts(team, MEMBER) == ["check in for support-replies, week 1 of cycle 1"]


def test_two_ticks_at_once_send_each_message_once(database_url, team, playbook):
    """Two clock processes racing: each has its own engine and connections."""
    engines = [Engine(make_engine(database_url), team, Clock(datetime(2026, 11, 15, tzinfo=UTC))) for _ in range(2)]
    instants = [
        datetime(2026, 11, 19, 20, 0, tzinfo=UTC),
        datetime(2026, 11, 23, 12, 0, tzinfo=UTC),
        datetime(2026, 11, 26, 20, 0, tzinfo=UTC),
        datetime(2026, 11, 27, 20, 0, tzinfo=UTC),
    ]
    for at in instants:
        barrier = threading.Barrier(2)
        errors = []

        def run(e, at=at, barrier=barrier, errors=errors):  # bound now: each round's own values
            try:
                barrier.wait()
                e.clock.set(at)
                e.cadence.tick(at)
                e.dispatcher.drain(max_wait=0)
            except Exception as err:  # noqa: BLE001
                errors.append(err)

        threads = [threading.Thread(target=run, args=(e,)) for e in engines]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
    posted = team.posted()
    keys = [m["metadata"]["event_payload"]["key"] for m in posted]
    assert len(keys) == len(set(keys)) > 10
    assert len(team.calls_to("chat.postMessage")) == len(keys)


def test_the_owner_hears_once_what_is_missing_at_friday_15_in_their_zone(engine, slack, store, clock):
    """A playbook in Kolkata, its owner in Los Angeles; a restart between Friday's DM and
    Monday's close sends nothing twice; a week with everything reported sends nothing."""
    from cadence.definition import parse_playbook
    from tests.conftest import SUPPORT_REPLIES

    slack.add_channel(CHANNEL, [OWNER, MEMBER, "UROLLOUTBOT"])
    slack.add_user(OWNER, tz="America/Los_Angeles")
    slack.add_user(MEMBER, tz="Asia/Kolkata")
    slack.add_user("UROLLOUTBOT", is_bot=True)
    loaded(store, [parse_playbook({**SUPPORT_REPLIES, "timezone": "Asia/Kolkata"})], "UTC", "test", clock())
    state = store.playbooks.state("support-replies")
    begin_cycle(store, state.playbook.id, 1, date(2026, 11, 16), OWNER, clock())
    pid = state.playbook.id
    draft, send, refunds = (state.step(n).id for n in ("draft", "send", "refunds"))
    at = datetime(2026, 11, 18, tzinfo=UTC)
    reported.add_case_count(store, pid, draft, date(2026, 11, 16), 20, OWNER, at)
    reported.add_rubric_score(store, pid, draft, date(2026, 11, 16), 0.95, OWNER, at)

    first = Engine(engine, slack, Clock(datetime(2026, 11, 15, tzinfo=UTC)))
    first.run(datetime(2026, 11, 20, 22, 59, tzinfo=UTC))  # Friday 14:59 in Los Angeles
    assert slack.posted(OWNER) == [] or all("missing" not in m["text"] for m in slack.posted(OWNER))
    first.run(datetime(2026, 11, 20, 23, 0, tzinfo=UTC))  # 15:00 there
    missing = [m for m in slack.posted(OWNER) if "numbers missing" in m["text"]]
    assert len(missing) == 1
    text = str(missing[0]["blocks"])
    # send is AI-led, and readiness wants its rubric scores too (no evidence is not a pass)
    assert "*send*, *refunds*" in text and "Rubric scores: *send*, *refunds*" in text
    assert "First-response time" in text and "closes on Mon 23 Nov 12:00 Asia/Kolkata" in text
    assert "The guardrail, *CSAT*" in text
    assert "*draft*" not in text.split("Case counts")[1].split("\\n")[0]

    second = Engine(engine, slack, Clock(datetime(2026, 11, 21, tzinfo=UTC)))  # a restart before the close
    second.run(datetime(2026, 11, 21, 3, 0, tzinfo=UTC))
    assert len([m for m in slack.posted(OWNER) if "numbers missing" in m["text"]]) == 1

    for step in (send, refunds):  # week 2: everything is reported
        reported.add_case_count(store, pid, step, date(2026, 11, 23), 20, OWNER, at)
    reported.add_case_count(store, pid, draft, date(2026, 11, 23), 20, OWNER, at)
    for step in (draft, send, refunds):
        reported.add_rubric_score(store, pid, step, date(2026, 11, 23), 0.95, OWNER, at)
    reported.add_kpi_reading(store, pid, date(2026, 11, 23), 20, MEMBER, at)
    reported.add_guardrail_reading(store, pid, date(2026, 11, 23), 4.8, MEMBER, at)
    second.run(datetime(2026, 11, 27, 23, 30, tzinfo=UTC))
    assert len([m for m in slack.posted(OWNER) if "numbers missing" in m["text"]]) == 1
    notes = [j.note for j in second.log.jobs() if j.kind == "owner-reminder"]
    assert notes == [None, "nothing missing"]
