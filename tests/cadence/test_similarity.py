"""The same learning, not paid twice (cadence/similarity.py): a close match is the same KPI
name and unit, or more than half of the new playbook's steps; names compared without case,
spacing or punctuation; the closest first."""

from hypothesis import given
from hypothesis import strategies as st

from cadence.similarity import Described, key, match, matches


def d(
    slug="new",
    kpi="First-response time",
    unit="min",
    steps=("draft", "send", "refunds"),
    version=None,
    function="Support",
):
    return Described(slug, slug.title(), function, kpi, unit, tuple(steps), version)


def test_the_same_kpi_name_and_unit_is_a_close_match_whatever_the_case_and_punctuation():
    found = match(d(kpi="first response  time", steps=("triage",)), d("support-replies", version=2))
    assert found is not None and found.same_kpi and found.shared_steps == ()
    assert found.words == "support-replies v2 (Support) measures the same First-response time"
    assert match(d(unit="h", steps=("triage",)), d("support-replies")) is None  # another unit: another measure


def test_most_steps_in_common_is_a_close_match():
    found = match(d(kpi="Handle time", steps=("Draft", "send", "archive")), d("support-replies"))
    assert found is not None and not found.same_kpi and found.shared_steps == ("Draft", "send")
    assert found.words == "support-replies (Support) shares 2 of its 3 steps (Draft, send)"
    assert match(d(kpi="Handle time", steps=("draft", "triage", "archive", "close")), d("support-replies")) is None


def test_the_closest_first_and_itself_never():
    same_kpi = d("a-kpi", version=1, steps=("x",))
    steps_only = d("b-steps", kpi="Other", version=1)
    active = d("c-active", steps=("x",))
    found = matches(d(), [steps_only, active, same_kpi, d("new")])
    assert [m.other.slug for m in found] == ["a-kpi", "c-active", "b-steps"]


@given(st.text(max_size=40))
def test_a_key_is_stable(text):
    assert key(key(text)) == key(text)
