"""Escalation with a clock (issue 71, item 2; docs/playbooks.md, "Escalation with a clock"),
end to end: an exception item unanswered for `handoff.sla_hours` is escalated once by the
clock (not a second early, not after an acknowledgement a second before), across a restart
and two clocks; the escalation's Acknowledge and the Monday DM's Escalate… as Slack sends
them (signed block_actions, the form's view_submission); "escalated" in status, the queue
and the web view; an `escalate_to` channel the bot is not in falls back to the curators
channel; readiness counts escalated items as open. On SQLite and PostgreSQL."""

import copy
import json
import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import Session, select

from cadence import keys
from cadence.definition import parse_playbook
from cadence.escalation import CLOCK, Escalation
from storage.models.bookkeeping import OutboxMessage
from storage.models.reports import ExceptionEscalation, ExceptionItemEvent
from storage.outbox import Message
from storage.store import Store
from tests.bot.test_web_view import fetch, signed_in, view, web_session  # noqa: F401  (the web view's fixture)
from tests.conftest import ADMIN, MEMBER, OUTSIDER, OWNER, SUPPORT_REPLIES, Engine
from tests.usecases.test_governance import CURATOR, CURATORS, buttons, click
from usecases.shared import readiness
from usecases.shared.life import begin_cycle

TRIAGE = "UTRIAGE001"  # the exception owner
LEADS = "CLEADS0001"  # escalate_to: the support leads' channel
LEAD = "ULEAD00001"  # a member of it
LOGGED = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)  # Wednesday of week 1, 10:00 UTC
DEADLINE = LOGGED + timedelta(hours=24)


def with_handoff(store, clock, **handoff):
    raw = copy.deepcopy(SUPPORT_REPLIES)
    raw["exception_owner"] = TRIAGE
    raw["handoff"] = handoff
    store.playbooks.load([parse_playbook(raw)], "UTC", actor="test", at=clock())
    state = store.playbooks.state("support-replies")
    begin_cycle(store, state.playbook.id, 1, date(2026, 11, 16), OWNER, clock())


@pytest.fixture
def esc(bot, engine, slack, clock, store):
    """support-replies with `exception_owner` and `handoff: {sla_hours: 24, escalate_to: #leads}`;
    a curator and the curators channel; one exception logged Wednesday 10:00 UTC."""
    clock.set(LOGGED - timedelta(hours=1))
    with_handoff(store, clock, sla_hours=24, escalate_to=f"<#{LEADS}|support-leads>")
    slack.add_channel(CURATORS, [CURATOR, ADMIN])
    slack.add_channel(LEADS, [LEAD])
    for user in (OWNER, MEMBER, CURATOR, TRIAGE, LEAD):
        slack.add_user(user, tz="Europe/Berlin")
    slack.add_user("UROLLOUTBOT", is_bot=True)
    assert "now a curator" in bot.command(f"curator add <@{CURATOR}>", user=ADMIN).text
    bot.command(f"curators-channel <#{CURATORS}|curators>", user=ADMIN)
    clock.set(LOGGED)
    assert "Exception" in bot.command("exception support-replies draft customer wanted a call", user=OWNER).text
    return Engine(engine, slack, clock)


def escalations_in(slack, channel):
    return [m for m in slack.posted(channel) if m["text"].startswith("Escalated: ")]


def escalation_rows(engine):
    with Session(engine) as s:
        return list(s.exec(select(ExceptionEscalation).order_by(ExceptionEscalation.id)))


def moves(engine):
    with Session(engine) as s:
        return list(s.exec(select(ExceptionItemEvent).order_by(ExceptionItemEvent.id)))


def ephemerals(slack):
    return [json.dumps(c.params, ensure_ascii=False) for c in slack.calls_to("chat.postEphemeral")]


def opened_view(slack):
    opened = slack.calls_to("views.open")[-1].params["view"]
    return json.loads(opened) if isinstance(opened, str) else opened


def test_the_clock_escalates_at_the_deadline_not_a_second_before_and_once_across_restarts(
    esc, slack, engine, clock, store
):
    esc.run(DEADLINE - timedelta(seconds=1))
    assert escalations_in(slack, LEADS) == [] and escalation_rows(engine) == []
    esc.run(DEADLINE + timedelta(seconds=1))
    [message] = escalations_in(slack, LEADS)
    body = json.dumps(message["blocks"], ensure_ascii=False)
    assert message["text"] == "Escalated: support-replies / draft: an exception item unanswered for 24 h"
    assert "*support-replies* · *draft* · exception · open 1 d 0 h · held by <@UTRIAGE001>" in body
    assert "“customer wanted a call”" in body and "within its SLA of 24 h: escalated by the clock" in body
    assert [b["action_id"] for b in buttons(message)] == ["escalation_acknowledge"]
    # a restart: another clock process on the same database, later; and the next hours
    again = Engine(engine, slack, clock)
    again.run(DEADLINE + timedelta(minutes=2))
    esc.run_through(DEADLINE + timedelta(hours=1), DEADLINE + timedelta(hours=5))
    assert len(escalations_in(slack, LEADS)) == 1
    [row] = escalation_rows(engine)
    assert (row.by, row.after_move, row.at, row.reason) == (
        CLOCK,
        0,
        DEADLINE + timedelta(seconds=1),
        "unanswered for 24 h",
    )
    with Session(engine) as s:
        sent = s.exec(select(OutboxMessage).where(OutboxMessage.key.startswith("escalation:"))).all()
    assert [(m.key, m.status) for m in sent] == [(row.key, "sent")]
    assert row.key == keys.escalation("exception", row.report_id, 0)


def test_a_crash_before_delivery_loses_nothing(esc, slack, engine, clock):
    """The tick wrote the escalation and its message, and the process died before the
    dispatcher ran: the next process delivers it, once."""
    clock.set(DEADLINE)
    esc.cadence.tick(DEADLINE)  # no delivery: as if the process died here
    assert escalations_in(slack, LEADS) == []
    again = Engine(engine, slack, clock)
    again.run(DEADLINE + timedelta(minutes=1))
    again.run(DEADLINE + timedelta(minutes=2))
    assert len(escalations_in(slack, LEADS)) == 1 and len(escalation_rows(engine)) == 1


def test_an_item_acknowledged_a_second_before_the_deadline_is_not_escalated(esc, bot, slack, engine, clock, store):
    esc.run(DEADLINE - timedelta(minutes=1))
    state = store.playbooks.state("support-replies")
    [item] = store.exception_items.open_of([state.playbook.id])
    clock.set(DEADLINE - timedelta(seconds=1))
    bot.click(TRIAGE, "item_acknowledge", item.key)
    assert [m.state for m in moves(engine)] == ["acknowledged"]
    esc.run_through(DEADLINE, DEADLINE + timedelta(hours=3))
    assert escalations_in(slack, LEADS) == [] and escalations_in(slack, CURATORS) == []
    assert escalation_rows(engine) == []


def test_acknowledge_on_the_escalation_is_for_the_people_it_names_and_ends_it(esc, slack, engine, clock, bot, store):
    esc.run(DEADLINE)
    [message] = escalations_in(slack, LEADS)
    [button] = buttons(message)
    status = bot.command("status support-replies", user=OWNER).text
    assert "escalated 2026-11-19 10:00 UTC: “unanswered for 24 h”" in status, status

    clock.set(DEADLINE + timedelta(hours=1))
    click(bot, "escalation_acknowledge", button["value"], OUTSIDER, LEADS, message["ts"])
    assert "Only the exception owner of *support-replies*" in ephemerals(slack)[-1]
    click(bot, "escalation_acknowledge", button["value"], MEMBER, LEADS, message["ts"])  # the team's member: no
    assert "whoever it was escalated to or a curator" in ephemerals(slack)[-1]
    assert moves(engine) == []

    click(bot, "escalation_acknowledge", button["value"], LEAD, LEADS, message["ts"])  # a member of #leads
    assert "acknowledged" in ephemerals(slack)[-1]
    assert [(m.state, m.by) for m in moves(engine)] == [("acknowledged", LEAD)]
    esc.dispatcher.drain(max_wait=0)
    [updated] = escalations_in(slack, LEADS)
    text = json.dumps(updated["blocks"], ensure_ascii=False)
    assert "Acknowledged by <@ULEAD00001>, 2026-11-19 11:00 UTC" in text and buttons(updated) == []
    click(bot, "escalation_acknowledge", button["value"], CURATOR, LEADS, message["ts"])  # answered already
    assert "answered already" in ephemerals(slack)[-1] and len(moves(engine)) == 1
    status = bot.command("status support-replies", user=OWNER).text
    assert "escalated" not in status and "1 acknowledged" in status
    esc.run_through(DEADLINE + timedelta(hours=2), DEADLINE + timedelta(hours=4))
    assert len(escalations_in(slack, LEADS)) == 1


def monday_dm(esc, slack):
    esc.run(datetime(2026, 11, 23, 8, 0, tzinfo=UTC))  # Monday 09:00 in Berlin
    return next(m for m in slack.posted(TRIAGE) if "exception item" in m["text"])


def test_escalate_on_the_monday_dm_asks_why_and_escalates_at_once(esc, bot, slack, engine, clock, store):
    store.playbooks.load(
        [
            parse_playbook(
                dict(
                    copy.deepcopy(SUPPORT_REPLIES),
                    exception_owner=TRIAGE,
                    handoff={"sla_hours": 240, "escalate_to": LEADS},
                )
            )
        ],
        "UTC",
        actor="test",
        at=clock(),
    )
    dm = monday_dm(esc, slack)
    [escalate] = [b for b in buttons(dm) if b["action_id"] == "item_escalate"]
    click(bot, "item_escalate", escalate["value"], OUTSIDER, TRIAGE, dm["ts"])  # not theirs: refused, no form
    assert "Only the exception owner" in ephemerals(slack)[-1] and not slack.calls_to("views.open")

    clock.set(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    click(bot, "item_escalate", escalate["value"], TRIAGE, TRIAGE, dm["ts"])
    form = opened_view(slack)
    assert form["callback_id"] == "item_escalate" and "It goes to <#CLEADS0001> now" in json.dumps(form)
    empty = bot.submit(TRIAGE, form, {"why": {"type": "plain_text_input", "value": "   "}})
    assert empty.body["errors"] == {"why": "Say why you escalate it: it is what the people it goes to read first."}
    bad = bot.submit(TRIAGE, form, {"why": {"type": "plain_text_input", "value": "legal\u200b"}})
    assert "which I can't store" in bad.body["errors"]["why"]
    assert escalation_rows(engine) == []

    done = bot.submit(TRIAGE, form, {"why": {"type": "plain_text_input", "value": "Needs legal <here>"}})
    assert done.status == 200 and not done.body
    [row] = escalation_rows(engine)
    assert (row.by, row.reason, row.after_move) == (TRIAGE, "Needs legal <here>", 0)
    esc.dispatcher.drain(max_wait=0)
    [message] = escalations_in(slack, LEADS)
    assert message["text"] == "Escalated: support-replies / draft: an exception item escalated by <@UTRIAGE001>"
    body = json.dumps(message["blocks"], ensure_ascii=False)
    assert "Escalated by <@UTRIAGE001>: “Needs legal &lt;here&gt;”, 2026-11-23 09:00 UTC" in body
    # the DM shows it escalated, without its Escalate… button
    updated = next(m for m in slack.posted(TRIAGE) if m["ts"] == dm["ts"])
    text = json.dumps(updated["blocks"], ensure_ascii=False)
    assert "escalated 2026-11-23 09:00 UTC by <@UTRIAGE001>: “Needs legal &lt;here&gt;”" in text
    assert not [b for b in buttons(updated) if b["action_id"] == "item_escalate"]
    # the same form again, or the button of an old copy: refused, nothing more
    again = bot.submit(TRIAGE, form, {"why": {"type": "plain_text_input", "value": "again"}})
    assert "escalated already (2026-11-23 09:00 UTC)" in again.body["errors"]["why"]
    click(bot, "item_escalate", escalate["value"], TRIAGE, TRIAGE, dm["ts"])
    assert "escalated already" in ephemerals(slack)[-1]
    # the clock's SLA runs out later: the item is escalated already, nothing goes twice
    esc.run(LOGGED + timedelta(hours=241))
    assert len(escalations_in(slack, LEADS)) == 1 and len(escalation_rows(engine)) == 1


def test_an_acknowledged_item_escalated_by_hand_leaves_the_state_on_its_acknowledge(
    esc, bot, slack, engine, clock, store
):
    state = store.playbooks.state("support-replies")
    [item] = store.exception_items.open_of([state.playbook.id])
    bot.click(TRIAGE, "item_acknowledge", item.key)
    clock.set(LOGGED + timedelta(hours=2))
    bot.click(TRIAGE, "item_escalate", item.key)  # from the App Home
    done = bot.submit(TRIAGE, opened_view(slack), {"why": {"type": "plain_text_input", "value": "stuck on billing"}})
    assert done.status == 200
    esc.dispatcher.drain(max_wait=0)
    [message] = escalations_in(slack, LEADS)
    assert "status support-replies" in json.dumps(message["blocks"])
    assert "escalated" in bot.command("status support-replies", user=OWNER).text
    click(bot, "escalation_acknowledge", item.key, CURATOR, LEADS, message["ts"])
    [row] = escalation_rows(engine)
    assert (row.after_move, row.cleared_by) == (1, CURATOR)
    assert [m.state for m in moves(engine)] == ["acknowledged"]  # no second move
    assert "escalated" not in bot.command("status support-replies", user=OWNER).text
    esc.run(DEADLINE + timedelta(hours=1))  # acknowledged: the clock leaves it alone
    assert len(escalations_in(slack, LEADS)) == 1


def test_an_escalate_to_channel_without_the_bot_falls_back_to_the_curators_channel(esc, slack, engine, clock):
    slack.workspace.not_in_channel.add(LEADS)
    esc.run(DEADLINE)
    esc.dispatcher.drain(max_wait=0)
    assert escalations_in(slack, LEADS) == []
    [message] = escalations_in(slack, CURATORS)
    body = json.dumps(message["blocks"], ensure_ascii=False)
    assert "Meant for <#CLEADS0001>, where I could not post it" in body
    assert "Slack answered `not_in_channel` for <#CLEADS0001>." in body
    assert [b["action_id"] for b in buttons(message)] == ["escalation_acknowledge"]
    with Session(engine) as s:
        sent = s.exec(select(OutboxMessage).where(OutboxMessage.key.startswith("escalation:"))).all()
    key = escalation_rows(engine)[0].key
    assert sorted((m.key, m.status, m.channel) for m in sent) == [
        (key, "failed", LEADS),
        (key + ":fallback", "sent", CURATORS),
    ]
    esc.run(DEADLINE + timedelta(hours=1))
    assert len(escalations_in(slack, CURATORS)) == 1
    with Session(engine) as s:
        assert s.exec(select(OutboxMessage).where(OutboxMessage.key.startswith("channel-lost"))).all() == []


def test_without_escalate_to_the_curators_channel_hears_and_without_handoff_nobody(bot, engine, slack, clock, store):
    clock.set(LOGGED - timedelta(hours=1))
    with_handoff(store, clock, sla_hours=1.5)
    slack.add_channel(CURATORS, [CURATOR, ADMIN])
    slack.add_user(CURATOR)
    bot.command(f"curators-channel <#{CURATORS}|curators>", user=ADMIN)
    clock.set(LOGGED)
    bot.command("exception support-replies send refund over the limit", user=OWNER)
    clock_engine = Engine(engine, slack, clock)
    clock_engine.run(LOGGED + timedelta(minutes=89))
    assert escalations_in(slack, CURATORS) == []
    clock_engine.run(LOGGED + timedelta(minutes=90))
    [message] = escalations_in(slack, CURATORS)
    assert "within its SLA of 1.5 h" in json.dumps(message["blocks"])
    # the same playbook without handoff: nothing is escalated by the clock
    store.playbooks.load([parse_playbook(copy.deepcopy(SUPPORT_REPLIES))], "UTC", actor="test", at=clock())
    bot.command("exception support-replies send another one", user=OWNER)
    clock_engine.run_through(LOGGED + timedelta(hours=3), LOGGED + timedelta(days=3), step=timedelta(hours=12))
    assert len(escalations_in(slack, CURATORS)) == 1


def test_two_clocks_write_one_escalation_and_one_message(esc, engine, clock, store):
    """Two clocks read the same due item before either wrote: the item's key lets one write."""
    state = store.playbooks.state("support-replies")
    [item] = store.escalations.due({state.playbook.id: 24}, DEADLINE, 50)
    escalation = Escalation(item.source, item.report_id, item.playbook_id, 0, DEADLINE, "unanswered for 24 h", CLOCK)
    key = keys.escalation(item.source, item.report_id, 0)
    stores = [Store(engine), Store(engine)]
    start = threading.Barrier(2)
    written: list[set[str]] = []

    def clock_process(own: Store) -> None:
        start.wait()
        written.append(
            own.escalations.record([(escalation, [Message(key, "chat.postMessage", LEADS, {"text": "x"})])], DEADLINE)
        )

    threads = [threading.Thread(target=clock_process, args=(s,)) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(len(w) for w in written) == [0, 1]
    assert len(escalation_rows(engine)) == 1
    with Session(engine) as s:
        assert len(s.exec(select(OutboxMessage).where(OutboxMessage.key == key)).all()) == 1


@pytest.mark.postgres_only
def test_two_clock_processes_ticking_at_once_send_one_escalation(esc, slack, engine, clock):
    clocks = [Engine(engine, slack, clock), Engine(engine, slack, clock)]
    clock.set(DEADLINE)
    start = threading.Barrier(2)

    def tick(one: Engine) -> None:
        start.wait()
        one.cadence.tick(DEADLINE)

    threads = [threading.Thread(target=tick, args=(c,)) for c in clocks]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for c in clocks:
        c.dispatcher.drain(max_wait=0)
    assert len(escalations_in(slack, LEADS)) == 1 and len(escalation_rows(engine)) == 1


def test_readiness_counts_an_escalated_item_like_an_open_one(esc, bot, store, clock, engine):
    esc.run(DEADLINE)
    assert len(escalation_rows(engine)) == 1
    clock.set(LOGGED + timedelta(days=20))
    state = store.playbooks.state("support-replies")
    [*_, queue] = readiness.criteria(store, state, [(1, date(2026, 11, 16))])
    assert queue.name == "queue" and not queue.met and queue.figures["overdue"] == 1


def test_the_web_view_shows_the_item_escalated_with_when_and_why(view, store, clock, slack):  # noqa: F811
    view.command("exception support-replies draft customer wanted a call", user=OWNER)
    state = store.playbooks.state("support-replies")
    [item] = store.exception_items.open_of([state.playbook.id])
    escalation = Escalation(item.source, item.report_id, item.playbook_id, 0, clock(), "needs <legal>", OWNER)
    store.escalations.record([(escalation, [])], clock())
    cookie = signed_in(view, OWNER)
    status, _, page = fetch(view.base_url + "/web/playbooks/support-replies", cookie)
    assert status == 200 and "open, escalated " in page and "“needs &lt;legal&gt;”" in page
