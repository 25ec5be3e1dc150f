"""Handoffs with a fallback (issue 81, item 7; docs/playbooks.md, "Escalation with a clock"),
on the fakes: an acknowledged item still open `resolve_hours` after its acknowledgement is
escalated again by the clock, once, saying so; a closed one is not. An ai-led step with an
escalated item waiting runs in its fallback mode, told once each way, not a demotion."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, timedelta

from cadence import keys
from cadence.calendar import WeekRef
from cadence.definition_load import parse_playbook
from cadence.exception_queue import ACKNOWLEDGED, RESOLVED
from handlers.checkins import form_view
from storage.report_batches import new_report
from templates import notices_close
from tests import fakes
from tests.committed import committed
from tests.fakes import CHANNEL, NOW, OWNER, FakeStore
from tests.fakes.playbooks import clone, rewritten
from usecases import escalation

CURATORS = "CCURATORS1"
WEEK = date(2026, 3, 9)
LOGGED = NOW + timedelta(hours=2)
ACKED = LOGGED + timedelta(hours=1)
WEEK_REF = WeekRef(1, 2, WEEK)


def with_handoff(**terms):
    state = fakes.a_playbook()
    raw = {**state.playbook.definition, "handoff": {"sla_hours": 24, "escalate_to": OWNER, **terms}}
    moved, _ = rewritten(state, parse_playbook(raw), "Europe/Berlin", OWNER, NOW + timedelta(hours=1))
    store = FakeStore(moved)
    store.held.put(moved)
    pid = moved.playbook.id
    for reason in ("refund", "tone"):
        committed(store).reports.add_reports(
            [new_report("exception", pid, WEEK, OWNER, LOGGED, step_id=None, reason=reason)]
        )
    for item in store.exception_items.open_of([pid]):
        committed(store).exception_items.move(item, ACKNOWLEDGED, None, OWNER, ACKED)
    return store, store.playbooks.state_by_id(pid)


def sent(store):
    return [m for change in store.held.governance.changes for m in change.messages]


def test_an_acknowledged_item_still_open_after_resolve_hours_is_escalated_again_once():
    store, state = with_handoff(resolve_hours=72)
    pid = state.playbook.id
    tone = next(i for i in store.exception_items.open_of([pid]) if i.reason == "tone")
    committed(store).exception_items.move(
        tone, RESOLVED, "fixed", OWNER, ACKED + timedelta(hours=2)
    )  # closed: not again
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
    committed(store).reports.add_reports(
        [new_report("exception", pid, WEEK, OWNER, LOGGED, step_id=None, reason="old")]
    )
    [item] = store.exception_items.open_of([pid])
    committed(store).exception_items.move(item, ACKNOWLEDGED, None, OWNER, ACKED)
    raw = {**state.playbook.definition, "handoff": {"sla_hours": 24}}  # the terms begin after the acknowledgement
    moved, _ = rewritten(state, parse_playbook(raw), "Europe/Berlin", OWNER, ACKED + timedelta(hours=1))
    store.held.put(moved)
    assert store.escalations.unresolved({pid: 72}, ACKED + timedelta(days=9), 10) == []
    assert escalation.escalate_due(store, [moved], CURATORS, ACKED + timedelta(days=9)) == 0


# ---- the fallback mode ----


def on_send(**terms):
    """A playbook with handoff terms and two exceptions on its ai-led step `send`, logged
    at LOGGED and never answered."""
    state = fakes.a_playbook()
    raw = {**state.playbook.definition, "handoff": {"sla_hours": 24, "escalate_to": OWNER, **terms}}
    moved, _ = rewritten(state, parse_playbook(raw), "Europe/Berlin", OWNER, NOW + timedelta(hours=1))
    store = FakeStore(moved)
    store.held.put(moved)
    pid = moved.playbook.id
    send = step_of(moved, "send")
    for reason in ("refund", "tone"):
        committed(store).reports.add_reports(
            [new_report("exception", pid, WEEK, OWNER, LOGGED, step_id=send.id, reason=reason)]
        )
    return store, pid


def step_of(state, name):
    return next(s for s in state.steps if s.name == name)


def tick(store, pid, at):
    """The clock's two steps, as the tick makes them: escalate, then fall back or return."""
    state = store.playbooks.state_by_id(pid)
    escalation.escalate_due(store, [state], CURATORS, at)
    return escalation.fallbacks(store, [store.playbooks.state_by_id(pid)], at)


def decided(store):
    return [d for change in store.held.governance.changes for d in change.decisions]


def test_an_ai_led_step_falls_back_while_escalated_items_wait_and_returns_by_itself():
    store, pid = on_send()
    due = LOGGED + timedelta(hours=24)
    assert tick(store, pid, due - timedelta(seconds=1)) == 0
    assert tick(store, pid, due) == 1
    send = step_of(store.playbooks.state_by_id(pid), "send")
    assert (send.mode, send.fallback_mode, send.fallback_since) == ("ai-led", "collaborative", due)
    [fell] = decided(store)
    assert (fell.kind, fell.rule, fell.step_id, fell.figures) == (
        "fallback",
        "handoff",
        send.id,
        {"fallback": "collaborative", "waiting": 2},
    )
    told = [m for m in sent(store) if m.channel == CHANNEL]
    assert [m.payload["text"] for m in told] == [
        "support-replies: send falls back to collaborative while 2 escalated items wait"
    ]
    assert told[0].key == keys.fallback(send.id, due)
    assert tick(store, pid, due + timedelta(hours=5)) == 0  # told once; no second line
    items = store.exception_items.open_of([pid])
    committed(store).exception_items.move(items[0], RESOLVED, "fixed", OWNER, due + timedelta(hours=6))
    assert tick(store, pid, due + timedelta(hours=7)) == 0  # one still waits
    committed(store).exception_items.move(items[1], RESOLVED, "fixed", OWNER, due + timedelta(hours=8))
    assert tick(store, pid, due + timedelta(hours=9)) == 1
    send = step_of(store.playbooks.state_by_id(pid), "send")
    assert (send.mode, send.fallback_mode, send.fallback_since) == ("ai-led", None, None)
    kinds = [d.kind for d in decided(store)]
    assert kinds == ["fallback", "fallback-ended"]  # no mode change: not a demotion
    assert [m.payload["text"] for m in sent(store) if m.channel == CHANNEL][-1] == (
        "support-replies: send is ai-led again: the escalated items closed"
    )
    assert tick(store, pid, due + timedelta(hours=10)) == 0


def test_the_fallback_is_the_terms_own_and_an_acknowledged_item_waits_only_past_resolve_hours():
    store, pid = on_send(fallback="human-led", resolve_hours=48)
    for item in store.exception_items.open_of([pid]):
        committed(store).exception_items.move(item, ACKNOWLEDGED, None, OWNER, ACKED)  # answered within the SLA
    assert tick(store, pid, LOGGED + timedelta(hours=30)) == 0
    assert tick(store, pid, ACKED + timedelta(hours=48, seconds=-1)) == 0
    assert tick(store, pid, ACKED + timedelta(hours=48)) == 1  # escalated again, and waiting
    assert step_of(store.playbooks.state_by_id(pid), "send").fallback_mode == "human-led"
    assert sent(store)[-1].payload["text"].endswith("falls back to human-led while 2 escalated items wait")


def test_a_step_not_ai_led_has_no_fallback_and_an_item_never_escalated_puts_none_in_one():
    store, pid = on_send()
    state = store.playbooks.state_by_id(pid)
    draft = step_of(state, "draft")
    committed(store).reports.add_reports(
        [new_report("exception", pid, WEEK, OWNER, LOGGED, step_id=draft.id, reason="x")]
    )
    # past the SLA but not escalated (the clock has not run): nothing falls back
    assert escalation.fallbacks(store, [state], LOGGED + timedelta(days=3)) == 0
    assert tick(store, pid, LOGGED + timedelta(days=3)) == 1  # send only; draft is collaborative
    assert [d.step_id for d in decided(store)] == [step_of(state, "send").id]


def test_a_step_demoted_while_falling_back_ends_it_with_a_line_in_history_only():
    store, pid = on_send()
    assert tick(store, pid, LOGGED + timedelta(hours=24)) == 1
    state = store.playbooks.state_by_id(pid)
    demoted = [clone(s, mode="collaborative") if s.name == "send" else s for s in state.steps]
    store.held.put(replace(state, steps=demoted))
    before = len(sent(store))
    assert escalation.fallbacks(store, [store.playbooks.state_by_id(pid)], LOGGED + timedelta(hours=25)) == 1
    assert decided(store)[-1].summary == "send: collaborative again: the step is collaborative now"
    assert len(sent(store)) == before


def test_the_mode_map_shows_the_fallback_while_it_holds():
    store, pid = on_send()
    tick(store, pid, LOGGED + timedelta(hours=24))
    state = store.playbooks.state_by_id(pid)
    dm = notices_close.checkin_dm(
        slug="support-replies", title="t", week=WEEK_REF, steps=state.steps, kpi_name="k", value="v", reminder=False
    )
    assert "*send* collaborative (falling back from ai-led)" in json.dumps(dm, ensure_ascii=False)
    assert "*draft* collaborative ·" in json.dumps(dm, ensure_ascii=False)
    for form in ("attest", "deviation"):  # the attestation's forms say so too
        view = json.dumps(form_view(form, state, WEEK_REF, {}), ensure_ascii=False)
        assert "send collaborative (falling back from ai-led)" in view.replace("*", "").replace("(collab", "collab")
