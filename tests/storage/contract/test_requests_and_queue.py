"""The contract of the requests waiting for a curator (bar and publish), the exception
queue and its escalations, and the webhooks, on the database and on the fake alike."""

from __future__ import annotations

from datetime import timedelta

import pytest

from cadence.definition_load import parse_playbook
from cadence.escalation import Escalation
from cadence.report_kinds import ReportKind
from storage.exception_items import Moved
from storage.models.governance import BarRequest, PublishRequest
from storage.weekly_reports import new_report
from tests.committed import committed
from tests.storage.contract.conftest import AT, WEEK


def _bar(pid, asked_by="UOWNER", at=AT):
    return BarRequest(
        playbook_id=pid, owner_id="UOWNER", asked_by=asked_by, asked_at=at, reason="why", changes=[{"a": 1}],
        card_channel="CCUR", card_key=f"card:{asked_by}:{at.isoformat()}",
    )  # fmt: skip


def test_bar_requests(side):
    pid = side.playbook.playbook.id
    bars = committed(side.store).bar_requests
    assert bars.ask(_bar(pid), AT) is None
    first = side.store.bar_requests.open_for(pid)
    replaced = bars.ask(_bar(pid, at=AT + timedelta(minutes=1)), AT + timedelta(minutes=1))
    assert (replaced.id, replaced.state) == (first.id, "replaced")
    second = side.store.bar_requests.open_for(pid)
    assert bars.refound(second.id, [{"b": 2}]) and side.store.bar_requests.get(second.id).changes == [{"b": 2}]
    assert bars.decide(second.id, "approved", AT, decided_by="UCUR", effective_from=WEEK)
    assert not bars.decide(second.id, "declined", AT, decided_by="UCUR")  # no longer open
    assert not bars.refound(second.id, [])
    assert [(r.id, r.state, r.decided_by) for r in side.store.bar_requests.approved()] == [
        (second.id, "approved", "UCUR")
    ]
    by_file = _bar(pid, asked_by="file:x.yaml", at=AT + timedelta(minutes=2))
    gone = bars.loaded(by_file, AT + timedelta(minutes=2), "file:")
    assert gone == [] and side.store.bar_requests.open_for(pid).asked_by == "file:x.yaml"


def _publish(pid, at=AT):
    return PublishRequest(
        playbook_id=pid, owner_id="UOWNER", asked_by="UASK", asked_at=at, reason="now", criteria=["inputs"],
        card_channel="CCUR", card_key=f"publish:{at.isoformat()}",
    )  # fmt: skip


def test_publish_requests(side):
    pid = side.playbook.playbook.id
    asks = committed(side.store).publish_requests
    assert asks.ask(_publish(pid), AT) is None
    first = side.store.publish_requests.open_for(pid)
    assert asks.ask(_publish(pid, AT + timedelta(minutes=1)), AT).state == "replaced"
    second = side.store.publish_requests.open_for(pid)
    assert second.id != first.id and side.store.publish_requests.get(first.id).state == "replaced"
    assert asks.refound(second.id, ["owners"]) and side.store.publish_requests.get(second.id).criteria == ["owners"]
    assert asks.decide(second.id, "published", AT, decided_by="UCUR", version=2)
    assert not asks.decide(second.id, "declined", AT, decided_by="UCUR") and not asks.refound(second.id, [])
    done = side.store.publish_requests.get(second.id)
    assert (done.state, done.version, done.decided_by, side.store.publish_requests.open_for(pid)) == (
        "published",
        2,
        "UCUR",
        None,
    )
    assert (
        asks.decide(second.id, "void", AT, "published") and side.store.publish_requests.get(second.id).state == "void"
    )


def _exception(side):
    pid, step = side.playbook.playbook.id, side.playbook.step("refunds").id
    report = new_report(ReportKind.EXCEPTION, pid, WEEK, "U1", AT, step_id=step, reason="over the limit")
    committed(side.store).reports.add_reports([report])
    (item,) = side.store.exception_items.open_of([pid])
    return item


def test_exception_items_moved(side):
    item = _exception(side)
    queue = committed(side.store).exception_items
    queue.move(item, "acknowledged", "on it", "U2", AT)
    with pytest.raises(Moved):
        queue.move(item, "resolved", "again", "U2", AT)  # moved since it was read
    now = side.store.exception_items.item(item.source, item.report_id)
    assert (now.state, now.moves, now.reason) == ("acknowledged", 1, "over the limit")
    queue.move(now, "resolved", "done", "U2", AT + timedelta(hours=1))
    assert side.store.exception_items.open_of([item.playbook_id]) == []
    moves = side.store.exception_items.events_of(item.playbook_id)
    assert [(m.seq, m.state, m.note, m.by) for m in moves] == [
        (1, "acknowledged", "on it", "U2"),
        (2, "resolved", "done", "U2"),
    ]


def test_escalations(side):
    item = _exception(side)
    escalation = Escalation(item.source, item.report_id, item.playbook_id, 0, AT, "past the SLA", "clock")
    escalations = committed(side.store).escalations
    assert len(escalations.record([escalation])) == 1
    assert escalations.record([escalation]) == set()
    latest = side.store.escalations.latest(item.source, item.report_id)
    assert (latest.reason, latest.by, latest.cleared_at) == ("past the SLA", "clock", None)
    assert (escalations.clear(latest, "U2", AT), escalations.clear(latest, "U2", AT)) == (True, False)
    assert side.store.escalations.latest(item.source, item.report_id).cleared_by == "U2"
    assert side.store.escalations.current_of([item.playbook_id]) == {}


def test_handoff_backlog_told_once(side):
    definition = {**side.playbook.playbook.definition, "handoff": {"sla_hours": 24}}
    committed(side.store).playbooks.load([parse_playbook(definition)], "UTC", "test", AT)
    since = side.playbook.playbook.handoff_since
    assert since == AT and side.playbook.playbook.handoff_backlog_at is None
    with pytest.raises(TypeError):
        side.store.escalations.backlog_told(side.playbook.playbook.id, since, AT)  # in a unit of work only
    escalations = committed(side.store).escalations
    pid, later = side.playbook.playbook.id, AT + timedelta(hours=1)
    assert not escalations.backlog_told(pid, since - timedelta(hours=1), later)  # the terms began at `since`
    assert (escalations.backlog_told(pid, since, later), escalations.backlog_told(pid, since, later)) == (True, False)
    assert side.playbook.playbook.handoff_backlog_at == later


def test_a_step_falls_back_and_ends_once(side):
    step = side.playbook.step("draft").id
    escalations = committed(side.store).escalations
    assert (escalations.fall_back(step, "human-led", AT), escalations.fall_back(step, "collaborative", AT)) == (
        True,
        False,
    )
    draft = side.playbook.step("draft")
    assert (draft.fallback_mode, draft.fallback_since) == ("human-led", AT)
    assert not escalations.fallback_ended(step, AT + timedelta(hours=1))  # not the fallback that began
    assert (escalations.fallback_ended(step, AT), escalations.fallback_ended(step, AT)) == (True, False)
    draft = side.playbook.step("draft")
    assert (draft.fallback_mode, draft.fallback_since) == (None, None)


def test_webhooks(side):
    hooks = committed(side.store).webhooks
    added = hooks.add("ops", "https://example.org/h", ["verdict"], None, "s3cret", "UADMIN", AT)
    assert (added.name, added.events, added.playbooks) == ("ops", ["verdict"], None)
    assert side.store.webhooks.names() == ["ops"] and side.store.webhooks.find("ops").url == "https://example.org/h"
    event_id = hooks.enqueue_test(side.store.webhooks.find("ops"), AT)
    assert event_id and [(w.webhook.name, w.pending, w.failed) for w in side.store.webhooks.listed()] == [("ops", 1, 0)]
    assert (hooks.remove("ops"), hooks.remove("ops")) == (True, False)
    assert side.store.webhooks.names() == [] and side.store.webhooks.find("ops") is None
