"""A promotion to ai-led waits for the step's calibration set (docs/playbooks.md,
"Calibration"): weeks reported through signed requests, closed on a fake clock,
messages through the outbox to the Slack stand-in; a run made stale by a revision, and a
step that says it needs none. A proposal waiting for a run, then shown with it, is
tests/usecases/fast/test_close_modes.py's, on the fakes."""

import json
from datetime import date

import pytest
from sqlmodel import Session, select

from cadence.definition import parse_playbook
from storage.models.governance import Proposal
from tests.committed import loaded
from tests.conftest import ADMIN, CHANNEL, MEMBER, OWNER, SUPPORT_REPLIES, Engine
from tests.usecases.test_governance import CURATOR, CURATORS, close_of, report_week, texts, wednesday
from usecases.shared.life import begin_cycle

PROPOSAL = "Proposal: support-replies / draft collaborative → ai-led"
WAITS = "support-replies / draft: the promotion to ai-led waits for its calibration"


def calibrated_definition(**top):
    steps = [
        {"name": "draft", "mode": "collaborative", "calibration": {"cases": 40}},
        {"name": "send", "mode": "ai-led"},
        {"name": "refunds", "mode": "human-led", "pinned": True},
    ]
    return {**SUPPORT_REPLIES, "steps": steps, **top}


@pytest.fixture
def world(bot, engine, slack, clock, store):
    loaded(store, [parse_playbook(calibrated_definition())], "UTC", actor="test", at=clock())
    state = store.playbooks.state("support-replies")
    begin_cycle(store, state.playbook.id, 1, date(2026, 11, 16), OWNER, clock())
    slack.add_channel(CURATORS, [CURATOR, ADMIN])
    for user in (OWNER, MEMBER, CURATOR):
        slack.add_user(user, tz="Europe/Berlin")
    slack.add_user("UROLLOUTBOT", is_bot=True)
    assert "now a curator" in bot.command(f"curator add <@{CURATOR}>", user=ADMIN).text
    bot.command(f"curators-channel <#{CURATORS}|curators>", user=ADMIN)
    return Engine(engine, slack, clock)


def proposals(engine):
    with Session(engine) as s:
        return list(s.exec(select(Proposal)))


def waits(slack):
    return [m for m in slack.posted(OWNER) if m["text"] == WAITS]


def test_a_run_made_stale_by_a_revision_holds_the_proposal(bot, world, slack, store, engine):
    """The step's declared mode changed and changed back after the run: stale all the same."""
    world.clock.set(wednesday(1))
    assert "*39/40*" in bot.command("calibrate support-replies draft 39/40", user=OWNER).text
    changed = calibrated_definition()
    changed["steps"][0] = {**changed["steps"][0], "mode": "human-led"}
    loaded(store, [parse_playbook(changed)], "UTC", actor="test", at=world.clock())
    loaded(store, [parse_playbook(calibrated_definition())], "UTC", actor="test", at=world.clock())
    assert store.playbooks.state("support-replies").step("draft").mode == "collaborative"
    for week in (1, 2, 3):
        report_week(bot, world.clock, week)
        world.run(close_of(week))
    assert PROPOSAL not in texts(slack, CHANNEL) and proposals(engine) == []
    [told] = waits(slack)
    assert "its calibration is stale (the step changed since the latest run)" in json.dumps(told["blocks"])
    assert "39/40 = 97.5%, stale" in json.dumps(told["blocks"])


def test_a_step_without_a_set_waits_and_one_that_says_none_with_its_reason_proposes_showing_it(
    bot, store, slack, clock, engine, playbook
):
    world = Engine(engine, slack, clock)
    for user in (OWNER, MEMBER):
        slack.add_user(user, tz="Europe/Berlin")
    for week in (1, 2):
        report_week(bot, clock, week)
        world.run(close_of(week))
    assert PROPOSAL not in texts(slack, CHANNEL) and proposals(engine) == []
    [told] = waits(slack)  # no set: calibration is a promotion's evidence
    assert "it has no calibration set, the evidence a promotion to ai-led needs" in json.dumps(told["blocks"])

    # the owner says the step needs none, with a reason (escaped where it is shown)
    steps = [
        {"name": "draft", "mode": "collaborative", "calibration": "none", "reason": "a person <reads> each draft"},
        *SUPPORT_REPLIES["steps"][1:],
    ]
    loaded(store, [parse_playbook({**SUPPORT_REPLIES, "steps": steps})], "UTC", actor="test", at=clock())
    report_week(bot, clock, 3)
    world.run(close_of(3))
    assert texts(slack, CHANNEL).count(PROPOSAL) == 1
    message = next(m for m in slack.posted(CHANNEL) if m["text"] == PROPOSAL)
    assert "no calibration set: a person &lt;reads&gt; each draft." in json.dumps(message["blocks"])
