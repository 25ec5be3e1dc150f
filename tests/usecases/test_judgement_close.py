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
from tests.conftest import ADMIN, CHANNEL, MEMBER, OWNER, SUPPORT_REPLIES, Engine
from tests.usecases.test_governance import CURATOR, CURATORS, close_of, report_week, texts

PROPOSAL = "Proposal: support-replies / draft collaborative → ai-led"


@pytest.fixture
def playbook(store, clock):
    """support-replies as a file that opts into confident verdicts and says `send` has no
    rubric by design; loaded by the command line's use case, cycle 1 from 2026-11-16."""
    from usecases import operator

    steps = [{**s, "rubric": "none"} if s["name"] == "send" else s for s in SUPPORT_REPLIES["steps"]]
    text = yaml.safe_dump({**SUPPORT_REPLIES, "steps": steps, "judgement": "confident"})
    operator.load(store, [("confident.yaml", [parse_playbook(yaml.safe_load(text))])], "UTC", clock())
    state = store.playbooks.state("support-replies")
    store.playbooks.start_cycle(state.playbook.id, 1, date(2026, 11, 16), OWNER, clock())
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
        report_week(bot, world.clock, week)
        world.run(close_of(week))
    assert PROPOSAL not in texts(slack, CHANNEL)
    closed = next(m for m in slack.posted(CHANNEL) if m["text"] == "support-replies: week 1 of cycle 1 closed")
    body = json.dumps(closed["blocks"], ensure_ascii=False)
    assert (
        ":white_circle: *draft* (collaborative) INCONCLUSIVE: too few cases to be sure: exceptions 95% CI 0–16% "
        "(cap 10%), rubric 95% CI 76–99% (threshold 90%); 20 cases, 0 exceptions = 0% (cap 10%), rubric 95%\\n"
    ) in body
    for week in (3, 4):
        report_week(bot, world.clock, week, draft=(200, 2, "99%"))
        world.run(close_of(week))
    assert PROPOSAL in texts(slack, CHANNEL)
    assert verdicts(engine, "draft") == [
        ("2026-11-16", "5c-interval-spans-a-bound"),
        ("2026-11-23", "5c-interval-spans-a-bound"),
        ("2026-11-30", "4c-surely-within-cap-rubric-met"),
        ("2026-12-07", "4c-surely-within-cap-rubric-met"),
    ]
    # send: AI-led without a rubric, 20 cases a week: the ratio alone, and 0 of 20 is not sure
    assert {rule for _, rule in verdicts(engine, "send")} == {"5c-interval-spans-a-bound"}
