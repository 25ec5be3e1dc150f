"""The post-pilot assessment's pre-fill and answers (cadence/assessment.py): what was measured
in words, manual work marked pilot conditions and the rest core; a box read one item a line,
bullets and blank lines left out, long items cut, at most 20."""

from hypothesis import given
from hypothesis import strategies as st

from cadence.assessment import (
    MAX_CHARS,
    MAX_ITEMS,
    Measured,
    answers_of,
    counts,
    empty,
    items,
    pilot_conditions,
    prefill,
)


def test_the_prefill_says_what_was_measured_manual_work_as_pilot_conditions():
    found = prefill(
        Measured(
            oversight_hours=6.25,
            carried=[("Ida Park", 0.8, "reviewed cases")],
            exception_minutes=1250,
            overrides=1,
            revisions=["Playbook support-replies revised: send: collaborative → ai-led."],
            learnings=["refunds need the policy open"],
            training=["Shadow the origin team for a week"],
            checks=["Draft 10 sample tickets"],
            review_rates={"collaborative": 0.2, "ai-led": 0.1},
            calibration_runs=3,
            pulse=False,
        )
    )
    assert found["manual"] == {
        "core": [],
        "pilot": [
            "oversight: 6.2 h of review and exception handling over the last 4 weeks",
            "Ida Park carried 80% of the reviewed cases",
            "exceptions took 1,250 min of handling over the last 4 weeks",
            "1 sourced number typed over by hand",
        ],
    }
    assert found["changed"]["core"] == ["Playbook support-replies revised: send: collaborative → ai-led."]
    assert found["knowledge"]["core"] == [
        "refunds need the policy open",
        "training: Shadow the origin team for a week",
        "check: Draft 10 sample tickets",
    ]
    assert found["feedback"]["core"] == [
        "reviews sampled at 10% of ai-led cases",
        "reviews sampled at 20% of collaborative cases",
        "3 calibration runs",
        "no pulse (turned off)",
    ]
    assert counts(found) == (8, 4)


def test_nothing_measured_still_asks_each_question():
    found = prefill(Measured())
    assert found["manual"] == {"core": [], "pilot": []} and found["feedback"]["core"] == ["the pulse, each cycle"]


def test_a_box_is_one_item_a_line_without_bullets_or_blank_lines():
    assert items("• a senior reviewer\n\n  - Ben checked refunds   by hand \n*\n") == [
        "a senior reviewer",
        "Ben checked refunds by hand",
    ]
    assert items(None) == [] and items("") == []
    long = items("x" * 1000)
    assert len(long[0]) == MAX_CHARS and long[0].endswith("…")
    assert len(items("\n".join(f"item {n}" for n in range(50)))) == MAX_ITEMS


def test_answers_keep_every_question_and_kind_and_name_the_pilot_conditions_in_order():
    answers = answers_of(
        {"feedback": {"pilot": "weekly calls with the vendor"}, "manual": {"pilot": "a senior reviewer"}}
    )
    assert set(answers) == {"manual", "changed", "knowledge", "feedback"}
    assert all(set(kinds) == {"core", "pilot"} for kinds in answers.values())
    assert pilot_conditions(answers) == ["a senior reviewer", "weekly calls with the vendor"]
    assert not empty(answers) and empty(answers_of({})) and pilot_conditions(None) == []


@given(st.text(max_size=2000))
def test_whatever_is_typed_becomes_at_most_20_items_of_at_most_300_characters_on_one_line(typed):
    found = items(typed)
    assert len(found) <= MAX_ITEMS
    assert all(0 < len(i) <= MAX_CHARS and "\n" not in i and i == i.strip() for i in found)
