"""A review's parts on the fakes (usecases/commands.py's rubric, recording.py's
review_dimensions): a step's rubric dimensions, each given, none unknown, none above the
reviewed count, stored in the declared order; and who reviewed, a person of the workspace
each, kept with the review and by name for the pages. What the grammar refuses is
tests/handlers/test_grammar.py's. Reviewers named as Slack sends them, a sample's score and
its interval, a review by dimension scored by its lowest, as typed (tests/usecases/fast/
slash.py); readiness naming a step's lowest dimension."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from slack_api.members import Person
from tests import fakes
from tests.fakes import CURATOR, NOW, OWNER, FakeDirectory
from tests.usecases.fast.slash import slash
from usecases import commands
from usecases.shared import messages
from usecases.shared.caller import Refusal

SLUG = "support-replies"
BEN, IDA = "UBEN00001", "UIDA00001"
WEDNESDAY = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)  # week 1 of cycle 1, from Monday 16 November


def dimensioned(**more):
    """support-replies reviewed on tone, accuracy and policy; refunds on accuracy alone."""
    steps = [dict(s) for s in fakes.definition()["steps"]]
    steps[2]["rubric"] = {"dimensions": ["accuracy"]}
    return fakes.services(fakes.a_playbook(steps=steps, rubric={"dimensions": ["tone", "accuracy", "policy"]}), **more)


def review(services, step="draft", score=0.9, reviewed=20, dimensions=(), reviewers=(), user=OWNER):
    cmd = messages.Rubric(SLUG, step, score, reviewed=reviewed, dimensions=dimensions, reviewers=reviewers)
    return commands.rubric(fakes.caller(services, user), cmd)


def rows(services):
    return [r.values for r in fakes.store_of(services).reports.stored("rubric")]


def refused(services, **cmd) -> Refusal:
    store = fakes.store_of(services)
    with pytest.raises(Refusal) as raised:
        review(services, **cmd)
    assert rows(services) == [] and store.commits() == 0 and store.held.names == {}
    return raised.value


# ---- dimensions ----


def test_a_review_by_dimension_is_stored_in_the_declared_order():
    services = dimensioned()
    review(services, dimensions=(("policy", 20), ("tone", 19), ("accuracy", 18)))
    [row] = rows(services)
    assert (row["score"], row["reviewed"], row["dimensions"]) == (0.9, 20, "tone:19 accuracy:18 policy:20")


def test_a_step_with_its_own_dimensions_takes_those():
    services = dimensioned()
    review(services, step="refunds", score=1.0, reviewed=12, dimensions=(("accuracy", 12),))
    assert rows(services)[0]["dimensions"] == "accuracy:12"


def test_a_dimensions_name_is_found_whatever_its_case():
    services = dimensioned()
    review(services, dimensions=(("Policy", 20), ("TONE", 19), ("accuracy", 18)))
    assert rows(services)[0]["dimensions"] == "tone:19 accuracy:18 policy:20"


@pytest.mark.parametrize(
    ("reviewed", "dimensions", "dimension"),
    [
        (20, (("tone", 19), ("accuracy", 18)), "policy"),
        (20, (), "tone"),
        (None, (), "tone"),  # a bare score: every case reviewed, no dimension given
    ],
)
def test_each_declared_dimension_is_given(reviewed, dimensions, dimension):
    refusal = refused(dimensioned(), reviewed=reviewed, dimensions=dimensions)
    assert (refusal.key, refusal.usage) == ("dimension_missing", "rubric")
    assert (refusal.values["step"], refusal.values["slug"], refusal.values["dimension"]) == ("draft", SLUG, dimension)


def test_a_dimension_the_step_does_not_declare_is_refused_naming_the_declared():
    dims = (("tone", 19), ("accuracy", 18), ("policy", 20), ("style", 3))
    refusal = refused(dimensioned(), dimensions=dims)
    assert refusal.key == "dimension_unknown"
    assert refusal.values["dimension"] == "style" and "tone" in refusal.values["declared"]


def test_a_step_without_dimensions_takes_none():
    services = fakes.services(fakes.a_playbook())
    refusal = refused(services, dimensions=(("tone", 19),))
    assert (refusal.key, refusal.values["dimension"]) == ("dimension_unknown", "tone")
    assert refusal.values["declared"] == "its rubric has no dimensions"
    review(services, reviewed=20)  # a sample without dimensions is as before
    assert rows(services)[0]["dimensions"] is None


def test_a_dimension_above_the_reviewed_count_is_refused():
    refusal = refused(dimensioned(), dimensions=(("tone", 19), ("accuracy", 21), ("policy", 20)))
    assert refusal.key == "dimension_over_reviewed"
    assert (refusal.values["dimension"], refusal.values["passed"], refusal.values["reviewed"]) == ("accuracy", 21, 20)


def test_a_review_by_dimension_is_still_weighed_against_the_weeks_cases():
    services = dimensioned()
    commands.cases(fakes.caller(services, OWNER), messages.Cases(SLUG, "draft", 10))
    store = fakes.store_of(services)
    with pytest.raises(Refusal) as raised:
        review(services, dimensions=(("tone", 19), ("accuracy", 18), ("policy", 20)))
    assert raised.value.key == "reviewed_over_cases" and rows(services) == []
    assert store.commits() == 1  # the case count's


# ---- who reviewed ----


def test_the_reviewers_are_kept_with_the_review_and_by_name_for_the_pages():
    people = {BEN: Person(BEN, "UTC", display_name="ben", real_name="Ben Reviewer"), IDA: Person(IDA, "UTC")}
    services = fakes.services(fakes.a_playbook(), directory=FakeDirectory(people=people))
    review(services, reviewers=(BEN, IDA), user=CURATOR)
    [row] = rows(services)
    assert (row["reviewers"], row["reported_by"]) == (f"{BEN} {IDA}", CURATOR)
    assert fakes.store_of(services).held.names == {BEN: ("ben", "Ben Reviewer", NOW), IDA: (None, None, NOW)}


def test_no_reviewer_named_is_the_reporter():
    services = fakes.services(fakes.a_playbook())
    review(services)
    assert rows(services)[0]["reviewers"] is None and fakes.store_of(services).held.names == {}


@pytest.mark.parametrize(
    ("person", "key"),
    [
        (Person(BEN, "UTC", found=False), "person_unknown"),
        (Person(BEN, "UTC", is_bot=True), "person_not_human"),
        (Person(BEN, "UTC", deleted=True), "person_deactivated"),
    ],
)
def test_a_reviewer_is_a_person_of_the_workspace(person, key):
    services = fakes.services(fakes.a_playbook(), directory=FakeDirectory(people={BEN: person}))
    refusal = refused(services, reviewers=(IDA, BEN))
    assert (refusal.key, refusal.usage, refusal.values["role"]) == (key, "rubric", "a reviewer")


def test_slack_not_answering_who_reviewed_stores_nothing():
    services = fakes.services(fakes.a_playbook(), directory=FakeDirectory(down="ratelimited"))
    assert refused(services, reviewers=(BEN,)).key == "slack_busy_person"


def test_who_may_review_is_checked_before_slack_is_asked():
    directory = FakeDirectory({fakes.CHANNEL: (fakes.MEMBER, OWNER)})
    services = fakes.services(fakes.a_playbook(), directory=directory)
    assert refused(services, reviewers=(BEN,), user=fakes.MEMBER).key == "owner_or_curator_only"
    assert ("person", BEN) not in directory.asked


# ---- as typed ----


def test_a_review_names_its_reviewers_as_slack_sends_them():
    services = fakes.services(fakes.a_playbook(cycle_started=date(2026, 11, 16)), now=WEDNESDAY)
    said = f"rubric support-replies draft 18/20 by <@{BEN}|ben> <@{IDA}|ida> <@{BEN}|ben> week:1"
    assert "18 of 20 reviewed passed" in slash(services, said, OWNER)
    assert "Rubric score" in slash(services, f"rubric support-replies send 9/10 BY <@{IDA}>", OWNER)
    slash(services, "rubric support-replies draft 93%", OWNER)
    assert [(r["reviewed"], r["reviewers"], r["reported_by"]) for r in rows(services)] == [
        (20, f"{BEN} {IDA}", OWNER),
        (10, IDA, OWNER),
        (None, None, OWNER),
    ]


def test_a_review_of_a_sample_is_stored_with_its_sample_and_judged_on_it():
    services = fakes.services(fakes.a_playbook(cycle_started=date(2026, 11, 16)), now=WEDNESDAY)
    slash(services, "cases support-replies draft 40", OWNER)
    assert "Rubric score *90.0%* (18 of 20 reviewed passed)" in slash(
        services, "rubric support-replies draft 18/20", OWNER
    )
    assert [(r["score"], r["reviewed"]) for r in rows(services)] == [(0.9, 20)]
    status = slash(services, "status support-replies", OWNER)
    # Wilson over the 20 reviewed, not the 40 cases: 70–97%, where 36 of 40 would be 77–96%
    assert "rubric 90% (18 of 20 reviewed, 95% CI 70–97%, threshold 90%)" in status
    slash(services, "rubric support-replies draft 93%", OWNER)
    assert [(r["score"], r["reviewed"]) for r in rows(services)][-1] == (0.93, None)
    status = slash(services, "status support-replies", OWNER)
    assert "rubric 93% (every case reviewed, 95% CI 80–97%, threshold 90%)" in status


def test_a_review_by_dimension_is_stored_and_scored_by_its_lowest_as_typed():
    services = dimensioned(now=WEDNESDAY)
    slash(services, "cases support-replies draft 40", OWNER)
    reply = slash(services, "rubric support-replies draft 20 Policy:20 tone:19 accuracy:18", OWNER)
    assert "Rubric score *90.0%* (accuracy 18/20 = 90%, lowest of 3: policy 20, tone 19, accuracy 18 of 20" in reply
    assert [(r["score"], r["reviewed"], r["dimensions"]) for r in rows(services)] == [
        (0.9, 20, "tone:19 accuracy:18 policy:20")  # in the declared order
    ]
    status = slash(services, "status support-replies", OWNER)
    assert "rubric 90% (accuracy 18/20 = 90%, lowest of 3, 95% CI 70–97%, threshold 90%)" in status
    slash(services, "rubric support-replies refunds 12 accuracy:12", OWNER)
    assert [(r["score"], r["reviewed"], r["dimensions"]) for r in rows(services)][-1] == (1.0, 12, "accuracy:12")


def test_readiness_names_the_lowest_dimension_of_a_step_short_of_its_rubric():
    """The KPI held two cycles; draft, reviewed by dimension, met its rubric in too few
    weeks of cycle 2: readiness's output accuracy names its lowest week's dimension."""
    from tests.usecases.fast import ready_world

    steps = [dict(s) for s in fakes.definition()["steps"]]
    steps[0]["rubric"] = {"dimensions": ["tone", "accuracy", "policy"]}
    services, clock = ready_world.ready(steps=steps, inputs=["ticket text"], owners=None)

    def draft(week):
        return (25, 0, "25 tone:25 accuracy:22 policy:24" if week in (4, 7, 8) else "20 tone:19 accuracy:20 policy:19")

    ready_world.run_weeks(services, clock, range(1, 9), draft=draft)
    [said] = ready_world.said(clock, OWNER, "not yet ready")
    assert "draft: 3 of 4, 2 of 4 weeks ≥ 90% (scores 88–95%; lowest week accuracy 22/25 = 88%, lowest of 3)" in said
