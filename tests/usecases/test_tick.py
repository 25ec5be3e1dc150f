"""The cadence engine end to end: a whole cycle through the outbox to the Slack stand-in
on a fake clock, and two clock processes ticking at once. Its rules (each member's zone,
the DM's buttons, a catch-up, the digest's way, week one's input contract, a tick run twice,
Slack down, the collector, the owner's Friday DM) are tests/usecases/fast/test_tick.py's."""

import threading
from datetime import UTC, date, datetime

import pytest

from storage.db import make_engine
from tests.committed import committed
from tests.conftest import CHANNEL, MEMBER, OWNER, Clock, Engine

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
