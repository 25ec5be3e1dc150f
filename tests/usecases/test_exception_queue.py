"""The exception queue has an owner (issue 43, item 3), end to end: exceptions and
deviations become items, the exception owner's Monday DM lists them with buttons, the
buttons and the note form move them (signed block_actions and view_submission), refusals
store nothing, status, the web view and its CSV show them. On SQLite and PostgreSQL.
How readiness counts the old ones is tests/usecases/fast/test_queue_readiness.py's; that a
demotion names the items behind it and status lists them by step,
tests/usecases/fast/test_close_modes.py's; the Monday DM's ten oldest items and the App Home's
list, tests/usecases/fast/test_queue_dm.py's."""

import copy
import csv
import io
import json
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import Session, select

from cadence.definition_load import parse_playbook
from storage.models.governance import Decision, RegistryVersion
from storage.models.reports import ExceptionItemEvent
from tests.bot.test_web_view import fetch, signed_in, view, web_session  # noqa: F401  (the web view's fixture)
from tests.committed import committed, loaded
from tests.conftest import ADMIN, MEMBER, OUTSIDER, OWNER, SUPPORT_REPLIES, Engine
from tests.usecases.test_governance import CURATOR, CURATORS, buttons, click, publish_over, wednesday
from usecases.shared.life import begin_cycle

TRIAGE = "UTRIAGE001"  # the exception owner, in New York


def monday_9_new_york(week: int) -> datetime:
    """Monday 09:00 in New York (14:00 UTC in November) after week `week`'s Monday."""
    return datetime(2026, 11, 16, 14, 0, tzinfo=UTC) + timedelta(days=7 * week)


@pytest.fixture
def queue(bot, engine, slack, clock, store):
    """support-replies with `exception_owner` set, cycle 1 from Monday 16 November 2026;
    a curator and the curators channel."""
    raw = copy.deepcopy(SUPPORT_REPLIES)
    raw["exception_owner"] = TRIAGE
    loaded(store, [parse_playbook(raw)], "UTC", actor="test", at=clock())
    state = store.playbooks.state("support-replies")
    begin_cycle(store, state.playbook.id, 1, date(2026, 11, 16), OWNER, clock())
    slack.add_channel(CURATORS, [CURATOR, ADMIN])
    for user in (OWNER, MEMBER, CURATOR):
        slack.add_user(user, tz="Europe/Berlin")
    slack.add_user(TRIAGE, tz="America/New_York")
    slack.add_user("UROLLOUTBOT", is_bot=True)
    assert "now a curator" in bot.command(f"curator add <@{CURATOR}>", user=ADMIN).text
    bot.command(f"curators-channel <#{CURATORS}|curators>", user=ADMIN)
    return Engine(engine, slack, clock)


def moves(engine):
    with Session(engine) as s:
        return list(s.exec(select(ExceptionItemEvent).order_by(ExceptionItemEvent.id)))


def queue_dms(slack):
    return [m for m in slack.posted(TRIAGE) if "exception item" in m["text"]]


def ephemerals(slack):
    return [json.dumps(c.params, ensure_ascii=False) for c in slack.calls_to("chat.postEphemeral")]


def opened_view(slack):
    opened = slack.calls_to("views.open")[-1].params["view"]
    return json.loads(opened) if isinstance(opened, str) else opened


def log_week_1(bot, clock):
    """Two exceptions by the owner (the second undone), a member's deviation."""
    clock.set(wednesday(1))
    assert "Exception" in bot.command("exception support-replies draft customer wanted a call", user=OWNER).text
    clock.advance(minutes=5)
    bot.command("exception support-replies send refund over the limit", user=OWNER)
    clock.advance(minutes=5)
    assert "Withdrew your exception" in bot.command("undo support-replies", user=OWNER).text
    clock.advance(minutes=5)
    bot.command("attest support-replies no draft the template was missing", user=MEMBER)


def test_items_reach_the_exception_owner_on_monday_once_and_move_by_buttons_and_the_note_form(
    bot, queue, slack, store, engine, clock
):
    log_week_1(bot, clock)
    queue.run(monday_9_new_york(1) - timedelta(minutes=1))  # 08:59 in New York: not yet
    assert queue_dms(slack) == []
    queue.run(monday_9_new_york(1))
    # a restart: another clock process on the same database, later that morning
    again = Engine(engine, slack, clock)
    again.run(monday_9_new_york(1) + timedelta(minutes=5))
    again.run(monday_9_new_york(1) + timedelta(hours=3))
    dms = queue_dms(slack)
    assert len(dms) == 1, "the Monday DM goes once a week, across restarts"
    dm = dms[0]
    body = json.dumps(dm["blocks"], ensure_ascii=False)
    assert dm["text"] == "support-replies: 2 exception items open"
    assert "customer wanted a call" in body and "the template was missing" in body
    assert "refund over the limit" not in body  # withdrawn by undo: so is its item
    assert body.index("customer wanted a call") < body.index("the template was missing")  # oldest first
    exception, deviation = [b["value"] for b in buttons(dm) if b["action_id"] == "item_acknowledge"]
    assert [b["action_id"] for b in buttons(dm)][:3] == ["item_acknowledge", "item_resolve", "item_accept"]

    clock.set(monday_9_new_york(1) + timedelta(hours=1))
    # someone else: refused, ephemerally, and nothing stored
    click(bot, "item_acknowledge", exception, OUTSIDER, TRIAGE, dm["ts"])
    assert "Only the exception owner of *support-replies*" in ephemerals(slack)[-1]
    click(bot, "item_resolve", exception, MEMBER, TRIAGE, dm["ts"])
    assert "Only the exception owner" in ephemerals(slack)[-1] and not slack.calls_to("views.open")
    assert moves(engine) == []

    click(bot, "item_acknowledge", exception, TRIAGE, TRIAGE, dm["ts"])
    assert "acknowledged" in ephemerals(slack)[-1]
    click(bot, "item_acknowledge", exception, TRIAGE, TRIAGE, dm["ts"])
    assert "acknowledged already" in ephemerals(slack)[-1]
    assert [(m.state, m.by, m.seq) for m in moves(engine)] == [("acknowledged", TRIAGE, 1)]

    click(bot, "item_resolve", exception, TRIAGE, TRIAGE, dm["ts"])
    form = opened_view(slack)
    assert form["callback_id"] == "item_note" and "customer wanted a call" in json.dumps(form)
    empty = bot.submit(TRIAGE, form, {"note": {"type": "plain_text_input", "value": "  "}})
    assert empty.body["errors"] == {"note": "Say why in a note: it is what the team reads later."}
    assert len(moves(engine)) == 1
    done = bot.submit(TRIAGE, form, {"note": {"type": "plain_text_input", "value": "Call-back step added"}})
    assert done.status == 200 and not done.body
    # the same form sent again: the item is resolved already, nothing more is stored
    twice = bot.submit(TRIAGE, form, {"note": {"type": "plain_text_input", "value": "again"}})
    assert "resolved already" in twice.body["errors"]["note"]

    click(bot, "item_accept", deviation, CURATOR, TRIAGE, dm["ts"])  # a curator may, too
    accepted = bot.submit(CURATOR, opened_view(slack), {"note": {"type": "plain_text_input", "value": "Known case"}})
    assert accepted.status == 200
    opened = len(slack.calls_to("views.open"))
    click(bot, "item_resolve", deviation, OWNER, TRIAGE, dm["ts"])  # closed: refused, no form
    assert "accepted already" in ephemerals(slack)[-1] and len(slack.calls_to("views.open")) == opened
    assert [(m.source, m.state, m.note, m.by) for m in moves(engine)] == [
        ("exception", "acknowledged", None, TRIAGE),
        ("exception", "resolved", "Call-back step added", TRIAGE),
        ("deviation", "accepted", "Known case", CURATOR),
    ]
    # the DM shows what is open now: after the last move, that none is
    queue.dispatcher.drain(max_wait=0)
    updates = [c.params for c in slack.calls_to("chat.update") if c.params.get("ts") == dm["ts"]]
    assert updates and "every exception item is answered" in json.dumps(updates[-1], ensure_ascii=False)
    assert "customer wanted a call" not in json.dumps(updates[-1], ensure_ascii=False)
    # nothing open: next Monday's DM is recorded as not needed, and not sent
    queue.run(monday_9_new_york(2))
    assert len(queue_dms(slack)) == 1


def test_publish_and_the_web_view_judge_the_queue_as_it_stands_now(
    bot, queue, store, engine, slack, clock, http_server, database_url
):
    """Issue 54, item 12: the first cycle still running, a publish 18 days after an item
    was logged and left open lists it ❌ (the last close's moment would judge nothing);
    the web view's latest judgement shows the queue as it stands today."""
    clock.set(wednesday(1))
    bot.command("exception support-replies draft customer wanted a call", user=OWNER)
    clock.set(wednesday(1) + timedelta(days=18))
    refused = bot.command("publish support-replies", user=CURATOR).text
    assert "scale rule never held" in refused and "Readiness:" in refused
    assert "❌ Exception queue: 1 item open more than 14 days, the oldest 18 days" in refused
    with Session(engine) as s:
        assert s.exec(select(RegistryVersion)).all() == []
        assert s.exec(select(Decision).where(Decision.kind == "publish")).all() == []

    published = publish_over(bot, store, "publish support-replies override the queue is being cleared")
    assert "support-replies v1" in published
    with Session(engine) as s:
        [row] = s.exec(select(Decision).where(Decision.kind == "publish")).all()
    assert "queue" in row.figures["missing"]
    state = store.playbooks.state("support-replies")
    committed(store).exception_items.move(
        store.exception_items.open_of([state.playbook.id])[0], "resolved", "done", OWNER, clock()
    )
    url, cookie = web_session(bot, http_server, database_url, slack, store, clock, CURATOR)
    _, _, page = fetch(url + "/web/playbooks/support-replies", cookie)
    section = page[page.index("Ready to scale?") :]
    assert "<li>✅ Exception queue: no item open more than 14 days (as of today)</li>" in section


def test_the_web_view_and_its_csv_show_the_items_and_every_change(view, store, clock):  # noqa: F811
    view.command("exception support-replies draft customer wanted a call", user=OWNER)
    state = store.playbooks.state("support-replies")
    item = store.exception_items.open_of([state.playbook.id])[0]
    committed(store).exception_items.move(item, "acknowledged", None, OWNER, clock())
    cookie = signed_in(view, OWNER)
    status, _, page = fetch(view.base_url + "/web/playbooks/support-replies", cookie)
    assert status == 200 and "Exception items open" in page and "customer wanted a call" in page
    status, _, text = fetch(view.base_url + "/web/playbooks/support-replies/exception-item-changes.csv", cookie)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert status == 200 and [(r["moved to"], r["by"], r["reason"]) for r in rows] == [
        ("acknowledged", OWNER, "customer wanted a call")
    ]
    status, _, text = fetch(view.base_url + "/web/playbooks/support-replies/exception-items.csv", cookie)
    assert [r["state"] for r in csv.DictReader(io.StringIO(text))] == ["acknowledged"]


def test_exception_owner_must_be_a_slack_user_id():
    raw = copy.deepcopy(SUPPORT_REPLIES)
    raw["exception_owner"] = "alice"
    with pytest.raises(Exception, match="exception_owner"):
        parse_playbook(raw)
    assert "exception_owner" not in parse_playbook(SUPPORT_REPLIES).canonical()  # an unchanged file stays unchanged


def test_of_two_moves_at_once_one_is_kept_and_a_withdrawn_item_takes_none(bot, queue, store, engine, clock):
    from storage.exception_items import Moved

    log_week_1(bot, clock)
    state = store.playbooks.state("support-replies")
    exception, deviation = store.exception_items.open_of([state.playbook.id])
    assert (exception.source, deviation.source) == ("exception", "deviation")
    committed(store).exception_items.move(exception, "resolved", "one", TRIAGE, clock())
    with pytest.raises(Moved):  # read before the first move was written: refused by the unique key
        committed(store).exception_items.move(exception, "accepted", "two", CURATOR, clock())
    assert "Withdrew your check-in" in bot.command("undo support-replies", user=MEMBER).text
    withdrawn = store.exception_items.item("deviation", deviation.report_id)
    assert withdrawn.withdrawn and not withdrawn.is_open
    with pytest.raises(Moved):
        committed(store).exception_items.move(deviation, "accepted", "late", TRIAGE, clock())
    assert [(m.state, m.note) for m in moves(engine)] == [("resolved", "one")]
    assert store.exception_items.open_of([state.playbook.id]) == []


def test_status_reads_each_steps_count_and_oldest_as_the_whole_queue_has_them(bot, queue, store, clock):
    """open_by_step counts and cuts in SQL: it must agree with the whole queue read item
    by item, across both sources, closed, withdrawn and acknowledged items."""
    log_week_1(bot, clock)  # draft: an exception, a deviation; send: an exception undone
    for i in range(7):
        clock.advance(minutes=1)
        step = "send" if i % 2 else "draft"
        bot.command(f"exception support-replies {step} case {i}", user=OWNER)
        if i == 3:
            bot.command(f"attest support-replies no {step} a member's case {i}", user=MEMBER)
    state = store.playbooks.state("support-replies")
    items = store.exception_items.open_of([state.playbook.id])
    committed(store).exception_items.move(items[0], "resolved", "done", TRIAGE, clock())  # closed: leaves the queue
    committed(store).exception_items.move(items[2], "acknowledged", None, TRIAGE, clock())  # acknowledged: still open
    every = store.exception_items.open_of([state.playbook.id])
    found = store.exception_items.open_by_step(state.playbook.id, 3)
    by_step = {step.id: [i for i in every if i.step_id == step.id] for step in state.steps}
    assert found == {
        step_id: (theirs[:3], len(theirs), sum(i.state == "acknowledged" for i in theirs))
        for step_id, theirs in by_step.items()
        if theirs
    }
    assert sorted(n for _, n, _ in found.values()) == [4, 5] and sum(a for _, _, a in found.values()) == 1
