"""A step's mode set by a person on the fakes (usecases/shared/governance.py's set_mode
through `/rollout mode`): who may, what is refused, the override's decision and alerts as
data, the freeze after three changes and a curator's unfreeze. A signed request of `mode`
is in tests/usecases/ (test_webhook_events.py, test_life.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from cadence.change import Change, NewVerdict
from cadence.decisions import DecisionKind
from cadence.verdicts import PASS
from tests import fakes
from tests.committed import committed
from tests.fakes import ADMIN, CHANNEL, CURATOR, MEMBER, NOW, OWNER
from usecases import bar_approval, commands
from usecases.shared import governance, messages
from usecases.shared.caller import Refusal

SLUG = "support-replies"
CURATORS = "CCURATORS1"


def world(curators_channel=True):
    services = fakes.services(fakes.a_playbook())
    store = fakes.store_of(services)
    if curators_channel:
        committed(store).org.set_setting("curators_channel", CURATORS, OWNER, NOW)
    return services, store


def step(store, name="send"):
    return store.playbooks.state(SLUG).step(name)


def mode(services, mode, reason="why", user=OWNER, name="send"):
    done = commands.set_mode(fakes.caller(services, user), messages.SetMode(SLUG, name, mode, reason))
    services.clock.advance(minutes=1)
    return done[1]


def passed(services, name="send", weeks=2):
    """`weeks` PASS weeks of `name` closed before this week: the rules' streak that a move
    up needs (cadence/mode_move.py)."""
    store = fakes.store_of(services)
    state = store.playbooks.state(SLUG)
    step_ = state.step(name)
    monday = governance.current_week_start(state, services.clock().date())
    verdicts = [
        NewVerdict(state.playbook.id, step_.id, monday - timedelta(weeks=weeks - i), step_.mode, PASS, 20, 0, 0.95)
        for i in range(weeks)
    ]
    committed(store).governance.apply(Change(verdicts=verdicts), services.clock())


def refused(services, mode_, user=OWNER, name="send") -> Refusal:
    store = fakes.store_of(services)
    before, told = store.playbooks.state(SLUG), len(store.held.governance.changes)
    with pytest.raises(Refusal) as raised:
        mode(services, mode_, user=user, name=name)
    assert store.playbooks.state(SLUG) == before and len(store.held.governance.changes) == told
    return raised.value


def test_an_override_sets_the_mode_and_is_recorded_with_its_reason_and_told():
    services, store = world()
    done = mode(services, "human-led", "model drifting")
    assert done == governance.ModeSet("send", "human-led", True)
    assert (step(store).mode, step(store).frozen) == ("human-led", False)
    [change] = store.held.governance.changes
    [decision] = change.decisions
    assert (decision.kind, decision.rule, decision.actor) == (DecisionKind.MODE_CHANGE, "override", OWNER)
    assert (decision.from_mode, decision.to_mode, decision.figures["reason"]) == (
        "ai-led",
        "human-led",
        "model drifting",
    )
    assert [(m.channel, m.payload["text"]) for m in change.messages] == [
        (CHANNEL, "support-replies / send: ai-led → human-led"),
        (CURATORS, "support-replies / send: ai-led → human-led"),
    ]


def test_without_a_curators_channel_only_the_team_is_told():
    services, store = world(curators_channel=False)
    assert mode(services, "collaborative").curators_told is False
    assert [m.channel for m in store.held.governance.changes[0].messages] == [CHANNEL]


def test_a_curator_sets_a_mode_a_member_may_not():
    services, store = world()
    refusal = refused(services, "human-led", user=MEMBER)
    assert (refusal.key, refusal.usage) == ("owner_or_curator_only", "mode")
    mode(services, "human-led", user=CURATOR)
    assert step(store).mode == "human-led"


def test_a_pinned_step_off_human_led_and_any_move_toward_ai_led_are_asked_of_the_curators():
    services, store = world()
    for name, to in (("refunds", "collaborative"), ("draft", "ai-led")):
        passed(services, name)
        done = mode(services, to, "trusted now", name=name)
        assert done == governance.ModeSet(name, to, True, asked=True)
    assert (step(store, "refunds").mode, step(store, "refunds").pinned) == ("human-led", True)
    assert step(store, "draft").mode == "collaborative"
    [request] = [r for r in store.held.bar_requests.values() if r.state == "open"]  # the later replaced the first
    assert [c["words"] for c in request.changes] == ["step draft collaborative → ai-led (/rollout mode)"]
    assert not [d for c in store.held.governance.changes for d in c.decisions if d.kind == DecisionKind.MODE_CHANGE]


def test_a_hand_promotion_without_the_rules_streak_is_refused_naming_the_weeks():
    """Issue 109: a step with no PASS week went ai-led on one other curator's click."""
    services, store = world()
    refusal = refused(services, "ai-led", name="draft")
    assert refusal.key == "mode_no_streak" and refusal.usage == "mode"
    assert "no streak of 2 PASS weeks in a row" in refusal.values["weeks"]
    assert "no closed week yet" in refusal.values["weeks"]
    assert not store.held.bar_requests
    passed(services, "draft", weeks=1)
    assert "PASS (week of" in refused(services, "ai-led", name="draft").values["weeks"]
    passed(services, "draft", weeks=2)
    assert mode(services, "ai-led", name="draft").asked


def test_the_mode_it_has_already():
    services, _ = world()
    refusal = refused(services, "ai-led")
    assert (refusal.key, refusal.values) == ("already_mode", {"step": "send", "mode": "ai-led"})


def test_three_changes_freeze_the_step_and_say_so_and_a_curator_unfreezes_it():
    services, store = world()
    passed(services)  # weeks kept before the changes: the freeze counts the changes since the oldest
    for user, to, why in (
        (OWNER, "collaborative", "drifting"),
        (CURATOR, "human-led", "again"),
        (OWNER, "collaborative", "ok"),  # toward ai-led: asked, then approved by an admin
    ):
        if to == "collaborative" and step(store).mode == "human-led":  # a move up needs its streak since
            services.clock.advance(days=21)
            passed(services)
        mode(services, to, why, user)
    [request] = store.held.bar_requests.values()
    bar_approval.approve(fakes.caller(services, ADMIN), str(request.id))
    assert (step(store).mode, step(store).frozen) == ("collaborative", True)
    reasons = [
        d.figures["reason"]
        for c in store.held.governance.changes
        for d in c.decisions
        if d.kind == DecisionKind.MODE_CHANGE
    ]
    assert reasons == ["drifting", "again", "ok"]
    last = store.held.governance.changes[-1]
    [freeze] = [d for d in last.decisions if d.kind == DecisionKind.FREEZE]
    assert freeze.figures["changes"] == 3 and freeze.figures["counter"] == "3 mode changes in 8 weeks"
    assert "support-replies / send: freeze" in [m.payload["text"] for m in last.messages if m.channel == CHANNEL]
    assert refused(services, "unfreeze").key == "curators_unfreeze"  # the owner may not
    done = mode(services, "unfreeze", "settled now", CURATOR)
    assert done.mode == "unfreeze" and step(store).frozen is False and step(store).mode == "collaborative"
    [unfreeze] = store.held.governance.changes[-1].decisions
    assert (unfreeze.kind, unfreeze.actor) == (DecisionKind.UNFREEZE, CURATOR)


def test_only_a_frozen_step_is_unfrozen():
    services, _ = world()
    refusal = refused(services, "unfreeze", user=CURATOR)
    assert (refusal.key, refusal.values) == ("not_frozen", {"step": "send"})


def test_a_mode_changed_by_someone_a_moment_ago_is_a_race():
    _, store = world()
    state = store.playbooks.state(SLUG)
    send = state.step("send")
    governance.set_mode(store, state, send, "human-led", "first", OWNER, NOW)
    with pytest.raises(Refusal) as raised:  # from what it read before the first
        governance.set_mode(store, state, send, "collaborative", "second", CURATOR, NOW)
    assert (raised.value.key, raised.value.values) == ("mode_race", {"step": "send", "slug": SLUG})
    assert step(store).mode == "human-led" and len(store.held.governance.changes) == 1
