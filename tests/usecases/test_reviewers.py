"""Who reviews is named (docs/playbooks.md, "Heroics"): `/rollout rubric … by @ben @ida`
through signed requests, the reviewers kept with the review; an unknown reviewer, a bot
or a `by` naming no one is refused and nothing is stored. SQLite and PostgreSQL."""

import pytest
from sqlmodel import Session, select

from storage.models.reports import RubricScore
from tests.conftest import OWNER
from tests.handlers.test_commands import assert_refused, row_counts
from tests.usecases.test_governance import wednesday

BEN, IDA = "UBEN00001", "UIDA00001"


def reviews(engine):
    with Session(engine) as s:
        return [(r.reviewed, r.reviewers, r.reported_by) for r in s.exec(select(RubricScore).order_by(RubricScore.id))]


def test_a_review_names_its_reviewers_as_slack_sends_them(bot, playbook, slack, engine, clock):
    clock.set(wednesday(1))
    for user in (BEN, IDA):
        slack.add_user(user)
    said = f"rubric support-replies draft 18/20 by <@{BEN}|ben> <@{IDA}|ida> <@{BEN}|ben> week:1"
    assert "18 of 20 reviewed passed" in bot.command(said, user=OWNER).text
    assert "Rubric score" in bot.command(f"rubric support-replies send 9/10 BY <@{IDA}>", user=OWNER).text
    bot.command("rubric support-replies draft 93%", user=OWNER)
    assert reviews(engine) == [(20, f"{BEN} {IDA}", OWNER), (10, IDA, OWNER), (None, None, OWNER)]


def test_the_reviewers_named_are_kept_by_name_for_the_pages(bot, playbook, slack, store, clock):
    """A reviewer may never report or check in, so the clock would not name them: the
    review keeps Slack's names of the people it names, as it checked them."""
    clock.set(wednesday(1))
    slack.add_user(BEN, name="Ben Reviewer")
    assert store.people.names([BEN]) == {}
    assert "18 of 20 reviewed passed" in bot.command(f"rubric support-replies draft 18/20 by <@{BEN}>", user=OWNER).text
    assert store.people.names([BEN]) == {BEN: "Ben Reviewer"}


@pytest.mark.parametrize(
    ("said", "phrases"),
    [
        ("18/20 by <@UNOBODY01|who>", ["Slack knows no user UNOBODY01", "a reviewer"]),
        ("18/20 by <@UBOT000001|bot>", ["is a bot or an app", "a reviewer"]),
        ("18/20 by", ["Mention who reviewed after `by`"]),
        ("18/20 by ben", ["Mention the person with @"]),
        (f"18/20 by <@{BEN}> ida", ["Mention the person with @"]),
    ],
)
def test_an_unknown_reviewer_is_refused_and_nothing_is_stored(bot, playbook, slack, engine, clock, said, phrases):
    clock.set(wednesday(1))
    slack.add_user(BEN)
    slack.add_user("UBOT000001", is_bot=True)
    before = row_counts(engine)
    assert_refused(bot.command(f"rubric support-replies draft {said}", user=OWNER), *phrases, "/rollout rubric")
    assert row_counts(engine) == before
