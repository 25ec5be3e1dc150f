"""The one function a step's mode or pin moves through (cadence/mode_move.py, issue 109): a
move down passes at once; a move up reads its gates at the instant it takes effect, the
rules' PASS streak with them; a pinned step stays human-led while its pin stays."""

from __future__ import annotations

from datetime import date, timedelta

from cadence.mode_move import Held, Move, Streak, declared, take_effect
from cadence.promotion_gates import Reading
from cadence.verdicts import FAIL, INCONCLUSIVE, PASS, WeekNumbers, WeekVerdict

MONDAY = date(2026, 11, 16)
OPEN = Reading(calibration="38/40", none_reason=None)  # a current run at the threshold


def weeks(*outcomes: str) -> tuple[WeekVerdict, ...]:
    return tuple(WeekVerdict(MONDAY + timedelta(weeks=i), o, WeekNumbers(20, 0, 0.95)) for i, o in enumerate(outcomes))


def test_a_move_down_passes_at_once_and_a_move_up_unread_is_held():
    down = take_effect(Move("send", "ai-led", "collaborative", step_id=1))
    assert isinstance(down, Move) and down.cleared
    up = take_effect(Move("draft", "collaborative", "ai-led", step_id=2))
    assert isinstance(up, Held) and [g.key for g in up.gates] == ["unread"]


def test_a_move_up_needs_the_rules_streak_with_no_fail_after_it():
    move = Move("draft", "collaborative", "ai-led", step_id=2)
    assert isinstance(take_effect(move, OPEN, Streak(weeks(PASS, PASS))), Move)
    for held in (weeks(), weeks(PASS), weeks(PASS, INCONCLUSIVE), weeks(PASS, PASS, FAIL)):
        found = take_effect(move, OPEN, Streak(held))
        assert isinstance(found, Held) and found.gates[0].key == "streak", held
    restarted = Streak(weeks(PASS, PASS, PASS), reset=MONDAY + timedelta(weeks=1))  # a rejection in week 2
    assert isinstance(take_effect(move, OPEN, restarted), Held)


def test_a_pinned_step_stays_human_led_while_its_pin_stays():
    """Invariant 3: a proposal opened before the pin, approved after it, moved a pinned step."""
    pinned = Move("refunds", "human-led", "collaborative", True, True, 3)
    found = take_effect(pinned, OPEN, Streak(weeks(PASS, PASS)))
    assert isinstance(found, Held) and [g.key for g in found.gates] == ["pinned"]
    unpinned = Move("refunds", "human-led", "collaborative", True, False, 3)
    assert isinstance(take_effect(unpinned, OPEN, Streak(weeks(PASS, PASS))), Move)


def test_a_pin_taken_away_alone_reads_the_training_only():
    move = Move("refunds", "human-led", "human-led", True, False, 3)
    assert isinstance(take_effect(move, Reading(), Streak()), Move)  # no set, no streak: nothing else read
    training = take_effect(move, Reading(training=(1, 3)), Streak())
    assert isinstance(training, Held) and [g.key for g in training.gates] == ["training"]


def test_a_definition_declares_moves_only_where_its_declared_mode_changed():
    before = {"steps": [{"name": "draft", "mode": "collaborative"}, {"name": "send", "mode": "ai-led"}]}
    after = {"steps": [{"name": "draft", "mode": "ai-led"}, {"name": "send", "mode": "ai-led"}]}
    live = {"draft": ("collaborative", False), "send": ("collaborative", False)}  # send was demoted since
    [move] = declared(before, after, live, {"draft": 1, "send": 2})
    assert (move.step, move.from_mode, move.to_mode, move.step_id, move.up) == (
        "draft",
        "collaborative",
        "ai-led",
        1,
        True,
    )
    renamed = {"steps": [{"name": "drafting", "was": "draft", "mode": "human-led"}, after["steps"][1]]}
    [down] = declared(before, renamed, live, {"draft": 1, "send": 2})
    assert (down.step, down.step_id, down.up) == ("drafting", 1, False)
