"""Heroics as rules (cadence/heroics.py): the work, not the typing. Pure."""

import pytest

from cadence import heroics
from cadence.heroics import Review

BEN, ANA, KAI, IDA = "U0BEN00001", "U0ANA00001", "U0KAI00001", "U0IDA00001"


def test_heroics_in_small_teams_too():
    """The issue's example: Ben reviewed 95% of 120 cases in a team of 3."""
    hero = heroics.hero({BEN: 114, ANA: 6}, {}, team_size=3)
    assert hero is not None
    assert hero.words("Ben") == "Ben reviewed 95% of 120 cases: teams that adopt this need a reviewer of their own"
    items = heroics.hero({}, {KAI: 9, ANA: 1}, team_size=2)
    assert items is not None and items.tail.endswith("need someone to close the exception items of their own")


def test_one_reviewer_of_more_than_80_percent_of_the_reviewed_cases_is_named():
    reviewed = {BEN: 120, ANA: 14, KAI: 6}
    hero = heroics.hero(reviewed, {}, team_size=4)
    assert hero is not None and hero.kind == "reviews"
    assert hero.words("Ben") == "one reviewer carries the quality checks: Ben, 86% of 140 reviewed cases"
    small = heroics.hero(reviewed, {}, team_size=3)  # a team of any size: in 3 or fewer, a scaling constraint
    assert small is not None and small.small and not hero.small
    assert small.words("Ben") == "Ben reviewed 86% of 140 cases: teams that adopt this need a reviewer of their own"
    assert f"{small.lead}: Ben, 86% {small.tail}" == (  # as the digest and the web view put it together
        "a scaling constraint: Ben, 86% of 140 reviewed cases: teams that adopt this need a reviewer of their own"
    )
    assert heroics.hero({BEN: 80, ANA: 20}, {}, team_size=5) is None  # 80% is not more than 80%
    assert heroics.hero({}, {}, team_size=5) is None


def test_one_person_who_closed_more_than_80_percent_of_the_items_is_named_when_reviews_are_shared():
    hero = heroics.hero({BEN: 50, ANA: 50}, {KAI: 9, ANA: 1}, team_size=4)
    assert hero is not None and hero.kind == "items" and hero.person == KAI
    assert hero.words() == f"one person closes the exception items: {KAI}, 90% of 10 closed exception items"
    assert heroics.hero({BEN: 90, ANA: 10}, {KAI: 9, ANA: 1}, team_size=4).kind == "reviews"  # reviews first


def test_a_token_or_a_source_counts_in_the_total_but_is_never_named():
    reviewed = {"source:qa": 90, BEN: 10}
    assert heroics.hero(reviewed, {}, team_size=5, people={BEN, ANA}) is None
    assert heroics.hero({"token:x": 5, BEN: 95}, {}, team_size=5, people={BEN}).person == BEN


def test_cases_reviewed_are_shared_by_the_reviewers_named_else_the_reporter_s():
    reviews = [
        Review(20, 40, (BEN, IDA), ANA),  # 10 each
        Review(10, 40, (), ANA),  # none named: the reporter's, as every review before names were kept
        Review(None, 12, (), BEN),  # a bare score: every one of the week's 12 cases
        Review(None, None, (KAI,), BEN),  # no case count known: nothing counted
    ]
    assert heroics.reviewed_by(reviews) == {BEN: 22, IDA: 10, ANA: 10, KAI: 0}


@pytest.mark.parametrize(("total", "said"), [(1, "of 1 reviewed case"), (2, "of 2 reviewed cases")])
def test_the_tail_agrees_with_its_count(total, said):
    assert heroics.Hero(BEN, 1.0, total, total).tail == said
