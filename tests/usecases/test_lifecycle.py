"""A playbook's life against its reports and its clock (issue 24, items 10 to 13 and
the digest's completed cycles of item 15): a retired playbook takes no report on any
path, a week paused and resumed in keeps taking reports until it closes, adoption's start
is bounded, and no week is judged that nobody could report for. The bounds of a cycle's
start and a resume's, and moving a start not begun, are tests/usecases/fast/test_life.py's."""

import json
import uuid
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from cadence import keys
from cadence.definition import parse_playbook
from storage.models.governance import CycleResult, Decision, StepVerdict
from storage.models.playbooks import Cycle, Playbook
from storage.models.reports import CheckIn, KpiReading
from tests.committed import committed, loaded
from tests.conftest import ADMIN, CHANNEL, MEMBER, OWNER, SUPPORT_REPLIES, Engine
from tests.handlers.test_forms import selected, submit, text_input
from usecases.shared.life import begin_cycle

CURATOR = "UCURATOR1"


@pytest.fixture
def world(bot, engine, slack, clock, playbook):
    slack.add_user(OWNER, tz="Europe/Berlin")
    slack.add_user(MEMBER, tz="Europe/Berlin")
    slack.add_user("UROLLOUTBOT", is_bot=True)
    return Engine(engine, slack, clock)


def count(engine, table, *where) -> int:
    with Session(engine) as s:
        return s.exec(select(func.count()).select_from(table).where(*where)).one()


def click(bot, playbook_id, week_start, action_id, user=MEMBER):
    """A check-in DM's button, as Slack sends its click."""
    return bot.interaction(
        {
            "type": "block_actions",
            "user": {"id": user},
            "trigger_id": f"{uuid.uuid4().int % 10**12}.98765.abcd",
            "container": {"type": "message", "channel_id": "DMEMBER001", "message_ts": "1700000000.000100"},
            "actions": [
                {
                    "type": "button",
                    "action_id": action_id,
                    "block_id": "checkin",
                    "value": keys.checkin_button(playbook_id, week_start),
                }
            ],
        }
    )


def refused(reply, *phrases):
    assert reply.status == 200 and reply.body["response_type"] == "ephemeral", reply.body
    assert ":warning:" in reply.text and "Usage:" in reply.text, reply.text
    for phrase in phrases:
        assert phrase in reply.text, reply.text


def texts(slack, channel):
    return [m["text"] for m in slack.posted(channel)]


# ---- item 10: a retired playbook takes no report on any path --------------------------


def test_a_retired_playbook_refuses_the_dm_buttons_and_forms_as_the_command_does(bot, world, slack, engine):
    pid = world.store.playbooks.state("support-replies").playbook.id
    week = date(2026, 11, 16)
    forms = {}
    for action in ("checkin_kpi", "checkin_attest", "checkin_deviation"):  # opened while it ran
        assert click(bot, pid, week, action).status == 200
        forms[action] = slack.opened_views[-1]
        assert forms[action]["callback_id"] == action
    assert "is retired" in bot.command("retire support-replies replaced by triage", user=OWNER).text
    said = "support-replies was retired on 2026-11-18: “replaced by triage”"
    assert said in bot.command("kpi support-replies 20").text

    answers = {
        "checkin_kpi": {"value": text_input("14.5")},
        "checkin_attest": {"note": text_input("smooth")},
        "checkin_deviation": {"step": selected("send"), "reason": text_input("refund over limit")},
    }
    for action, values in answers.items():
        reply = submit(bot, forms[action], values)
        assert reply.body["response_action"] == "errors", (action, reply.body)
        assert any(said in error for error in reply.body["errors"].values()), reply.body
    for action in forms:  # the DM's buttons open a notice that says why, not the form
        opened = len(slack.opened_views)
        assert click(bot, pid, week, action).status == 200
        assert len(slack.opened_views) == opened + 1
        notice = slack.opened_views[-1]
        assert "callback_id" not in notice and "submit" not in notice
        assert said in json.dumps(notice, ensure_ascii=False)
    assert count(engine, KpiReading) == 0 and count(engine, CheckIn) == 0


# ---- item 11: a week paused and resumed in takes reports until it closes ---------------


def test_a_pause_and_a_resume_in_the_same_week_leave_that_week_open_until_it_closes(bot, world, slack, engine, clock):
    pid = world.store.playbooks.state("support-replies").playbook.id
    clock.set(datetime(2026, 11, 25, 10, 0, tzinfo=UTC))  # Wednesday of week 2
    assert "is paused" in bot.command("pause support-replies team offsite", user=OWNER).text
    assert "Cycle 2" in bot.command("resume support-replies", user=OWNER).text  # on Monday 30 November
    assert "week 2 of cycle 1" in bot.command("kpi support-replies 20").text
    assert click(bot, pid, date(2026, 11, 23), "checkin_kpi").status == 200
    form = slack.opened_views[-1]
    assert form["callback_id"] == "checkin_kpi"
    reply = submit(bot, form, {"value": text_input("19")})
    assert reply.status == 200 and not reply.body, reply.body  # closes the form: recorded
    assert "Withdrew your KPI reading" in bot.command("undo support-replies").text
    assert count(engine, KpiReading, KpiReading.withdrawn_at.is_(None)) == 1

    world.run_through(datetime(2026, 11, 25, 11, 0, tzinfo=UTC), datetime(2026, 11, 30, 10, 0, tzinfo=UTC))
    clock.set(datetime(2026, 11, 30, 10, 30, tzinfo=UTC))  # Monday 11:30 in Berlin: inside week 2's grace
    assert "week 2 of cycle 1" in bot.command("kpi support-replies 18 week:2").text
    world.run(datetime(2026, 11, 30, 11, 0, tzinfo=UTC))  # Monday noon in Berlin: week 2 closes
    assert "support-replies: week 2 of cycle 1 closed" in texts(slack, CHANNEL)
    with Session(engine) as s:
        weeks = sorted({v.week_start for v in s.exec(select(StepVerdict))})
        (result,) = s.exec(select(CycleResult)).all()
    assert weeks == [date(2026, 11, 16), date(2026, 11, 23)]
    assert (result.cycle, result.hit) == (1, False)  # interrupted
    refused(bot.command("kpi support-replies 17 week:2"), "closed on Mon 30 Nov 12:00 Europe/Berlin")
    assert "week 1 of cycle 2" in bot.command("kpi support-replies 17").text


# ---- item 12: adoption's start date is bounded -------------------------------------------


def row_counts(engine) -> dict[str, int]:
    return {t.__tablename__: count(engine, t) for t in (Cycle, Decision, Playbook, KpiReading)}


def test_adopting_with_a_start_far_ahead_or_in_the_past_is_refused(bot, playbook, slack, engine):
    slack.add_user(CURATOR)
    slack.add_channel("CNEWTEAM01", ["UROLLOUTBOT", OWNER])
    assert "now a curator" in bot.command(f"curator add <@{CURATOR}>", user=ADMIN).text
    assert "v1" in bot.command("publish support-replies override a pilot ahead of readiness", user=CURATOR).text
    before = row_counts(engine)
    for start, phrase in (("9999-12-27", "more than a year ahead"), ("2026-11-09", "is in the past")):
        reply = bot.command(f"adopt support-replies <#CNEWTEAM01|new-team> start:{start}", user=CURATOR)
        refused(reply, phrase)
    assert row_counts(engine) == before


# ---- item 13: no start in the past, and no verdict for a week nobody could report for ---


def test_the_clock_judges_no_week_that_closed_before_its_cycle_was_started(store, engine, slack, clock):
    """A cycle back-dated in the data (as the bot once accepted): its weeks that had
    closed when it was started get no verdict, and no step is demoted for them."""
    definition = {**SUPPORT_REPLIES, "timezone": "Asia/Tokyo"}
    loaded(store, [parse_playbook(definition)], "UTC", actor="test", at=clock())
    state = store.playbooks.state("support-replies")
    begin_cycle(store, state.playbook.id, 1, date(2026, 11, 2), OWNER, clock())  # Wednesday of its week 3
    world = Engine(engine, slack, clock)
    world.run(datetime(2026, 11, 18, 10, 0, tzinfo=UTC))
    assert count(engine, StepVerdict) == 0
    assert store.playbooks.state("support-replies").step("send").mode == "ai-led"
    world.run(datetime(2026, 11, 23, 3, 0, tzinfo=UTC))  # Monday noon in Tokyo: week 3 closes
    with Session(engine) as s:
        weeks = {v.week_start for v in s.exec(select(StepVerdict))}
    assert weeks == {date(2026, 11, 16)}


# ---- item 15: a paused or retired playbook's cycle counts once, the week it closed -------


@pytest.mark.parametrize("ending", ["pause", "retire"])
def test_an_ended_cycle_counts_in_the_digest_of_the_week_its_last_week_closed(bot, world, slack, store, clock, ending):
    """The clock ran late that Monday (its first tick after the close came after the
    digest's slot): the cycle still counts in that Monday's digest, and in no later one."""
    slack.add_channel("CCURATORS1", [OWNER])
    committed(store).org.set_setting("curators_channel", "CCURATORS1", OWNER, datetime(2026, 11, 1, tzinfo=UTC))
    world.run(datetime(2026, 11, 23, 13, 0, tzinfo=UTC))  # week 1 closes; the digest of 23 November
    clock.set(datetime(2026, 11, 25, 10, 0, tzinfo=UTC))
    assert "still closes" in bot.command(f"{ending} support-replies team offsite", user=OWNER).text
    world.run(datetime(2026, 11, 30, 14, 0, tzinfo=UTC))  # week 2 closed at 11:00 UTC, the digest was due at 13:00
    world.run(datetime(2026, 12, 7, 13, 0, tzinfo=UTC))
    world.run(datetime(2026, 12, 14, 13, 0, tzinfo=UTC))
    summaries = [m for m in slack.posted("CCURATORS1") if m["text"].startswith("Rollout digest")]
    assert [m["text"][-10:] for m in summaries] == ["2026-11-16", "2026-11-23", "2026-11-30", "2026-12-07"]
    completed = [json.dumps(m["blocks"], ensure_ascii=False) for m in summaries]
    assert "*0* cycles completed this week (0 in all)" in completed[0]
    assert "*1* cycle completed this week (1 in all)" in completed[1]  # cycle 1 ended with week 2
    assert "*0* cycles completed this week (1 in all)" in completed[2]  # and is not counted again
    assert "*0* cycles completed this week (1 in all)" in completed[3]
