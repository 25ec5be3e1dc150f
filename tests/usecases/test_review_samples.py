"""Reviews that sample (issue 58; docs/judgement.md): `/rollout rubric <playbook> <step>
18/20` through signed requests, its interval over the reviewed cases, `review_rate` and a
sample too small, judged by the clock's close on a fake time; SQLite and PostgreSQL. A bad
sample is refused by the grammar (tests/handlers/test_grammar.py), a sample over the week's
cases by the use case (tests/usecases/fast/test_report_refusals.py)."""

import json

import pytest
from sqlmodel import Session, select

from cadence.definition import DefinitionError, parse_playbook
from storage.models.governance import Decision, StepVerdict
from storage.models.reports import RubricScore
from tests.conftest import CHANNEL, OWNER, SUPPORT_REPLIES
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


def test_a_sample_below_the_review_rate_counts_as_no_rubric(bot, world, engine, slack):  # noqa: F811
    """draft (collaborative, rate 0.2) with 40 cases is asked to review 8: 6/6 reviewed is
    too small, and the week is INCONCLUSIVE for want of a rubric, not PASS; send (ai-led,
    0.1 of 20: 2) reviewed 2 and passes on them."""
    clock = world.clock
    clock.set(wednesday(1))
    for step, cases in (("draft", 40), ("send", 20), ("refunds", 12)):
        bot.command(f"cases support-replies {step} {cases}", user=OWNER)
    bot.command("rubric support-replies draft 6/6", user=OWNER)
    bot.command("rubric support-replies send 2/2", user=OWNER)
    status = bot.command("status support-replies", user=OWNER).text
    assert "rubric 100% (sample too small (6 of the 8 asked): counts as no rubric score, threshold 90%)" in status
    world.run(close_of(1))
    with Session(engine) as s:
        kept = {v.step_id: (v.outcome, v.rubric, v.reviewed, v.rule) for v in s.exec(select(StepVerdict))}
        rules = [d.rule for d in s.exec(select(Decision).where(Decision.kind == "verdict").order_by(Decision.id))]
    assert sorted(kept.values(), key=str) == sorted(
        [
            ("INCONCLUSIVE", None, 6, "5-no-rubric"),
            ("PASS", 1.0, 2, "4-within-cap-rubric-met"),
            ("INCONCLUSIVE", None, None, "5-no-rubric"),
        ],
        key=str,
    )
    assert rules[:3] == ["5-no-rubric", "4-within-cap-rubric-met", "5-no-rubric"]
    closed = next(m for m in slack.posted(CHANNEL) if m["text"] == "support-replies: week 1 of cycle 1 closed")
    body = json.dumps(closed["blocks"], ensure_ascii=False)
    assert "sample too small (6 of the 8 asked): counts as no rubric score" in body
    assert "rubric 100% (2 of 2 reviewed, 95% CI 34–100%)" in body


def test_the_friday_dm_says_how_many_to_review(bot, world, slack):  # noqa: F811
    from datetime import UTC, datetime

    world.clock.set(wednesday(1))
    bot.command("cases support-replies draft 20", user=OWNER)
    world.run(datetime(2026, 11, 20, 15, 30, tzinfo=UTC))  # Friday 16:30 Berlin
    dm = json.dumps([m["blocks"] for m in slack.posted(OWNER)], ensure_ascii=False)
    assert "draft: review at least 4 of this week's 20 cases" in dm
    assert "/rollout rubric support-replies &lt;step&gt; &lt;passed&gt;/&lt;reviewed&gt;" in dm


@pytest.mark.parametrize("rate", [0, -0.1, 1.5, "often"])
def test_a_review_rate_outside_zero_to_one_is_refused_at_load(rate):
    with pytest.raises(DefinitionError, match="review_rate"):
        parse_playbook({**SUPPORT_REPLIES, "review_rate": {"collaborative": rate}})


def test_review_rates_load_and_round_trip():
    spec = parse_playbook({**SUPPORT_REPLIES, "review_rate": {"collaborative": 0.5, "ai-led": 0.25}})
    assert spec.canonical()["review_rate"] == {"collaborative": 0.5, "ai-led": 0.25}
    assert "review_rate" not in parse_playbook(SUPPORT_REPLIES).canonical()
