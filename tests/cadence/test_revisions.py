"""A revision's changes in words, and what an adopted playbook's kit lets change."""

from cadence.definition_load import parse_playbook
from cadence.revisions import compare
from tests.conftest import SUPPORT_REPLIES


def canonical(**changes):
    return parse_playbook({**SUPPORT_REPLIES, **changes}).canonical()


def test_each_change_in_words_in_the_forms_order():
    before = canonical()
    steps = [*SUPPORT_REPLIES["steps"][:2], {"name": "verify", "mode": "human-led"}]
    after = canonical(
        exception_cap=0.15,
        steps=steps,
        kpi={**SUPPORT_REPLIES["kpi"], "target": 12},
        guardrail={"name": "CSAT", "min": 4.5},
    )
    assert compare(before, after).words == [
        "target 15 → 12 min",
        "exception cap 10% → 15%",
        "guardrail CSAT min 4.6 → CSAT min 4.5",
        "step verify added, human-led",
        "step refunds removed (its history stays)",
    ]
    assert compare(before, before).words == []


def test_reordered_and_pinned_steps_are_changes_too():
    before = canonical()
    flipped = [SUPPORT_REPLIES["steps"][1], SUPPORT_REPLIES["steps"][0], {"name": "refunds", "mode": "human-led"}]
    words = compare(before, canonical(steps=flipped)).words
    assert words == ["step refunds no longer pinned", "steps reordered: send, draft, refunds"]


def test_an_adopted_playbook_may_change_only_what_its_kit_names():
    revision = compare(canonical(), canonical(exception_cap=0.2, kpi={**SUPPORT_REPLIES["kpi"], "baseline": 40}))
    assert [c.words for c in revision.outside(["baseline", "target", "timezone"])] == ["exception cap 10% → 20%"]
    assert revision.outside(["baseline", "exception_cap"]) == []


def test_told_words_name_what_the_form_does_not_word_by_its_part():
    from cadence.revisions import told_words

    assert told_words(canonical(), canonical()) == []
    words = told_words(canonical(), canonical(exception_cap=0.05, min_cases=5, owner="UOTHER0001"))
    assert words == ["exception cap 10% → 5%", "owner changed", "rules changed"]


def test_a_revision_applies_from_the_open_week_or_the_first_to_come():
    from datetime import date

    from cadence.calendar import CycleAnchor
    from cadence.revisions import applies_from

    anchor = CycleAnchor(1, date(2026, 11, 16))
    monday, week = applies_from(anchor, date(2026, 11, 25))  # a Wednesday of week 2
    assert monday == date(2026, 11, 23) and (week.cycle, week.week) == (1, 2)
    monday, week = applies_from(anchor, date(2026, 11, 12))  # before the first cycle begins
    assert monday == date(2026, 11, 16) and (week.cycle, week.week) == (1, 1)
    paused = CycleAnchor(1, date(2026, 11, 16), ends_after=date(2026, 11, 16))
    assert applies_from(paused, date(2026, 12, 2)) == (date(2026, 11, 30), None)  # in no cycle
    assert applies_from(None, date(2026, 12, 2)) == (date(2026, 11, 30), None)
