"""Scale means the origin's numbers (issue 69, item 3), end to end: an adopter that hits
its own target but not `replicate_share` (0.8) of the origin's relative KPI change in the
cycle its version was published from is not replicated, with both numbers wherever the
verdict shows; a team whose target asks less is told so at adopt and request time, not
refused. Signed commands, clicks and form submissions over HTTP, on SQLite and PostgreSQL."""

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import Session

from storage.models.governance import CycleResult
from tests.usecases import test_replication, test_requests
from tests.usecases.test_governance import CURATOR, CURATORS, buttons, click, close_of, wednesday
from tests.usecases.test_replication import SALES, SALES_OWNER, adoption_message, decisions, run_weeks
from tests.usecases.test_requests import ask, cards

ready, published = test_replication.ready, test_requests.published  # their fixtures, as they set them up

UTC_NOON = datetime(2026, 11, 16, 12, 0, tzinfo=UTC)


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
        f"adopt support-replies <#{SALES}|sales> owner <@{SALES_OWNER}> baseline:40 target:30 start:2027-01-18",
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
    both = "−30% against the origin's −67%: 45% (needs 80%)"
    assert f"support-replies-sales (cycle 1: on track, {both})" in bot.command("registry").text
    ready.run(close_of(13) + timedelta(hours=2))  # Monday 13:00: the curators' digest
    digest = json.dumps([m["blocks"] for m in slack.posted(CURATORS)], ensure_ascii=False)
    assert f"cycle 1: *on track* ({both})" in digest


def test_a_request_whose_target_asks_less_than_the_origin_reached_is_told_and_goes(
    bot,
    published,
    slack,
    store,
    engine,
    clock,
):
    """The origin's version v2 is published after a completed cycle whose mean 15 is
    (15 - 42) / 42 = -64% of its baseline; a team asking with baseline 40 and target 30
    (-25%) is told on its form's answer and on the curators' card, and its request goes."""
    origin = store.playbooks.state("support-replies").playbook
    with Session(engine) as s:  # the origin's cycle 1 as the close records it
        s.add(
            CycleResult(
                playbook_id=origin.id,
                cycle=1,
                starts_on=date(2026, 11, 16),
                kpi_weeks=4,
                mean=15.0,
                target=15.0,
                direction="down",
                hit=True,
                weeks_met=4,
                recorded_at=UTC_NOON,
            )
        )
        s.commit()
    assert "support-replies v2" in bot.command("publish support-replies override after one cycle", user=CURATOR).text
    sent = ask(bot, slack, extra=" baseline:40 target:30 why We answer the same refund tickets")
    assert "Asked the curators to adopt *support-replies v2*" in sent.text
    assert "Your target asks −25% where the origin reached −64%: you may hit it and still not replicate" in sent.text
    published.dispatcher.drain(max_wait=0)
    [card] = cards(slack)
    assert "The team's target asks −25% where the origin reached −64%: it may hit it and still not replicate" in (
        json.dumps(card["blocks"], ensure_ascii=False)
    )
