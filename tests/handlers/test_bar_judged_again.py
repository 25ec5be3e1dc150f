"""Open proposals and readiness judged again by the sorter, end to end (issue 93): a rule
number that would have proposed a promotion sooner waits for a curator naming the week; a
stricter one applies at once. Through `rollout playbook load`, on SQLite and PostgreSQL."""

from datetime import UTC, datetime

import pytest

from templates.refusals import plain
from tests.conftest import ADMIN, OWNER, SUPPORT_REPLIES, Engine
from tests.handlers.test_bar_loaded import curators_posts, load
from tests.handlers.test_bar_requests import CURATOR2, requests_of
from tests.usecases.test_governance import CURATOR, CURATORS

WEEK_1_CLOSED = datetime(2026, 11, 23, 11, tzinfo=UTC)


@pytest.fixture
def world(bot, slack, store, engine, clock, playbook):
    """support-replies in cycle 1 (from Monday 16 Nov), a curator and the curators' channel."""
    slack.add_channel(CURATORS, [CURATOR, CURATOR2, ADMIN])
    for user in (OWNER, CURATOR, CURATOR2):
        slack.add_user(user, tz="Europe/Berlin")
    bot.command(f"curator add <@{CURATOR}>", user=ADMIN)
    bot.command(f"curators-channel <#{CURATORS}|curators>", user=ADMIN)
    return Engine(engine, slack, clock)


def draft_passed_week_1(bot, world):
    """draft (collaborative) PASSes week 1: 20 cases, none an exception, rubric 95%."""
    world.clock.set(datetime(2026, 11, 18, 10, tzinfo=UTC))
    assert "cases" in bot.command("cases support-replies draft 20", user=OWNER).text
    assert "Rubric" in bot.command("rubric support-replies draft 95%", user=OWNER).text
    world.run(WEEK_1_CLOSED)


def rules(store):
    return store.playbooks.state("support-replies").settings


def test_a_lower_promote_after_weeks_that_would_have_proposed_sooner_waits_naming_the_week(
    bot, slack, store, engine, world
):
    draft_passed_week_1(bot, world)
    sooner = {**SUPPORT_REPLIES, "rules": {"promote_after_weeks": 1}}
    refused = load(store, world.clock, sooner, why=None)
    assert refused.outcomes == [] and "promote_after_weeks 2 → 1" in plain(refused.refused)
    done = load(store, world.clock, sooner)
    [waits] = done.waiting
    assert waits.changes == ["promote_after_weeks 2 → 1"] and rules(store).promote_after_weeks == 2
    world.dispatcher.drain(max_wait=0)
    [post] = [p for p in curators_posts(slack) if "promote_after_weeks 2 → 1" in p]
    assert (
        "under the asked bar, draft's promotion to ai-led would have been proposed at week 1 of cycle 1, "
        "where it was not proposed"
    ) in post


def test_a_higher_promote_after_weeks_applies_at_once(bot, slack, store, engine, world):
    draft_passed_week_1(bot, world)
    done = load(store, world.clock, {**SUPPORT_REPLIES, "rules": {"promote_after_weeks": 3}}, why=None)
    assert done.waiting == [] and rules(store).promote_after_weeks == 3 and requests_of(engine) == []
