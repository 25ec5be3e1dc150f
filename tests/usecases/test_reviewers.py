"""Who reviews is named (docs/playbooks.md, "Heroics"): `/rollout rubric … by @ben @ida`
through signed requests, the reviewers kept with the review. SQLite and PostgreSQL. Who
may be named, and what is refused, are tests/usecases/fast/test_reviews.py's and
tests/handlers/test_grammar.py's."""

from sqlmodel import Session, select

from storage.models.reports import RubricScore
from tests.conftest import OWNER
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
