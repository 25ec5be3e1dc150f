import copy
from pathlib import Path

import pytest
import yaml

from cadence.definition import read_spec
from cadence.definition_load import DefinitionError, parse_playbook
from tests.conftest import SUPPORT_REPLIES
from tests.fakes import definition

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _with(**changes):
    raw = copy.deepcopy(SUPPORT_REPLIES)
    for key, value in changes.items():
        if value is None:
            raw.pop(key, None)
        else:
            raw[key] = value
    return raw


def problems(raw) -> list[str]:
    with pytest.raises(DefinitionError) as info:
        parse_playbook(raw)
    return info.value.problems


def test_the_product_example_loads_with_defaults():
    spec = parse_playbook(SUPPORT_REPLIES)
    assert spec.playbook == "support-replies"
    assert [s.mode for s in spec.steps] == ["collaborative", "ai-led", "human-led"]
    assert spec.rules.min_cases == 10
    assert spec.rules.grace_hours == 12
    assert spec.rubric_floor() == pytest.approx(0.80)


def test_rule_settings_at_the_top_level_or_under_rules():
    assert parse_playbook(_with(min_cases=5, rubric_floor=0.7)).rules.min_cases == 5
    assert parse_playbook(_with(rules={"cooldown_weeks": 6})).rules.cooldown_weeks == 6
    assert problems(_with(min_cases=5, rules={"min_cases": 6})) == [
        "min_cases: given both at the top level and under 'rules'"
    ]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"playbook": "Support Replies"}, "playbook: must be a slug"),
        ({"channel": "#support"}, "channel: must be a Slack channel id"),
        ({"owner": None}, "owner: required, and not given"),
        ({"timezone": "Berlin"}, "timezone: 'Berlin' is not an IANA time zone"),
        ({"rubric_threshold": 1.2}, "rubric_threshold: must be at most 1, got 1.2"),
        ({"exception_cap": "ten"}, "exception_cap: must be a number, got 'ten'"),
        (
            {"kpi": {"name": "x", "direction": "down", "baseline": 10, "target": 20}},
            "kpi: with direction 'down' (lower is better) the target (20) must be below the baseline (10)",
        ),
        ({"kpi": {"name": "x", "direction": "sideways", "baseline": 10, "target": 20}}, "kpi.direction:"),
        ({"steps": []}, "steps: must have at least 1 item"),
        (
            {"steps": [{"name": "draft", "mode": "auto"}]},
            "steps[draft].mode: must be 'human-led', 'collaborative' or 'ai-led', got 'auto'",
        ),
        ({"steps": [{"name": "two words", "mode": "ai-led"}]}, "steps[two words].name: must be one word"),
        ({"steps": [{"name": "a", "mode": "ai-led", "pinned": True}]}, "steps[a]: a pinned step is human-led"),
        (
            {"steps": [{"name": "a", "mode": "ai-led"}, {"name": "A", "mode": "human-led"}]},
            "steps: step 'A' is listed twice",
        ),
        (
            {"rubric_treshold": 0.9},
            "rubric_treshold: not a key here, and rubric_threshold, which it resembles, is given too",
        ),
        ({"min_cases": 0}, "min_cases: must be at least 1, got 0"),
        ({"guardrail": {"name": "CSAT"}}, "guardrail: give a 'min' or a 'max'"),
    ],
)
def test_a_bad_definition_names_the_field_and_the_problem(changes, expected):
    found = problems(_with(**changes))
    assert any(p.startswith(expected) for p in found), found


def test_not_a_mapping():
    assert problems(["a", "list"])[0].startswith("document: expected a mapping")


def test_canonical_form_is_equal_for_equal_definitions():
    assert parse_playbook(SUPPORT_REPLIES).canonical() == parse_playbook(copy.deepcopy(SUPPORT_REPLIES)).canonical()
    assert parse_playbook(SUPPORT_REPLIES).canonical() != parse_playbook(_with(title="Other")).canonical()


def test_every_setting_is_used_by_the_rules_or_the_clock():
    """A setting the schema validates but nothing reads would be ignored without an error."""
    import dataclasses

    from cadence.definition_rules import CADENCE_SETTINGS, INTAKE_SETTINGS, LOAD_SETTINGS, PULSE_SETTINGS, RULE_FIELDS
    from cadence.verdicts import Thresholds

    threshold_fields = {f.name for f in dataclasses.fields(Thresholds)} - {"exception_cap", "rubric_threshold"}
    read_elsewhere = CADENCE_SETTINGS | INTAKE_SETTINGS | PULSE_SETTINGS | LOAD_SETTINGS
    assert threshold_fields | read_elsewhere == RULE_FIELDS
    assert not threshold_fields & CADENCE_SETTINGS


def test_an_unknown_setting_is_an_error_at_load_time():
    document = {**copy.deepcopy(SUPPORT_REPLIES), "rules": {"min_case": 5}}
    with pytest.raises(DefinitionError) as err:
        parse_playbook(document)
    assert "rules.min_case" in str(err.value)


def test_the_rubric_floor_default_is_stated_once():
    from cadence.definition_rules import RuleSettings

    assert RuleSettings().floor_for(0.9) == 0.8
    assert RuleSettings(rubric_floor=0.85).floor_for(0.9) == 0.85


def test_a_misspelt_key_is_said_once_with_the_key_it_meant():
    """Issue 66, item 12: `directon` was also said as "kpi.direction: required field is
    missing", in pydantic's words; now one line, naming the nearest key the schema knows."""
    kpi = {"name": "Handle time", "directon": "down", "baseline": 42, "target": 15}
    assert problems(_with(kpi=kpi)) == ["kpi.directon: not a key here; did you mean direction?"]
    # a rule setting misspelt at the top level, where settings may be written, and in a step
    steps = [{"name": "draft", "mdoe": "ai-led"}]
    assert problems(_with(min_case=5, steps=steps)) == [
        "steps[draft].mdoe: not a key here; did you mean mode?",
        "min_case: not a key here; did you mean min_cases?",
    ]
    # of a union (a number's `from:` or a sample's), the member the author meant
    source = {"sources": {"desk": {"kind": "http", "url": "https://desk.example.com"}}}
    steps = [{"name": "draft", "mode": "ai-led", "from": {"rubric": {"sorce": "desk", "path": "a"}}}]
    assert problems(_with(**source, steps=steps)) == [
        "steps[draft].from.rubric.sorce: not a key here; did you mean source?"
    ]


def test_a_wrong_value_is_said_in_plain_words():
    kpi = {"name": "Handle time", "direction": "down", "baseline": "forty", "target": 15}
    assert problems(
        _with(kpi=kpi, inputs="tickets", steps=[{"name": "draft", "mode": "ai-led", "pinned": "maybe"}])
    ) == [
        "kpi.baseline: must be a number, got 'forty'",
        "steps[draft].pinned: must be true or false, got 'maybe'",
        "inputs: must be a list (one '- item' a line, or [a, b]), got 'tickets'",
    ]


def test_a_step_says_calibration_none_with_its_reason_and_may_declare_its_model_and_prompt():
    steps = [
        {
            "name": "draft",
            "mode": "collaborative",
            "calibration": "none",
            "reason": "a person reads each one",
            "model": "gpt-5.1 2026-09",
            "prompt": "v7",
        }
    ]
    step = parse_playbook(_with(steps=steps)).canonical()["steps"][0]
    assert step == {**steps[0], "pinned": False, "rubric": None}
    plain = parse_playbook(_with()).canonical()["steps"][0]
    assert not {"reason", "model", "prompt", "calibration"} & set(plain)  # a step without them: as before
    assert problems(_with(steps=[{"name": "draft", "mode": "collaborative", "calibration": "none"}])) == [
        "steps[draft]: step 'draft' has calibration: none: give its reason (reason: \"…\")"
    ]
    assert problems(_with(steps=[{"name": "draft", "mode": "collaborative", "reason": "why"}])) == [
        "steps[draft]: step 'draft': a reason goes with calibration: none or rubric: none"
    ]


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")), ids=lambda path: path.stem)
def test_a_stored_definition_reads_back_as_the_typed_value_it_was_stored_from(path):
    """The examples (the demo's playbooks) and the tests' scenes: stored, then read, the same."""
    for raw in [*yaml.safe_load_all(path.read_text(encoding="utf-8")), SUPPORT_REPLIES, definition()]:
        spec = parse_playbook(raw)
        assert read_spec(spec.canonical()) == spec


def test_a_stored_definition_reads_with_an_adopters_measured_baseline_and_without_a_newer_bots_fields():
    stored = parse_playbook(SUPPORT_REPLIES).canonical()
    stored["kpi"] = {**stored["kpi"], "baseline": 12.0}  # measured: it already beats the target (15, down)
    with pytest.raises(DefinitionError):
        parse_playbook(stored)  # a file saying so is refused
    assert read_spec({**stored, "newer": 1}).kpi.baseline == 12.0
