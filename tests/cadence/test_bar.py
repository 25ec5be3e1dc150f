"""The bar: which changes to a playbook's numbers tighten it (they apply at once) and which
wait for a curator, and the definition applied now and once approved."""

import pytest

from cadence import bar_sort
from cadence.bar import OTHER_RULES, BarChange, bar_changes, with_changes
from cadence.definition_load import parse_playbook
from tests.conftest import SUPPORT_REPLIES


def waiting(before, after):
    """The changes the sorter (cadence/bar_sort.py) keeps waiting, with no history kept."""
    return bar_sort.sort(before, after).waiting


def apply_now(before, after):
    return bar_sort.apply_now(before, after, bar_sort.sort(before, after))


KPI = SUPPORT_REPLIES["kpi"]  # down: baseline 42, target 15 min


def canonical(**changes):
    return parse_playbook({**SUPPORT_REPLIES, **changes}).canonical()


def rules(**numbers):
    return canonical(rules=numbers)


def by_field(before, after):
    return {c.field: c for c in bar_changes(before, after)}


@pytest.mark.parametrize(
    ("changes", "field", "words", "tightens"),
    [
        ({"exception_cap": 0.05}, "exception_cap", "exception cap 10% → 5%", True),
        ({"exception_cap": 0.15}, "exception_cap", "exception cap 10% → 15%", False),
        ({"rubric_threshold": 0.95}, "rubric_threshold", "rubric threshold 90% → 95%", True),
        ({"rubric_threshold": 0.85}, "rubric_threshold", "rubric threshold 90% → 85%", False),
        ({"rules": {"rubric_floor": 0.85}}, "rules.rubric_floor", "rubric floor 80% → 85%", True),
        ({"rules": {"rubric_floor": 0.7}}, "rules.rubric_floor", "rubric floor 80% → 70%", False),
        ({"rules": {"min_cases": 20}}, "rules.min_cases", "min_cases 10 → 20", True),
        ({"rules": {"min_cases": 5}}, "rules.min_cases", "min_cases 10 → 5", False),
        (
            {"review_rate": {"collaborative": 0.5}},
            "review_rate.collaborative",
            "review rate (collaborative) 20% → 50%",
            True,
        ),
        ({"review_rate": {"ai-led": 0.05}}, "review_rate.ai-led", "review rate (ai-led) 10% → 5%", False),
        ({"kpi": {**KPI, "target": 12}}, "kpi.target", "target 15 → 12 min", True),
        ({"kpi": {**KPI, "target": 20}}, "kpi.target", "target 15 → 20 min", False),
        ({"kpi": {**KPI, "baseline": 50}}, "kpi.baseline", "baseline 42 → 50 min", False),
        ({"kpi": {**KPI, "baseline": 30}}, "kpi.baseline", "baseline 42 → 30 min", False),
        ({"guardrail": {"name": "CSAT", "min": 4.8}}, "guardrail.min", "guardrail CSAT min 4.6 → 4.8", True),
        ({"guardrail": {"name": "CSAT", "min": 4.4}}, "guardrail.min", "guardrail CSAT min 4.6 → 4.4", False),
        ({"guardrail": None}, "guardrail.min", "guardrail CSAT min 4.6 → none", False),
        ({"rules": {"judgement": "confident"}}, "rules.judgement", "judgement classic → confident", False),
        ({"rules": {"demote_after_fails": 3}}, "rules.demote_after_fails", "demote_after_fails 2 → 3", False),
        ({"rules": {"demote_after_fails": 1}}, "rules.demote_after_fails", "demote_after_fails 2 → 1", False),
    ],
)
def test_each_change_to_the_bar_in_words_and_whether_it_tightens(changes, field, words, tightens):
    change = by_field(canonical(), canonical(**changes))[field]
    assert (change.field, change.words, change.tightens) == (field, words, tightens)


def test_a_target_further_up_tightens_a_kpi_that_should_rise():
    up = {"name": "Resolved", "unit": "%", "direction": "up", "baseline": 40, "target": 60}
    before = canonical(kpi=up)
    assert by_field(before, canonical(kpi={**up, "target": 70}))["kpi.target"].tightens
    assert not by_field(before, canonical(kpi={**up, "target": 50}))["kpi.target"].tightens


def test_a_max_guardrail_tightens_when_lowered_and_a_new_guardrail_tightens():
    before = canonical(guardrail={"name": "Reopens", "max": 5})
    assert by_field(before, canonical(guardrail={"name": "Reopens", "max": 4}))["guardrail.max"].tightens
    assert not by_field(before, canonical(guardrail={"name": "Reopens", "max": 6}))["guardrail.max"].tightens
    assert by_field(canonical(guardrail=None), canonical())["guardrail.min"].tightens


def test_a_guardrail_swapped_from_min_to_max_waits_and_is_put_back():
    before = canonical()
    after = canonical(guardrail={"name": "CSAT", "max": 4.9})
    assert [c.tightens for c in bar_changes(before, after)] == [False, False]
    assert apply_now(before, after)["guardrail"] == before["guardrail"]


def test_a_turned_kpi_waits_whole():
    before = canonical()
    after = canonical(kpi={**KPI, "direction": "up", "baseline": 15, "target": 42})
    assert [(c.field, c.tightens) for c in bar_changes(before, after)] == [
        ("kpi.direction", False),
        ("kpi.baseline", False),
        ("kpi.target", False),
    ]
    assert apply_now(before, after)["kpi"] == before["kpi"]


def test_what_is_not_the_bar_is_no_bar_change():
    before = canonical()
    after = canonical(title="Other", timezone="Europe/Paris", rules={"grace_hours": 24, "nudge_at": "Tue 10:00"})
    assert bar_changes(before, after) == []
    assert apply_now(before, after) == after
    assert "grace_hours" not in OTHER_RULES and "judgement" not in OTHER_RULES


def test_a_threshold_change_moves_the_floor_it_gives():
    changes = by_field(canonical(), canonical(rubric_threshold=0.8))
    assert changes["rules.rubric_floor"].words == "rubric floor 80% → 70%"
    assert not changes["rules.rubric_floor"].tightens


def test_apply_now_keeps_the_tightening_and_puts_back_the_rest():
    before = canonical()
    after = canonical(
        title="Support replies v2",
        exception_cap=0.05,
        rubric_threshold=0.8,
        kpi={**KPI, "baseline": 50, "target": 12},
        rules={"min_cases": 5, "judgement": "confident"},
    )
    now = apply_now(before, after)
    assert now == canonical(title="Support replies v2", exception_cap=0.05, kpi={**KPI, "target": 12})
    assert [c.field for c in waiting(before, after)] == [
        "rubric_threshold",
        "kpi.baseline",
        "rules.rubric_floor",
        "rules.min_cases",
        "rules.judgement",
    ]
    parse_playbook(now)  # still a valid playbook


def test_a_lowered_floor_is_put_back_where_the_new_threshold_would_move_it():
    before = canonical()
    after = canonical(rubric_threshold=0.95, rules={"rubric_floor": 0.7})
    now = apply_now(before, after)
    assert (now["rubric_threshold"], now["rules"]["rubric_floor"]) == (0.95, 0.8)


def test_a_removed_guardrail_comes_back_whole():
    before = canonical(guardrail={"name": "CSAT", "unit": "points", "min": 4.0, "max": 4.9})
    now = apply_now(before, canonical(guardrail=None))
    assert now["guardrail"] == before["guardrail"]


def test_with_changes_applies_what_was_approved_to_todays_definition():
    before = canonical()
    # a higher ai-led review rate waits: a sample that counted (a rubric under the floor, a
    # FAIL) would be too small under it, and an ai-led step without a rubric passes
    asked = canonical(exception_cap=0.15, rubric_threshold=0.85, review_rate={"ai-led": 0.3}, guardrail=None)
    changes = waiting(before, asked)
    today = canonical(title="Renamed since")
    applied = with_changes(today, changes)
    assert applied == canonical(
        title="Renamed since",
        exception_cap=0.15,
        rubric_threshold=0.85,
        review_rate={"collaborative": 0.2, "ai-led": 0.3},
        guardrail=None,
    )
    parse_playbook(applied)


def test_a_change_survives_its_json():
    (change,) = bar_changes(canonical(), canonical(exception_cap=0.15))
    assert BarChange.from_json(change.to_json()) == change
    assert change.to_json() == {
        "field": "exception_cap",
        "old": 0.1,
        "new": 0.15,
        "words": "exception cap 10% → 15%",
        "tightens": False,
        "found": [],
    }


def test_a_lower_ai_led_review_rate_applies_at_once_by_its_effect():
    """Fewer cases asked of an ai-led step's review make a smaller sample count: a week
    that passed with no rubric may fail on it, none that failed passes (issue 93)."""
    before = canonical()
    assert waiting(before, canonical(review_rate={"ai-led": 0.05})) == []
