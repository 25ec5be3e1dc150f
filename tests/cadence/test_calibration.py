"""The staleness rule of a calibration set (cadence/calibration.py), pure."""

from datetime import UTC, datetime

import pytest

from cadence.calibration import BELOW, MISSING, STALE, Run, basis, standing
from cadence.definition_load import DefinitionError, parse_playbook
from tests.conftest import SUPPORT_REPLIES

AT = datetime(2026, 11, 20, 12, tzinfo=UTC)


def definition(**step_changes) -> dict:
    steps = [
        {"name": "draft", "mode": "collaborative", "calibration": {"cases": 40}, **step_changes},
        {"name": "send", "mode": "ai-led"},
    ]
    return parse_playbook({**SUPPORT_REPLIES, "steps": steps}).canonical()


def run_of(defn: dict, passed: int = 37, total: int = 40) -> Run:
    return Run(passed, total, basis(defn, "draft"), "UOWNER0001", AT)


def test_a_step_without_a_set_has_no_standing():
    assert standing(definition(), "send", None, False, 0.9) is None


def test_no_run_is_missing():
    one = standing(definition(), "draft", None, False, 0.9)
    assert (one.cases, one.current, one.holds) == (40, False, MISSING)
    assert one.words() == "no run of its 40 cases yet"


def test_a_run_against_the_step_as_it_is_is_current():
    d = definition()
    one = standing(d, "draft", run_of(d), False, 0.9)
    assert (one.current, one.meets, one.holds) == (True, True, None)
    assert one.words() == "37/40 = 92.5%, current"


def test_a_run_below_the_threshold_holds():
    d = definition()
    one = standing(d, "draft", run_of(d, 35), False, 0.9)
    assert (one.current, one.holds) == (True, BELOW)
    assert one.words() == "35/40 = 87.5%, below the threshold 90%"


def test_exactly_at_the_threshold_meets_it():
    d = definition()
    assert standing(d, "draft", run_of(d, 36), False, 0.9).holds is None


@pytest.mark.parametrize(
    "changed",
    [
        {"mode": "human-led"},  # its mode
        {"rubric": {"dimensions": ["tone", "accuracy"]}},  # its rubric (its dimensions, as stored)
        {"calibration": {"cases": 50}},  # the set itself
    ],
)
def test_a_revision_that_changes_the_step_makes_the_run_stale(changed):
    run = run_of(definition())
    after = definition()
    after["steps"][0].update(changed)  # as stored, whatever the schema checks
    one = standing(after, "draft", run, False, 0.9)
    assert (one.current, one.holds) == (False, STALE)
    assert one.words().endswith("stale: the step changed since it was run")


def test_a_revision_elsewhere_leaves_the_run_current():
    before = definition()
    after = parse_playbook({**SUPPORT_REPLIES, "exception_cap": 0.2, "steps": before["steps"]}).canonical()
    assert standing(after, "draft", run_of(before), False, 0.9).current


def test_a_step_changed_and_changed_back_since_the_run_is_stale():
    d = definition()
    there = definition(mode="human-led")
    assert standing(d, "draft", run_of(d), False, 0.9, [(d, there), (there, d)]).holds == STALE
    assert standing(d, "draft", run_of(d), False, 0.9, [(d, {**d, "exception_cap": 0.2})]).holds is None


def test_a_prompt_or_model_change_after_the_run_makes_it_stale():
    d = definition()
    assert standing(d, "draft", run_of(d), True, 0.9).holds == STALE


def test_the_set_is_declared_for_the_playbook_or_a_step():
    whole = parse_playbook(
        {
            **SUPPORT_REPLIES,
            "calibration": {"cases": 20},
            "steps": [
                {"name": "draft", "mode": "collaborative", "calibration": {"cases": 40}},
                {"name": "send", "mode": "ai-led"},
                {"name": "refunds", "mode": "human-led", "rubric": "none"},
            ],
        }
    ).canonical()
    assert standing(whole, "draft", None, False, 0.9).cases == 40  # its own
    assert standing(whole, "send", None, False, 0.9).cases == 20  # the playbook's
    assert standing(whole, "refunds", None, False, 0.9) is None  # no rubric, nothing to calibrate


def test_a_definition_without_a_set_keeps_its_plain_data():
    assert "calibration" not in parse_playbook(SUPPORT_REPLIES).canonical()
    assert all("calibration" not in s for s in parse_playbook(SUPPORT_REPLIES).canonical()["steps"])


def test_a_step_without_a_rubric_takes_no_set():
    steps = [{"name": "draft", "mode": "collaborative", "rubric": "none", "calibration": {"cases": 40}}]
    with pytest.raises(DefinitionError, match=r"no rubric by design .* so it takes no calibration set"):
        parse_playbook({**SUPPORT_REPLIES, "steps": steps})


@pytest.mark.parametrize("cases", [0, -1, "forty", 10_001])
def test_a_set_of_no_cases_is_refused(cases):
    with pytest.raises(DefinitionError, match="calibration"):
        parse_playbook({**SUPPORT_REPLIES, "calibration": {"cases": cases}})
