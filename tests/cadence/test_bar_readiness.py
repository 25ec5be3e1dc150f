"""Readiness judged again by the sorter (cadence/bar_readiness.py, issue 93): each criterion
the definition decides, judged with the figures read now under the definition before and
the asked one by the publish's judge; a move from ❌ to ✅ or to "none" waits naming it, what
a person completes applies at once. Property-based: what applies at once never moves a
criterion so."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cadence import bar_readiness, bar_sort, bar_verdicts
from cadence.bar_history import History
from cadence.bar_readiness import Readiness
from cadence.definition_load import parse_playbook
from cadence.inputs import InputWeeks
from cadence.readiness import StepRatio, StepRubric
from tests.conftest import SUPPORT_REPLIES

STEPS = ("draft", "send", "refunds")
CHECK = {"source": "wh", "query": "select 1", "min": 10}
SOURCES = {"wh": {"kind": "sql", "url_env": "WAREHOUSE_URL"}}


def canonical(**changes):
    return parse_playbook({**SUPPORT_REPLIES, "sources": SOURCES, **changes}).canonical()


def read(answered=6, draft=0.5, checked=(5.0,) * 4, cases=40):
    """Two closed cycles: 6 of 10 check-ins answered, draft's rubric at `draft` each week,
    the others at 95%, each step with `cases` cases and no exception."""
    scores = {"draft": draft, "send": 0.95, "refunds": 0.95}
    return Readiness(
        dict(
            asked=10,
            answered=answered,
            learnings={1: 1, 2: 1},
            owner_active=True,
            owners=[],
            unnamed=[],
            reliability=None,
            input_checks=[InputWeeks("ticket text", 10, list(checked))],
            overdue_items=(0, 0),
            calibration={},
            min_attestation=0.75,
            steps=[StepRatio(s, 0, cases, 0.1, 10) for s in STEPS],
            inputs=[],
            outputs=[],
            cycles=[1, 2],
            min_reliability=0.9,
            rubrics=[StepRubric(s, [[scores[s]] * 4] * 2) for s in STEPS],
            rubric_threshold=0.9,
        )
    )


def none_for(*names, reason="read by a person"):
    return [{**s, "rubric": "none", "reason": reason} if s["name"] in names else s for s in SUPPORT_REPLIES["steps"]]


def test_a_lower_attestation_minimum_that_would_meet_it_now_waits_naming_the_rate():
    sorting = bar_sort.sort(canonical(), canonical(rules={"ready_min_attestation": 0.5}), History(readiness=read()))
    assert sorting.kind == bar_sort.REQUEST
    assert sorting.found == [
        "under the asked bar, readiness's attestation would move from ❌ to ✅: "
        "6 of 10 check-ins answered, 60% against 50%"
    ]
    higher = canonical(rules={"ready_min_attestation": 0.9})
    assert bar_sort.sort(canonical(), higher, History(readiness=read())).kind == bar_sort.TIGHTENING


def test_with_no_figures_a_probe_names_the_lower_attestation_minimum():
    assert bar_sort.sort(canonical(), canonical(rules={"ready_min_attestation": 0.5})).found == [
        "under the asked bar, an attestation rate of 62% would meet readiness's attestation minimum, 50%, not miss 75%"
    ]


def test_a_steps_rubric_none_that_would_meet_output_accuracy_names_it():
    found = bar_sort.sort(canonical(), canonical(steps=none_for("draft")), History(readiness=read())).found
    assert found == [
        "under the asked bar, readiness's output accuracy would move from ❌ to ✅: draft would no longer hold it back"
    ]
    fewer_cases = bar_sort.sort(canonical(), canonical(rules={"min_cases": 5}), History(readiness=read(cases=8))).found
    assert "under the asked bar, readiness's exceptions within the cap would move from ❌ to ✅: " in fewer_cases[-1]
    every = bar_sort.sort(canonical(), canonical(steps=none_for(*STEPS)), History(readiness=read(draft=0.95))).found
    assert every == [
        "under the asked bar, readiness's output accuracy would move from ✅ to none: "
        "draft: read by a person; send: read by a person; refunds: read by a person"
    ]


def test_a_failing_check_declared_none_is_a_request_naming_input_reliability():
    checked = [
        {"name": "ticket text", "owner": "U0123456789", "refresh": "live", "when_missing": "hold", "check": CHECK}
    ]
    unchecked = [{**checked[0], "check": "none", "reason": "typed by the customer"}]
    before, after = canonical(inputs=checked), canonical(inputs=unchecked)
    found = bar_sort.sort(before, after, History(readiness=read())).found
    assert "under the asked bar, readiness's input reliability would move from ❌ to none: " in found[0]


def test_owners_named_apply_at_once_whatever_readiness_reads():
    after = canonical(owners={"business_rules": "U0123456789", "model_updates": "U0123456789"})
    assert bar_sort.sort(canonical(), after, History(readiness=read())).kind == bar_sort.TIGHTENING


numbers = st.fixed_dictionaries(
    {
        "ready_min_attestation": st.sampled_from((0.3, 0.5, 0.6, 0.75, 0.9)),
        "scale_after_cycles": st.integers(min_value=1, max_value=3),
        "min_cases": st.sampled_from((5, 10, 40, 50)),
    }
)
designs = st.lists(st.sampled_from(STEPS), unique=True, max_size=3)
checks = st.sampled_from(({"check": CHECK}, {"check": {**CHECK, "min": 4}}, {"check": "none", "reason": "x"}, {}))
cutoffs = st.sampled_from((0.8, 0.9, 0.95))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    numbers,
    numbers,
    designs,
    designs,
    checks,
    checks,
    cutoffs,
    cutoffs,
    st.integers(0, 10),
    st.sampled_from((0.5, 0.95)),
)
def test_what_applies_at_once_never_moves_a_criterion_to_met_or_none(
    old, new, none_old, none_new, check_old, check_new, t_old, t_new, answered, draft
):
    contract = {"name": "ticket text", "owner": "U0123456789", "refresh": "live", "when_missing": "hold"}
    before = canonical(rules=old, steps=none_for(*none_old), inputs=[{**contract, **check_old}], rubric_threshold=t_old)
    after = canonical(rules=new, steps=none_for(*none_new), inputs=[{**contract, **check_new}], rubric_threshold=t_new)
    history = History(readiness=read(answered=answered, draft=draft))
    sorting = bar_sort.sort(before, after, history)
    now = bar_sort.apply_now(before, after, sorting)
    assert bar_sort.readiness(before, now, history) == []
    if bar_readiness.replay(
        before, after, bar_verdicts.thresholds(before), bar_verdicts.thresholds(after), history.readiness
    ):
        assert sorting.kind == bar_sort.REQUEST and sorting.waiting
