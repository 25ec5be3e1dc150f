"""A playbook's life against its reports and its clock on the fakes (issue 24, items 11, 13
and 15): a week paused and resumed in keeps taking reports until it closes; no week is
judged that closed before its cycle was started; a paused or retired playbook's cycle counts
once in the digest, of the week its last week closed. A retired playbook's DM buttons and
forms are tests/usecases/test_lifecycle.py's, through Slack."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from cadence import keys
from handlers import replies
from tests import fakes
from tests.fakes import CHANNEL, MEMBER, OWNER
from tests.usecases.fast.slash import slash
from tests.usecases.fast.ticking import Ticking
from usecases import checkins, commands
from usecases.shared import messages

SLUG = "support-replies"
CURATORS = "CCURATORS1"
WEDNESDAY = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)  # week 1 of cycle 1, from Monday 16 November


def test_the_clock_judges_no_week_that_closed_before_its_cycle_was_started():
    """A cycle back-dated in the data (as the bot once accepted): its weeks that had
    closed when it was started get no verdict, and no step is demoted for them."""
    state = fakes.a_playbook(cycle_started=date(2026, 11, 2), timezone="Asia/Tokyo")
    state.anchor.created_at = WEDNESDAY  # started on the Wednesday of its week 3
    services = fakes.services(state, now=WEDNESDAY, org_timezone="UTC")
    clock = Ticking(services)
    clock.run(WEDNESDAY)
    assert clock.store.held.governance.verdicts == []
    assert clock.store.playbooks.state(SLUG).step("send").mode == "ai-led"
    clock.run(datetime(2026, 11, 23, 3, 0, tzinfo=UTC))  # Monday noon in Tokyo: week 3 closes
    assert {v.week_start for v, _ in clock.store.held.governance.verdicts} == {date(2026, 11, 16)}


@pytest.mark.parametrize("ending", ["pause", "retire"])
def test_an_ended_cycle_counts_in_the_digest_of_the_week_its_last_week_closed(ending):
    """The clock ran late that Monday (its first tick after the close came after the
    digest's slot): the cycle still counts in that Monday's digest, and in no later one."""
    services = fakes.services(fakes.a_playbook(cycle_started=date(2026, 11, 16)), now=WEDNESDAY, org_timezone="UTC")
    store = fakes.store_of(services)
    store.org.set_setting("curators_channel", CURATORS, OWNER, datetime(2026, 11, 1, tzinfo=UTC))
    clock = Ticking(services)
    clock.run(datetime(2026, 11, 23, 13, 0, tzinfo=UTC))  # week 1 closes; the digest of 23 November
    clock.clock.at = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
    owner, cmd = fakes.caller(services, OWNER), messages.Pause(SLUG, "team offsite", retire=ending == "retire")
    assert "still closes" in json.dumps(replies.pause(owner, cmd, commands.pause(owner, cmd)))
    clock.run(datetime(2026, 11, 30, 14, 0, tzinfo=UTC))  # week 2 closed at 11:00 UTC, the digest was due at 13:00
    clock.run(datetime(2026, 12, 7, 13, 0, tzinfo=UTC))
    clock.run(datetime(2026, 12, 14, 13, 0, tzinfo=UTC))
    summaries = [m for m in store.held.sent(CURATORS) if m.payload["text"].startswith("Rollout digest")]
    assert [m.payload["text"][-10:] for m in summaries] == ["2026-11-16", "2026-11-23", "2026-11-30", "2026-12-07"]
    completed = [json.dumps(m.payload["blocks"], ensure_ascii=False) for m in summaries]
    assert "*0* cycles completed this week (0 in all)" in completed[0]
    assert "*1* cycle completed this week (1 in all)" in completed[1]  # cycle 1 ended with week 2
    assert "*0* cycles completed this week (1 in all)" in completed[2]  # and is not counted again
    assert "*0* cycles completed this week (1 in all)" in completed[3]


def test_a_pause_and_a_resume_in_the_same_week_leave_that_week_open_until_it_closes():
    """Issue 24, item 11: paused and resumed on the Wednesday of week 2, the week still takes
    reports (typed, and the check-in DM's KPI form through usecases/checkins.py) until it
    closes; the close judges weeks 1 and 2 alone, the cycle interrupted; then week 2 is
    closed to reports and cycle 2 takes them."""
    services = fakes.services(fakes.a_playbook(cycle_started=date(2026, 11, 16)), now=WEDNESDAY)
    clock = Ticking(services)
    clock.clock.at = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)  # Wednesday of week 2
    assert "is paused" in slash(services, "pause support-replies team offsite", OWNER)
    assert "Cycle 2" in slash(services, "resume support-replies", OWNER)  # on Monday 30 November
    assert "week 2 of cycle 1" in slash(services, "kpi support-replies 20")
    pid = clock.store.playbooks.state(SLUG).playbook.id
    member = fakes.caller(services, MEMBER)
    sent = checkins.sent_week(member, keys.read_checkin_button(keys.checkin_button(pid, date(2026, 11, 23))))
    assert sent is not None  # the DM's KPI form is for week 2, which still takes reports
    checkins.kpi_from_form(member, *sent, 19.0, False, None)
    assert "Withdrew your KPI reading" in slash(services, "undo support-replies")
    assert len(clock.store.reports.stored("kpi")) == 1

    clock.run_through(datetime(2026, 11, 25, 11, 0, tzinfo=UTC), datetime(2026, 11, 30, 10, 0, tzinfo=UTC))
    clock.clock.at = datetime(2026, 11, 30, 10, 30, tzinfo=UTC)  # Monday 11:30 in Berlin: inside week 2's grace
    assert "week 2 of cycle 1" in slash(services, "kpi support-replies 18 week:2")
    clock.run(datetime(2026, 11, 30, 11, 0, tzinfo=UTC))  # Monday noon in Berlin: week 2 closes
    assert "support-replies: week 2 of cycle 1 closed" in clock.texts(CHANNEL)
    governance = clock.store.held.governance
    assert sorted({v.week_start for v, _ in governance.verdicts}) == [date(2026, 11, 16), date(2026, 11, 23)]
    [result] = [r.result for r, _ in governance.cycle_results]
    assert (result.cycle, result.hit) == (1, False)  # interrupted
    refused = slash(services, "kpi support-replies 17 week:2")
    assert ":warning:" in refused and "Usage:" in refused and "closed on Mon 30 Nov 12:00 Europe/Berlin" in refused
    assert "week 1 of cycle 2" in slash(services, "kpi support-replies 17")
