"""A pilot worth funding (docs/playbooks.md, "Intake"): the `intake:` a playbook keeps and
the rule that flags a demo: fewer than `intake_min_cases` cases a week, or work that is
not structured."""

import copy

import pytest

from cadence.definition_intake import NO_VALUE_EVENT, demo_warning, intake_words
from cadence.definition_load import DefinitionError, parse_playbook
from tests.conftest import SUPPORT_REPLIES

INTAKE = {"cases_per_week": 120, "minutes_per_case": 9, "structured": True}


def _with(**changes):
    raw = copy.deepcopy(SUPPORT_REPLIES)
    raw.update(changes)
    return raw


@pytest.mark.parametrize(
    ("intake", "min_cases", "said"),
    [
        ({"cases_per_week": 120, "minutes_per_case": 9, "structured": True}, 10, None),
        ({"cases_per_week": 10, "minutes_per_case": 9, "structured": True}, 10, None),  # the bar itself passes
        (
            {"cases_per_week": 6, "minutes_per_case": 9, "structured": False},
            10,
            "funding a demo? 6 cases a week; not structured",
        ),
        ({"cases_per_week": 9.5, "minutes_per_case": 9, "structured": True}, 10, "funding a demo? 9.5 cases a week"),
        ({"cases_per_week": 1, "minutes_per_case": 9, "structured": True}, 10, "funding a demo? 1 case a week"),
        ({"cases_per_week": 0, "minutes_per_case": 9, "structured": True}, 1, "funding a demo? 0 cases a week"),
        ({"cases_per_week": 500, "minutes_per_case": 9, "structured": False}, 10, "funding a demo? not structured"),
        ({"cases_per_week": 30, "minutes_per_case": 9, "structured": True}, 40, "funding a demo? 30 cases a week"),
        (None, 10, None),  # no intake: nothing to judge
        (
            {"cases_per_week": 6, "minutes_per_case": 2, "structured": True},
            10,
            "funding a demo? 6 cases a week, 2 min a case",
        ),
        ({"cases_per_week": 500, "minutes_per_case": 1, "structured": True}, 10, "funding a demo? 1 min a case"),
        ({"cases_per_week": 500, "minutes_per_case": 5, "structured": True}, 10, None),  # the minutes' bar passes
    ],
)
def test_fewer_cases_than_the_bar_little_friction_or_unstructured_work_is_a_demo(intake, min_cases, said):
    assert demo_warning(intake, min_cases) == said


def test_the_minutes_bar_is_a_setting_of_its_own():
    """The intake weighs friction: "funding a demo?" also under `intake_min_minutes` (default 5)."""
    spec = parse_playbook(_with(intake={**INTAKE, "minutes_per_case": 9}, intake_min_minutes=10))
    assert spec.rules.intake_min_minutes == 10 and parse_playbook(SUPPORT_REPLIES).rules.intake_min_minutes == 5
    assert demo_warning(spec.canonical()["intake"], 10, spec.rules.intake_min_minutes) == "funding a demo? 9 min a case"
    with pytest.raises(DefinitionError, match="intake_min_minutes"):
        parse_playbook(_with(intake_min_minutes=-1))


def test_the_intake_is_kept_with_the_playbook_and_said_in_words():
    spec = parse_playbook(_with(intake=INTAKE, intake_min_cases=25))
    assert spec.intake is not None and spec.intake.cases_per_week == 120 and spec.intake.structured is True
    assert spec.rules.intake_min_cases == 25  # a rule setting, at the top level or under rules:
    assert parse_playbook(_with(rules={"intake_min_cases": 3})).rules.intake_min_cases == 3
    assert parse_playbook(SUPPORT_REPLIES).rules.intake_min_cases == 10
    assert spec.canonical()["intake"] == {"cases_per_week": 120.0, "minutes_per_case": 9.0, "structured": True}
    assert intake_words(spec.canonical()["intake"]) == "120 cases a week × 9 min, structured"
    assert intake_words(None) == "none"


def test_a_playbook_without_intake_or_value_event_loads_as_before():
    """Nothing new appears in the definition it always had, so nothing reads as a change."""
    canonical = parse_playbook(SUPPORT_REPLIES).canonical()
    assert "intake" not in canonical and "value" not in canonical
    assert NO_VALUE_EVENT == "no value event: what will you count?"
    # a value event without the minutes it saves loads too, and keeps no null
    counted = parse_playbook(_with(value={"event": "reply_accepted"})).canonical()
    assert counted["value"] == {"event": "reply_accepted"}


@pytest.mark.parametrize(
    ("intake", "words"),
    [
        ({**INTAKE, "cases_per_week": -1}, "intake.cases_per_week"),
        ({**INTAKE, "cases_per_week": float("nan")}, "intake.cases_per_week"),
        ({**INTAKE, "cases_per_week": "many"}, "intake.cases_per_week"),
        ({**INTAKE, "minutes_per_case": 0}, "intake.minutes_per_case"),
        ({**INTAKE, "minutes_per_case": float("inf")}, "intake.minutes_per_case"),
        ({**INTAKE, "structured": "perhaps"}, "intake.structured"),
        ({"cases_per_week": 5, "minutes_per_case": 9}, "intake.structured"),
        ({**INTAKE, "owner": "U1"}, "intake.owner"),
    ],
)
def test_bad_intake_is_refused_naming_its_field(intake, words):
    with pytest.raises(DefinitionError) as err:
        parse_playbook(_with(intake=intake))
    assert words in str(err.value)


def test_intake_min_cases_is_at_least_one():
    with pytest.raises(DefinitionError, match="intake_min_cases"):
        parse_playbook(_with(intake_min_cases=0))


def test_the_self_check_s_answers_left_vague_are_named_and_those_not_asked_are_not():
    from cadence.definition_intake import demo_warning, vague

    asked = {"cases_per_week": 120, "minutes_per_case": 9, "structured": True}
    assert vague(asked) == [] and demo_warning(asked) is None  # a file's intake: not asked
    assert vague(asked, None) == []  # nor its value event: its status asks for one
    clear = {
        **asked,
        "contract": "ticket, plan and policy",
        "trust": "a rubric and a set",
        "operator": "U1",  # a person picked: a full answer in one word
        "template": "new",  # as a published version's name
    }
    assert vague(clear, "reply_accepted") == [] and demo_warning(clear, event="reply_accepted") is None
    unclear = {**clear, "contract": "the ticket", "trust": "", "operator": "", "template": " "}
    assert vague(unclear, "done") == [
        "the value event",
        "the input contract",
        "how outputs become trustworthy",
        "the operational owner",
        "the replication template",
    ]
    assert demo_warning({**unclear, "cases_per_week": 3}, event="reply_accepted") == (
        "funding a demo? 3 cases a week; vague: the input contract, how outputs become trustworthy, "
        "the operational owner, the replication template"
    )


@pytest.mark.parametrize(
    ("answer", "vague_"),
    [
        ("the ticket, the plan and the policy", False),
        ("ticket and plan", False),  # 3 words: the fewest a free-text answer needs
        ("the ticket", True),
        ("", True),
        ("   ", True),
    ],
)
def test_free_text_is_vague_under_3_words(answer, vague_):
    from cadence.definition_intake import vague

    asked = {"cases_per_week": 120, "minutes_per_case": 9, "structured": True, "operator": "U1", "template": "new"}
    for field, name in (("contract", "the input contract"), ("trust", "how outputs become trustworthy")):
        assert (name in vague({**asked, field: answer}, "reply_accepted")) is vague_


@pytest.mark.parametrize(
    ("event", "vague_"),
    [("reply_accepted", False), ("po_accepted", False), ("refund_sent_same_day", False), ("done", True), (None, True)],
)
def test_the_value_event_a_name_is_vague_missing_or_of_one_word(event, vague_):
    """A value event is a name without spaces (`^[a-z][a-z0-9_]{0,39}$`): 3 words would make
    reply_accepted, the documented example, a demo; one word names no thing and what became of it."""
    from cadence.definition_intake import demo_warning, vague

    asked = {"cases_per_week": 120, "minutes_per_case": 9, "structured": True, "contract": "", "operator": "U1"}
    assert ("the value event" in vague(asked, event)) is vague_
    said = demo_warning(asked, event=event)
    assert said is not None and ("vague: the value event, the input contract" in said) is vague_
