"""The rules' decisions told to a webhook end to end, as the clock process makes them: a
demotion at a week's close, a promotion approved by the owner's click, and an adopting
playbook's replication verdict at the close of its first cycle. Reports and clicks are
Slack's signed requests over HTTP; the closes are the clock process's own parts
(bot/processes.py's Clockwork: its tick, its Slack dispatcher and its webhooks' lane, in
their threads) on a fake clock; a real receiver on a loopback port verifies each event.
On SQLite and PostgreSQL."""

import time
from contextlib import contextmanager
from datetime import timedelta

import pytest

from bot.processes import Clockwork
from outbound.webhooks import WebhookLane
from tests.conftest import OWNER, Engine
from tests.usecases.test_governance import (
    CURATOR,
    CURATORS,
    assess_kept,
    buttons,
    click,
    close_of,
    playbook,
    report_week,
    wednesday,
    world,
)
from tests.usecases.test_replication import SALES, SALES_OWNER, run_weeks
from tests.usecases.test_webhook_events import hook, ready, receiver

__all__ = ["playbook", "ready", "receiver", "world"]  # fixtures (playbook: draft proposed without a calibration set)


@contextmanager
def clock_process(engine, slack, clock, store):
    """The clock process's threads (dispatcher, webhooks' lane); yields its tick at a time."""
    parts = Engine(engine, slack, clock)
    clockwork = Clockwork(parts.cadence, parts.dispatcher, clock, webhooks=WebhookLane(store.webhooks, clock))
    clockwork.start_dispatcher()

    def tick(at):
        clock.set(at)
        clockwork.tick()

    try:
        yield tick
    finally:
        clockwork.stop()


def posted(slack, channel, start, seconds=10.0):
    """The first message to `channel` whose text starts so, waiting for the dispatcher."""
    deadline = time.monotonic() + seconds
    while True:
        found = [m for m in slack.posted(channel) if m["text"].startswith(start)]
        if found or time.monotonic() > deadline:
            assert found, f"nothing starting {start!r} posted to {channel}"
            return found[0]
        time.sleep(0.02)


def told(receiver):
    return [(e["type"], e["playbook"], e["data"].get("decision") or e["data"].get("week")) for e in receiver.events]


def test_a_demotion_by_the_rules_at_a_weeks_close_is_told(bot, world, slack, store, engine, clock, receiver):
    hook(store, receiver, clock, "modes", wanted=["mode_changed", "week_closed"])
    with clock_process(engine, slack, clock, store) as tick:
        report_week(bot, clock, 1)
        tick(close_of(1))
        report_week(bot, clock, 2, send=(20, 5))  # 25% exceptions on an ai-led step: over twice its cap
        tick(close_of(2))
        assert receiver.wait_for(3)
    assert store.playbooks.state("support-replies").step("send").mode == "collaborative"
    assert told(receiver) == [
        ("week_closed", "support-replies", "2026-11-16"),
        ("week_closed", "support-replies", "2026-11-23"),  # the close, then what the rules decided at it
        ("mode_changed", "support-replies", "mode-change"),
    ]
    demotion = receiver.events[2]["data"]
    assert (demotion["step"], demotion["from_mode"], demotion["to_mode"]) == ("send", "ai-led", "collaborative")
    assert (demotion["rule"], demotion["decided_by"], demotion["week"]) == ("critical", "rule:critical", "2026-11-23")
    assert "send: demotion (ai-led → collaborative)" in demotion["summary"]
    assert (demotion["figures"]["cases"], demotion["figures"]["exceptions"]) == (20, 5)
    closed = {s["step"]: s for s in receiver.events[1]["data"]["steps"]}
    assert (closed["send"]["outcome"], closed["send"]["cases"], closed["send"]["exceptions"]) == ("FAIL", 20, 5)
    assert receiver.unverified == 0 and not receiver.repeats


def test_a_promotion_approved_by_the_owner_is_told_after_its_proposal(
    bot, world, slack, store, engine, clock, receiver
):
    hook(store, receiver, clock, "modes", wanted=["proposal", "mode_changed"])
    with clock_process(engine, slack, clock, store) as tick:
        for week in (1, 2):
            report_week(bot, clock, week)
            tick(close_of(week))
        assert receiver.wait_for(1)
        assert told(receiver) == [("proposal", "support-replies", "proposal")]
        message = posted(slack, CURATORS, "Proposal: support-replies / draft")  # by the clock's dispatcher thread
        clock.set(wednesday(3))
        click(bot, "proposal_approve", buttons(message)[0]["value"], OWNER, CURATORS, message["ts"])
        assert receiver.wait_for(2)
    assert store.playbooks.state("support-replies").step("draft").mode == "ai-led"
    assert told(receiver) == [
        ("proposal", "support-replies", "proposal"),
        ("mode_changed", "support-replies", "mode-change"),
    ]
    proposal, promotion = (e["data"] for e in receiver.events)
    assert (proposal["step"], proposal["from_mode"], proposal["to_mode"]) == ("draft", "collaborative", "ai-led")
    assert (proposal["rule"], proposal["decided_by"]) == ("streak", "rule:streak")
    assert (promotion["step"], promotion["from_mode"], promotion["to_mode"]) == ("draft", "collaborative", "ai-led")
    assert (promotion["rule"], promotion["decided_by"]) == ("approval", OWNER)
    assert receiver.unverified == 0 and not receiver.repeats


def test_an_adopting_playbooks_replication_verdict_is_told(bot, ready, slack, store, engine, clock, receiver):
    hook(store, receiver, clock, "registry", wanted=["adopted", "replication"])
    run_weeks(bot, ready, range(1, 9))
    proposal = next(m for m in slack.posted(CURATORS) if m["text"] == "support-replies is ready to scale")
    clock.set(wednesday(9))
    assess_kept(store, "support-replies")  # its pilot assessed: phase 1 (cadence/phases.py)
    click(bot, "scale_publish", buttons(proposal)[0]["value"], CURATOR, CURATORS, proposal["ts"])
    slack.add_channel(SALES, [SALES_OWNER])
    slack.add_user(SALES_OWNER)
    assert (
        "now runs in"
        in bot.command(
            f"adopt support-replies <#{SALES}|sales> owner <@{SALES_OWNER}> start:2027-01-11", user=CURATOR
        ).text
    )
    with clock_process(engine, slack, clock, store) as tick:
        for week in range(10, 14):  # the adopter's first cycle, on target
            clock.set(wednesday(week))
            assert "Recorded" in bot.command("kpi support-replies-sales 13", user=SALES_OWNER).text
            for step in ("draft", "send", "refunds"):  # evidence of exceptions (issue 93, item 6)
                bot.command(f"cases support-replies-sales {step} 20", user=SALES_OWNER)
            tick(close_of(week) + timedelta(hours=1))
        assert receiver.wait_for(2)
    assert told(receiver) == [
        ("adopted", "support-replies-sales", "adopted"),
        ("replication", "support-replies-sales", "replication"),
    ]
    verdict = receiver.events[1]["data"]
    assert (verdict["figures"]["cycle"], verdict["figures"]["verdict"]) == (1, "replicated")
    assert verdict["figures"]["origin_progress"] == pytest.approx((14 - 42) / (15 - 42))  # the origin's cycle 1
    assert receiver.unverified == 0 and not receiver.repeats
