"""The KPI's target and the guardrail's bounds judged by their effect (cadence/bar_kpi.py,
issue 93): the last closed cycles and the kept weeks' guardrail readings judged again under
the asked bar by the close's own judges (the scale rule's `cycle_result`, `guardrail_state`).
Property-based: what applies at once never turns a missed cycle into a hit or a breached
week into one that held, kept or probed."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from cadence import bar_kpi, bar_sort
from cadence.bar_history import History
from cadence.bar_kpi import Bar, Cycle, GuardrailWeek
from cadence.definition_load import parse_playbook
from tests.conftest import SUPPORT_REPLIES

KPI = SUPPORT_REPLIES["kpi"]  # down: baseline 42, target 15 min


def canonical(**changes):
    return parse_playbook({**SUPPORT_REPLIES, **changes}).canonical()


def test_a_looser_target_that_turns_a_missed_cycle_into_a_hit_is_a_request():
    before, after = canonical(kpi={**KPI, "target": 30}), canonical(kpi={**KPI, "target": 32})
    kept = History(cycles=(Cycle(2, (31, 31, 31, 40)),))
    sorting = bar_sort.sort(before, after, kept)
    assert sorting.kind == bar_sort.REQUEST
    assert sorting.found == [
        "under the asked bar, cycle 2's KPI would have hit its target: 3 of 4 weeks met 32 min "
        "(mean 33.25 min), where 0 met 30"
    ]
    assert bar_sort.apply_now(before, after, sorting)["kpi"]["target"] == 30


def test_a_looser_target_with_no_cycle_kept_waits_by_its_probe():
    sorting = bar_sort.sort(canonical(), canonical(kpi={**KPI, "target": 20}))
    assert sorting.found == [
        "under the asked bar, a cycle with 3 of 4 weeks at 20 min would hit its KPI target, not miss it"
    ]


def test_a_stricter_target_applies_at_once():
    kept = History(cycles=(Cycle(1, (14, 14, 14, 14)),))
    assert bar_sort.sort(canonical(), canonical(kpi={**KPI, "target": 12}), kept).kind == bar_sort.TIGHTENING


def test_a_lower_guardrail_min_that_clears_a_breached_week_is_a_request():
    kept = History(guardrail=(GuardrailWeek("week 3 of cycle 2", 4.5),))
    after = canonical(guardrail={"name": "CSAT", "min": 4.4})
    assert bar_sort.sort(canonical(), after, kept).found == [
        "under the asked bar, CSAT in week 3 of cycle 2 would have held, not BREACHED: 4.5 against min 4.4"
    ]


def test_a_cycle_a_breach_held_short_of_its_hit_is_found_when_the_guardrail_goes():
    kept = History(cycles=(Cycle(1, (14, 14, 14, 14), (4.7, 4.5, 4.7, 4.7)),))
    found = bar_sort.sort(canonical(), canonical(guardrail=None), kept).found
    assert found[0] == "under the asked bar, cycle 1's KPI would have hit its target: no week breached CSAT"


def test_a_guardrail_added_or_stricter_applies_at_once():
    assert bar_sort.sort(canonical(guardrail=None), canonical()).kind == bar_sort.TIGHTENING
    stricter = canonical(guardrail={"name": "CSAT", "min": 4.7})
    assert bar_sort.sort(canonical(), stricter).kind == bar_sort.TIGHTENING


def test_fewer_weeks_to_hit_is_a_request_and_more_applies_at_once():
    fewer = bar_sort.sort(canonical(), canonical(rules={"scale_min_kpi_weeks": 2}))
    assert fewer.found == [
        "under the asked bar, a cycle with 2 of 4 weeks at 15 min would hit its KPI target, not miss it"
    ]
    assert bar_sort.sort(canonical(), canonical(rules={"scale_min_kpi_weeks": 4})).kind == bar_sort.TIGHTENING


values = st.integers(min_value=0, max_value=60).map(float)
weekly = st.tuples(*(st.one_of(st.none(), values),) * 4)
readings = st.tuples(*(st.one_of(st.none(), st.integers(min_value=30, max_value=50).map(lambda n: n / 10)),) * 4)
cycles = st.builds(lambda n, w, g, cut: Cycle(n, w, g, cut), st.integers(1, 6), weekly, readings, st.booleans())
guardrails = st.one_of(
    st.none(),
    st.builds(
        lambda low, high: {"name": "CSAT", "min": low, "max": high},
        st.one_of(st.none(), st.integers(30, 45).map(lambda n: n / 10)),
        st.integers(46, 50).map(lambda n: n / 10),
    ),
    st.builds(lambda low: {"name": "CSAT", "min": low}, st.integers(30, 50).map(lambda n: n / 10)),
)
bars = st.fixed_dictionaries(
    {
        "kpi": st.builds(
            lambda direction, target: {
                **KPI,
                "direction": direction,
                "target": target,
                "baseline": 70 if direction == "down" else -5,
            },
            st.sampled_from(("up", "down")),
            values,
        ),
        "guardrail": guardrails,
        "rules": st.fixed_dictionaries({"scale_min_kpi_weeks": st.integers(1, 4)}),
    }
)


@settings(max_examples=150, deadline=None)
@given(bars, bars, st.lists(cycles, max_size=4), st.lists(readings.map(lambda r: r[0]), max_size=6))
def test_what_applies_at_once_never_turns_a_miss_into_a_hit_or_a_breach_into_a_hold(old, new, kept, weeks):
    before, after = canonical(**old), canonical(**new)
    guarded = tuple(GuardrailWeek(f"week {i + 1} of cycle 1", v) for i, v in enumerate(weeks) if v is not None)
    history = History(cycles=tuple(kept), guardrail=guarded)
    sorting = bar_sort.sort(before, after, history)
    now = bar_sort.apply_now(before, after, sorting)
    was, is_ = Bar.of(before), Bar.of(now)
    for cycle in [*kept, *(p for p in bar_kpi.probes(was, is_) if isinstance(p, Cycle))]:
        assert not (is_.hits(cycle)[0] and not was.hits(cycle)[0])
    for week in guarded:
        assert not (was.breached(week.value) and not is_.breached(week.value))
    assert bar_kpi.replay(before, now, history.cycles, history.guardrail) == []
    if bar_kpi.replay(before, after, history.cycles, history.guardrail):
        assert sorting.kind == bar_sort.REQUEST
