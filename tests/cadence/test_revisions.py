"""A revision's changes in words, and what an adopted playbook's kit lets change."""

from cadence.definition import parse_playbook
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
