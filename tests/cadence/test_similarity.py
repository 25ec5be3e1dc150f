"""The same learning, not paid twice (cadence/similarity.py): a close match is the same KPI
name and unit, or within the same function more than half of the new playbook's steps; names
compared without case, spacing or punctuation; the closest first; its words say why."""

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
    assert found.words == "support-replies v2 (Support), same KPI First-response time (min)"
    assert match(d(unit="h", steps=("triage",)), d("support-replies")) is None  # another unit: another measure


def test_most_steps_in_common_is_a_close_match():
    found = match(d(kpi="Handle time", steps=("Draft", "send", "archive")), d("support-replies"))
    assert found is not None and not found.same_kpi and found.shared_steps == ("Draft", "send")
    assert found.words == "support-replies (Support), 2 of 3 steps in common (Draft, send)"
    assert match(d(kpi="Handle time", steps=("draft", "triage", "archive", "close")), d("support-replies")) is None
    both = match(d(steps=("draft", "send", "refunds", "close")), d("support-replies", version=1))
    assert both is not None
    assert both.words == (
        "support-replies v1 (Support), same KPI First-response time (min) and 3 of 4 steps in common (draft, send, refunds)"
    )


def test_steps_in_common_match_nothing_across_functions_but_the_same_kpi_does():
    """Issue 108, item 12: "Invoice dunning letters" (Finance, Days to pay; draft, send, refunds)
    was asked about Support's playbooks for its generic step names; a KPI named alike but not
    the same never matched, one named and measured the same still does, in any function."""
    dunning = d("invoice-dunning-letters", kpi="Days to pay", unit="days", function="Finance")
    assert match(dunning, d("support-replies", version=1)) is None
    assert match(dunning, d("sales-desk", kpi="Reply time", unit="h", function="sales")) is None
    same_function = match(dunning, d("collections", kpi="Cash collected", unit="EUR", function="finance"))
    assert same_function is not None and same_function.shared_steps == ("draft", "send", "refunds")
    alike = d("invoice-replies", kpi="First response time", function="Finance", steps=("triage",))
    assert match(alike, d("support-replies", kpi="Response time")) is None  # alike is not the same
    found = match(alike, d("support-replies", version=2))
    assert found is not None and found.words == "support-replies v2 (Support), same KPI First-response time (min)"


def test_the_closest_first_and_itself_never():
    same_kpi = d("a-kpi", version=1, steps=("x",))
    steps_only = d("b-steps", kpi="Other", version=1)
    active = d("c-active", steps=("x",))
    found = matches(d(), [steps_only, active, same_kpi, d("new")])
    assert [m.other.slug for m in found] == ["a-kpi", "c-active", "b-steps"]


@given(st.text(max_size=40))
def test_a_key_is_stable(text):
    assert key(key(text)) == key(text)
