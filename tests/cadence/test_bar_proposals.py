"""When a proposal is made, judged by its effect (cadence/bar_proposals.py, issue 93): the
rule numbers that decide when a promotion or a scale proposal is made are replayed over the
kept weeks and cycles by the close's own `evaluate` and scale rule; a proposal made sooner
is a request naming it, later or the same applies at once. Property-based: what the sorter
lets apply at once never makes a proposal sooner."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cadence import bar_sort
from cadence.bar_history import History, Week
from cadence.bar_kpi import Cycle
from cadence.definition_load import parse_playbook
from tests.conftest import SUPPORT_REPLIES


def canonical(**changes):
    return parse_playbook({**SUPPORT_REPLIES, **changes}).canonical()


def passing(step, mode, weeks):
    return tuple(Week(step, f"week {i % 4 + 1} of cycle {i // 4 + 1}", mode, 40, 0, 0.95) for i in range(weeks))


def test_a_lower_promote_after_weeks_that_would_have_proposed_sooner_waits_naming_the_week():
    before, after = canonical(rules={"promote_after_weeks": 4}), canonical(rules={"promote_after_weeks": 2})
    sorting = bar_sort.sort(before, after, History(passing("draft", "collaborative", 6)))
    assert sorting.kind == bar_sort.REQUEST
    assert sorting.found == [
        "under the asked bar, draft's promotion to ai-led would have been proposed at week 2 of cycle 1, "
        "not week 4 of cycle 1"
    ]
    assert bar_sort.apply_now(before, after, sorting)["rules"]["promote_after_weeks"] == 4


def test_a_higher_promote_after_weeks_applies_at_once():
    before, after = canonical(), canonical(rules={"promote_after_weeks": 3})
    assert bar_sort.sort(before, after, History(passing("draft", "collaborative", 6))).kind == bar_sort.TIGHTENING
    assert bar_sort.sort(before, after).kind == bar_sort.TIGHTENING


def test_with_no_week_kept_a_probe_names_the_sooner_proposal():
    assert bar_sort.sort(canonical(), canonical(rules={"promote_after_weeks": 1})).found == [
        "under the asked bar, a human-led step with PASS weeks would have a promotion proposed after 1 PASS week, not 2"
    ]
    assert bar_sort.sort(canonical(), canonical(rules={"cooldown_weeks": 1})).kind == bar_sort.REQUEST
    assert bar_sort.sort(canonical(), canonical(rules={"cooldown_weeks": 6})).kind == bar_sort.TIGHTENING
    assert bar_sort.sort(canonical(), canonical(rules={"freeze_after_changes": 5})).kind == bar_sort.REQUEST
    assert bar_sort.sort(canonical(), canonical(rules={"freeze_after_changes": 2})).kind == bar_sort.TIGHTENING


def test_a_lower_cooldown_after_a_demotion_kept_waits():
    weeks = (Week("send", "week 1 of cycle 1", "ai-led", 40, 30), *passing("send", "collaborative", 5)[1:])
    found = bar_sort.sort(canonical(), canonical(rules={"cooldown_weeks": 1}), History(weeks)).found
    assert found and found[0].startswith("under the asked bar, send's promotion to ai-led would have been proposed")


def test_fewer_scale_after_cycles_over_kept_hits_waits_naming_the_cycle():
    hit = (10.0, 10.0, 10.0, 10.0)  # down, target 15: each week met
    kept = History(cycles=(Cycle(1, (30.0,) * 4), Cycle(2, hit), Cycle(3, hit)))
    sorting = bar_sort.sort(canonical(), canonical(rules={"scale_after_cycles": 1}), kept)
    assert sorting.found == ["under the asked bar, the scale rule would have held at cycle 2's end, not cycle 3's"]
    assert bar_sort.sort(canonical(), canonical(rules={"scale_after_cycles": 3}), kept).kind == bar_sort.TIGHTENING


MODES = ("human-led", "collaborative", "ai-led")
step_weeks = st.lists(
    st.tuples(
        st.sampled_from(MODES),
        st.one_of(st.none(), st.integers(min_value=1, max_value=60)),
        st.integers(min_value=0, max_value=30),
        st.one_of(st.none(), st.sampled_from((0.5, 0.8, 0.95))),
    ),
    max_size=8,
)
numbers = st.fixed_dictionaries(
    {
        "promote_after_weeks": st.integers(min_value=1, max_value=5),
        "cooldown_weeks": st.integers(min_value=0, max_value=6),
        "freeze_after_changes": st.integers(min_value=1, max_value=5),
        "freeze_window_weeks": st.integers(min_value=1, max_value=10),
        "scale_after_cycles": st.integers(min_value=1, max_value=4),
    }
)
cycles = st.lists(st.sampled_from(((10.0,) * 4, (30.0,) * 4, (10.0, 30.0, 10.0, None))), max_size=4)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(numbers, numbers, step_weeks, step_weeks, cycles)
def test_what_applies_at_once_never_makes_a_proposal_sooner(old, new, draft, send, kept_cycles):
    before, after = canonical(rules=old), canonical(rules=new)
    weeks = tuple(
        Week(step, f"week {i + 1}", mode, cases, min(e, cases or 0), rubric)
        for step, kept in (("draft", draft), ("send", send))
        for i, (mode, cases, e, rubric) in enumerate(kept)
    )
    history = History(weeks, cycles=tuple(Cycle(n + 1, c) for n, c in enumerate(kept_cycles)))
    sorting = bar_sort.sort(before, after, history)
    now = bar_sort.apply_now(before, after, sorting)
    assert bar_sort.proposals(before, now, history) == []
    if bar_sort.proposals(before, after, history):
        assert sorting.kind == bar_sort.REQUEST and sorting.waiting
