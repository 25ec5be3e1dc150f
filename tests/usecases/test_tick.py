"""The cadence engine end to end: ticks move through whole cycles on a fake clock,
messages go through the outbox to the Slack stand-in."""

import gc
import sys
import threading
from datetime import UTC, date, datetime, timedelta

import pytest

from storage.db import make_engine
from tests import reported
from tests.committed import committed
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


def test_the_new_york_member_gets_the_thursday_dm_at_15_new_york_time(engine_, team):
    engine_.run_through(
        datetime(2026, 11, 19, 12, 0, tzinfo=UTC), datetime(2026, 11, 19, 21, 0, tzinfo=UTC), step=timedelta(minutes=30)
    )
    sent = {m.channel: m.sent_at for m in engine_.outbox.all() if m.key.startswith("checkin:")}
    assert sent[NEW_YORK] == datetime(2026, 11, 19, 20, 0, tzinfo=UTC)  # 15:00 in New York
    assert sent[MEMBER] == datetime(2026, 11, 19, 14, 0, tzinfo=UTC)  # 15:00 in Berlin
    assert sent[NO_TZ] == datetime(2026, 11, 19, 14, 0, tzinfo=UTC)  # no tz: the playbook's (Berlin)


def test_the_dm_has_buttons_that_name_the_playbook_and_week(engine_, team, playbook):
    engine_.run(datetime(2026, 11, 19, 14, 0, tzinfo=UTC))
    dm = team.posted(MEMBER)[0]
    buttons = next(b for b in dm["blocks"] if b["type"] == "actions")["elements"]
    assert [b["action_id"] for b in buttons] == ["checkin_attest", "checkin_deviation", "checkin_kpi"]
    assert buttons[0]["value"] == f'{{"playbook":{playbook.playbook.id},"week":"2026-11-16"}}'


def test_a_tick_run_twice_does_everything_once(engine_, team):
    at = datetime(2026, 11, 19, 20, 0, tzinfo=UTC)
    first = engine_.run(at)
    second = engine_.run(at)
    assert first.counts and not second.counts
    assert len(team.calls_to("chat.postMessage")) == len(engine_.outbox.all())


def test_catch_up_after_downtime(engine_, team):
    engine_.run(datetime(2026, 11, 16, 8, 0, tzinfo=UTC))  # Monday 09:00 Berlin: week 1 nudge
    report = engine_.run(datetime(2026, 12, 2, 12, 0, tzinfo=UTC))  # back on Wednesday of week 3
    assert texts(team, CHANNEL) == [
        "support-replies: week 1 of cycle 1. Pick the workflow, set the one KPI, publish the mode map.",
        "support-replies: week 1 of cycle 1 closed",
        "support-replies: week 2 of cycle 1 closed",
        "support-replies / send: warning",  # ai-led with no case count for two weeks: the rules ran, in order
    ]
    assert report.counts[("nudge", "skipped")] == 2  # weeks 2 and 3: too late to be worth sending
    assert report.counts[("close", "done")] == 2
    lapsed = sorted(j.key for j in engine_.log.jobs() if j.user_id is None and j.kind in ("checkin", "reminder"))
    assert lapsed == [
        "checkin:1:2026-11-16:*",
        "checkin:1:2026-11-23:*",
        "reminder:1:2026-11-16:*",
        "reminder:1:2026-11-23:*",
    ]
    assert all(team.posted(p) == [] for p in HUMANS)
    # and the rhythm goes on from there: week 3's Thursday DMs arrive on time
    engine_.run(datetime(2026, 12, 3, 14, 0, tzinfo=UTC))
    assert texts(team, MEMBER) == ["check in for support-replies, week 3 of cycle 1"]


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


def test_digest_goes_to_the_curators_channel_on_monday(engine_, team, store):
    team.add_channel("CCURATORS", [OWNER])
    committed(store).org.set_setting("curators_channel", "CCURATORS", OWNER, datetime(2026, 11, 1, tzinfo=UTC))
    engine_.run_through(datetime(2026, 11, 23, 8, 0, tzinfo=UTC), datetime(2026, 11, 23, 14, 0, tzinfo=UTC))
    assert texts(team, "CCURATORS")[:2] == ["Rollout digest: week of 2026-11-16", "Support: 1 playbook"]
    assert "*support-replies*" in str(team.posted("CCURATORS")[1]["blocks"])


def test_without_a_curators_channel_the_digest_waits_and_the_admins_hear_once_a_week(engine_, team, store, engine):
    from tests.conftest import ADMIN

    world = Engine(engine, team, engine_.clock)
    world.cadence.admins = frozenset({ADMIN})
    team.add_user(ADMIN, tz="UTC")
    world.run(datetime(2026, 11, 23, 13, 0, tzinfo=UTC))
    world.run(datetime(2026, 11, 23, 14, 0, tzinfo=UTC))
    assert [m["text"] for m in team.posted(ADMIN)] == [
        "The curators' digest for the week of 2026-11-16 has nowhere to go"
    ]
    world.run(datetime(2026, 11, 30, 13, 0, tzinfo=UTC))  # still no channel: one more a week, no more
    assert len(team.posted(ADMIN)) == 2
    assert not [j for j in world.log.jobs() if j.kind == "digest"]  # nothing marked sent or lost
    team.add_channel("CCURATORS", [OWNER])
    committed(store).org.set_setting("curators_channel", "CCURATORS", OWNER, datetime(2026, 11, 30, 15, 0, tzinfo=UTC))
    world.run(datetime(2026, 11, 30, 15, 1, tzinfo=UTC))
    assert texts(team, "CCURATORS")[0] == "Rollout digest: week of 2026-11-23"  # the latest waiting one
    assert "week of 2026-11-16" not in " ".join(texts(team, "CCURATORS"))
    world.run(datetime(2026, 11, 30, 16, 0, tzinfo=UTC))
    assert texts(team, "CCURATORS").count("Rollout digest: week of 2026-11-23") == 1
    world.run(datetime(2026, 12, 7, 13, 0, tzinfo=UTC))
    assert texts(team, "CCURATORS").count("Rollout digest: week of 2026-11-30") == 1


def test_no_digest_and_no_word_to_the_admins_before_a_week_has_closed(engine_, team, store, engine):
    """Monday 16 November, the cycle's first day: no week has closed, so there is nothing to
    report. The digest is not sent (a skipped unit, said why), the admins of an org
    without a curators channel hear nothing either; the next Monday's digest goes out."""
    from tests.conftest import ADMIN
    from usecases.tick import NOTHING_CLOSED

    world = Engine(engine, team, engine_.clock)
    world.cadence.admins = frozenset({ADMIN})
    team.add_user(ADMIN, tz="UTC")
    world.run(datetime(2026, 11, 16, 13, 0, tzinfo=UTC))
    assert team.posted(ADMIN) == []
    team.add_channel("CCURATORS", [OWNER])
    committed(store).org.set_setting("curators_channel", "CCURATORS", OWNER, datetime(2026, 11, 16, 14, 0, tzinfo=UTC))
    world.run(datetime(2026, 11, 16, 14, 1, tzinfo=UTC))  # the waiting Monday's digest: still nothing closed
    assert texts(team, "CCURATORS") == []
    skipped = [(j.kind, j.status, j.note) for j in world.log.jobs() if j.kind.startswith("digest")]
    assert skipped == [("digest-waiting", "skipped", NOTHING_CLOSED), ("digest", "skipped", NOTHING_CLOSED)]
    world.run(datetime(2026, 11, 23, 13, 0, tzinfo=UTC))
    assert texts(team, "CCURATORS")[:2] == ["Rollout digest: week of 2026-11-16", "Support: 1 playbook"]


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
    committed(store).playbooks.load(
        [parse_playbook({**SUPPORT_REPLIES, "timezone": "Asia/Kolkata"})], "UTC", "test", clock()
    )
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


def test_week_ones_nudge_and_status_show_the_input_contract(engine, slack, store, clock, bot):
    from cadence.definition import parse_playbook
    from tests.conftest import SUPPORT_REPLIES

    slack.add_channel(CHANNEL, [OWNER, MEMBER, "UROLLOUTBOT"])
    contract = {"inputs": ["ticket text", "customer profile"], "outputs": ["reply sent to the customer"]}
    committed(store).playbooks.load([parse_playbook({**SUPPORT_REPLIES, **contract})], "UTC", "test", clock())
    state = store.playbooks.state("support-replies")
    begin_cycle(store, state.playbook.id, 1, date(2026, 11, 16), OWNER, clock())
    world = Engine(engine, slack, Clock(datetime(2026, 11, 15, tzinfo=UTC)))
    world.run(datetime(2026, 11, 16, 8, 0, tzinfo=UTC))
    world.run(datetime(2026, 11, 23, 8, 0, tzinfo=UTC))
    nudges = [m for m in slack.posted(CHANNEL) if "week" in m["text"] and "of cycle 1." in m["text"]]
    said = "*Input contract:* takes ticket text, customer profile; hands over reply sent to the customer."
    assert said in str(nudges[0]["blocks"]) and said not in str(nudges[1]["blocks"])
    assert said in bot.command("status support-replies").text
