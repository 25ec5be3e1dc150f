"""Every transition a rule makes and every verdict a week closes with is worded as what it
is: an alert or a summary never words a rule it does not know as one it knows."""

import dataclasses

import pytest

from cadence.rules import Kind, TransitionRule
from templates import NoWording, render
from tests.templates.contexts import contexts
from tests.templates.contexts.posts import transition


@pytest.mark.parametrize(
    ("kind", "rule"),
    [
        ("demotion", "critical"),
        ("demotion", "fails"),
        ("demotion", "unobserved"),
        ("warning", "unobserved"),
        ("withdrawal", "fail-withdraws"),
        ("withdrawal", "override"),
        ("freeze", "freeze"),
        ("promotion", "approval"),
        ("rejection", "rejection"),
        ("override", "override"),
        ("unfreeze", "unfreeze"),
    ],
)
def test_every_kind_of_mode_alert_renders(kind, rule):
    context = contexts("<!channel>")["mode_alert"]
    message = render("mode_alert", **{**context, "t": transition(kind, rule)})
    text = message["blocks"][0]["text"]["text"]
    assert "support-replies" in text and "&lt;!channel&gt;" in text and "<!channel>" not in text


# Every transition a rule can make, but a proposal (templates/proposal.json.j2 words those),
# read from the rules' own declarations: a rule or a kind added there is tried here at once.
ALERTED = [(kind, rule) for rule in TransitionRule for kind in sorted(rule.kinds) if kind is not Kind.PROPOSAL]


@pytest.mark.parametrize(("kind", "rule"), ALERTED, ids=[f"{kind}-by-{rule}" for kind, rule in ALERTED])
def test_every_transition_a_rule_can_make_has_its_own_wording(kind, rule):
    """Issue 40, item 6: the alert words a transition by its kind and rule, with no branch
    that words whatever it does not know as something it knows. A rule whose transition
    has no wording fails here, not in a team's channel."""
    context = contexts("<!channel>")["mode_alert"]
    message = render("mode_alert", **{**context, "t": transition(kind, rule)})
    text = message["blocks"][0]["text"]["text"]
    assert text.startswith(":") and "*support-replies*" in text and "&lt;!channel&gt;" in text
    if kind == Kind.DEMOTION:  # and what to do about it
        assert message["blocks"][1]["elements"][0]["text"].startswith("Next: ")


@pytest.mark.parametrize(
    ("kind", "rule"),
    [
        ("demotion", "a-rule-nobody-worded"),
        ("withdrawal", "a-rule-nobody-worded"),
        ("warning", "critical"),  # a known rule, in a kind it never makes
        ("proposal", "streak"),  # worded by proposal.json.j2, not here
        ("a-kind-nobody-worded", "critical"),
    ],
)
def test_a_transition_without_wording_is_an_error_not_another_rules_words(kind, rule):
    """The demotion branch once ended in an else that called every demotion it did not
    know "unobserved autonomy", and the withdrawal branch every withdrawal "set by hand"."""
    context = contexts("x")["mode_alert"]
    with pytest.raises(NoWording, match=f"^no wording for a {kind} by rule {rule}$"):
        render("mode_alert", **{**context, "t": transition(kind, rule)})


def test_an_inconclusive_week_whose_rule_the_summary_does_not_know_is_named_by_its_rule():
    """The week close words the three kinds of INCONCLUSIVE it knows (issue 39, item 18);
    a rule it does not know is named as it is, never worded as one of those."""
    context = contexts("plain words")["week_closed"]
    reasons = {**context["reasons"], "step0": "6-a-rule-to-come"}
    message = render("week_closed", **{**context, "reasons": reasons})
    text = message["blocks"][1]["text"]["text"]
    assert text.startswith(
        ":white_circle: *step0* (ai-led) INCONCLUSIVE: by rule 6-a-rule-to-come; 20 cases, "
        "2 exceptions = 10% (95% CI 3–30%, cap 10%), rubric 91% (every case reviewed, 95% CI 70–97%)\n"  # intervals: issue 42; sample: 58
    )


def test_a_week_judged_with_its_cycles_small_weeks_says_so_with_the_pool_and_its_own_numbers():
    """Small weeks are pooled (issue 81): the pool's numbers, then the week's own."""
    context = contexts("plain words")["week_closed"]
    text = render("week_closed", **context)["blocks"][1]["text"]["text"]
    [step1] = [line for line in text.split("\n") if "*step1*" in line]
    assert "FAIL: weeks 1–3 pooled: 8 of 27 = 30% (95% CI 16–48%); this week: " in step1


def test_a_review_without_its_weeks_case_count_is_kept_but_no_evidence():
    """Evidence needs cases (issue 81): "no case count: the sample's share is unknown"."""
    context = contexts("plain words")["week_closed"]
    figures = context["figures"]
    uncounted = dataclasses.replace(figures.steps[0], cases=None, rubric=1.0, reviewed=1)
    figures = dataclasses.replace(figures, steps=[uncounted, *figures.steps[1:]])
    outcomes, reasons = {**context["outcomes"], "step0": "MISSING"}, {**context["reasons"], "step0": "1-no-case-count"}
    text = render("week_closed", **{**context, "figures": figures, "outcomes": outcomes, "reasons": reasons})
    [step0] = [line for line in text["blocks"][1]["text"]["text"].split("\n") if "*step0*" in line]
    assert "no case count: the sample's share is unknown, its review kept but not evidence, rubric 100%" in step0
