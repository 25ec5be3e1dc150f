"""Handoffs with a fallback (issue 81, item 7; docs/playbooks.md, "Escalation with a clock"),
on the fakes: an acknowledged item still open `resolve_hours` after its acknowledgement is
escalated again by the clock, once, saying so; a closed one is not."""

from __future__ import annotations

import json
from datetime import date, timedelta

from cadence.definition import parse_playbook
from cadence.exception_queue import ACKNOWLEDGED, RESOLVED
from storage.weekly_reports import new_report
from tests import fakes
from tests.fakes import NOW, OWNER, FakeStore
from tests.fakes.playbooks import rewritten
from usecases import escalation

CURATORS = "CCURATORS1"
WEEK = date(2026, 3, 9)
LOGGED = NOW + timedelta(hours=2)
ACKED = LOGGED + timedelta(hours=1)


def with_handoff(**terms):
    state = fakes.a_playbook()
    raw = {**state.playbook.definition, "handoff": {"sla_hours": 24, "escalate_to": OWNER, **terms}}
    moved, _ = rewritten(state, parse_playbook(raw), "Europe/Berlin", OWNER, NOW + timedelta(hours=1))
    store = FakeStore(moved)
    store.held.put(moved)
    pid = moved.playbook.id
    for reason in ("refund", "tone"):
        store.reports.add_reports([new_report("exception", pid, WEEK, OWNER, LOGGED, step_id=None, reason=reason)])
    for item in store.exception_items.open_of([pid]):
        store.exception_items.move(item, ACKNOWLEDGED, None, OWNER, ACKED)
    return store, store.playbooks.state_by_id(pid)


def sent(store):
    return [m for change in store.held.governance.changes for m in change.messages]


def test_an_acknowledged_item_still_open_after_resolve_hours_is_escalated_again_once():
    store, state = with_handoff(resolve_hours=72)
    pid = state.playbook.id
    tone = next(i for i in store.exception_items.open_of([pid]) if i.reason == "tone")
    store.exception_items.move(tone, RESOLVED, "fixed", OWNER, ACKED + timedelta(hours=2))  # closed: not again
    assert escalation.escalate_due(store, [state], CURATORS, ACKED + timedelta(hours=72, seconds=-1)) == 0
    assert escalation.escalate_due(store, [state], CURATORS, ACKED + timedelta(hours=72)) == 1
    [message] = sent(store)
    assert message.channel == OWNER
    assert message.payload["text"].endswith("an exception item acknowledged 3 days ago, still open")
    assert "Acknowledged 3 days ago, still open: escalated again by the clock" in json.dumps(message.payload)
    [again] = store.held.escalations
    assert (again.after_move, again.by, again.reason) == (1, "clock", "acknowledged 3 days ago, still open")
    assert escalation.escalate_due(store, [state], CURATORS, ACKED + timedelta(days=9)) == 0  # once


def test_resolve_hours_default_to_72():
    store, state = with_handoff()
    assert escalation.escalate_due(store, [state], CURATORS, ACKED + timedelta(hours=71)) == 0
    assert escalation.escalate_due(store, [state], CURATORS, ACKED + timedelta(hours=72)) == 2


def test_an_item_acknowledged_before_the_handoff_terms_began_is_not_escalated_again():
    state = fakes.a_playbook()
    pid = state.playbook.id
    store = FakeStore(state)
    store.reports.add_reports([new_report("exception", pid, WEEK, OWNER, LOGGED, step_id=None, reason="old")])
    [item] = store.exception_items.open_of([pid])
    store.exception_items.move(item, ACKNOWLEDGED, None, OWNER, ACKED)
    raw = {**state.playbook.definition, "handoff": {"sla_hours": 24}}  # the terms begin after the acknowledgement
    moved, _ = rewritten(state, parse_playbook(raw), "Europe/Berlin", OWNER, ACKED + timedelta(hours=1))
    store.held.put(moved)
    assert store.escalations.unresolved({pid: 72}, ACKED + timedelta(days=9), 10) == []
    assert escalation.escalate_due(store, [moved], CURATORS, ACKED + timedelta(days=9)) == 0
