"""The pulse's floor figure by figure and its rollups closed against subtraction (issue 92),
as a property over random organizations: functions of playbooks, each with cycles whose
people answer at random, skipping questions at random.

Every figure shown (a cycle's, a function's or the organization's rollup, a playbook's over
its cycles, one over the same cycle across playbooks, any set of groups) rests on at least
`pulse_min_answers` answers to its own question, and on exactly the answers of the groups
whose own figure is shown; so no difference of two shown figures of one question (either
way round) rests on fewer than the floor. The figures are checked against the raw answers,
not against what the rollup says of itself."""

from __future__ import annotations

import statistics
from itertools import combinations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cadence.pulse import AROUND, FREED, QUESTIONS, SCALE, WORKED_AROUND, Answer, Pulse, rollup, summarize

answers = st.builds(
    Answer,
    trust=st.none() | st.sampled_from(SCALE),
    around=st.none() | st.sampled_from(sorted(AROUND)),
    safety=st.none() | st.sampled_from(SCALE),
    freed=st.none() | st.sampled_from(sorted(FREED)),
)
cycles = st.lists(st.lists(answers, max_size=12), min_size=1, max_size=3)  # a playbook's cycles
functions = st.lists(st.lists(cycles, min_size=1, max_size=3), min_size=1, max_size=3)  # functions of playbooks
Group = tuple[int, int, int]  # (function, playbook, cycle)


def _values(raw: list[Answer], question: str) -> list:
    return [getattr(a, question) for a in raw if getattr(a, question) is not None]


def _figure(pulse: Pulse, question: str):
    """A shown figure's own count and value (mean, share of worked around, freed shares)."""
    if question in ("trust", "safety"):
        m = getattr(pulse, question)
        return (m.n, m.mean) if m is not None else None
    if question == "around":
        return (pulse.around.n, pulse.around.share) if pulse.around is not None else None
    if not pulse.freed:
        return None
    (n,) = {s.n for s in pulse.freed.values()}
    return n, {k: s.share for k, s in pulse.freed.items()}


def _of_answers(values: list, question: str):
    """What a figure over exactly these answers is."""
    if question in ("trust", "safety"):
        return len(values), statistics.fmean(values)
    if question == "around":
        return len(values), sum(1 for v in values if v in WORKED_AROUND) / len(values)
    return len(values), {k: values.count(k) / len(values) for k in FREED if k in values}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(org=functions, floor=st.sampled_from([5, 6, 7]), data=st.data())
def test_no_shown_figure_and_no_difference_of_two_rests_on_fewer_than_the_floor(org, floor, data):
    raw: dict[Group, list[Answer]] = {
        (f, p, c): cycle
        for f, playbooks in enumerate(org)
        for p, pb in enumerate(playbooks)
        for c, cycle in enumerate(pb)
    }
    shown = {g: summarize(g[2] + 1, answers, floor) for g, answers in raw.items()}
    groups = sorted(raw)
    # the rollups every surface shows, and some more besides: any set of groups
    sets = {
        "organization": groups,
        **{f"function {f}": [g for g in groups if g[0] == f] for f in range(len(org))},
        **{
            f"playbook {f}.{p}": [g for g in groups if g[:2] == (f, p)]
            for f, pb in enumerate(org)
            for p in range(len(pb))
        },
        **{f"cycle {c}": [g for g in groups if g[2] == c] for c in range(3)},
    }
    for n in range(3):
        sets[f"any {n}"] = data.draw(st.lists(st.sampled_from(groups), unique=True, min_size=1))
    aggregates: dict[str, tuple[Pulse, list[Group]]] = {f"group {g}": (shown[g], [g]) for g in groups}
    aggregates |= {
        name: (rollup([shown[g] for g in members], floor), members) for name, members in sets.items() if members
    }

    rests_on: dict[tuple[str, str], set[Group]] = {}
    for name, (pulse, members) in aggregates.items():
        for question in QUESTIONS:
            figure = _figure(pulse, question)
            if figure is None:
                continue
            # it pools exactly the groups whose own figure of the question is shown
            entered = {g for g in members if _figure(shown[g], question) is not None}
            pooled = [v for g in sorted(entered) for v in _values(raw[g], question)]
            assert len(pooled) >= floor, (name, question)
            expected = _of_answers(pooled, question)
            assert figure[0] == expected[0], (name, question)
            assert figure[1] == pytest.approx(expected[1]), (name, question)
            rests_on[(name, question)] = entered

    def answers_in(question: str, within: set[Group]) -> int:
        return sum(len(_values(raw[g], question)) for g in within)

    for (a, question), first in rests_on.items():
        for (b, other), second in rests_on.items():
            if question == other and a < b:
                for apart in (first - second, second - first):
                    left = answers_in(question, apart)
                    assert left == 0 or left >= floor, (a, b, question, left)


def test_the_issues_subtraction_is_closed():
    """Issue 92: A = {4 answers}, B = {1 answer} in one function; the organization's rollup
    minus A's figures gave B's single answer. Now neither is shown, nor any rollup of them."""
    a = summarize(1, [Answer(trust=4)] * 4)
    b = summarize(1, [Answer(trust=1)])
    assert a.trust is None and b.trust is None
    assert rollup([a, b]).trust is None and not rollup([a, b]).shown
    big = summarize(1, [Answer(trust=5)] * 6)
    for pair in combinations([a, b, big], 2):
        pooled = rollup(list(pair))
        assert pooled.trust is None or pooled.trust.n == 6  # only the shown group, never a hidden one
