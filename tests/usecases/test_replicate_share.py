"""Scale means the origin's numbers (issue 69, item 3), end to end: an adopter that hits
its own target but not `replicate_share` (0.8) of the origin's relative KPI change in the
cycle its version was published from is not replicated, with both numbers wherever the
verdict shows; a team whose target asks less is told so at adopt time, not refused (at
request time: tests/usecases/fast/test_requests.py). Signed commands and clicks over HTTP,
on SQLite and PostgreSQL."""

import json
from datetime import timedelta

import pytest

from tests.usecases import test_replication
from tests.usecases.test_governance import CURATOR, CURATORS, buttons, click, close_of, wednesday
from tests.usecases.test_replication import SALES, SALES_OWNER, adoption_message, decisions, run_weeks

ready = test_replication.ready  # its fixture, as it sets it up


def test_an_adopter_at_its_own_target_short_of_the_origins_change_is_not_replicated(
    bot,
    ready,
    slack,
    store,
    engine,
):
    # The origin: baseline 42, KPI 14 in weeks 1-3 and 5-7: cycle 2's mean 14 is (14 - 42) / 42 = -67%.
    run_weeks(bot, ready, range(1, 9))
    proposal = next(m for m in slack.posted(CURATORS) if m["text"] == "support-replies is ready to scale")
    ready.clock.set(wednesday(9))
    click(bot, "scale_publish", buttons(proposal)[0]["value"], CURATOR, CURATORS, proposal["ts"])

    # The team's own numbers: baseline 40, target 30 asks (30 - 40) / 40 = -25%, less than 0.8 x 67%: told, not refused.
    slack.add_channel(SALES, [SALES_OWNER])
    slack.add_user(SALES_OWNER)
    adopted = bot.command(
        f"adopt support-replies <#{SALES}|sales> owner <@{SALES_OWNER}> baseline:40 target:30 start:2027-01-11",
        user=CURATOR,
    ).text
    assert "*support-replies-sales* now runs in" in adopted
    assert (
        "Your target asks −25% where the origin reached −67%: you may hit it and still not replicate"
        " (a cycle replicates with at least 80% of the origin's change)." in adopted
    )
    ready.dispatcher.drain(max_wait=0)
    owner_dm = adoption_message(slack, SALES_OWNER)  # the owner, its champion too, also has the checklist
    assert "Your target asks −25%" in json.dumps(owner_dm["blocks"], ensure_ascii=False)

    # Its first cycle: 28 every week, under its own target 30 (hit), but (28 - 40) / 40 = -30%: 45% of -67%.
    sales = store.playbooks.state("support-replies-sales")
    for week in range(10, 14):
        ready.clock.set(wednesday(week))
        assert "Recorded" in bot.command("kpi support-replies-sales 28", user=SALES_OWNER).text
        ready.run(close_of(week) + timedelta(hours=1))
    [verdict] = decisions(engine, "replication")
    assert verdict.playbook_id == sales.playbook.id and verdict.figures["hit"] is True
    assert verdict.figures["verdict"] == "on track"  # not replicated: progress 120% is at least half the origin's
    assert verdict.figures["change"] == pytest.approx(-0.3)
    assert verdict.figures["origin_change"] == pytest.approx((14 - 42) / 42)
    assert verdict.figures["origin_cycle"] == 2 and verdict.figures["share"] == pytest.approx(0.3 / (28 / 42))
    assert verdict.figures["why"] == "baseline declared, not measured"  # its own baseline 40: never replicated
    both = "−30% against the origin's −67%: 45% (needs 80%); baseline declared, not measured"
    assert f"support-replies-sales (cycle 1: on track, {both})" in bot.command("registry").text
    ready.run(close_of(13) + timedelta(hours=2))  # Monday 13:00: the curators' digest
    digest = json.dumps([m["blocks"] for m in slack.posted(CURATORS)], ensure_ascii=False)
    assert f"cycle 1: *on track* ({both})" in digest


def test_an_adopter_with_a_week_over_twice_the_cap_is_not_replicated(bot, ready, slack, store, engine):
    """Issue 81, "Replication on real numbers": its cycle hit its target and matched the
    origin's change, but `refunds` (human-led, nothing to demote) had 9 exceptions in 40
    cases in week 2, over twice the cap of 10%: on track, saying why, and no wave opens."""
    run_weeks(bot, ready, range(1, 9))
    proposal = next(m for m in slack.posted(CURATORS) if m["text"] == "support-replies is ready to scale")
    ready.clock.set(wednesday(9))
    click(bot, "scale_publish", buttons(proposal)[0]["value"], CURATOR, CURATORS, proposal["ts"])
    slack.add_channel(SALES, [SALES_OWNER])
    slack.add_user(SALES_OWNER)
    adopted = f"adopt support-replies <#{SALES}|sales> owner <@{SALES_OWNER}> start:2027-01-11"
    assert "now runs in" in bot.command(adopted, user=CURATOR).text
    for week in range(10, 14):  # KPI 13 every week: on its target, and −69% against the origin's −67%
        ready.clock.set(wednesday(week))
        assert "Recorded" in bot.command("kpi support-replies-sales 13", user=SALES_OWNER).text
        if week == 11:
            assert "cases" in bot.command("cases support-replies-sales refunds 40", user=SALES_OWNER).text
            for i in range(9):
                bot.command(f"exception support-replies-sales refunds refund {i} over the limit", user=SALES_OWNER)
        ready.run(close_of(week) + timedelta(hours=1))
    [verdict] = decisions(engine, "replication")
    assert verdict.figures["hit"] is True and verdict.figures["share"] >= 0.8
    assert verdict.figures["verdict"] == "on track" and verdict.figures["over_cap"] == ["refunds"]
    assert verdict.summary == "cycle 1: on track; exceptions over the cap: fix the rubric before scaling"
    assert "cycle 1: on track, −69% against the origin's −67%" in bot.command("registry").text
    assert "exceptions over the cap: fix the rubric before scaling" in bot.command("registry").text
