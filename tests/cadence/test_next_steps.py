"""Where it rolls next (cadence/next_steps.py): the ranking by expected value, fit and risk,
each part said in its reason; unknown value ranked last; the order never wobbles."""

from hypothesis import given
from hypothesis import strategies as st

from cadence.next_steps import Candidate, rank


def a(kind="version", slug="support-replies", target="Sales", **kw) -> Candidate:
    base = dict(version=1, origin_function="Support", target_function=target if kind == "version" else None)
    base.update(kw)
    return Candidate(kind=kind, slug=slug, target=target, **base)


def test_net_hours_at_the_origin_are_the_value_and_the_intake_the_most_it_could_save():
    measured = a(net_hours=30.0, intake_cases=120, intake_minutes=9)
    [r] = rank([measured])
    assert r.value_hours == 30.0 and r.value == "value: 30 h net a cycle at the origin"
    [r] = rank([a(intake_cases=120, intake_minutes=9)])
    assert r.value_hours == 72.0 and r.value == "value: up to 72 h a cycle (120 cases a week × 9 min)"
    [r] = rank([a()])
    assert r.value_hours is None and r.score is None and r.value == "value: not measured (no net hours, no intake)"


def test_the_net_is_said_from_its_parts_as_the_overview_says_it():
    """Issue 108, item 7: the registry said "163 h net a cycle" (162.5 rounded alone) where
    the overview said "162 h net (173 h saved − 11 h oversight)": one rounding, its parts'."""
    [r] = rank([a(net_hours=173.2 - 10.7, net_parts=(173.2, 10.7))])
    assert r.value == "value: 162 h net a cycle at the origin" and r.value_hours == 173.2 - 10.7


def test_fit_same_function_and_a_champion_raise_it_a_team_over_its_load_halves_it():
    other = rank([a(net_hours=10.0)])[0]
    same = rank([a(kind="request", target="C1", target_function="support", champion_id="U1", net_hours=10.0)])[0]
    assert other.fit == "fit: another function (Sales, from Support)"
    assert same.fit == "fit: same function (Support), champion named"
    assert same.score == 10.0 * 1.25 * 1.25 / 1 * 1 and other.score == 10.0
    loaded = rank([a(net_hours=10.0, over_load="4 active playbooks (max 3)")])[0]
    assert loaded.score == 5.0 and loaded.fit.endswith("over its load: 4 active playbooks (max 3)")
    new_team = rank([a(kind="request", target="C2", net_hours=10.0)])[0]
    assert new_team.fit == "fit: a team new to playbooks, no champion named"


def test_risk_discounts_by_the_origins_exceptions_and_open_escalations():
    [r] = rank([a(net_hours=10.0, exception_share=0.25, open_escalations=2)])
    assert r.score == 10.0 * 0.75 * 0.8 * 0.8
    assert r.risk == "risk: 25% exceptions at the origin, 2 open escalations"
    [r] = rank([a(net_hours=10.0, exception_share=1.0)])
    assert round(r.score, 9) == 1.0  # at most 90% off: a bad origin is ranked low, never hidden
    [r] = rank([a(net_hours=10.0)])
    assert r.risk == "risk: no exception share at the origin yet, no open escalations"
    assert r.reason == f"{r.value}; {r.fit}; {r.risk}"


def test_best_first_unknown_value_last_by_fit():
    low = a(slug="low", net_hours=5.0)
    high = a(slug="high", net_hours=50.0, exception_share=0.5)
    unknown_fit = a(slug="u-fit", kind="request", target="C1", target_function="Support", champion_id="U1")
    unknown = a(slug="u-plain")
    assert [r.candidate.slug for r in rank([unknown, low, unknown_fit, high])] == ["high", "low", "u-fit", "u-plain"]


candidates = st.builds(
    a,
    slug=st.sampled_from(["a", "b", "c"]),
    target=st.sampled_from(["Sales", "Ops", "C1"]),
    net_hours=st.none() | st.floats(0, 500),
    exception_share=st.none() | st.floats(0, 1),
    open_escalations=st.integers(0, 5),
)


@given(st.lists(candidates, max_size=8, unique_by=lambda c: (c.kind, c.slug, c.version, c.target)))
def test_the_order_is_the_same_whatever_order_they_came_in(found):
    """A candidate is one (kind, version, target): no two alike."""
    assert [r.candidate for r in rank(found)] == [r.candidate for r in rank(list(reversed(found)))]


@given(candidates, st.floats(0.01, 100))
def test_more_value_never_ranks_lower(c, more):
    if c.net_hours is None:
        return
    richer = Candidate(**{**c.__dict__, "net_hours": c.net_hours + more, "slug": "z"})
    assert rank([c, richer])[0].candidate.slug == "z"
