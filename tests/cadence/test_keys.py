"""The stored key formats, pinned: deployed databases hold keys written by earlier
releases under unique indexes. If one of these assertions fails, a deployed bot would
send something twice or lose the message a `chat.update` edits: don't change the
format, add a new one."""

import hashlib
from datetime import date

import pytest

from cadence import keys
from storage.models.bookkeeping import SeenRequest

WEEK = date(2026, 11, 16)


@pytest.mark.parametrize(
    ("made", "stored"),
    [
        (keys.nudge(7, WEEK), "nudge:7:2026-11-16"),
        (keys.close(7, WEEK), "close:7:2026-11-16"),
        (keys.member_work("checkin", 7, WEEK, "U0ANA0001"), "checkin:7:2026-11-16:U0ANA0001"),
        (keys.member_work("reminder", 7, WEEK, "U0ANA0001"), "reminder:7:2026-11-16:U0ANA0001"),
        (keys.lapsed_member_work("checkin", 7, WEEK), "checkin:7:2026-11-16:*"),
        (keys.digest(WEEK), "digest:2026-11-16"),
        (keys.owner_reminder(7, WEEK), "owner-reminder:7:2026-11-16"),
        (keys.digest_waiting(WEEK), "digest-waiting:2026-11-16"),
        (keys.digest_now("2026-11-16T13:00:00+00:00"), "digest-now:2026-11-16T13:00:00+00:00"),
        (keys.only_message("nudge:7:2026-11-16"), "nudge:7:2026-11-16#0"),
        (keys.to_audience("publish:7:v2", "team"), "publish:7:v2#team"),
        (keys.to_audience("publish:7:v2", "curators"), "publish:7:v2#curators"),
        (keys.updated("proposal:12:2026-11-16#team", "approved"), "proposal:12:2026-11-16#team:approved"),
        (keys.step_transitions("close:7:2026-11-16", 12), "close:7:2026-11-16:12"),
        (keys.transition("close:7:2026-11-16:12", "demotion"), "close:7:2026-11-16:12:demotion"),
        (keys.proposal(12, WEEK), "proposal:12:2026-11-16"),
        (keys.proposal_decided("proposal:12:2026-11-16", True), "proposal:12:2026-11-16:approved"),
        (keys.proposal_decided("proposal:12:2026-11-16", False), "proposal:12:2026-11-16:rejected"),
        (keys.override(12, "2026-11-18T10:00:00+00:00"), "override:12:2026-11-18T10:00:00+00:00"),
        (keys.scale(7, 2), "scale:7:2"),
        (keys.stall(7, 2), "stall:7:2"),
        (keys.pulse_hold(7, 2), "pulse-hold:7:2"),
        (keys.publish(7, 2), "publish:7:v2"),
        (keys.adopt("support-replies-emea"), "adopt:support-replies-emea"),
        (keys.newer_version(7, 3), "newer:7:v3"),
        (keys.upgraded(7, 3), "upgraded:7:v3"),
        (keys.learned_back(7, WEEK), "learned-back:7:2026-11-16"),
        (keys.digest_learned("digest:2026-11-16"), "digest:2026-11-16#learned"),
        (keys.channel_lost(7, "2026-11-18T10:00:00+00:00"), "channel-lost:7:2026-11-18T10:00:00+00:00"),
        (keys.source_failed(7, WEEK, "helpdesk"), "source-failed:7:2026-11-16:helpdesk"),
        (keys.input_below(7, WEEK, "ticket history"), "input-below:7:2026-11-16:dfbf88d0c9887d30"),
        (keys.owner_gone(7, "U1", "2026-11-18T10:00:00+00:00"), "owner-gone:7:U1:2026-11-18T10:00:00+00:00"),
        (keys.hand_over(7, "2026-11-18T10:00:00+00:00"), "owner:7:2026-11-18T10:00:00+00:00"),
        (keys.digest_summary("digest:2026-11-16"), "digest:2026-11-16#summary"),
        (keys.digest_function("digest:2026-11-16", "support", 1), "digest:2026-11-16#fn:support:1"),
        (keys.digest_chart("digest:2026-11-16", "support"), "digest:2026-11-16#chart:support"),
        (keys.home_refresh("U0ANA0001", "ab12"), "home:U0ANA0001:ab12"),
        (keys.dm_update("ab12"), "dm-update:ab12"),
        (keys.setup_asked(7), "setup-asked:7"),
        (keys.seen_signature("v0=" + "a" * 200), "sig:v0=" + "a" * 97),
        (keys.seen_event("Ev123"), "event:Ev123"),
        (keys.seen_view("V0123", "1569.ab"), "view:" + hashlib.sha256(b'["V0123", "1569.ab"]').hexdigest()),
        (keys.exception_queue(7, WEEK), "exception-queue:7:2026-11-16"),
        (keys.exception_item("exception", 12), "e:12"),
        (keys.exception_item("deviation", 12), "d:12"),
        (keys.usage_failed("copilot", "2026-11-18T06:17:00+00:00"), "usage-failed:copilot:2026-11-18T06:17:00+00:00"),
    ],
)
def test_formats_are_the_ones_deployed_databases_hold(made, stored):
    assert made == stored


@pytest.mark.parametrize(
    "key",
    [
        keys.nudge(7, WEEK),
        keys.close(7, WEEK),
        keys.member_work("checkin", 7, WEEK, "U0ANA0001"),
        keys.lapsed_member_work("reminder", 7, WEEK),
        keys.digest(WEEK),
        keys.digest_waiting(WEEK),
    ],
)
def test_work_keys_round_trip(key):
    parts = keys.parse_work(key)
    remade = {
        "nudge": lambda: keys.nudge(parts.playbook_id, parts.week_start),
        "close": lambda: keys.close(parts.playbook_id, parts.week_start),
        "digest": lambda: keys.digest(parts.week_start),
        "digest-waiting": lambda: keys.digest_waiting(parts.week_start),
    }.get(parts.kind, lambda: keys.member_work(parts.kind, parts.playbook_id, parts.week_start, parts.user_id))
    assert remade() == key


def test_a_stall_buttons_value_reads_back_and_nothing_else_does():
    assert keys.read_stall(keys.stall(7, 2)) == (7, 2)
    for value in (None, 7, "stall:7", "stall:x:2", "scale:7:2", "stall:7:2:3", "stall:0:2", "stall:7:1e400"):
        assert keys.read_stall(value) is None


def test_an_items_value_reads_back_and_nothing_else_does():
    assert keys.read_exception_item("e:12") == ("exception", 12)
    assert keys.read_exception_item("d:3") == ("deviation", 3)
    for bad in ("x:1", "e:", "e:-1", "e:99999999999", None, 12, "e:1e3"):
        assert keys.read_exception_item(bad) is None


def test_a_views_key_fits_seen_request_whatever_the_lengths_slack_sends():
    longest = keys.seen_view("V" * 255, "9" * 255)
    assert len(longest) <= SeenRequest.__table__.c.key.type.length
    assert keys.seen_view("V" * 255, "9" * 254 + "8") != longest
    assert keys.seen_view("V1:2", "3") != keys.seen_view("V1", "2:3")
