"""The one sorter of a definition's changes (cadence/bar_sort.py, issue 93 item 2): neutral
fields apply at once; every other change is replayed under the asked bar by the close's own
judges, and applies at once only when nothing gets easier. Property-based: for random bars
and kept weeks, what the sorter lets apply at once never makes a replayed verdict easier,
and a change that makes one easier always waits."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cadence import bar_sort, bar_verdicts
from cadence.bar_history import History, Week
from cadence.definition_load import parse_playbook
from tests.conftest import SUPPORT_REPLIES

MODES = ("human-led", "collaborative", "ai-led")


def canonical(**changes):
    return parse_playbook({**SUPPORT_REPLIES, **changes}).canonical()


def test_neutral_fields_apply_at_once():
    before = canonical()
    after = canonical(title="Support replies v2", function="Customer care", outputs=["a reply"])
    assert bar_sort.sort(before, after).kind == bar_sort.NEUTRAL_KIND


def test_a_higher_min_cases_is_a_request_only_where_it_takes_a_fail_away():
    """The issue's case: ai-led weeks at 75-80% exceptions FAILed; under min_cases 20 their
    12 cases are INCONCLUSIVE, so nothing would demote."""
    before, after = canonical(), canonical(rules={"min_cases": 20})
    failing = History((Week("send", "week 3 of cycle 2", "ai-led", 12, 9),))
    sorted_ = bar_sort.sort(before, after, failing)
    assert sorted_.kind == bar_sort.REQUEST
    assert sorted_.found == [
        "under the asked bar, send's week 3 of cycle 2 would have been INCONCLUSIVE, not FAIL: "
        "12 cases under min_cases 20"
    ]
    # Demotion cannot be switched off (issue 109): with no FAIL kept, a week over the cap at
    # the kept weeks' own case count would turn from FAIL into INCONCLUSIVE: still a request.
    passing = History((Week("send", "week 3 of cycle 2", "ai-led", 12, 0),))
    probed = bar_sort.sort(before, after, passing)
    assert probed.kind == bar_sort.REQUEST
    assert probed.found == [
        "under the asked bar, a collaborative week would be INCONCLUSIVE, not FAIL: 10 cases under min_cases 20"
    ]  # draft and refunds kept no week: they are probed at the old min_cases
    # Where every step's kept weeks have the cases the new min_cases asks, it tightens and applies at once.
    large = History(tuple(Week(step, "week 3 of cycle 2", "ai-led", 40, 0) for step in ("draft", "send", "refunds")))
    assert bar_sort.sort(before, after, large).kind == bar_sort.TIGHTENING


def test_min_cases_no_week_reaches_is_a_request_with_no_fail_on_record():
    """Issue 109: `min_cases: 100000` loaded with no FAIL on record applied at once."""
    before, after = canonical(), canonical(rules={"min_cases": 100000})
    kept = History((Week("send", "week 1 of cycle 1", "ai-led", 200, 3),))
    sorted_ = bar_sort.sort(before, after, kept)
    assert sorted_.kind == bar_sort.REQUEST
    assert "would be INCONCLUSIVE, not FAIL: 10 cases under min_cases 100000" in sorted_.found[0]
    assert bar_sort.sort(before, after, History()).kind == bar_sort.REQUEST


def test_a_higher_review_rate_that_turns_a_sampled_fail_into_a_pass_is_a_request():
    before, after = canonical(), canonical(review_rate={"ai-led": 0.5})
    kept = History((Week("send", "week 2 of cycle 1", "ai-led", 40, 0, 0.5, 4),))
    found = bar_sort.sort(before, after, kept).found
    assert found[0] == (
        "under the asked bar, send's week 2 of cycle 1 would have been PASS, not FAIL: "
        "0 exceptions in 40 cases, rubric 50.0% of 4 reviewed"
    )


def test_a_raised_cap_waits_with_no_week_kept():
    sorted_ = bar_sort.sort(canonical(), canonical(exception_cap=0.15))
    assert sorted_.kind == bar_sort.REQUEST and "would be PASS, not FAIL" in sorted_.found[0]
    assert bar_sort.sort(canonical(), canonical(exception_cap=0.05)).kind == bar_sort.TIGHTENING


def test_the_pulse_off_while_a_trust_hold_stands_is_a_request():
    after = canonical(rules={"pulse": "off"})
    assert bar_sort.sort(canonical(), after, History(trust_hold=True)).found == [
        "a trust hold stands: turning the pulse off would lift it"
    ]
    assert bar_sort.sort(canonical(), after).kind == bar_sort.TIGHTENING


def test_a_declared_tool_changed_while_a_usage_hold_stands_is_a_request():
    """Two weeks attested without usage hold promotions to ai-led (cadence/usage.py holds):
    naming another tool, or none, or raising the floor that shows the team's weeks, would
    lift the hold, so each waits for a curator while it stands, and applies at once when not."""
    before = canonical(tool="copilot")
    steps = [{**s, "tool": "gemini"} if s["name"] == "draft" else s for s in SUPPORT_REPLIES["steps"]]
    held = History(usage_hold=True)
    assert bar_sort.sort(before, canonical(tool="gemini"), held).found == [
        "a usage hold stands: changing the declared tool would lift it"
    ]
    assert bar_sort.sort(before, canonical(), held).kind == bar_sort.REQUEST
    assert bar_sort.sort(before, canonical(tool="copilot", steps=steps), held).found == [
        "a usage hold stands: changing the declared tool would lift it"
    ]
    assert bar_sort.sort(before, canonical(tool="copilot", rules={"pulse_min_answers": 8}), held).found == [
        "a usage hold stands: a higher pulse_min_answers could leave the team's weeks unshown, lifting it"
    ]
    for after in (canonical(tool="gemini"), canonical(tool="copilot", steps=steps), canonical()):
        assert bar_sort.sort(before, after).kind != bar_sort.REQUEST


def test_removing_the_kpis_compare_is_a_request():
    kpi = {**SUPPORT_REPLIES["kpi"], "compare": "rest"}
    before = canonical(kpi=kpi)
    assert bar_sort.sort(before, canonical()).kind == bar_sort.REQUEST


def test_a_steps_own_calibration_none_where_the_playbook_has_a_set_is_a_request():
    before = canonical(calibration={"cases": 40})
    steps = [
        {**s, "calibration": "none", "reason": "x"} if s["name"] == "draft" else s for s in SUPPORT_REPLIES["steps"]
    ]
    sorted_ = bar_sort.sort(before, canonical(calibration={"cases": 40}, steps=steps))
    assert [c.words for c in sorted_.waiting] == ["step draft calibration set 40 cases → none"]


def test_removing_handoff_is_a_request():
    before = canonical(handoff={"sla_hours": 24, "escalate_to": "C0123456789"})
    assert bar_sort.sort(before, canonical()).kind == bar_sort.REQUEST


WHOLE = {"name": "ticket history", "owner": "U0123456789", "refresh": "hourly", "when_missing": "hold"}


def test_an_incomplete_input_removed_to_meet_the_input_contract_is_a_request():
    """Readiness is replayed too (issue 93, item 2): no criterion moves from ❌ to ✅ by a
    removal; filling an input's contract in applies at once."""
    before = canonical(inputs=[WHOLE, "refund policy"], outputs=["a reply"])
    assert not bar_sort.contract_met(before)
    sorting = bar_sort.sort(before, canonical(inputs=[WHOLE], outputs=["a reply"]))
    assert sorting.kind == bar_sort.REQUEST
    assert sorting.found == [
        "readiness's input contract would move from ❌ to ✅: refund policy removed, not completed"
    ]
    assert (
        bar_sort.apply_now(before, canonical(inputs=[WHOLE], outputs=["a reply"]), sorting)["inputs"]
        == (before["inputs"])
    )
    completed = {**WHOLE, "name": "refund policy"}
    assert bar_sort.sort(before, canonical(inputs=[WHOLE, completed], outputs=["a reply"])).kind != bar_sort.REQUEST


shares = st.integers(min_value=1, max_value=95).map(lambda n: n / 100)
weeks = st.builds(
    lambda mode, cases, e, rubric, reviewed: Week(
        "send", "week 1 of cycle 1", mode, cases, min(e, cases or 0), rubric, reviewed
    ),
    st.sampled_from(MODES),
    st.one_of(st.none(), st.integers(min_value=1, max_value=120)),
    st.integers(min_value=0, max_value=60),
    st.one_of(st.none(), shares),
    st.one_of(st.none(), st.integers(min_value=1, max_value=40)),
)
bars = st.fixed_dictionaries(
    {
        "exception_cap": shares,
        "rubric_threshold": st.integers(min_value=60, max_value=99).map(lambda n: n / 100),
        "rules": st.fixed_dictionaries(
            {
                "min_cases": st.integers(min_value=1, max_value=40),
                "judgement": st.sampled_from(("classic", "confident")),
            }
        ),
        "review_rate": st.fixed_dictionaries({"collaborative": shares, "ai-led": shares}),
    }
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bars, bars, st.lists(weeks, max_size=8))
def test_what_applies_at_once_never_makes_a_replayed_verdict_easier(old, new, kept):
    before, after = canonical(**old), canonical(**new)
    history = History(tuple(kept))
    sorting = bar_sort.sort(before, after, history)
    now = bar_sort.apply_now(before, after, sorting)
    assert bar_verdicts.replay(before, now, history) == []  # the kept weeks and the probes alike
    if [line for line in bar_verdicts.replay(before, after, history) if "send's week" in line]:
        assert sorting.kind == bar_sort.REQUEST and sorting.waiting


contracts = st.lists(
    st.one_of(
        st.sampled_from(("ticket history", "refund policy", "ledger")),
        st.builds(lambda name: {**WHOLE, "name": name}, st.sampled_from(("ticket history", "refund policy", "ledger"))),
    ),
    max_size=3,
    unique_by=lambda given: given if isinstance(given, str) else given["name"],
)


@settings(max_examples=200, deadline=None)
@given(contracts, contracts, st.booleans())
def test_what_applies_at_once_never_meets_the_input_contract_by_a_removal(old, new, outputs):
    """For random inputs before and after: what applies at once never moves readiness's input
    contract from ❌ to ✅ with an input gone."""
    declared = {"outputs": ["a reply"] if outputs else []}
    before, after = canonical(inputs=old, **declared), canonical(inputs=new, **declared)
    now = bar_sort.apply_now(before, after, bar_sort.sort(before, after))
    gone = {bar_sort.inputs.name_of(i) for i in before["inputs"]} - {bar_sort.inputs.name_of(i) for i in now["inputs"]}
    assert not (gone and not bar_sort.contract_met(before) and bar_sort.contract_met(now))


def _paths(model, prefix=""):
    """Every field path of a definition's schema, as cadence/bar_fields.py names them."""
    import types
    import typing

    from pydantic import BaseModel

    from cadence.inputs import InputSpec

    for name, info in model.model_fields.items():
        path = f"{prefix}{info.alias or name}"
        kinds, sections = [info.annotation], 0
        while kinds:
            kind = kinds.pop()
            origin = typing.get_origin(kind)
            if origin in (typing.Union, types.UnionType, typing.Annotated):
                kinds += [a for a in typing.get_args(kind) if isinstance(a, type) or typing.get_origin(a)]
            elif origin is list and typing.get_args(kind):
                [item] = typing.get_args(kind)[:1]
                item = InputSpec if path == "inputs" else item  # a name or a contract
                if isinstance(item, type) and issubclass(item, BaseModel) and path in ("steps", "inputs"):
                    yield f"{path}[x]"
                    yield from _paths(item, f"{path}[x].")
                    sections += 1
            elif isinstance(kind, type) and issubclass(kind, BaseModel) and kind.__name__ != "FromSpec":
                yield from _paths(kind, f"{path}.")
                sections += path not in ("guardrail", "handoff")  # judged whole too
        if not sections:
            yield path


def test_every_field_of_the_definition_has_its_judge_named():
    """The sorter's table (cadence/bar_fields.py) names the judge of every field the schema
    has today; a field added later and not named there is a request (not this test's)."""
    from cadence import bar_fields
    from cadence.definition import PlaybookSpec

    assert [p for p in _paths(PlaybookSpec) if bar_fields.judge_of(p) is None] == []


def test_a_field_no_judge_reads_is_a_request_and_put_back():
    before = canonical()
    after = {**before, "kpi": {**before["kpi"], "weight": 3}, "steps": [{**before["steps"][0], "weight": 2}]}
    after["steps"] += before["steps"][1:]
    sorting = bar_sort.sort(before, after)
    assert sorting.kind == bar_sort.REQUEST
    assert sorting.found == [
        "the replay cannot judge a change to kpi.weight",
        "the replay cannot judge a change to steps[draft].weight",
    ]
    now = bar_sort.apply_now(before, after, sorting)
    assert now["steps"] == before["steps"] and now["kpi"].get("weight") is None


def test_the_clock_and_the_people_named_apply_at_once():
    before = canonical()
    for after in (
        canonical(timezone="UTC"),
        canonical(owners={"business_rules": "U0123456789"}),
        canonical(channel="CTEAM00002"),
        canonical(rules={"nudge_at": "Tue 09:00", "grace_hours": 6}),
        canonical(kpi={**SUPPORT_REPLIES["kpi"], "name": "First reply"}),
    ):
        assert bar_sort.sort(before, after).kind == bar_sort.TIGHTENING


def test_a_step_removed_with_a_fail_kept_waits_and_without_one_goes_at_once():
    """Issue 93, item 2: a removal that takes a FAIL away from readiness and replication."""
    before = canonical()
    after = canonical(steps=[s for s in SUPPORT_REPLIES["steps"] if s["name"] != "send"])
    failed = History((Week("send", "week 1 of cycle 1", "ai-led", 12, 9),))
    sorting = bar_sort.sort(before, after, failed)
    assert sorting.found == ["send's week 1 of cycle 1 (FAIL) would no longer count: the step is removed"]
    assert [s["name"] for s in bar_sort.apply_now(before, after, sorting)["steps"]] == ["draft", "send", "refunds"]
    passed = History((Week("send", "week 1 of cycle 1", "ai-led", 12, 0),))
    assert bar_sort.sort(before, after, passed).kind == bar_sort.TIGHTENING
