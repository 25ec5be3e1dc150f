"""Escalation with a clock (issue 71, item 2; docs/playbooks.md, "Escalation with a clock"),
on the fakes: an exception item unanswered for `handoff.sla_hours` is escalated once by the
clock (tests/usecases/fast/ticking.py: not a second early, not after an acknowledgement a
second before, across a restart); the escalation's Acknowledge is for the people it names;
an item escalated by hand; the curators channel hears without `escalate_to`; readiness
counts an escalated item as open. Delivery (a crash before it, a channel without the bot),
two clocks at once, the forms as Slack sends them and the web view are
tests/usecases/test_escalation.py's."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from cadence import keys
from cadence.definition_load import parse_playbook
from cadence.escalation import CLOCK
from cadence.exception_queue import ACKNOWLEDGED
from templates.refusals import Refusal, slack
from tests import fakes
from tests.committed import committed
from tests.fakes import ADMIN, CHANNEL, MEMBER, OUTSIDER, OWNER, FakeDirectory
from tests.fakes.playbooks import clone, rewritten
from tests.usecases.fast.test_rollout_replies import said, text
from tests.usecases.fast.ticking import Ticking
from usecases import escalation, exception_queue
from usecases.shared import readiness

TRIAGE = "UTRIAGE001"  # the exception owner
LEADS = "CLEADS0001"  # escalate_to: the support leads' channel
LEAD = "ULEAD00001"  # a member of it
CURATOR = "UCURATOR1"
CURATORS = "CCURATORS1"
LOGGED = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)  # Wednesday of week 1, 10:00 UTC
DEADLINE = LOGGED + timedelta(hours=24)


def world(handoff: dict[str, Any] | None = None, reason: str = "customer wanted a call", step: str = "draft"):
    """support-replies with `exception_owner` and these handoff terms (begun an hour before
    LOGGED); a curator and the curators channel; one exception logged at LOGGED."""
    more: dict[str, Any] = {"exception_owner": TRIAGE}
    if handoff is not None:
        more["handoff"] = handoff
    state = fakes.a_playbook(cycle_started=date(2026, 11, 16), org_timezone="UTC", **more)
    if handoff is not None:
        state = replace(state, playbook=clone(state.playbook, handoff_since=LOGGED - timedelta(hours=1)))
    directory = FakeDirectory({CHANNEL: [OWNER, MEMBER], LEADS: [LEAD], CURATORS: [CURATOR, ADMIN]})
    services = fakes.services(state, now=LOGGED, curators=(CURATOR,), directory=directory)
    committed(fakes.store_of(services)).org.set_setting("curators_channel", CURATORS, ADMIN, LOGGED)
    assert "Exception" in text(said(services, f"exception support-replies {step} {reason}", OWNER))
    return services


def esc():
    return world({"sla_hours": 24, "escalate_to": f"<#{LEADS}|support-leads>"})


def held(services):
    return fakes.store_of(services).held


def escalations_in(services, channel):
    return [
        m.payload
        for m in held(services).outbox
        if m.channel == channel and m.method == "chat.postMessage" and m.payload["text"].startswith("Escalated: ")
    ]


def buttons(payload):
    return [e for b in payload["blocks"] if b["type"] == "actions" for e in b["elements"]]


def the_item(services):
    state = fakes.store_of(services).playbooks.state("support-replies")
    return fakes.store_of(services).exception_items.open_of([state.playbook.id])[0]


def moves(services):
    return held(services).item_events


def at(services, when: datetime):
    services.clock.at = when


def refused(call, *args) -> str:
    with pytest.raises(Refusal) as raised:
        call(*args)
    return slack(raised.value)


def status(services) -> str:
    return text(said(services, "status support-replies", OWNER))


def test_the_clock_escalates_at_the_deadline_not_a_second_before_and_once_across_restarts():
    services = esc()
    clock = Ticking(services)
    clock.run(DEADLINE - timedelta(seconds=1))
    assert escalations_in(services, LEADS) == [] and held(services).escalations == []
    clock.run(DEADLINE + timedelta(seconds=1))
    [message] = escalations_in(services, LEADS)
    body = json.dumps(message["blocks"], ensure_ascii=False)
    assert message["text"] == "Escalated: support-replies / draft: an exception item unanswered for 24 h"
    assert "*support-replies* · *draft* · exception · open 1 d 0 h · held by <@UTRIAGE001>" in body
    assert "“customer wanted a call”" in body and "within its SLA of 24 h: escalated by the clock" in body
    assert [b["action_id"] for b in buttons(message)] == ["escalation_acknowledge"]
    # a restart: another clock process on the same data, later; and the next hours
    Ticking(services).run(DEADLINE + timedelta(minutes=2))
    clock.run_through(DEADLINE + timedelta(hours=1), DEADLINE + timedelta(hours=5))
    assert len(escalations_in(services, LEADS)) == 1
    [row] = held(services).escalations
    assert (row.by, row.after_move, row.at, row.reason) == (
        CLOCK,
        0,
        DEADLINE + timedelta(seconds=1),
        "unanswered for 24 h",
    )
    sent = [m.key for m in held(services).outbox if m.key.startswith("escalation:")]
    assert sent == [keys.escalation("exception", row.report_id, 0)]


def test_an_item_acknowledged_a_second_before_the_deadline_is_not_escalated():
    services = esc()
    clock = Ticking(services)
    clock.run(DEADLINE - timedelta(minutes=1))
    at(services, DEADLINE - timedelta(seconds=1))
    exception_queue.move(fakes.caller(services, TRIAGE), the_item(services).key, ACKNOWLEDGED, None)
    assert [m.state for m in moves(services)] == ["acknowledged"]
    clock.run_through(DEADLINE, DEADLINE + timedelta(hours=3))
    assert escalations_in(services, LEADS) == [] and escalations_in(services, CURATORS) == []
    assert held(services).escalations == []


def test_an_acknowledged_item_still_open_72_hours_later_is_escalated_again_once():
    """Issue 81, "Handoffs with a fallback": one Acknowledge no longer stops the clock for good."""
    services = esc()
    acknowledged = LOGGED + timedelta(hours=2)
    at(services, acknowledged)
    exception_queue.move(fakes.caller(services, TRIAGE), the_item(services).key, ACKNOWLEDGED, None)
    clock = Ticking(services)
    clock.run(acknowledged + timedelta(hours=72, seconds=-1))
    assert escalations_in(services, LEADS) == [] and held(services).escalations == []
    clock.run(acknowledged + timedelta(hours=72))
    clock.run_through(acknowledged + timedelta(hours=73), acknowledged + timedelta(hours=76))
    [message] = escalations_in(services, LEADS)
    assert (
        message["text"] == "Escalated: support-replies / draft: an exception item acknowledged 3 days ago, still open"
    )
    assert "Acknowledged 3 days ago, still open: escalated again by the clock" in json.dumps(message["blocks"])
    [row] = held(services).escalations
    assert (row.by, row.after_move, row.reason) == (CLOCK, 1, "acknowledged 3 days ago, still open")


def test_acknowledge_on_the_escalation_is_for_the_people_it_names_and_ends_it():
    services = esc()
    clock = Ticking(services)
    clock.run(DEADLINE)
    [message] = escalations_in(services, LEADS)
    [button] = buttons(message)
    assert "escalated 2026-11-19 10:00 UTC: “unanswered for 24 h”" in status(services)

    at(services, DEADLINE + timedelta(hours=1))
    where = {"channel": LEADS, "ts": "1700000000.000100"}

    def acknowledge(user):
        return escalation.acknowledge(fakes.caller(services, user, LEADS), button["value"], where)

    assert "Only the exception owner of *support-replies*" in refused(acknowledge, OUTSIDER)
    assert "whoever it was escalated to or a curator" in refused(acknowledge, MEMBER)  # the team's member: no
    assert moves(services) == []

    acknowledge(LEAD)  # a member of #leads
    assert [(m.state, m.by) for m in moves(services)] == [("acknowledged", LEAD)]
    [updated] = [m.payload for m in held(services).outbox if m.method == "chat.update" and m.channel == LEADS]
    assert updated["ts"] == where["ts"]
    body = json.dumps(updated["blocks"], ensure_ascii=False)
    assert "Acknowledged by <@ULEAD00001>, 2026-11-19 11:00 UTC" in body and buttons(updated) == []
    assert "answered already" in refused(acknowledge, CURATOR) and len(moves(services)) == 1
    shown = status(services)
    assert "escalated" not in shown and "1 acknowledged" in shown
    clock.run_through(DEADLINE + timedelta(hours=2), DEADLINE + timedelta(hours=4))
    assert len(escalations_in(services, LEADS)) == 1


def test_an_acknowledged_item_escalated_by_hand_leaves_the_state_on_its_acknowledge():
    services = esc()
    triage = fakes.caller(services, TRIAGE)
    item = the_item(services)
    exception_queue.move(triage, item.key, ACKNOWLEDGED, None)
    at(services, LOGGED + timedelta(hours=2))
    _, to = escalation.escalate(fakes.caller(services, TRIAGE), item.key, "stuck on billing")  # from the App Home
    assert to == LEADS
    [message] = escalations_in(services, LEADS)
    assert "status support-replies" in json.dumps(message["blocks"])
    assert "escalated" in status(services)
    escalation.acknowledge(fakes.caller(services, CURATOR, LEADS), item.key, {"channel": LEADS, "ts": "1.2"})
    [row] = held(services).escalations
    assert (row.after_move, row.cleared_by) == (1, CURATOR)
    assert [m.state for m in moves(services)] == ["acknowledged"]  # no second move
    assert "escalated" not in status(services)
    Ticking(services).run(DEADLINE + timedelta(hours=1))  # acknowledged: the clock leaves it alone
    assert len(escalations_in(services, LEADS)) == 1


def test_without_escalate_to_the_curators_channel_hears_and_without_handoff_nobody():
    services = world({"sla_hours": 1.5}, "refund over the limit", "send")
    clock = Ticking(services)
    clock.run(LOGGED + timedelta(minutes=89))
    assert escalations_in(services, CURATORS) == []
    clock.run(LOGGED + timedelta(minutes=90))
    [message] = escalations_in(services, CURATORS)
    assert "within its SLA of 1.5 h" in json.dumps(message["blocks"])
    # the same playbook without handoff: nothing is escalated by the clock
    store = fakes.store_of(services)
    state = store.playbooks.state("support-replies")
    raw = {k: v for k, v in state.playbook.definition.items() if k != "handoff"}
    without, _ = rewritten(state, parse_playbook(raw), "UTC", "test", services.clock())
    store.held.put(without)
    said(services, "exception support-replies send another one", OWNER)
    clock.run_through(LOGGED + timedelta(hours=3), LOGGED + timedelta(days=3), step=timedelta(hours=12))
    assert len(escalations_in(services, CURATORS)) == 1


def test_readiness_counts_an_escalated_item_like_an_open_one():
    services = esc()
    Ticking(services).run(DEADLINE)
    assert len(held(services).escalations) == 1
    at(services, LOGGED + timedelta(days=20))
    state = fakes.store_of(services).playbooks.state("support-replies")
    [*_, queue] = readiness.criteria(fakes.store_of(services), state, [(1, date(2026, 11, 16))])
    assert queue.name == "queue" and not queue.met and queue.figures["overdue"] == 1


def test_a_handoff_begun_with_nothing_waiting_sends_no_summary():
    services = world(None, "old one")
    store = fakes.store_of(services)
    for item in store.exception_items.open_of([the_item(services).playbook_id]):
        exception_queue.move(fakes.caller(services, TRIAGE), item.key, ACKNOWLEDGED, None)
    state = store.playbooks.state("support-replies")
    raw = {**state.playbook.definition, "handoff": {"sla_hours": 24, "escalate_to": LEADS}}
    with_terms, _ = rewritten(state, parse_playbook(raw), "UTC", OWNER, LOGGED)
    store.held.put(with_terms)
    Ticking(services).run_through(LOGGED + timedelta(minutes=1), LOGGED + timedelta(hours=30))
    assert [m for m in store.held.outbox if m.channel == LEADS] == [] and store.held.escalations == []
