"""Mode governance end to end: signed requests and button clicks over HTTP, ticks on a
fake clock, messages through the outbox to the Slack stand-in. A mode set by a person (who
may, the freeze, the unfreeze) is tests/usecases/fast/test_modes.py's; the week close's
rules (demotions, FAILs, withdrawn proposals, the guardrail, INCONCLUSIVE, status's
streaks) are tests/usecases/fast/test_close_modes.py's."""

import json
import time
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import Session, select

from cadence.definition import parse_playbook
from storage.models.governance import Decision, Proposal, RegistryVersion
from tests.committed import loaded
from tests.conftest import ADMIN, CHANNEL, MEMBER, OWNER, SUPPORT_REPLIES_NO_SET, Engine
from usecases.shared.life import begin_cycle

UTC = UTC
CURATOR = "UCURATOR1"
CURATORS = "CCURATORS1"


def wednesday(week: int) -> datetime:
    """10:00 UTC on the Wednesday of week `week` since Monday 16 November 2026 (cycle 1, week 1)."""
    return datetime(2026, 11, 18, 10, 0, tzinfo=UTC) + timedelta(days=7 * (week - 1))


def close_of(week: int) -> datetime:
    """Monday 11:00 UTC after week `week`: Sunday midnight in Berlin plus 12 hours of grace."""
    return datetime(2026, 11, 23, 11, 0, tzinfo=UTC) + timedelta(days=7 * (week - 1))


@pytest.fixture
def playbook(store, clock):
    """support-replies with draft needing no calibration set (so its promotion is
    proposed), loaded and with cycle 1 started on Monday 2026-11-16."""
    loaded(store, [parse_playbook(SUPPORT_REPLIES_NO_SET)], "UTC", actor="test", at=clock())
    state = store.playbooks.state("support-replies")
    begin_cycle(store, state.playbook.id, 1, date(2026, 11, 16), OWNER, clock())
    return store.playbooks.state("support-replies")


@pytest.fixture
def world(bot, engine, slack, clock, playbook):
    slack.add_channel(CURATORS, [CURATOR, ADMIN])
    for user in (OWNER, MEMBER, CURATOR):
        slack.add_user(user, tz="Europe/Berlin")
    slack.add_user("UROLLOUTBOT", is_bot=True)
    assert "now a curator" in bot.command(f"curator add <@{CURATOR}>", user=ADMIN).text
    bot.command(f"curators-channel <#{CURATORS}|curators>", user=ADMIN)
    return Engine(engine, slack, clock)


def report_week(bot, clock, week, draft=(20, 0, "95%"), send=(20, 0), kpi="14", send_rubric="2/2"):
    """What the owner and a member report during a week (`send_rubric`: the AI-led step's
    review at its rate, 2 of its 20 cases; None: not reviewed)."""
    clock.set(wednesday(week))
    cases, exceptions, rubric = draft
    assert "cases" in bot.command(f"cases support-replies draft {cases}", user=OWNER).text
    assert "Rubric" in bot.command(f"rubric support-replies draft {rubric}", user=OWNER).text
    for i in range(exceptions):
        bot.command(f"exception support-replies draft case {i} went wrong", user=OWNER)
    send_cases, send_exceptions = send
    bot.command(f"cases support-replies send {send_cases}", user=OWNER)
    if send_rubric is not None:  # refused, storing nothing, where send has `rubric: none`
        bot.command(f"rubric support-replies send {send_rubric}", user=OWNER)
    for i in range(send_exceptions):
        bot.command(f"exception support-replies send refund {i} over the limit", user=OWNER)
    bot.command("cases support-replies refunds 12", user=OWNER)
    bot.command("rubric support-replies refunds 0.91", user=OWNER)
    if kpi is not None:
        assert "Recorded" in bot.command(f"kpi support-replies {kpi}", user=MEMBER).text


def texts(slack, channel):
    return [m["text"] for m in slack.posted(channel)]


def click(bot, action_id, value, user, channel, ts):
    return bot.interaction(
        {
            "type": "block_actions",
            "user": {"id": user},
            "trigger_id": f"{uuid.uuid4().int % 10**12}.1.abc",
            "container": {"type": "message", "channel_id": channel, "message_ts": ts},
            "channel": {"id": channel},
            "actions": [
                {
                    "type": "button",
                    "action_id": action_id,
                    "block_id": "proposal",
                    "value": value,
                    "action_ts": f"{time.time():.6f}",
                }
            ],
        }
    )


def buttons(message):
    return [e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]


def test_a_collaborative_step_earns_a_proposal_and_only_the_owner_may_approve_it(bot, world, slack, store, engine):
    for week in (1, 2):
        report_week(bot, world.clock, week)
        world.run(close_of(week))
    proposal_text = "Proposal: support-replies / draft collaborative → ai-led"
    assert texts(slack, CHANNEL).count(proposal_text) == 1 and texts(slack, CURATORS).count(proposal_text) == 1
    message = next(m for m in slack.posted(CHANNEL) if m["text"] == proposal_text)
    body = json.dumps(message["blocks"], ensure_ascii=False)
    assert "PASS 2 weeks in a row: week 1 of cycle 1 (exceptions 0/20 = 0% ≤ cap 10%, rubric 95% ≥ 90%)" in body
    approve = buttons(message)[0]
    assert approve["action_id"] == "proposal_approve"

    # a member's click is refused, to the member only, and changes nothing
    world.clock.set(wednesday(3))
    assert click(bot, "proposal_approve", approve["value"], MEMBER, CHANNEL, message["ts"]).status == 200
    refusal = slack.calls_to("chat.postEphemeral")[-1].params
    assert refusal["user"] == MEMBER and "Only the owner of support-replies" in json.dumps(refusal)
    assert store.playbooks.state("support-replies").step("draft").mode == "collaborative"

    # the owner's click promotes it, and both proposal messages lose their buttons
    click(bot, "proposal_approve", approve["value"], OWNER, CHANNEL, message["ts"])
    assert store.playbooks.state("support-replies").step("draft").mode == "ai-led"
    world.dispatcher.drain(max_wait=0)
    for channel in (CHANNEL, CURATORS):
        updated = next(m for m in slack.posted(channel) if m["text"] == proposal_text)
        assert updated.get("edited") and buttons(updated) == []
        assert f"Approved by <@{OWNER}>: *draft* is now ai-led." in json.dumps(updated["blocks"], ensure_ascii=False)
    assert "support-replies / draft: collaborative → ai-led" in texts(slack, CHANNEL)
    # a second click is told it is decided
    click(bot, "proposal_approve", approve["value"], OWNER, CHANNEL, message["ts"])
    assert "already approved" in json.dumps(slack.calls_to("chat.postEphemeral")[-1].params)
    with Session(engine) as s:
        kinds = [
            (d.kind, d.rule, d.actor)
            for d in s.exec(select(Decision).where(Decision.step_id.is_not(None)).order_by(Decision.id))
        ]
    assert ("proposal", "streak", "rule:streak") in kinds
    # draft, send (reviewed at its rate) and refunds, 2 weeks
    assert kinds.count(("verdict", "4-within-cap-rubric-met", "rule:verdict")) == 6
    assert ("proposal-approved", "approval", OWNER) in kinds and ("mode-change", "approval", OWNER) in kinds


def test_two_cycles_on_target_lead_to_publish_and_adoption(bot, world, slack, store, engine):
    """The KPI holds for two cycles, but nobody was asked to check in, no input contract is
    declared and no learning kept: "not yet ready", and a curator publishes by override.
    (tests/usecases/test_replication.py follows a ready playbook and its Publish button.)"""
    for week in range(1, 9):
        # 3 of 4 weeks with a value, all on target: median 14, mean 12.97
        report_week(bot, world.clock, week, kpi={1: "14", 2: "10", 3: "14.9"}.get(week % 4))
        world.run(close_of(week))
    with Session(engine) as s:
        assert s.exec(select(Proposal).where(Proposal.kind == "scale")).all() == []
    not_ready = next(m for m in slack.posted(CURATORS) if "not yet ready" in m["text"])
    body = json.dumps(not_ready["blocks"], ensure_ascii=False)
    assert "2 cycles in a row hit the target" in body and "❌ Input contract: no inputs and no outputs declared" in body

    world.clock.set(wednesday(9))
    assert "Only curators publish" in bot.command("publish support-replies override x", user=MEMBER).text
    assert "not yet ready" in bot.command("publish support-replies", user=CURATOR).text
    bot.command("publish support-replies override the team asked to share it now", user=CURATOR)
    with Session(engine) as s:
        version = s.exec(select(RegistryVersion)).one()
    assert (version.slug, version.version, version.scale_rule_held) == ("support-replies", 1, True)
    assert [r["hit"] for r in version.cycle_results] == [True, True]
    assert {s["name"]: s["mode"] for s in version.definition["steps"]}["draft"] == "collaborative"
    world.dispatcher.drain(max_wait=0)
    assert "support-replies v1 is in the registry" in texts(slack, CURATORS)

    registry = bot.command("registry Support").text
    # The registry's result is the statistic the replication verdict judges by: the median.
    assert "*support-replies v1*" in registry and "cycle 2 ✓ median 14 min (104% of the way)" in registry
    assert "12.97" not in registry
    slack.add_channel("CSALES0001", ["USALESOWN1"])
    slack.add_user("USALESOWN1")
    adopted = bot.command("adopt support-replies@v1 <#CSALES0001|sales-team> owner <@USALESOWN1|sam>", user=CURATOR)
    assert "*support-replies-sales-team* now runs in <#CSALES0001>" in adopted.text
    new = store.playbooks.state("support-replies-sales-team")
    assert (new.playbook.owner_id, new.playbook.channel_id, new.playbook.adopted_from_id) == (
        "USALESOWN1",
        "CSALES0001",
        version.id,
    )
    assert "adopted by support-replies-sales-team" in bot.command("registry").text
    assert "adopted from support-replies v1" in bot.command("status support-replies-sales-team").text
    assert "Registry: v1" in bot.command("status support-replies").text
    world.dispatcher.drain(max_wait=0)
    assert texts(slack, "CSALES0001") == ["support-replies-sales-team adopted from support-replies v1"]
    assert "The registry has no v7" in bot.command("adopt support-replies@v7 <#CSALES0001>", user=CURATOR).text
    assert "Only curators" in bot.command("adopt support-replies <#CSALES0001>", user=OWNER).text
    again = bot.command("adopt support-replies <#CSALES0001|sales-team>", user=CURATOR).text
    assert "already runs support-replies-sales-team, adopted from support-replies" in again

    # Another team, in New York, with its own numbers and first Monday; the bot must be there.
    slack.add_channel("CNYC000001", ["UNYCOWNER1"])
    slack.add_user("UNYCOWNER1", tz="America/New_York")
    slack.workspace.not_in_channel.add("CNYC000001")
    command = (
        "adopt support-replies <#CNYC000001|support-nyc> owner <@UNYCOWNER1|nia> baseline:50 target:20 "
        "tz:America/New_York start:2027-01-18"
    )
    refused = bot.command(command, user=CURATOR).text
    assert "I'm not in <#CNYC000001>" in refused and "/invite @Rollout Cadence" in refused
    assert store.playbooks.state("support-replies-support-nyc") is None
    slack.workspace.not_in_channel.discard("CNYC000001")
    reply = bot.command(command, user=CURATOR).text
    # its own baseline, typed at adopt, stands until its baseline week measures one (issue 81):
    # the week of `start:` is that week, and its first cycle starts the Monday after
    declared = "(declared until the baseline week measures it)"
    assert (
        f"baseline 50 min {declared}, target 20 min · exception cap 10% · rubric threshold 90% · America/New_York"
        in (reply)
    )
    assert "The baseline week starts on 2027-01-18" in reply and "first cycle starts on 2027-01-25" in reply
    nyc = store.playbooks.state("support-replies-support-nyc")
    assert (nyc.playbook.timezone, nyc.playbook.kpi_baseline, nyc.playbook.kpi_target) == ("America/New_York", 50, 20)
    assert nyc.anchor is not None and nyc.anchor.starts_on.isoformat() == "2027-01-25"
    slack.add_channel("CNYC000002", ["UNYCOWNER1"])
    backwards = bot.command("adopt support-replies <#CNYC000002|x> baseline:20 target:25", user=CURATOR).text
    assert "can't be adopted as it is" in backwards and "must be below the baseline" in backwards


def test_history_says_why_a_step_was_demoted(bot, world, slack, store):
    report_week(bot, world.clock, 1)
    world.run(close_of(1))
    report_week(bot, world.clock, 2, send=(20, 5))
    world.run(close_of(2))
    reply = bot.command("history support-replies send", user=MEMBER)
    text = reply.text
    assert reply.status == 200 and "History of support-replies · step send" in text
    assert "send: demotion (ai-led → collaborative); rule critical" in text
    assert "Exceptions 5/20 = 25% (cap 10%)" in text and "decided by the rule “critical”" in text
    assert ": FAIL (" not in text and ": PASS (" not in text  # weekly verdicts are status's
    one = bot.command("history support-replies 1", user=MEMBER).text
    assert one.count("decided by") == 1
    assert "Show between 1 and 25" in bot.command("history support-replies 99").text
    assert "has no step" in bot.command("history support-replies nope").text
