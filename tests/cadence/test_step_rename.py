"""A step renamed (`was:` in YAML, `new-name (was old-name): mode` in the edit form) is the
same step under its new name: no bar change at the same mode, its calibration run current;
removed and added under another name, it is a new step, at ai-led a request."""

import pytest

from cadence.bar import bar_changes
from cadence.calibration import Run, basis, standing
from cadence.definition_load import DefinitionError, parse_playbook
from tests.conftest import SUPPORT_REPLIES

STEPS = SUPPORT_REPLIES["steps"]  # draft collaborative, send ai-led, refunds human-led pinned


def canonical(steps):
    return parse_playbook({**SUPPORT_REPLIES, "steps": steps}).canonical()


def renamed(old, new, **changed):
    return [{**s, "name": new, "was": old, **changed} if s["name"] == old else s for s in STEPS]


def test_a_rename_at_the_same_mode_is_no_bar_change():
    assert bar_changes(canonical(STEPS), canonical(renamed("draft", "reply-draft"))) == []
    assert bar_changes(canonical(STEPS), canonical(renamed("send", "auto-send"))) == []


def test_a_rename_keeps_its_pin_so_unpinning_it_under_its_new_name_is_a_loosening():
    [change] = bar_changes(canonical(STEPS), canonical(renamed("refunds", "refund-cases", pinned=False)))
    assert (change.field, change.words, change.tightens) == (
        "steps[refund-cases].pinned",
        "step refund-cases pinned → unpinned",
        False,
    )


def test_a_rename_raised_to_ai_led_is_a_promotion_asked_for():
    [change] = bar_changes(canonical(STEPS), canonical(renamed("draft", "reply-draft", mode="ai-led")))
    assert (change.words, change.tightens) == ("step reply-draft collaborative → ai-led", False)


def test_removed_and_added_under_another_name_at_ai_led_is_a_new_step_asked_for():
    steps = [{"name": "reply-draft", "mode": "ai-led"} if s["name"] == "draft" else s for s in STEPS]
    [change] = bar_changes(canonical(STEPS), canonical(steps))
    assert change.words == "new step reply-draft at ai-led (runs collaborative until approved)"


def test_a_was_naming_no_step_before_is_a_new_step():
    steps = [*STEPS, {"name": "verify", "was": "checker", "mode": "ai-led"}]
    [change] = bar_changes(canonical(STEPS), canonical(steps))
    assert change.words == "new step verify at ai-led (runs collaborative until approved)"


@pytest.mark.parametrize(
    ("steps", "says"),
    [
        (renamed("draft", "draft"), "a rename needs another name"),
        ([*STEPS, {"name": "verify", "was": "send", "mode": "collaborative"}], "which is still a step"),
        (
            [*renamed("draft", "reply"), {"name": "reply2", "was": "draft", "mode": "collaborative"}],
            "renamed twice",
        ),
    ],
    ids=["same-name", "still-a-step", "twice"],
)
def test_a_rename_that_cannot_be_is_refused_naming_the_step(steps, says):
    with pytest.raises(DefinitionError, match=says):
        parse_playbook({**SUPPORT_REPLIES, "steps": steps})


def test_a_calibration_run_stays_current_across_a_rename_and_goes_stale_if_the_step_changes_with_it():
    with_set = [{**s, "calibration": {"cases": 40}} if s["name"] == "draft" else s for s in STEPS]
    before = canonical(with_set)
    run = Run(38, 40, basis(before, "draft"), "UOWNER0001", None)  # type: ignore[arg-type]
    after = canonical([{**s, "name": "reply", "was": "draft"} if s["name"] == "draft" else s for s in with_set])
    assert standing(after, "reply", run, False, 0.9, [(before, after)]).current
    later = {**after, "exception_cap": 0.2}  # a later revision: the step's name stands, `was` kept
    assert standing(later, "reply", run, False, 0.9, [(before, after), (after, later)]).current
    moved = canonical(
        [{**s, "name": "reply", "was": "draft", "mode": "human-led"} if s["name"] == "draft" else s for s in with_set]
    )
    assert not standing(moved, "reply", run, False, 0.9, [(before, moved)]).current
