"""Replication that travels: readiness beyond the KPI, what an adopter may change, waves,
and the replication verdict (docs/usage.md, "Replication"), each with the numbers that decided it."""

import copy

import pytest

from cadence import inputs, readiness
from cadence import replication as r
from cadence.definition_load import DefinitionError, parse_playbook
from tests.conftest import SUPPORT_REPLIES


def _ready(**overrides):
    arguments = dict(
        asked=40,
        answered=32,
        min_attestation=0.75,
        steps=[readiness.StepRatio("draft", 2, 40, 0.10, 10), readiness.StepRatio("send", 0, 30, 0.10, 10)],
        inputs=[_TICKETS],
        outputs=["reply"],
        learnings={1: 1, 2: 2},
        cycles=[1, 2],
        owner_active=True,
        rubrics=[
            readiness.StepRubric("draft", [[0.9, 0.92, 0.95, 0.88], [0.91, 0.93, 0.9, 0.94]]),
            readiness.StepRubric("send", [[0.95, 0.95, None, 0.95]] * 2),  # AI-led: reviewed 3 of 4 weeks
        ],
        rubric_threshold=0.9,
        input_checks=[],
    )
    return readiness.readiness(**{**arguments, **overrides})


# An input with its whole contract, declared unchecked on purpose.
_TICKETS = dict(
    name="ticket text",
    owner="U0123456789",
    refresh="live",
    when_missing="answer by hand",
    check="none",
    reason="typed by the customer",
)


def test_all_met_is_ready_and_each_criterion_carries_its_numbers():
    criteria = _ready()
    names = ["attestation", "exceptions", "contract", "learnings", "owner", "accuracy", "reliability", "queue"]
    assert [c.name for c in criteria] == names  # docs/usage.md's order, (1) to (8)
    assert criteria[6].met and criteria[6].figures == dict(  # every input check: none, and no sources
        checks=True,
        applies=True,
        inputs=[],
        below=[],
        none_inputs=[dict(name="ticket text", reason="typed by the customer")],
        unchecked=[],
        min_weeks=4,
        share="7 in 8",
        weeks=8,
        delivery=dict(applies=False, minimum=0.9),
    )
    assert criteria[6].none == "ticket text: typed by the customer"  # declared out on purpose: counts as met
    assert criteria[-1].met and criteria[-1].figures == dict(overdue=0, oldest_days=0, limit_days=14)
    assert readiness.is_ready(criteria) and readiness.missing(criteria) == []
    attestation = criteria[0].figures
    assert attestation == dict(rate=0.8, answered=32, asked=40, minimum=0.75)
    assert criteria[1].figures["steps"][0] == dict(step="draft", exceptions=2, cases=40, ratio=0.05, cap=0.10)
    assert criteria[4].figures["unnamed"] == [] and criteria[2].figures["lacking"] == []
    assert criteria[3].figures["per_cycle"] == {"1": 1, "2": 2}


def _checked(values):
    """Readiness with one checked input, `ticket text`, at min 0.95 in the weeks it was checked."""
    given = {k: v for k, v in _TICKETS.items() if k != "reason"} | {"check": {"source": "db", "min": 0.95}}
    return dict(inputs=[given], input_checks=[inputs.InputWeeks("ticket text", 0.95, values)])


@pytest.mark.parametrize(
    ("overrides", "missing"),
    [
        (dict(answered=29), ["attestation"]),  # 29/40 = 0.725 < 0.75
        (dict(answered=30), []),  # exactly the minimum
        (dict(asked=0, answered=0), ["attestation"]),  # nobody asked: no rate, not met
        (dict(steps=[readiness.StepRatio("draft", 5, 40, 0.10)]), ["exceptions"]),
        (dict(steps=[readiness.StepRatio("draft", 4, 40, 0.10)]), []),  # at the cap is within it
        (dict(steps=[readiness.StepRatio("draft", 1, 0, 0.10)]), ["exceptions"]),  # exceptions without cases
        (dict(steps=[readiness.StepRatio("draft", 0, 0, 0.10)]), ["exceptions"]),  # no cases: never within the cap
        (dict(steps=[readiness.StepRatio("draft", 0, 9, 0.10, 10)]), ["exceptions"]),  # under min_cases: not evidence
        (dict(outputs=[]), ["contract"]),
        (dict(inputs=["ticket text"]), ["contract", "reliability"]),  # a bare name: no contract, no check
        (dict(unnamed=["model updates owner"]), ["owner"]),
        (dict(learnings={2: 3}), ["learnings"]),
        (dict(owner_active=False), ["owner"]),
        (dict(answered=0, inputs=[], owner_active=False), ["attestation", "contract", "owner", "reliability"]),
        (dict(reliability=(29, 32)), []),  # metric delivery 0.906 >= 0.9
        (dict(reliability=(28, 32)), []),  # 0.875 < 0.9: shown, no longer a criterion
        (dict(reliability=(0, 0)), []),  # sources, and no sourced number in a closed week: shown
        (_checked([0.97] * 7 + [0.9]), []),  # 7 of 8
        (_checked([0.97] * 6 + [None, 0.96]), []),
        (_checked([0.97] * 6 + [None, 0.94]), ["reliability"]),
        (_checked([None] * 8), ["reliability"]),  # every check failed
        (_checked([]), ["reliability"]),  # never checked
        (dict(rubrics=[readiness.StepRubric("draft", [[0.88] * 4, [0.95] * 4])]), ["accuracy"]),
        (dict(rubrics=[readiness.StepRubric("draft", [[0.88] * 4, [0.95] * 4], by_design=True)]), []),
        (dict(overdue_items=(2, 20)), ["queue"]),  # two exception items open more than 14 days
    ],
)
def test_each_criterion_fails_on_its_own(overrides, missing):
    assert readiness.missing(_ready(**overrides)) == missing


def _accuracy(*rubrics, cycles=(1, 2), cycles_wanted=None):
    criteria = _ready(rubrics=list(rubrics), cycles=list(cycles), cycles_wanted=cycles_wanted)
    return criteria[5]


def test_output_accuracy_is_three_of_the_four_weeks_at_the_threshold_in_each_cycle():
    """(6) "every step that has rubric scores met the playbook's rubric_threshold in at least
    3 of the 4 weeks of each of the two cycles"."""
    met = _accuracy(readiness.StepRubric("draft", [[0.9, 0.9, 0.9, 0.5], [0.95, 0.5, 0.91, 0.92]]))
    assert met.met  # at the threshold counts as meeting it
    assert met.figures["steps"] == [
        dict(
            step="draft",
            by_design=False,
            scored=True,
            weeks_met=[3, 3],
            met=True,
            evidence=[4, 4],
            no_evidence=False,
            low=0.5,
            high=0.95,
            unscored=0,
        )
    ]
    assert met.figures["threshold"] == 0.9 and met.figures["needed"] == 3 and met.figures["weeks"] == 4
    two_weeks = _accuracy(readiness.StepRubric("draft", [[0.9, 0.89, 0.95, 0.88], [0.95, 0.95, 0.95, 0.95]]))
    assert not two_weeks.met and two_weeks.figures["below"] == ["draft"]
    assert two_weeks.figures["steps"][0]["weeks_met"] == [2, 4]  # each cycle, not the two together


def test_output_accuracy_judges_every_step_that_has_scores():
    """ "every step": one step short is enough to miss; the demo's draft, 88% every week."""
    criterion = _accuracy(
        readiness.StepRubric("triage", [[0.95] * 4, [0.95] * 4]),
        readiness.StepRubric("draft", [[0.88] * 4, [0.88] * 4]),
    )
    assert not criterion.met and criterion.figures["below"] == ["draft"]
    assert [s["weeks_met"] for s in criterion.figures["steps"]] == [[4, 4], [0, 0]]


def test_a_week_without_a_score_is_not_a_week_that_met_the_threshold():
    criterion = _accuracy(readiness.StepRubric("draft", [[0.95, None, 0.95, 0.95], [0.95, None, None, 0.95]]))
    assert not criterion.met and criterion.figures["steps"][0]["weeks_met"] == [3, 2]


def test_a_step_without_rubric_scores_is_not_ready_no_evidence_is_not_a_pass():
    """docs/playbooks.md, "Evidence of quality": every step with a rubric, AI-led included,
    needs a counted score in 3 of the 4 weeks of each cycle; a step that reported none is ❌."""
    criterion = _accuracy(readiness.StepRubric("send", [[None] * 4, [None] * 4]))
    assert not criterion.met and criterion.figures["below"] == ["send"]
    assert criterion.figures["steps"] == [
        dict(step="send", by_design=False, scored=True, weeks_met=[0, 0], met=False, evidence=[0, 0], no_evidence=True)
    ]
    assert readiness.missing(
        _ready(
            rubrics=[readiness.StepRubric("send", [[None] * 4] * 2)], steps=[readiness.StepRatio("send", 5, 10, 0.1)]
        )
    ) == ["exceptions", "accuracy"]


def test_scores_in_too_few_weeks_of_one_cycle_are_no_evidence_even_if_all_pass():
    """3 of 4 weeks in EACH cycle: seven passing weeks with one cycle at 2 is not enough, and
    a week whose sample was too small arrives here as None (cadence.figures.counted_rubric)."""
    short = _accuracy(readiness.StepRubric("draft", [[0.95, None, None, 0.95], [0.95] * 4]))
    assert not short.met and short.figures["steps"][0]["evidence"] == [2, 4]
    assert short.figures["steps"][0]["no_evidence"]
    enough = _accuracy(readiness.StepRubric("draft", [[0.95, None, 0.95, 0.95], [0.95, 0.95, None, 0.95]]))
    assert enough.met and not enough.figures["steps"][0]["no_evidence"]
    failing = _accuracy(readiness.StepRubric("draft", [[0.5] * 4, [0.5] * 4]))  # evidence, below the threshold
    assert not failing.met and not failing.figures["steps"][0]["no_evidence"]


def test_a_step_with_rubric_none_is_no_rubric_by_design_and_not_judged_on_scores():
    """`rubric: none`: "shown as 'no rubric by design' ... judged on cases and exceptions alone",
    even if a score was reported before the definition said so."""
    criterion = _accuracy(readiness.StepRubric("route", [[0.5] * 4, [0.5] * 4], by_design=True))
    assert criterion.met
    assert criterion.figures["steps"] == [
        dict(step="route", by_design=True, scored=False, weeks_met=[], met=True, reason="no rubric by design")
    ]
    assert criterion.none == "route: no rubric by design"  # every step so: the criterion is declared out
    reasoned = _accuracy(
        readiness.StepRubric("route", [[None] * 4] * 2, by_design=True, reason="a lookup, no judgement")
    )
    assert reasoned.none == "route: a lookup, no judgement"
    mixed = _accuracy(
        readiness.StepRubric("route", [], by_design=True), readiness.StepRubric("draft", [[0.95] * 4] * 2)
    )
    assert mixed.met and mixed.none is None  # judged on the scored step, the other shown as none


def test_output_accuracy_before_the_scale_rules_cycles_closed():
    """A publish with one of the two cycles closed: "each of the two cycles" is not shown."""
    short = _accuracy(readiness.StepRubric("draft", [[0.95] * 4]), cycles=[1], cycles_wanted=2)
    assert not short.met and short.figures["cycles"] == 1 and short.figures["wanted"] == 2
    unscored = _accuracy(readiness.StepRubric("send", [[None] * 4]), cycles=[1], cycles_wanted=2)
    assert not unscored.met and unscored.figures["steps"][0]["no_evidence"]


def test_the_learnings_criterion_names_the_cycles_without_one():
    criterion = _ready(learnings={1: 2}, cycles=[1, 2])[3]
    assert not criterion.met and criterion.figures["missing"] == [2]


def test_an_adopter_may_change_only_what_the_kit_allows():
    assert r.refused_overrides({"baseline", "timezone"}, ["baseline", "target", "timezone"]) == []
    assert r.refused_overrides({"exception_cap", "baseline", "rubric_threshold"}, ["baseline"]) == [
        "exception_cap",
        "rubric_threshold",
    ]


def test_progress_is_a_share_of_the_distance_either_way():
    assert r.progress(15, 42, 15) == 1.0  # down: at target
    assert r.progress(28.5, 42, 15) == 0.5
    assert r.progress(0.6, 0.5, 0.7) == pytest.approx(0.5)  # up
    assert r.progress(45, 42, 15) < 0  # the wrong way
    assert r.cycle_progress([40, None, 30, 20], 42, 15) == pytest.approx(12 / 27)  # median 30
    assert r.cycle_progress([None, None], 42, 15) is None


@pytest.mark.parametrize(
    ("hit", "own", "origin", "verdict"),
    [
        (True, None, None, r.REPLICATED),
        (False, 0.5, 0.9, r.ON_TRACK),
        (False, 0.45, 0.9, r.ON_TRACK),  # exactly half
        (False, 0.44, 0.9, r.NOT_YET),
        (False, None, 0.9, r.NOT_YET),  # no KPI reported
        (False, 0.5, None, r.NOT_YET),  # the origin has no cycle with that number
        (False, 0.1, 0.0, r.NOT_YET),  # the origin made no progress to be half of
    ],
)
def test_the_replication_verdict(hit, own, origin, verdict):
    assert r.replication_verdict(hit, own, origin) == verdict


def _kit(**replication):
    raw = copy.deepcopy(SUPPORT_REPLIES)
    raw["replication"] = replication
    return raw


def test_the_kit_is_optional_and_defaults_what_may_change():
    spec = parse_playbook(SUPPORT_REPLIES)
    assert spec.replication.runbook is None and spec.replication.checks == []
    assert spec.replication.may_change == ["baseline", "target", "timezone"]
    assert spec.rules.ready_min_attestation == 0.75 and spec.rules.adoption_wave == 3


def test_the_kit_is_validated():
    kit = parse_playbook(
        _kit(
            runbook="https://wiki.example.com/support-replies",
            training=["https://wiki.example.com/ai-drafting-101", "Shadow the origin team for one week"],
            checks=["Draft 10 sample tickets and review them before week 1"],
            requires=["Helpdesk macros enabled"],
            may_change=["baseline", "target", "timezone", "exception_cap"],
        )
    ).replication
    assert kit.training[1] == "Shadow the origin team for one week"
    assert kit.may_change[-1] == "exception_cap"
    for bad, field in [
        (dict(runbook="javascript:alert(1)"), "replication.runbook"),
        (dict(runbook="wiki.example.com"), "replication.runbook"),
        (dict(training=["ftp://files.example.com/x"]), "replication.training"),
        (dict(may_change=["owner"]), "replication.may_change"),
        (dict(runbook_url="https://x.example.com"), "replication.runbook_url"),
    ]:
        with pytest.raises(DefinitionError) as info:
            parse_playbook(_kit(**bad))
        assert info.value.problems[0].startswith(field), info.value.problems


def test_the_queue_criterion_counts_open_items_older_than_two_weeks():
    from datetime import UTC, datetime, timedelta

    from cadence import exception_queue as q

    now = datetime(2026, 12, 1, 9, tzinfo=UTC)

    def item(days, state=q.OPEN, withdrawn=False, n=1):
        return q.Item("exception", n, 1, 1, "why", "U1", now - timedelta(days=days), state, 0, withdrawn)

    items = [
        item(15, n=1),
        item(30, q.ACKNOWLEDGED, n=2),  # acknowledged items are still open
        item(14, n=3),  # exactly 14 days: not more than
        item(40, q.RESOLVED, n=4),
        item(40, q.ACCEPTED, n=5),
        item(40, withdrawn=True, n=6),
    ]
    late = q.overdue(items, now)
    assert [i.report_id for i in late] == [2, 1]  # oldest first
    assert late[0].age_days(now) == 30


def test_an_item_moves_forward_only():
    from datetime import UTC, datetime

    from cadence import exception_queue as q

    def item(state, withdrawn=False):
        return q.Item("deviation", 1, 1, 1, None, "U1", datetime(2026, 12, 1, tzinfo=UTC), state, 0, withdrawn)

    assert q.refused_move(item(q.OPEN), q.ACKNOWLEDGED) is None
    assert q.refused_move(item(q.OPEN), q.RESOLVED) is None
    assert q.refused_move(item(q.ACKNOWLEDGED), q.ACCEPTED) is None
    assert q.refused_move(item(q.ACKNOWLEDGED), q.ACKNOWLEDGED) == "item_acknowledged"
    assert q.refused_move(item(q.RESOLVED), q.ACCEPTED) == "item_closed"
    assert q.refused_move(item(q.OPEN, withdrawn=True), q.RESOLVED) == "item_withdrawn"
    assert q.refused_move(item(q.OPEN), "open") == "item_unknown_move"


# ---- (7) input reliability: the AI's inputs, checked (cadence/inputs.py) ----


def test_input_reliability_needs_every_checked_input_at_its_min_in_7_in_8_of_the_weeks_checked():
    history = inputs.InputWeeks("ticket history", 0.95, [0.95, 0.99, 0.97, 0.96, 0.98, 0.95, 0.97, 0.5])
    profile = inputs.InputWeeks("customer profile", 10, [12, 9, 11, None, 10, 10, 10, 10])
    declared = [{"name": "ticket history", "check": {}}, {"name": "customer profile", "check": {}}]
    [criterion] = [
        c
        for c in _ready(inputs=declared, input_checks=[history, profile], reliability=(3, 8))
        if c.name == "reliability"
    ]
    assert not criterion.met
    assert criterion.figures["inputs"] == [
        dict(name="ticket history", min=0.95, weeks_met=7, checked=8, needed=7, met=True),  # at the min is met
        dict(name="customer profile", min=10, weeks_met=6, checked=8, needed=7, met=False),  # a failed check: not met
    ]
    assert criterion.figures["below"] == ["customer profile"]
    assert criterion.figures["delivery"] == dict(applies=True, arrived=3, pairs=8, share=3 / 8, minimum=0.9)


@pytest.mark.parametrize(
    ("values", "needed", "holds"),
    [
        ([1.0] * 4, 4, True),  # one cycle, every week at its min: 4 of 4 (a fixed 7 never passed)
        ([1.0] * 3, 4, False),  # fewer than 4 weeks checked
        ([1.0] * 11 + [0.0], 11, True),  # three cycles: 7 in 8 of 12 is 10.5, rounded up 11
        ([1.0] * 7 + [0.0] * 5, 11, False),  # 7 of 12 (58%) no longer passes
        ([1.0] * 6 + [0.0], 7, False),  # 7 in 8 of 7 weeks is 6.125: 7 needed
    ],
)
def test_seven_in_eight_of_the_weeks_checked_rounded_up_at_least_four(values, needed, holds):
    checked = inputs.InputWeeks("ticket history", 1.0, values)
    assert (checked.needed(), checked.holds()) == (needed, holds)


def test_every_input_needs_a_check_or_check_none_with_its_reason():
    bare = dict(name="profile", owner="U0123456789", refresh="daily", when_missing="ask")
    met, none, figures = inputs.reliability([bare, _TICKETS], [])
    assert (met, none, figures["unchecked"]) == (False, None, ["profile"])
    assert inputs.reliability([], [])[0] is False  # no inputs at all: nothing declared is not a pass


def test_the_input_contract_names_each_input_and_what_it_lacks():
    criteria = _ready(inputs=["ticket history", {"name": "profile", "owner": "U0123456789"}, _TICKETS])
    assert not criteria[2].met
    assert criteria[2].figures["lacking"] == [
        dict(name="ticket history", missing=["owner", "refresh", "when-missing"]),
        dict(name="profile", missing=["refresh", "when-missing"]),
    ]


def test_metric_delivery_alone_judges_nothing():
    assert readiness.is_ready(_ready(reliability=(0, 8)))


def test_inputs_as_contracts_load_and_keep_what_they_give():
    raw = copy.deepcopy(SUPPORT_REPLIES)
    raw["sources"] = {"warehouse": {"kind": "sql", "url_env": "WAREHOUSE_URL"}}
    raw["inputs"] = [
        "ticket text",
        {
            "name": "ticket history",
            "owner": "<@U0123456789|ben>",
            "when_missing": "draft by hand",
            "check": {"source": "warehouse", "query": "select 0.97", "min": 0.95},
        },
    ]
    spec = parse_playbook(raw)
    assert spec.canonical()["inputs"] == [
        "ticket text",
        {
            "name": "ticket history",
            "owner": "U0123456789",
            "when_missing": "draft by hand",
            "check": {"source": "warehouse", "query": "select 0.97", "min": 0.95},
        },
    ]
    assert inputs.names(spec.inputs) == ["ticket text", "ticket history"]
    [check] = inputs.checks(spec.canonical())
    assert (check.name, check.source, check.min, check.owner) == ("ticket history", "warehouse", 0.95, "U0123456789")


@pytest.mark.parametrize(
    ("given", "said"),
    [
        (
            {"name": "x", "check": {"source": "nowhere", "query": "select 1", "min": 1}},
            "inputs[x].check: unknown source",
        ),
        ({"name": "x", "check": {"source": "warehouse", "query": "delete from t", "min": 1}}, "only reads"),
        ({"name": "x", "check": {"source": "warehouse", "query": "select 1"}}, "min"),
        ({"name": "x", "owner": "ben"}, "is not a Slack user"),
        ({"name": "x", "colour": "red"}, "colour"),
        ("ticket text", "input 'ticket text' is listed twice"),
        ({"name": "x", "check": "none"}, "give its reason"),
        ({"name": "x", "reason": "why not"}, "reason goes with check: none"),
    ],
)
def test_an_input_contract_that_cannot_hold_is_refused_naming_it(given, said):
    raw = copy.deepcopy(SUPPORT_REPLIES)
    raw["sources"] = {"warehouse": {"kind": "sql", "url_env": "WAREHOUSE_URL"}}
    raw["inputs"] = ["ticket text", given]
    with pytest.raises(DefinitionError) as refused:
        parse_playbook(raw)
    assert said in str(refused.value)
