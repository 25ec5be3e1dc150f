"""The cadence engine's rules on the fakes (usecases/tick.py through tests/usecases/fast/
ticking.py): each member's Thursday DM at 15:00 in their own zone, with buttons naming the
playbook and week; a catch-up after downtime that sends nothing stale; the digest to the
curators channel, or else a word to the admins once a week, and none before a week has
closed; week one's nudge naming the input contract; a tick run twice doing everything once;
Slack down while listing the team delaying the DMs; the collector paused only while a week
closes; the owner told once what is missing at Friday 15:00 in their zone. A whole cycle
through Slack and two ticks at once are tests/usecases/test_tick.py's."""

from __future__ import annotations

import gc
import json
import sys
from datetime import UTC, date, datetime, timedelta

from handlers import present_status
from slack_api.members import Person
from tests import fakes, reported
from tests.fakes import ADMIN, CHANNEL, MEMBER, OWNER, FakeDirectory
from tests.usecases.fast.ticking import Ticking
from usecases import status
from usecases.clock.jobs.digests import NOTHING_CLOSED
from usecases.shared import messages

NEW_YORK, NO_TZ, A_BOT, GONE = "UNEWYORK01", "UNOTZ00001", "UABOT00001", "UGONE00001"
HUMANS = [OWNER, MEMBER, NEW_YORK, NO_TZ]
CURATORS = "CCURATORS1"


def at(day: int, hour: int = 0, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def world(**definition):
    """support-replies, cycle 1 from Monday 16 November 2026, its team in Berlin, New York
    and no zone, with a bot and a deleted account in the channel; the org's zone UTC."""
    directory = FakeDirectory(
        {CHANNEL: [*HUMANS, A_BOT, GONE]},
        {
            NEW_YORK: Person(NEW_YORK, "America/New_York"),
            NO_TZ: Person(NO_TZ, None),
            A_BOT: Person(A_BOT, "UTC", is_bot=True),
            GONE: Person(GONE, "Europe/Berlin", deleted=True),
        },
    )
    state = fakes.a_playbook(cycle_started=date(2026, 11, 16), **definition)
    services = fakes.services(state, now=at(15), directory=directory, org_timezone="UTC")
    return services, Ticking(services)


def curators_channel(services, when):
    fakes.store_of(services).org.set_setting("curators_channel", CURATORS, OWNER, when)


def test_each_member_gets_the_thursday_dm_at_15_in_their_zone_and_no_bot_or_deleted_account_does():
    _, clock = world()
    clock.run_through(at(19, 12), at(19, 21), step=timedelta(minutes=30))
    sent = clock.sent_at("checkin:")
    assert sent[NEW_YORK] == at(19, 20)  # 15:00 in New York
    assert sent[MEMBER] == at(19, 14)  # 15:00 in Berlin
    assert sent[NO_TZ] == at(19, 14)  # no zone: the playbook's (Berlin)
    assert set(sent) == set(HUMANS)


def test_the_dm_has_buttons_that_name_the_playbook_and_week():
    _, clock = world()
    clock.run(at(19, 14))
    [dm] = [m for m in clock.store.held.outbox if m.channel == MEMBER]
    assert dm.payload["text"] == "check in for support-replies, week 1 of cycle 1"
    buttons = next(b for b in dm.payload["blocks"] if b["type"] == "actions")["elements"]
    assert [b["action_id"] for b in buttons] == ["checkin_attest", "checkin_deviation", "checkin_kpi"]
    pid = clock.store.playbooks.state("support-replies").playbook.id
    assert json.loads(buttons[0]["value"]) == {"playbook": pid, "week": "2026-11-16"}


def test_catch_up_after_downtime_sends_nothing_stale_and_the_rhythm_goes_on():
    _, clock = world()
    clock.run(at(16, 8))  # Monday 09:00 Berlin: week 1's nudge
    clock.run(at(2, 12, month=12))  # back on Wednesday of week 3
    assert clock.texts(CHANNEL) == [
        "support-replies: week 1 of cycle 1. Pick the workflow, set the one KPI, publish the mode map.",
        "support-replies: week 1 of cycle 1 closed",
        "support-replies: week 2 of cycle 1 closed",
        "support-replies / send: warning",  # ai-led with no case count for two weeks: the rules ran, in order
    ]
    jobs = clock.store.held.jobs
    assert sorted(j.week_start for j in jobs if j.kind == "nudge" and j.status == "skipped") == [
        date(2026, 11, 23),
        date(2026, 11, 30),
    ]  # weeks 2 and 3: too late to be worth sending
    pid = clock.store.playbooks.state("support-replies").playbook.id
    lapsed = sorted(j.key for j in jobs if j.user_id is None and j.kind in ("checkin", "reminder"))
    assert lapsed == [
        f"{kind}:{pid}:{week}:*" for kind in ("checkin", "reminder") for week in ("2026-11-16", "2026-11-23")
    ]
    assert all(clock.texts(p) == [] for p in HUMANS)
    clock.run(at(3, 14, month=12))  # week 3's Thursday DMs arrive on time
    assert clock.texts(MEMBER) == ["check in for support-replies, week 3 of cycle 1"]


def test_the_digest_goes_to_the_curators_channel_on_monday():
    services, clock = world()
    curators_channel(services, at(1))
    clock.run_through(at(23, 8), at(23, 14))
    assert clock.texts(CURATORS)[:2] == ["Rollout digest: week of 2026-11-16", "Support: 1 playbook"]
    assert "*support-replies*" in str(clock.store.held.sent(CURATORS)[1].payload["blocks"])


def test_without_a_curators_channel_the_digest_waits_and_the_admins_hear_once_a_week():
    services, clock = world()
    clock.run(at(23, 13))
    clock.run(at(23, 14))
    assert clock.texts(ADMIN) == ["The curators' digest for the week of 2026-11-16 has nowhere to go"]
    clock.run(at(30, 13))  # still no channel: one more a week, no more
    assert len(clock.texts(ADMIN)) == 2
    assert not [j for j in clock.store.held.jobs if j.kind == "digest"]  # nothing marked sent or lost
    curators_channel(services, at(30, 15))
    clock.run(at(30, 15, 1))
    assert clock.texts(CURATORS)[0] == "Rollout digest: week of 2026-11-23"  # the latest waiting one
    assert "week of 2026-11-16" not in " ".join(clock.texts(CURATORS))
    clock.run(at(30, 16))
    assert clock.texts(CURATORS).count("Rollout digest: week of 2026-11-23") == 1
    clock.run(at(7, 13, month=12))
    assert clock.texts(CURATORS).count("Rollout digest: week of 2026-11-30") == 1


def test_no_digest_and_no_word_to_the_admins_before_a_week_has_closed():
    """Monday 16 November, the cycle's first day: nothing to report. The digest is not
    sent (a skipped unit, said why), the admins hear nothing; the next Monday's goes out."""
    services, clock = world()
    clock.run(at(16, 13))
    assert clock.texts(ADMIN) == []
    curators_channel(services, at(16, 14))
    clock.run(at(16, 14, 1))  # the waiting Monday's digest: still nothing closed
    assert clock.texts(CURATORS) == []
    skipped = [(j.kind, j.status, j.note) for j in clock.store.held.jobs if j.kind.startswith("digest")]
    assert skipped == [("digest-waiting", "skipped", NOTHING_CLOSED), ("digest", "skipped", NOTHING_CLOSED)]
    clock.run(at(23, 13))
    assert clock.texts(CURATORS)[:2] == ["Rollout digest: week of 2026-11-16", "Support: 1 playbook"]


def test_week_ones_nudge_and_status_show_the_input_contract():
    services, clock = world(inputs=["ticket text", "customer profile"], outputs=["reply sent to the customer"])
    clock.run(at(16, 8))
    clock.run(at(23, 8))
    nudges = [m for m in clock.store.held.sent(CHANNEL) if "of cycle 1." in m.payload["text"]]
    said = "*Input contract:* takes ticket text, customer profile; hands over reply sent to the customer."
    assert said in str(nudges[0].payload["blocks"]) and said not in str(nudges[1].payload["blocks"])
    shown = status.status(fakes.caller(services, OWNER), messages.Status("support-replies"))
    assert said in str(present_status.status(shown))  # as /rollout status words it


def test_a_tick_run_twice_does_everything_once():
    _, clock = world()
    first = clock.run(at(19, 20))
    enqueued = len(clock.store.held.outbox)
    second = clock.run(at(19, 20))
    assert first.counts and not second.counts
    assert len(clock.store.held.outbox) == enqueued


def test_the_collector_is_paused_only_while_a_week_closes():
    _, clock = world()
    collections = []  # for each collection: did it start inside a week's close?

    def count(phase, info):
        if phase == "start":
            frame, closing = sys._getframe(), False
            while frame is not None and not closing:
                closing = frame.f_code.co_name == "close_round"
                frame = frame.f_back
            collections.append(closing)

    clock.run(at(16, 8))
    gc.callbacks.append(count)
    try:
        gc.set_threshold(1)  # collect at nearly every allocation, unless paused
        report = clock.run(at(23, 12))
    finally:
        gc.set_threshold(700, 10, 10)
        gc.callbacks.remove(count)
    assert report.counts[("close", "done")] == 1
    assert collections and not any(collections), "the rest of the tick still collects; the close does not"
    assert gc.isenabled()
    gc.disable()  # a host that runs without the collector keeps it off
    try:
        clock.run(at(30, 12))
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_slack_down_while_listing_the_team_delays_dms_without_losing_them():
    services, clock = world()
    directory = services.directory
    directory.down = "service_unavailable"
    report = clock.run(at(19, 14))
    assert report.unreachable == [CHANNEL]
    assert clock.texts(MEMBER) == []
    directory.down = None
    clock.run(at(19, 15))
    assert clock.texts(MEMBER) == ["check in for support-replies, week 1 of cycle 1"]


def test_the_owner_hears_once_what_is_missing_at_friday_15_in_their_zone():
    """A playbook in Kolkata, its owner in Los Angeles; a restart between Friday's DM and
    Monday's close sends nothing twice; a week with everything reported sends nothing."""
    directory = FakeDirectory(
        {CHANNEL: [OWNER, MEMBER]},
        {OWNER: Person(OWNER, "America/Los_Angeles"), MEMBER: Person(MEMBER, "Asia/Kolkata")},
    )
    state = fakes.a_playbook(cycle_started=date(2026, 11, 16), timezone="Asia/Kolkata")
    services = fakes.services(state, now=at(15), directory=directory, org_timezone="UTC")
    store = fakes.store_of(services)
    pid = state.playbook.id
    draft, send, refunds = (state.step(n).id for n in ("draft", "send", "refunds"))
    when = at(18)
    reported.add_case_count(store, pid, draft, date(2026, 11, 16), 20, OWNER, when)
    reported.add_rubric_score(store, pid, draft, date(2026, 11, 16), 0.95, OWNER, when)

    def missing():
        return [m for m in store.held.sent(OWNER) if "numbers missing" in m.payload["text"]]

    first = Ticking(services)
    first.run(at(20, 22, 59))  # Friday 14:59 in Los Angeles
    assert missing() == []
    first.run(at(20, 23))  # 15:00 there
    [dm] = missing()
    text = str(dm.payload["blocks"])
    # send is AI-led, and readiness wants its rubric scores too (no evidence is not a pass)
    assert "*send*, *refunds*" in text and "Rubric scores: *send*, *refunds*" in text
    assert "First-response time" in text and "closes on Mon 23 Nov 12:00 Asia/Kolkata" in text
    assert "The guardrail, *CSAT*" in text
    assert "*draft*" not in text.split("Case counts")[1].split("\\n")[0]

    second = Ticking(services)  # a restart before the close
    second.run(at(21, 3))
    assert len(missing()) == 1

    week2 = date(2026, 11, 23)
    for step in (draft, send, refunds):  # week 2: everything is reported
        reported.add_case_count(store, pid, step, week2, 20, OWNER, when)
        reported.add_rubric_score(store, pid, step, week2, 0.95, OWNER, when)
    reported.add_kpi_reading(store, pid, week2, 20, MEMBER, when)
    reported.add_guardrail_reading(store, pid, week2, 4.8, MEMBER, when)
    second.run(at(27, 23, 30))
    assert len(missing()) == 1
    assert [j.note for j in store.held.jobs if j.kind == "owner-reminder"] == [None, "nothing missing"]
