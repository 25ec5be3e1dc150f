"""Escalation with a clock (issue 71, item 2; docs/playbooks.md, "Escalation with a clock"),
end to end: the clock's escalations delivered (a crash before delivery loses nothing; an
`escalate_to` channel the bot is not in falls back to the curators channel), two clocks
at once write one, the Monday DM's Escalate… as Slack sends it (signed block_actions, the
form's view_submission), handoff terms added to a playbook with a backlog, the web view
and its CSV. On SQLite and PostgreSQL. The clock's deadlines, the escalation's
Acknowledge, status and readiness are tests/usecases/fast/test_escalation_clock.py's and
test_handoff.py's, on the fakes."""

import copy
import csv
import io
import json
import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import Session, select

from cadence import keys
from cadence.change import Message
from cadence.definition_load import parse_playbook
from cadence.escalation import CLOCK, Escalation
from storage.made import fingerprint
from storage.models.bookkeeping import OutboxMessage
from storage.models.reports import ExceptionEscalation, ExceptionItemEvent
from storage.store import Store
from tests.bot.test_web_view import fetch, signed_in, view, web_session  # noqa: F401  (the web view's fixture)
from tests.committed import committed, loaded
from tests.conftest import ADMIN, MEMBER, OUTSIDER, OWNER, SUPPORT_REPLIES, Engine
from tests.usecases.test_governance import CURATOR, CURATORS, buttons, click
from usecases import escalation as escalations
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
    loaded(store, [parse_playbook(raw)], "UTC", actor="test", at=clock())
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


def monday_dm(esc, slack):
    esc.run(datetime(2026, 11, 23, 8, 0, tzinfo=UTC))  # Monday 09:00 in Berlin
    return next(m for m in slack.posted(TRIAGE) if "exception item" in m["text"])


def test_escalate_on_the_monday_dm_asks_why_and_escalates_at_once(esc, bot, slack, engine, clock, store):
    loaded(
        store,
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
            escalations.record(own, [(escalation, [Message(key, "chat.postMessage", LEADS, {"text": "x"})])], DEADLINE)
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

    failed: list[BaseException] = []

    def tick(one: Engine) -> None:
        start.wait()
        try:
            one.cadence.tick(DEADLINE)
        except Exception as err:  # noqa: BLE001  # the loser's tick must not fail: it finds the row there
            failed.append(err)

    threads = [threading.Thread(target=tick, args=(c,)) for c in clocks]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for c in clocks:
        c.dispatcher.drain(max_wait=0)
    assert failed == []
    assert len(escalations_in(slack, LEADS)) == 1 and len(escalation_rows(engine)) == 1


def test_the_web_view_shows_the_item_escalated_with_when_and_why(view, store, clock, slack):  # noqa: F811
    view.command("exception support-replies draft customer wanted a call", user=OWNER)
    state = store.playbooks.state("support-replies")
    [item] = store.exception_items.open_of([state.playbook.id])
    escalation = Escalation(item.source, item.report_id, item.playbook_id, 0, clock(), "needs <legal>", OWNER)
    committed(store).escalations.record([escalation])
    cookie = signed_in(view, OWNER)
    status, _, page = fetch(view.base_url + "/web/playbooks/support-replies", cookie)
    assert status == 200 and "open, escalated " in page and "“needs &lt;legal&gt;”" in page


# ---- handoff terms added to a playbook with a backlog (issue 78) ----


def summaries_in(slack, channel):
    return [m for m in slack.posted(channel) if m["text"].startswith("Handoff begun: ")]


def with_a_backlog(bot, slack, clock, store):
    """support-replies with `exception_owner` and no handoff; the curators; three exception
    items logged Monday and Tuesday of week 1, the second acknowledged: two unanswered."""
    raw = copy.deepcopy(SUPPORT_REPLIES)
    raw["exception_owner"] = TRIAGE
    clock.set(datetime(2026, 11, 16, 8, 0, tzinfo=UTC))
    loaded(store, [parse_playbook(raw)], "UTC", actor="test", at=clock())
    state = store.playbooks.state("support-replies")
    begin_cycle(store, state.playbook.id, 1, date(2026, 11, 16), OWNER, clock())
    slack.add_channel(CURATORS, [CURATOR, ADMIN])
    slack.add_channel(LEADS, [LEAD, OWNER])
    for user in (OWNER, MEMBER, CURATOR, TRIAGE, LEAD):
        slack.add_user(user, tz="Europe/Berlin")
    slack.add_user("UROLLOUTBOT", is_bot=True)
    bot.command(f"curator add <@{CURATOR}>", user=ADMIN)
    bot.command(f"curators-channel <#{CURATORS}|curators>", user=ADMIN)
    for when, what in (((16, 10), "old one"), ((16, 12), "old two"), ((17, 9), "old three")):
        clock.set(datetime(2026, 11, when[0], when[1], 0, tzinfo=UTC))
        assert "Exception" in bot.command(f"exception support-replies draft {what}", user=OWNER).text
    [_, second, _] = store.exception_items.open_of([state.playbook.id])
    bot.click(TRIAGE, "item_acknowledge", second.key)


def kit_handoff(bot, slack, given):
    """The kit form, as its owner submits it with these handoff fields."""
    from tests.handlers.test_kit_form import open_kit, shown, submit

    form = open_kit(bot, slack)
    reply = submit(bot, form, {**shown(form), **given}, OWNER)
    assert reply.body["response_action"] == "update", reply.body


def without_handoff(store, now):
    """The playbook's handoff removed as an approved bar change request is applied: a
    revision in storage (usecases/bar_requests.py `apply_due` writes it so)."""
    state = store.playbooks.state("support-replies")
    definition = {k: v for k, v in parse_playbook(state.playbook.definition).canonical().items() if k != "handoff"}
    with store.unit_of_work() as uow:
        uow.made.revise(
            state.playbook.id, fingerprint(state.playbook.definition), parse_playbook(definition), "UTC", OWNER, now
        )
        uow.commit()


def test_handoff_added_to_a_playbook_with_a_backlog_tells_the_older_items_once_and_escalates_the_newer(
    bot, engine, slack, clock, store
):
    """Adding `handoff` escalated every old unanswered item at once, 50 a minute: the items
    logged before the terms are told in one summary, once; those logged since are
    escalated one by one at their deadline."""
    with_a_backlog(bot, slack, clock, store)
    clocks = Engine(engine, slack, clock)
    clocks.run_through(datetime(2026, 11, 17, 10, 0, tzinfo=UTC), LOGGED - timedelta(hours=1))  # no handoff yet
    assert escalation_rows(engine) == [] and slack.posted(LEADS) == []

    clock.set(LOGGED)
    kit_handoff(bot, slack, {"sla_hours": "24", "escalate_channel": LEADS})
    clock.set(LOGGED + timedelta(hours=1))
    bot.command("exception support-replies draft new one", user=OWNER)
    clocks.run(LOGGED + timedelta(minutes=1))
    assert escalations_in(slack, LEADS) == [] and escalation_rows(engine) == []
    [summary] = summaries_in(slack, LEADS)
    assert summary["text"] == (
        "Handoff begun: support-replies: 2 exception items waiting from before it, not escalated one by one"
    )
    body = json.dumps(summary["blocks"], ensure_ascii=False)
    assert (
        "*support-replies* escalates exception items unanswered for 24 h since 2026-11-18 10:00 UTC, one by one, "
        "to <#CLEADS0001>. 2 open items logged before that, neither acknowledged nor closed, are told here once "
        "instead, held by <@UTRIAGE001>:" in body
    )
    assert "• *draft* · exception · open 2 d 0 h · “old one”" in body
    assert "• *draft* · exception · open 1 d 1 h · “old three”" in body and "old two" not in body
    assert buttons(summary) == []

    # the clock goes on, restarts, and a second one joins: the newer item alone is escalated
    clocks.run_through(LOGGED + timedelta(hours=2), LOGGED + timedelta(hours=26))
    Engine(engine, slack, clock).run(LOGGED + timedelta(hours=27))
    [escalated] = escalations_in(slack, LEADS)
    assert "“new one”" in json.dumps(escalated["blocks"], ensure_ascii=False)
    assert len(summaries_in(slack, LEADS)) == 1 and len(escalation_rows(engine)) == 1
    status = bot.command("status support-replies", user=OWNER).text
    assert status.count("escalated") == 1, status
    # the Escalate… button still escalates an older item, at once, as before
    state = store.playbooks.state("support-replies")
    oldest = store.exception_items.open_of([state.playbook.id])[0]
    bot.click(TRIAGE, "item_escalate", oldest.key)
    done = bot.submit(TRIAGE, opened_view(slack), {"why": {"type": "plain_text_input", "value": "still waiting"}})
    assert done.status == 200 and len(escalation_rows(engine)) == 2

    # the terms removed (a bar change request approved: applied by the clock as a revision),
    # then added again: the items older than their new beginning are told again, once (the
    # item logged in between with them); none escalated one by one
    clock.set(LOGGED + timedelta(hours=28))
    without_handoff(store, clock())
    clock.set(LOGGED + timedelta(hours=29))
    bot.command("exception support-replies draft between", user=OWNER)
    clocks.run(LOGGED + timedelta(hours=30))
    clock.set(LOGGED + timedelta(hours=31))
    kit_handoff(bot, slack, {"sla_hours": "24", "escalate_channel": LEADS})
    clocks.run_through(LOGGED + timedelta(hours=31, minutes=1), LOGGED + timedelta(hours=60))
    [_, again] = summaries_in(slack, LEADS)
    body = json.dumps(again["blocks"], ensure_ascii=False)
    assert "2 open items logged before that" in body and "“old three”" in body and "“between”" in body
    assert len(escalations_in(slack, LEADS)) == 2 and len(escalation_rows(engine)) == 2  # the clock's, the hand's


@pytest.mark.postgres_only
def test_two_clock_processes_ticking_at_once_send_one_summary(bot, engine, slack, clock, store):
    with_a_backlog(bot, slack, clock, store)
    clock.set(LOGGED)
    kit_handoff(bot, slack, {"sla_hours": "24", "escalate_channel": LEADS})
    clocks = [Engine(engine, slack, clock), Engine(engine, slack, clock)]
    clock.set(LOGGED + timedelta(minutes=1))
    start = threading.Barrier(2)

    def tick(one: Engine) -> None:
        start.wait()
        one.cadence.tick(LOGGED + timedelta(minutes=1))

    threads = [threading.Thread(target=tick, args=(c,)) for c in clocks]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for c in clocks:
        c.dispatcher.drain(max_wait=0)
    assert len(summaries_in(slack, LEADS)) == 1 and escalation_rows(engine) == []


def test_the_exception_items_csv_says_when_by_whom_and_why_an_item_was_escalated(
    esc, bot, slack, clock, store, http_server, database_url
):
    """Issue 78: the web view's exception items CSV had no "escalated" column. An item the
    clock escalated and one a person did; why only for the owner and the curators, as on
    the page, and a why that reads as a formula is written as text."""
    esc.run(DEADLINE)  # the clock's, for the item logged Wednesday
    clock.set(DEADLINE + timedelta(hours=1))
    bot.command("exception support-replies send refund over the limit", user=OWNER)
    state = store.playbooks.state("support-replies")
    newer = store.exception_items.open_of([state.playbook.id])[-1]
    bot.click(TRIAGE, "item_escalate", newer.key)
    why = {"why": {"type": "plain_text_input", "value": '=HYPERLINK("http://x")'}}
    assert bot.submit(TRIAGE, opened_view(slack), why).status == 200

    url, cookie = web_session(bot, http_server, database_url, slack, store, clock, OWNER)
    status, _, text = fetch(url + "/web/playbooks/support-replies/exception-items.csv", cookie)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert status == 200
    assert [(r["reason"], r["escalated at"], r["escalated by"], r["escalation reason"]) for r in rows] == [
        ("customer wanted a call", "2026-11-19T10:00:00+00:00", "clock", "unanswered for 24 h"),
        ("refund over the limit", "2026-11-19T11:00:00+00:00", TRIAGE, '\'=HYPERLINK("http://x")'),
    ]
    # a member of the team reads when and by whom, not why
    url, cookie = web_session(bot, http_server, database_url, slack, store, clock, MEMBER)
    status, _, text = fetch(url + "/web/playbooks/support-replies/exception-items.csv", cookie)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert status == 200 and [(r["reason"], r["escalated by"], r["escalation reason"]) for r in rows] == [
        ("", "clock", ""),
        ("", TRIAGE, ""),
    ]
    # acknowledged, the item is no longer escalated: its columns empty
    bot.click(TRIAGE, "item_acknowledge", newer.key)
    url, cookie = web_session(bot, http_server, database_url, slack, store, clock, OWNER)
    status, _, text = fetch(url + "/web/playbooks/support-replies/exception-items.csv", cookie)
    last = list(csv.DictReader(io.StringIO(text)))[-1]
    assert (last["state"], last["escalated at"], last["escalated by"]) == ("acknowledged", "", "")
