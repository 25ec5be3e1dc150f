"""Mode governance end to end: a proposal earned and approved by its button, signed
requests and button clicks over HTTP, ticks on a fake clock, messages through the outbox
to the Slack stand-in; its helpers (report_week, click, close_of) serve the other end-to-end
files. A mode set by a person is tests/usecases/fast/test_modes.py's; the week close's rules
tests/usecases/fast/test_close_modes.py's; two cycles to publish and adoption, and
history's words, tests/usecases/fast/test_governance.py's."""

import json
import re
import time
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import Session, select

from cadence.definition_load import parse_playbook
from storage.models.governance import Decision
from tests.committed import committed, loaded
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


ASSESSED_AT = datetime(2025, 1, 1, tzinfo=UTC)  # before any test's publishing


def assess_kept(store, slug):
    """`slug`'s post-pilot assessment kept by its owner (the decision row `assess` writes,
    cadence/assessment.py's), unless one is kept: a version published after it is in phase 1
    (cadence/phases.py) and takes its second pilot."""
    from cadence.assessment import assessed
    from cadence.change import Change

    state = store.playbooks.state(slug)
    pid = state.playbook.id
    if store.assessments.carried([(pid, pid, datetime.max.replace(tzinfo=UTC))])[pid] is not None:
        return
    answers = {"manual": {"core": [], "pilot": ["a senior reviewer on every case"]}}
    kept = assessed(pid, slug, 1, answers, state.playbook.owner_id)
    committed(store).governance.apply(Change(decisions=[kept]), ASSESSED_AT)


def replicated_on(store, slug, at):
    """`slug`'s first cycle replicated its origin (the week close's decision row): the
    version it runs is verified (cadence/phases.py), and a wave may open."""
    from cadence.change import Change
    from cadence.cycle_decisions import of_replication

    pid = store.playbooks.state(slug).playbook.id
    committed(store).governance.apply(Change(decisions=[of_replication(pid, at.date(), 1, "replicated", {})]), at)


def publish_over(bot, store, text, by=CURATOR, decider=ADMIN, assessed=True):
    """`/rollout <text>`, a publish with `override <reason>`, by `by`: over readiness it is a
    request (issue 93, item 5) whose Publish `decider` clicks (the asker never publishes over
    readiness alone). The reply, then the slug and number of the version it published.
    `assessed`: its post-pilot assessment kept before (`assess_kept`)."""
    slug = text.split()[1]
    if assessed and store.playbooks.state(slug) is not None:
        assess_kept(store, slug)
    reply = bot.command(text, user=by).text
    request = store.publish_requests.open_for(store.playbooks.state(slug).playbook.id)
    if request is None:
        return reply
    click(bot, "publish_approve", str(request.id), decider, CURATORS, "1700000000.000100")
    decided = store.publish_requests.get(request.id)
    if decided.state != "published":
        return reply
    return f"{reply}\n{slug} v{decided.version}"


def adopt_over(bot, store, text, by=CURATOR, decider="UCURATOR09"):
    """`/rollout <text>`, an adopt with `override <reason>`, by `by`: past its wave, the
    team's load or close matches it is a request (issue 109, item 5) whose Approve
    `decider`, made a curator for it, clicks (the asker never adopts past them alone). The reply."""
    reply = bot.command(text, user=by).text
    if "is a second person's decision" not in reply:
        return reply
    slug, channel_id = text.split()[1].split("@")[0], re.search(r"<#(C\w+)", text).group(1)
    version = store.registry.version(slug, None)
    request = store.registry.pending_request(version.id, channel_id)
    committed(store).org.add_curator(decider, ADMIN, datetime.now(UTC))
    click(bot, "request_approve", str(request.id), decider, CURATORS, "1700000000.000200")
    return reply


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
