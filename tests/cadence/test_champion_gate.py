"""A trained champion before access (docs/playbooks.md, "Champions"): who the champion is,
the owner only as the team's only member, and when an adopting team's steps wait for the
champion's training before any move up."""

from datetime import date

from cadence import closing, mode_move, rules, verdicts
from cadence.champion_gate import (
    NAMED,
    OWNER_ALONE,
    OWNER_NOT_ALONE,
    champion_of,
    may_mark,
    promotions_wait,
    standing,
)
from cadence.definition_load import parse_playbook
from cadence.promotion_gates import Gate, Reading, shut
from tests.conftest import SUPPORT_REPLIES


def test_the_champion_is_the_one_named_else_the_new_owner():
    assert champion_of("UCHAMPION1", "UOWNER0001") == ("UCHAMPION1", False)
    assert champion_of(None, "UOWNER0001") == ("UOWNER0001", True)


def test_steps_wait_while_a_champion_is_required_until_every_item_is_done():
    assert promotions_wait(True, "UCHAMPION1", 2, 3)
    assert not promotions_wait(True, "UCHAMPION1", 3, 3)
    assert not promotions_wait(False, "UCHAMPION1", 0, 3)  # `requires_champion: false`, or not an adopter
    assert not promotions_wait(True, "UCHAMPION1", 0, 0)  # a kit without training or checks
    assert not promotions_wait(True, None, 0, 3)  # adopted before every team had a champion: as before


def test_the_owner_is_the_champion_only_as_the_teams_only_member():
    owner, other = "UOWNER0001", "UPERSON0001"
    assert standing(other, owner, None) == NAMED
    assert standing(owner, owner, [owner]) == OWNER_ALONE
    assert standing(owner, owner, []) == OWNER_ALONE  # the owner not in the channel: no one else either
    assert standing(owner, owner, [owner, other]) == OWNER_NOT_ALONE
    assert standing(owner, owner, None) is None and standing(None, owner, [owner]) is None
    assert may_mark(owner, owner, owner, [owner]) and not may_mark(owner, owner, owner, [owner, other])
    assert may_mark(other, owner, other, [owner, other]) and not may_mark(other, owner, owner, [owner, other])
    assert may_mark(owner, owner, owner, None)  # Slack did not say: not refused for it


def test_the_training_gate_shuts_any_move_up_whatever_the_cycle_and_only_while_it_waits():
    waiting = Reading(training=(2, 5), calibration="current", none_reason=None)
    for to_mode in ("collaborative", "ai-led"):
        assert Gate("training", {"done": 2, "total": 5}) in shut(to_mode, waiting)
    assert [g.key for g in shut("collaborative", Reading())] == []  # done, or not required: open
    move = mode_move.Move("draft", "human-led", "collaborative", step_id=1)
    held = mode_move.take_effect(move, waiting, mode_move.Streak())
    assert isinstance(held, mode_move.Held) and "training" in [g.key for g in held.gates]
    down = mode_move.take_effect(mode_move.Move("draft", "collaborative", "human-led", step_id=1), waiting)
    assert isinstance(down, mode_move.Move) and down.cleared  # a move down never waits


def _close(training_waits):
    spec = parse_playbook(SUPPORT_REPLIES)
    th = verdicts.Thresholds.of(spec.rules, spec.exception_cap, spec.rubric_threshold)
    weeks = [date(2026, 11, 16), date(2026, 11, 23)]
    passed = verdicts.WeekNumbers(20, 0, 0.95, None)
    before = rules.StepState(
        name="draft",
        mode="human-led",
        pinned=False,
        frozen=False,
        verdicts=(verdicts.WeekVerdict(weeks[0], verdicts.PASS, passed),),
    )
    step = closing.StepClosing(1, 1, "draft", "human-led", passed, before, False, "collaborative", True, training_waits)
    return closing.judge_step(step, weeks[1], th, None)


def test_a_pass_streak_proposes_only_when_the_training_is_done():
    assert [t.to_mode for t in _close(False).transitions] == ["collaborative"]
    assert _close(True).transitions == []
