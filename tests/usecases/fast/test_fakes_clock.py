"""The fakes of what the clock and the edges keep behave as the real ones on the points
the use cases rely on: a unit of work's key is recorded once with its messages, a week
closes once and never reopens, a hold on Slack is news once, a sign-in link works once,
the exception queue's items are the reports', an escalation is written once for an item
as it stands, and the readouts count what was asked and answered."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from cadence.change import Change, Message, ModeChange
from cadence.escalation import Escalation
from cadence.exception_queue import ACKNOWLEDGED, RESOLVED
from storage.cadence_log import Work
from storage.exception_items import Moved
from storage.governance_rows import StaleState
from storage.report_batches import new_report
from tests import fakes
from tests.committed import committed
from tests.fakes import MEMBER, NOW, OWNER, FakeStore
from usecases.shared import work as work_log

WEEK = date(2026, 3, 9)


def work(key, *messages, kind="checkin", playbook_id=None, week=WEEK, user=None):
    return Work(key, kind, NOW, "done", playbook_id, week, user, None, list(messages))


def message(key, channel="C1"):
    return Message(key, "chat.postMessage", channel, {"text": key})


def test_a_unit_of_cadence_work_is_recorded_once_with_its_messages():
    store = FakeStore()
    assert work_log.record(store, [work("a", message("m1")), work("b", message("m2"))], NOW) == {"a", "b"}
    assert work_log.record(store, [work("a", message("m3")), work("c")], NOW) == {"c"}
    assert [m.key for m in store.held.outbox] == ["m1", "m2"]
    assert [j.key for j in store.cadence_log.jobs()] == ["a", "b", "c"]


def test_the_clocks_cursors_and_who_was_asked():
    state = fakes.a_playbook()
    pid = state.playbook.id
    store = FakeStore(state)
    work_log.record(
        store,
        [
            work("w1", playbook_id=pid, user=MEMBER),
            work("w2", playbook_id=pid, user=OWNER, week=WEEK + timedelta(days=7)),
            work("d", kind="digest", week=WEEK),
        ],
        NOW,
    )
    assert store.cadence_log.latest_weeks() == ({pid: {"checkin": WEEK + timedelta(days=7)}}, {"digest": WEEK})
    assert store.cadence_log.recorded_members([(pid, "checkin", WEEK)]) == {(pid, "checkin", WEEK, MEMBER)}
    committed(store).reports.add_checkin(pid, WEEK, MEMBER, "yes", None, None, NOW)
    assert store.cadence_log.checked_in([(pid, WEEK)]) == {(pid, WEEK, MEMBER)}
    assert store.readouts.checkin_counts([(pid, WEEK)]) == {pid: (1, 1)}
    assert not store.cadence_log.any_close_through(WEEK)


def test_a_close_is_recorded_once_and_a_week_never_reopens():
    state = fakes.a_playbook()
    pid = state.playbook.id
    store = FakeStore(state)
    committed(store).governance.close_weeks([(pid, WEEK)])
    committed(store).governance.close_weeks([(pid, WEEK - timedelta(days=7))])
    assert store.playbooks.state_by_id(pid).playbook.closed_through == WEEK
    close = work("close:1", message("summary"), kind="close", playbook_id=pid)
    assert committed(store).governance.record_judged([(close, Change(messages=[message("alert")]))], NOW) == {"close:1"}
    assert committed(store).governance.record_judged([(close, Change(messages=[message("again")]))], NOW) == set()
    assert [m.key for m in store.held.outbox] == ["summary", "alert"] and store.cadence_log.any_close_through(WEEK)
    step = state.steps[0]
    stale = Change(mode_changes=[ModeChange(step.id, "ai-led", "human-led")])
    with pytest.raises(StaleState):
        committed(store).governance.record_judged([(work("close:2", kind="close", playbook_id=pid), stale)], NOW)
    assert "close:2" not in {j.key for j in store.cadence_log.jobs()}


def test_slack_refusing_the_token_is_news_once():
    store = FakeStore()
    assert store.health.lose_slack_access("token_revoked", NOW) and not store.health.lose_slack_access("again", NOW)
    assert store.health.slack_access_lost() == ("token_revoked", NOW) and store.health.any_hold()
    assert store.health.regain_slack_access() and not store.health.regain_slack_access()
    assert store.health.slack_access_lost() is None


def test_a_sign_in_link_works_once_and_a_session_until_it_ends():
    store = FakeStore()
    committed(store).web_logins.add("link", MEMBER, NOW + timedelta(minutes=10))
    assert (
        committed(store).web_logins.use("link", NOW) == MEMBER and committed(store).web_logins.use("link", NOW) is None
    )
    committed(store).web_logins.add("late", MEMBER, NOW)
    assert committed(store).web_logins.use("late", NOW) is None  # expired
    committed(store).web_logins.add_session("s1", MEMBER, NOW, NOW + timedelta(hours=12))
    assert store.web_logins.session_user("s1", NOW) == MEMBER
    assert store.web_logins.session_user("s1", NOW + timedelta(hours=12)) is None
    committed(store).web_logins.add("unused", MEMBER, NOW + timedelta(minutes=10))
    assert (
        committed(store).web_logins.end_sessions_of(MEMBER) == 1
        and committed(store).web_logins.use("unused", NOW) is None
    )


def test_request_keys_are_seen_once_and_forgotten():
    store = FakeStore()
    assert store.request_keys.first_time(["k1"], NOW) and not store.request_keys.first_time(["k1", "k2"], NOW)
    assert committed(store).request_keys.forget(NOW + timedelta(seconds=1)) == 1 and store.request_keys.first_time(
        ["k1"], NOW
    )


def test_the_exception_queue_is_the_reports_and_their_moves():
    state = fakes.a_playbook()
    pid, step = state.playbook.id, state.steps[0].id
    store = FakeStore(state)
    committed(store).reports.add_reports(
        [new_report("exception", pid, WEEK, OWNER, NOW, step_id=step, reason="refund")]
    )
    committed(store).reports.add_checkin(pid, WEEK, MEMBER, "deviated", step, "model down", NOW + timedelta(minutes=1))
    committed(store).reports.add_checkin(pid, WEEK, OWNER, "yes", None, None, NOW)
    items = store.exception_items.open_of([pid])
    assert [(i.source, i.reason, i.logged_by) for i in items] == [
        ("exception", "refund", OWNER),
        ("deviation", "model down", MEMBER),
    ]
    first = items[0]
    committed(store).exception_items.move(first, ACKNOWLEDGED, None, OWNER, NOW)
    with pytest.raises(Moved):
        committed(store).exception_items.move(first, RESOLVED, "done", OWNER, NOW)  # read before the move
    moved = store.exception_items.item(first.source, first.report_id)
    assert (moved.state, moved.moves) == (ACKNOWLEDGED, 1)
    heads, counts = store.exception_items.open_heads([pid], 1)
    assert len(heads[pid]) == 1 and counts == {pid: 2}
    assert store.exception_items.open_by_step(pid, 5)[step][1:] == (2, 1)
    committed(store).exception_items.move(moved, RESOLVED, "done", OWNER, NOW)
    assert [i.source for i in store.exception_items.open_of([pid])] == ["deviation"]
    assert [e.state for e in store.exception_items.events_of(pid)] == [ACKNOWLEDGED, RESOLVED]
    assert store.readouts.reasons([(pid, WEEK)]) == [
        (pid, step, "exception", "refund"),
        (pid, step, "deviation", "model down"),
    ]


def test_an_item_is_escalated_once_as_it_stands():
    state = fakes.a_playbook()
    pid = state.playbook.id
    store = FakeStore(state)
    committed(store).reports.add_reports(
        [new_report("exception", pid, WEEK, OWNER, NOW, step_id=None, reason="refund")]
    )
    assert store.escalations.due({pid: 48}, NOW + timedelta(hours=47), 10) == []
    [item] = store.escalations.due({pid: 48}, NOW + timedelta(hours=48), 10)
    escalation = Escalation(item.source, item.report_id, pid, 0, NOW, "SLA", "clock")
    assert len(committed(store).escalations.record([escalation])) == 1
    assert committed(store).escalations.record([escalation]) == set()
    assert store.escalations.due({pid: 48}, NOW + timedelta(hours=48), 10) == []
    assert store.escalations.current_of([pid]) == {(item.source, item.report_id): escalation}
    assert committed(store).escalations.clear(escalation, OWNER, NOW) and not committed(store).escalations.clear(
        escalation, OWNER, NOW
    )
    assert store.escalations.latest(item.source, item.report_id).cleared_by == OWNER
    committed(store).exception_items.move(item, ACKNOWLEDGED, None, OWNER, NOW)
    later = Escalation(item.source, item.report_id, pid, 0, NOW, "stale", "clock")
    assert committed(store).escalations.record([later]) == set()  # the item moved since
    assert store.held.outbox == []  # the messages are the use case's Change


def test_a_lost_channels_waiting_messages_fail():
    state = fakes.a_playbook()
    store = FakeStore(state)
    committed(store).outbox.enqueue([message("a", "CLOST"), message("b", "COTHER")], NOW)
    [lost] = committed(store).outbox.fail_undeliverable("CLOST", "channel_not_found", NOW, NOW - timedelta(days=7))
    assert (lost.key, lost.status, lost.error) == ("a", "failed", "channel_not_found (the channel was lost)")
    assert store.held.delivery["b"][0] == "pending"


def test_the_items_before_a_playbooks_handoff_terms_are_a_backlog_told_once():
    from cadence.definition_load import parse_playbook
    from tests.fakes.playbooks import rewritten

    state = fakes.a_playbook()
    pid = state.playbook.id
    store = FakeStore(state)
    committed(store).reports.add_reports([new_report("exception", pid, WEEK, OWNER, NOW, step_id=None, reason="old")])
    handoff = {"escalate_to": OWNER, "sla_hours": 48}
    raw = {**state.playbook.definition, "handoff": handoff}
    later = NOW + timedelta(hours=1)
    moved, _ = rewritten(state, parse_playbook(raw), "Europe/Berlin", OWNER, later)
    store.held.put(moved)
    assert store.playbooks.state_by_id(pid).playbook.handoff_since == later
    assert store.escalations.due({pid: 48}, NOW + timedelta(days=3), 10) == []  # before the terms: the backlog's
    [old] = store.escalations.backlog(pid, later)
    assert old.reason == "old"
    with pytest.raises(TypeError):
        store.escalations.backlog_told(pid, later, NOW)  # its mark goes with its message
    with store.unit_of_work() as uow:
        assert uow.escalations.backlog_told(pid, later, NOW) and not uow.escalations.backlog_told(pid, later, NOW)
        uow.commit()
    assert store.playbooks.state_by_id(pid).playbook.handoff_backlog_at == NOW
