"""Rubric dimensions (docs/playbooks.md, "Rubric dimensions"): `/rollout rubric <playbook>
<step> 20 tone:19 accuracy:18 policy:20` through signed requests, stored per dimension,
the week's score its lowest dimension's, named by readiness. SQLite and PostgreSQL. The
refusals are tests/usecases/fast/test_reviews.py's and tests/handlers/test_grammar.py's;
the close and its alerts naming the lowest dimension, tests/usecases/fast/test_close_modes.py's."""

import json

import pytest
from sqlmodel import Session, select

from cadence.definition import parse_playbook
from storage.models.reports import RubricScore
from tests.committed import loaded
from tests.conftest import OWNER, SUPPORT_REPLIES
from tests.usecases.test_governance import close_of, wednesday, world  # noqa: F401  (a fixture)
from tests.usecases.test_replication import KIT, ready, run_weeks  # noqa: F401  (a fixture)

DIMENSIONS = {"rubric": {"dimensions": ["tone", "accuracy", "policy"]}}


@pytest.fixture
def dimensioned(store, clock, playbook):
    """support-replies with tone, accuracy and policy; refunds reviewed on accuracy alone."""
    steps = [dict(s) for s in SUPPORT_REPLIES["steps"]]
    steps[2]["rubric"] = {"dimensions": ["accuracy"]}
    spec = parse_playbook({**SUPPORT_REPLIES, **DIMENSIONS, "steps": steps})
    loaded(store, [spec], "UTC", actor="test", at=clock())
    return store.playbooks.state("support-replies")


def reviews(engine):
    with Session(engine) as s:
        return [(r.score, r.reviewed, r.dimensions) for r in s.exec(select(RubricScore).order_by(RubricScore.id))]


def test_a_review_by_dimension_is_stored_and_scored_by_its_lowest(bot, dimensioned, engine, clock):
    clock.set(wednesday(1))
    bot.command("cases support-replies draft 40", user=OWNER)
    reply = bot.command("rubric support-replies draft 20 Policy:20 tone:19 accuracy:18", user=OWNER).text
    assert "Rubric score *90.0%* (accuracy 18/20 = 90%, lowest of 3: policy 20, tone 19, accuracy 18 of 20" in reply
    assert reviews(engine) == [(0.9, 20, "tone:19 accuracy:18 policy:20")]  # in the declared order
    status = bot.command("status support-replies", user=OWNER).text
    assert "rubric 90% (accuracy 18/20 = 90%, lowest of 3, 95% CI 70–97%, threshold 90%)" in status
    bot.command("rubric support-replies refunds 12 accuracy:12", user=OWNER)
    assert reviews(engine)[-1] == (1.0, 12, "accuracy:12")


def test_readiness_names_the_lowest_dimension_of_a_step_short_of_its_rubric(bot, ready, slack, store, clock):  # noqa: F811
    """The KPI held two cycles; draft, reviewed by dimension, met its rubric in too few
    weeks of cycle 2: readiness's output accuracy names its lowest week's dimension."""
    steps = [dict(s) for s in SUPPORT_REPLIES["steps"]]
    steps[0]["rubric"] = {"dimensions": ["tone", "accuracy", "policy"]}
    raw = {**SUPPORT_REPLIES, "inputs": ["ticket text"], "outputs": ["reply sent"], "steps": steps}
    loaded(store, [parse_playbook({**raw, "replication": KIT, "adoption_wave": 1})], "UTC", "test", clock())

    def draft(week):
        return (25, 0, "25 tone:25 accuracy:22 policy:24" if week in (4, 7, 8) else "20 tone:19 accuracy:20 policy:19")

    run_weeks(bot, ready, range(1, 9), draft=draft)
    [owner_dm] = [m for m in slack.posted(OWNER) if "not yet ready" in m["text"]]
    said = json.dumps(owner_dm["blocks"], ensure_ascii=False)
    assert "draft: 3 of 4, 2 of 4 weeks ≥ 90% (scores 88–95%; lowest week accuracy 22/25 = 88%, lowest of 3)" in said
