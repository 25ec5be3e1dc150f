"""A champion before autonomy (docs/playbooks.md, "Champions"): who the champion is, and
when an adopting team's promotion proposals wait for the champion's training."""

from datetime import date

from cadence import closing, rules, verdicts
from cadence.champion_gate import champion_of, promotions_wait
from cadence.definition_load import parse_playbook
from tests.conftest import SUPPORT_REPLIES


def test_the_champion_is_the_one_named_else_the_new_owner():
    assert champion_of("UCHAMPION1", "UOWNER0001") == ("UCHAMPION1", False)
    assert champion_of(None, "UOWNER0001") == ("UOWNER0001", True)


def test_promotions_wait_in_the_first_cycle_until_every_item_is_done():
    assert promotions_wait(True, "UCHAMPION1", 2, 3)
    assert not promotions_wait(True, "UCHAMPION1", 3, 3)
    assert not promotions_wait(False, "UCHAMPION1", 0, 3)  # after the first cycle: nothing waits
    assert not promotions_wait(True, "UCHAMPION1", 0, 0)  # a kit without training or checks
    assert not promotions_wait(True, None, 0, 3)  # adopted before every team had a champion: as before


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
