"""Open proposals and readiness judged again by the sorter, end to end (issue 93): a rule
number that would have proposed a promotion sooner waits for a curator naming the week, a
stricter one applies at once; a change that would move a readiness criterion from ❌ to ✅
or to "none" waits naming it, the owners named apply at once. Through `rollout playbook
load`, on SQLite and PostgreSQL."""

from datetime import UTC, datetime

from cadence.bar import BarChange
from templates.refusals import plain
from tests.conftest import OWNER, SUPPORT_REPLIES
from tests.handlers.test_bar_loaded import curators_posts, load
from tests.handlers.test_bar_requests import requests_of
from tests.handlers.test_mode_requests import steps, world_of
from usecases.shared import replay_reads

WEEK_1_CLOSED = datetime(2026, 11, 23, 11, tzinfo=UTC)


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


NONE = {"rubric": "none", "reason": "read by a person"}


def test_every_step_rubric_none_waits_naming_output_accuracy_gone_to_none(bot, slack, store, engine, clock):
    """Readiness judged again with what a publish reads now: send and refunds say `rubric:
    none`; draft's too would put output accuracy, ❌ on no evidence, to "none"."""
    two = steps(SUPPORT_REPLIES, send=NONE, refunds=NONE)
    running = world_of(bot, slack, store, engine, clock, two)
    done = load(store, clock, steps(two, draft=NONE))
    assert [w.changes for w in done.waiting] == [["step draft rubric the playbook’s → none"]]
    running.dispatcher.drain(max_wait=0)
    [post] = [p for p in curators_posts(slack) if "step draft rubric" in p]
    assert (
        "under the asked bar, readiness's output accuracy would move from ❌ to none: "
        "draft: read by a person; send: read by a person; refunds: read by a person"
    ) in post


def test_a_lower_attestation_minimum_waits_and_the_owners_named_apply_at_once(bot, slack, store, engine, world):
    lower = {**SUPPORT_REPLIES, "rules": {"ready_min_attestation": 0.5}}
    done = load(store, world.clock, lower)
    assert [w.changes for w in done.waiting] == [["ready_min_attestation 0.75 → 0.5"]]
    world.dispatcher.drain(max_wait=0)
    [post] = [p for p in curators_posts(slack) if "ready_min_attestation 0.75 → 0.5" in p]
    assert "under the asked bar, an attestation rate of 62% would meet readiness's attestation minimum" in post
    named = {**SUPPORT_REPLIES, "owners": {"business_rules": OWNER, "model_updates": OWNER}}
    assert load(store, world.clock, named, why=None).waiting == []


def test_the_click_reads_proposals_again_with_the_weeks_closed_since(bot, slack, store, engine, world):
    """Gates at the click (usecases/bar_requests.py `_refuse_if_found_since`): what a
    request's replay finds is read again when a curator approves it; draft's PASS week
    closed since asking is found then, so the click is refused naming it."""
    changes = [BarChange("rules.promote_after_weeks", 2, 1, "promote_after_weeks 2 → 1", False)]
    state = store.playbooks.state("support-replies")
    asked = replay_reads.found_now(store, state, changes, world.clock())
    assert not [line for line in asked if "draft's" in line]
    draft_passed_week_1(bot, world)
    state = store.playbooks.state("support-replies")
    assert (
        "under the asked bar, draft's promotion to ai-led would have been proposed at week 1 of cycle 1, "
        "where it was not proposed"
    ) in replay_reads.found_now(store, state, changes, world.clock())
