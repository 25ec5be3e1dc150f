"""Reviews that sample (issue 58; docs/judgement.md): `/rollout rubric <playbook> <step>
18/20` through signed requests, its interval over the reviewed cases, `review_rate` and a
sample too small; SQLite and PostgreSQL. A bad sample is refused by the grammar
(tests/handlers/test_grammar.py), a sample over the week's cases by the use case
(tests/usecases/fast/test_report_refusals.py); a sample below the review rate judged by the
close, and the Friday DM's sample, are tests/usecases/fast/test_close_modes.py's."""

import pytest
from sqlmodel import Session, select

from cadence.definition import DefinitionError, parse_playbook
from storage.models.reports import RubricScore
from tests.conftest import OWNER, SUPPORT_REPLIES
from tests.usecases.test_governance import close_of, wednesday, world  # noqa: F401  (a fixture)


def scores(engine):
    with Session(engine) as s:
        return [(r.score, r.reviewed) for r in s.exec(select(RubricScore).order_by(RubricScore.id))]


def test_a_review_of_a_sample_is_stored_with_its_sample_and_judged_on_it(bot, playbook, engine, clock):
    clock.set(wednesday(1))
    bot.command("cases support-replies draft 40", user=OWNER)
    reply = bot.command("rubric support-replies draft 18/20", user=OWNER)
    assert "Rubric score *90.0%* (18 of 20 reviewed passed)" in reply.text
    assert scores(engine) == [(0.9, 20)]
    status = bot.command("status support-replies", user=OWNER).text
    # Wilson over the 20 reviewed, not the 40 cases: 70–97%, where 36 of 40 would be 77–96%
    assert "rubric 90% (18 of 20 reviewed, 95% CI 70–97%, threshold 90%)" in status
    bot.command("rubric support-replies draft 93%", user=OWNER)
    assert scores(engine)[-1] == (0.93, None)
    status = bot.command("status support-replies", user=OWNER).text
    assert "rubric 93% (every case reviewed, 95% CI 80–97%, threshold 90%)" in status


@pytest.mark.parametrize("rate", [0, -0.1, 1.5, "often"])
def test_a_review_rate_outside_zero_to_one_is_refused_at_load(rate):
    with pytest.raises(DefinitionError, match="review_rate"):
        parse_playbook({**SUPPORT_REPLIES, "review_rate": {"collaborative": rate}})


def test_review_rates_load_and_round_trip():
    spec = parse_playbook({**SUPPORT_REPLIES, "review_rate": {"collaborative": 0.5, "ai-led": 0.25}})
    assert spec.canonical()["review_rate"] == {"collaborative": 0.5, "ai-led": 0.25}
    assert "review_rate" not in parse_playbook(SUPPORT_REPLIES).canonical()
