"""How readiness's criteria are worded wherever criteria appear (the proposal, "not yet
ready", publish's refusal, the web view): ✅ met with its numbers, ❌ naming what is
missing, or ➖ "none: <reason>" where the playbook declares it out on purpose; never n/a."""

from cadence import inputs, readiness
from templates import criterion_phrase, render
from tests.templates.contexts import contexts
from usecases.shared.readiness import as_figures

READY = dict(  # every criterion met but the one a test says
    asked=4,
    answered=4,
    min_attestation=0.75,
    steps=[],
    inputs=[dict(name="a", owner="U0123456789", refresh="daily", when_missing="wait", check="none", reason="typed")],
    outputs=["b"],
    learnings={1: 1, 2: 1},
    cycles=[1, 2],
    owner_active=True,
)


def said(name, **given):
    """Criterion `name` in words, the others met."""
    [criterion] = [c for c in as_figures(readiness.readiness(**{**READY, **given})) if c["name"] == name]
    return criterion_phrase(criterion)


def phrase(*rubrics, cycles=(1, 2), cycles_wanted=None):
    return said(
        "accuracy", cycles=list(cycles), cycles_wanted=cycles_wanted, rubrics=list(rubrics), rubric_threshold=0.9
    )


def test_a_step_short_of_three_weeks_in_a_cycle_is_named_with_its_weeks_per_cycle():
    said = phrase(
        readiness.StepRubric("review", [[0.95] * 4, [0.95] * 4]),
        readiness.StepRubric("draft", [[0.9, 0.9, 0.5, 0.5], [0.95, 0.95, 0.95, 0.5]]),
    )
    assert said == (
        "❌ Output accuracy (3 of 4 weeks needed in each cycle): draft: 2 of 4, 3 of 4 weeks ≥ 90% (scores 50–95%); "
        "review: 4 of 4, 4 of 4 weeks ≥ 90%"
    )


def test_a_step_that_missed_shows_how_far_its_scores_were_from_the_threshold():
    """Issue 54, item 11: "0 of 4, 0 of 4 weeks ≥ 90%" said nothing of the 88% scored."""
    assert phrase(readiness.StepRubric("draft", [[0.88] * 4, [0.88] * 4])).endswith(
        "draft: 0 of 4, 0 of 4 weeks ≥ 90% (score 88%)"
    )
    assert phrase(readiness.StepRubric("draft", [[0.85, 0.88, None, 0.86], [0.88] * 4])).endswith(
        "draft: 0 of 4, 0 of 4 weeks ≥ 90% (scores 85–88%, 1 week without one)"
    )
    kept_before = dict(step="draft", by_design=False, scored=True, weeks_met=[0, 0], met=False)  # no scores kept
    old = dict(name="accuracy", met=False, steps=[kept_before], below=["draft"], threshold=0.9, needed=3, weeks=4)
    assert criterion_phrase({**old, "cycles": 2, "wanted": 2}).endswith("draft: 0 of 4, 0 of 4 weeks ≥ 90%")


def test_steps_without_enough_scores_and_by_design_are_said_so():
    """No evidence is not a pass: "no evidence: draft reviewed in 1 of 8 weeks"."""
    said = phrase(
        readiness.StepRubric("draft", [[0.95, 0.95, 0.95, None], [0.95] * 4]),
        readiness.StepRubric("send", [[None] * 4, [0.95, None, None, None]]),
        readiness.StepRubric("route", [[None] * 4, [None] * 4], by_design=True),
    )
    assert said == (
        "❌ Output accuracy (3 of 4 weeks needed in each cycle): no evidence: send reviewed in 1 of 8 weeks; "
        "draft: 3 of 4, 4 of 4 weeks ≥ 90%; route: none: no rubric by design"
    )
    lopsided = phrase(readiness.StepRubric("send", [[0.95, 0.95, None, None], [0.95] * 4]))
    assert lopsided.endswith("no evidence: send reviewed in 6 of 8 weeks, 2 of 4 in one cycle")


def test_a_judgement_kept_before_evidence_was_needed_reads_as_it_was():
    """A decision kept when a step without scores passed keeps its words."""
    kept = dict(step="send", by_design=False, scored=False, weeks_met=[], met=True)
    old = dict(name="accuracy", met=True, steps=[kept], below=[], threshold=0.9, needed=3, weeks=4)
    assert criterion_phrase({**old, "cycles": 2, "wanted": 2}) == (
        "✅ Output accuracy (3 of 4 weeks needed in each cycle): send: no rubric score"
    )


def test_a_publish_before_the_second_cycle_closed_says_so():
    said = phrase(readiness.StepRubric("draft", [[0.95] * 4]), cycles=[1], cycles_wanted=2)
    assert said == (
        "❌ Output accuracy (3 of 4 weeks needed in each cycle; only 1 of the 2 cycles needed have closed): "
        "draft: 4 of 4 weeks ≥ 90% (score 95%)"
    )


def test_not_ready_counts_every_criterion():
    context = contexts("plain words")["not_ready"]
    message = render("not_ready", **{**context, "missing": ["accuracy"]})
    assert "but 1 of the 7 criteria is missing" in message["blocks"][0]["text"]["text"]


def test_the_exception_queue_criterion_names_its_overdue_items_and_the_oldest():
    assert said("queue", overdue_items=(0, 0)) == "✅ Exception queue: no item open more than 14 days"
    assert (
        said("queue", overdue_items=(3, 20)) == "❌ Exception queue: 3 items open more than 14 days, the oldest 20 days"
    )


def test_input_reliability_names_each_input_and_shows_metric_delivery_beside_it():
    history = inputs.InputWeeks("ticket history", 0.95, [0.97] * 6 + [None, 0.9])
    declared = [
        {"name": "ticket history", "check": {"source": "db", "min": 0.95}},
        {"name": "profile", "check": {"source": "db", "min": 1}},
        "tone guide",
        {"name": "a", "check": "none", "reason": "typed by the customer"},
    ]
    profile = inputs.InputWeeks("profile", 1, [1, 1])
    assert said("reliability", inputs=declared, input_checks=[history, profile], reliability=(6, 8)).split("\n") == [
        "❌ Input reliability (7 in 8 of the weeks checked, at least 4): tone guide: no check or check: none, "
        "ticket history 6 of 8 weeks checked ≥ 0.95, profile checked in 2 weeks, 4 needed, "
        "a: none: typed by the customer",
        "Metric delivery (shown, not a criterion): 75% (6 of 8 sourced numbers arrived before their week closed) < 90%",
    ]
    assert said("reliability").split("\n") == [  # every input declared check: none: counts as met, with its reason
        "➖ Input reliability: none: a: typed",
    ]
    assert said("reliability", inputs=[]).split("\n") == [
        "❌ Input reliability: no inputs declared",
        "Metric delivery (shown, not a criterion): no sources",
    ]


def test_the_three_states_of_the_other_criteria():
    """Silence is never a pass: a bare input, an unnamed operational owner, a step without
    cases are ❌ naming what is missing; a step's rubric: none shows its reason."""
    assert said("contract", inputs=["ticket history", *READY["inputs"]]) == (
        "❌ Input contract: ticket history: no owner, refresh or when-missing"
    )
    assert said("owner", unnamed=["business rules owner", "model updates owner"]) == (
        "❌ Ownership: no business rules owner named; no model updates owner named"
    )
    named = said("owner", owners=[("business rules owner", "U1", True), ("model updates owner", "U2", False)])
    assert named == "❌ Ownership: the model updates owner is not an active Slack user"
    steps = [
        readiness.StepRatio("draft", 0, 0, 0.1, 10),
        readiness.StepRatio("send", 1, 6, 0.1, 10),
        readiness.StepRatio("route", 0, 20, 0.1),
    ]
    assert said("exceptions", steps=steps) == (
        "❌ Exceptions: too few cases to judge (last cycle): draft: no cases, send 1/6 = 16.7%: under 10 cases, "
        "not evidence"
    )
    by_design = readiness.StepRubric("route", [[None] * 4] * 2, by_design=True, reason="a lookup")
    assert phrase(by_design) == "➖ Output accuracy: none: route: a lookup"


def test_a_judgement_kept_before_input_checks_reads_as_metric_delivery():
    kept = dict(name="reliability", met=False, applies=True, arrived=5, pairs=12, share=5 / 12, minimum=0.9)
    assert criterion_phrase(kept) == (
        "❌ Metric delivery: 41.7% (5 of 12 sourced numbers arrived before their week closed) < 90%"
    )


def test_before_any_cycle_closed_a_step_says_so_rather_than_an_empty_count():
    """Found by the readiness notice of an upgrade (usecases/readiness_news.py): a playbook
    whose first cycle had not closed read "draft:  weeks ≥ 90%"."""
    said = phrase(readiness.StepRubric("draft", []), cycles=[], cycles_wanted=2)
    assert said == (
        "❌ Output accuracy (3 of 4 weeks needed in each cycle; only 0 of the 2 cycles needed have closed): "
        "draft: no cycle closed yet"
    )
