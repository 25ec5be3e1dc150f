"""The programme's phases (cadence/phases.py): each derived from what is kept, each with its
gate in words, and the gate on waves."""

from __future__ import annotations

import pytest

from cadence import phases
from cadence.phases import Adopter, phase


def _team(slug: str, replicated: bool = False, running: bool = True) -> Adopter:
    return Adopter(slug, running, replicated)


def test_a_version_published_without_an_assessment_is_piloting_whoever_adopted_it():
    found = phase(None, [_team("billing-replies", replicated=True)], 3, "support-replies")
    assert (found.number, found.name) == (0, "piloting")
    assert found.words() == (
        "phase 0 of 4, piloting: published without a post-pilot assessment; next: keep the post-pilot "
        "assessment (/rollout assess support-replies) and publish a version with it"
    )


def test_assessed_until_a_second_pilot_replicates_it():
    assert phase(2, [], 3, "s").words() == (
        "phase 1 of 4, assessed: post-pilot assessment v2 kept; next: a second pilot replicates it"
    )
    running = phase(2, [_team("billing-replies")], 3, "s")
    assert running.number == 1
    assert running.next == "a second pilot replicates it (billing-replies runs it)"


def test_verified_by_the_second_pilot_then_in_waves_then_at_scale():
    pilot = _team("billing-replies", replicated=True)
    verified = phase(1, [pilot], 3, "s")
    assert (
        verified.words()
        == "phase 2 of 4, verified: replicated by billing-replies; next: open a wave: adopt it in another team"
    )
    assert verified.replicated_by == "billing-replies"
    waves = phase(1, [pilot, _team("ops"), _team("hr")], 3, "s")
    assert waves.words() == (
        "phase 3 of 4, in waves: replicated by billing-replies, 3 teams adopted it; next: 3 teams replicate it (1 so far)"
    )
    scale = phase(1, [pilot, _team("ops", True), _team("hr", True), _team("it")], 3, "s")
    assert scale.words() == "phase 4 of 4, at scale: 3 teams replicated it, 3 a wave"
    assert scale.next is None
    assert scale.shown() == dict(
        number=4, of=4, name="at scale", gate="3 teams replicated it, 3 a wave", next=None, words=scale.words()
    )


@pytest.mark.parametrize(
    ("assessment", "adopters", "opens"),
    [
        (None, [], False),  # before phase 1: no team, not even a second pilot
        (1, [], True),  # phase 1: its second pilot
        (1, [_team("billing-replies")], False),  # phase 1 with its second pilot running: no wave yet
        (1, [_team("billing-replies", running=False)], True),  # the pilot retired: another pilot may run it
        (1, [_team("billing-replies", replicated=True)], True),  # verified: a wave opens
        (1, [_team("a", True), _team("b"), _team("c")], True),  # in waves
    ],
)
def test_the_gate_on_waves(assessment, adopters, opens):
    assert phases.may_open(phase(assessment, adopters, 3, "s"), adopters) is opens
