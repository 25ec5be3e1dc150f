"""`judgement: confident` end to end (docs/judgement.md): a playbook file loaded as the
command line loads it, reports through Slack's signed requests, weeks closed by the clock
on a fake time, messages through the outbox to the Slack stand-in; SQLite and PostgreSQL."""

import json
from datetime import date

import pytest
import yaml
from sqlmodel import Session, select

from cadence.definition import parse_playbook
from storage.models.governance import Decision
from tests.committed import loaded
from tests.conftest import ADMIN, CHANNEL, MEMBER, OWNER, SUPPORT_REPLIES, SUPPORT_REPLIES_NO_SET, Engine
from tests.usecases.test_governance import CURATOR, CURATORS, close_of, report_week, texts, wednesday
from usecases.shared.life import begin_cycle

PROPOSAL = "Proposal: support-replies / draft collaborative → ai-led"
KPI = {1: 30, 2: 31, 3: 29, 4: 32}


@pytest.fixture
def playbook(store, clock):
    """support-replies as a file that opts into confident verdicts and says `send` has no
    rubric by design; loaded by the command line's use case, cycle 1 from 2026-11-16."""
    from usecases import operator

    steps = [{**s, "rubric": "none"} if s["name"] == "send" else s for s in SUPPORT_REPLIES_NO_SET["steps"]]
    text = yaml.safe_dump({**SUPPORT_REPLIES, "steps": steps, "judgement": "confident"})
    list(operator.load(store, [("confident.yaml", [parse_playbook(yaml.safe_load(text))])], "UTC", clock()))
    state = store.playbooks.state("support-replies")
    begin_cycle(store, state.playbook.id, 1, date(2026, 11, 16), OWNER, clock())
    return store.playbooks.state("support-replies")


@pytest.fixture
def world(bot, engine, slack, clock, playbook):
    slack.add_channel(CURATORS, [CURATOR, ADMIN])
    for user in (OWNER, MEMBER, CURATOR):
        slack.add_user(user, tz="Europe/Berlin")
    bot.command(f"curator add <@{CURATOR}>", user=ADMIN)
    bot.command(f"curators-channel <#{CURATORS}|curators>", user=ADMIN)
    return Engine(engine, slack, clock)


def verdicts(engine, step):
    with Session(engine) as s:
        rows = s.exec(
            select(Decision).where(Decision.kind == "verdict", Decision.summary.startswith(step)).order_by(Decision.id)
        ).all()
    return [(r.week_start.isoformat() if r.week_start else None, r.rule) for r in rows]


def test_the_setting_and_rubric_none_are_stored_with_the_playbook(playbook, store):
    state = store.playbooks.state("support-replies")
    assert state.settings.judgement == "confident"
    assert [s.get("rubric") for s in state.playbook.definition["steps"]] == [None, "none", None]


def test_a_confident_playbook_waits_for_evidence_then_proposes(bot, world, slack, engine):
    """20 cases without an exception and a 95% rubric, two weeks running: classic proposes
    (test_governance's first test); confident cannot tell 0 of 20 (CI 0–16%) from the 10%
    cap, so both weeks are INCONCLUSIVE and no proposal is made. 200 cases with 2
    exceptions and a 99% rubric, two weeks running: PASS, PASS, and the proposal."""
    for week in (1, 2):
        report_week(bot, world.clock, week, kpi=str(KPI[week]))
        world.run(close_of(week))
    assert PROPOSAL not in texts(slack, CHANNEL)
    closed = next(m for m in slack.posted(CHANNEL) if m["text"] == "support-replies: week 1 of cycle 1 closed")
    body = json.dumps(closed["blocks"], ensure_ascii=False)
    assert (
        ":white_circle: *draft* (collaborative) INCONCLUSIVE: too few cases to be sure: exceptions 95% CI 0–16% "
        "(cap 10%), rubric 95% CI 76–99% (threshold 90%); 20 cases, 0 exceptions = 0% (95% CI 0–16%, cap 10%), "
        "rubric 95% (every case reviewed, 95% CI 76–99%)\\n"
    ) in body
    for week in (3, 4):
        report_week(bot, world.clock, week, draft=(200, 2, "99%"), kpi=str(KPI[week]))
        if week == 3:  # status: each ratio with its interval, and the cycle's KPI change so far
            status = bot.command("status support-replies").text
            assert "200 cases · 2 exceptions = 1% (95% CI 0–4%, cap 10%)" in status
            assert "rubric 99% (every case reviewed, 95% CI 96–100%, threshold 90%)" in status
            assert "KPI change in cycle 1 so far: −12.0 min from baseline, 95% CI −14.5 to −9.5." in status
        world.run(close_of(week))
    assert PROPOSAL in texts(slack, CHANNEL)
    closed = next(m for m in slack.posted(CHANNEL) if m["text"] == "support-replies: week 4 of cycle 1 closed")
    # the cycle's KPI change: mean of 30, 31, 29, 32 = 30.5, minus 42; t(3 df) on sd 1.29
    assert "KPI change over cycle 1: −11.5 min from baseline, 95% CI −13.6 to −9.4." in json.dumps(
        closed["blocks"], ensure_ascii=False
    )
    assert verdicts(engine, "draft") == [
        ("2026-11-16", "5c-interval-spans-a-bound"),
        ("2026-11-23", "5c-interval-spans-a-bound"),
        ("2026-11-30", "4c-surely-within-cap-rubric-met"),
        ("2026-12-07", "4c-surely-within-cap-rubric-met"),
    ]
    # send: AI-led without a rubric, 20 cases a week: the ratio alone. 0 of 20 is not sure
    # (CI 0-16%); pooled with the week before, 0 of 40 is (CI 0-8.8%)
    assert verdicts(engine, "send") == [
        ("2026-11-16", "5c-interval-spans-a-bound"),
        ("2026-11-23", "4c-surely-within-cap-ai-led-no-rubric"),
        ("2026-11-30", "4c-surely-within-cap-ai-led-no-rubric"),
        ("2026-12-07", "4c-surely-within-cap-ai-led-no-rubric"),
    ]
    second = next(m for m in slack.posted(CHANNEL) if m["text"] == "support-replies: week 2 of cycle 1 closed")
    body = json.dumps(second["blocks"], ensure_ascii=False)
    assert "*send* (ai-led) PASS: sure over the last 2 weeks: exceptions 0 of 40, 95% CI 0–9%; 20 cases" in body
    # draft's rubric is pooled too: 38 of 40 passing review reach down to 83%, short of 90%
    assert (
        "*draft* (collaborative) INCONCLUSIVE: not sure yet over the last 2 weeks: exceptions 0 of 40, "
        "95% CI 0–9% (cap 10%), rubric 95% CI 83–99% (threshold 90%)"
    ) in body


SALES, SALES_OWNER = "CSALES0001", "USALESOWN1"


def report_sales(bot, clock, week):
    """The adopting team's owner reports a week that passes every step (origin week `week`)."""
    clock.set(wednesday(week))
    assert "cases" in bot.command("cases support-replies-sales draft 20", user=SALES_OWNER, channel=SALES).text
    assert "Rubric" in bot.command("rubric support-replies-sales draft 95%", user=SALES_OWNER, channel=SALES).text
    bot.command("cases support-replies-sales send 20", user=SALES_OWNER, channel=SALES)
    bot.command("cases support-replies-sales refunds 12", user=SALES_OWNER, channel=SALES)
    bot.command("rubric support-replies-sales refunds 0.91", user=SALES_OWNER, channel=SALES)


def test_an_adopting_teams_first_cycle_proposes_no_step_above_the_adopted_mode(bot, slack, clock, engine, store):
    """A second pilot, not a copy: support-replies v1 has draft collaborative. The team
    adopting it passes draft every week; in its first cycle no proposal to make draft
    AI-led (classic would make one after two weeks), in its second cycle the proposal."""
    loaded(store, [parse_playbook(SUPPORT_REPLIES_NO_SET)], "UTC", actor="test", at=clock())
    slack.add_channel(CURATORS, [CURATOR, ADMIN])
    slack.add_channel(SALES, [SALES_OWNER])
    for user in (OWNER, MEMBER, CURATOR, SALES_OWNER):
        slack.add_user(user, tz="Europe/Berlin")
    bot.command(f"curator add <@{CURATOR}>", user=ADMIN)
    bot.command(f"curators-channel <#{CURATORS}|curators>", user=ADMIN)
    world = Engine(engine, slack, clock)
    clock.set(wednesday(1))
    assert "support-replies v1" in bot.command("publish support-replies override a second pilot", user=CURATOR).text
    adopted = bot.command(
        f"adopt support-replies <#{SALES}|sales> owner <@{SALES_OWNER}> start:2026-11-16", user=CURATOR
    ).text
    assert "*support-replies-sales* now runs in" in adopted
    proposal = "Proposal: support-replies-sales / draft collaborative → ai-led"
    for week in (2, 3, 4, 5):  # the adopting team's cycle 1
        report_sales(bot, clock, week)
        if week == 3:  # status says why
            said = bot.command("status support-replies-sales", user=SALES_OWNER, channel=SALES).text
            assert "First cycle of an adoption: no step is proposed above its mode in support-replies v1" in said
        world.run(close_of(week))
    assert proposal not in texts(slack, SALES)
    assert {rule for _, rule in verdicts(engine, "draft")} == {"4-within-cap-rubric-met"}
    for week in (6, 7):  # its cycle 2: two PASS weeks more
        report_sales(bot, clock, week)
        world.run(close_of(week))
    assert proposal in texts(slack, SALES)
    said = bot.command("status support-replies-sales", user=SALES_OWNER, channel=SALES).text
    assert "First cycle of an adoption" not in said
