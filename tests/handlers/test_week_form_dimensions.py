"""The week form of a step whose rubric has dimensions (docs/playbooks.md, "Rubric
dimensions"): a field per dimension in place of "passed", filled in with the review that
counts; a submission records the review by dimension, refusals on their fields and
nothing stored. View submissions as Slack sends them; SQLite and PostgreSQL."""

from sqlmodel import Session, select

from storage.models.reports import RubricScore
from tests.handlers.test_commands import row_counts
from tests.handlers.test_week_form import fields, ids, open_form, submit
from tests.usecases.test_governance import wednesday
from tests.usecases.test_rubric_dimensions import dimensioned  # noqa: F401  (a fixture)


def reviews(engine):
    with Session(engine) as s:
        return [(r.score, r.reviewed, r.dimensions) for r in s.exec(select(RubricScore).order_by(RubricScore.id))]


def test_a_field_per_dimension_records_the_review_by_dimension(bot, slack, dimensioned, engine, clock):  # noqa: F811
    clock.set(wednesday(1))
    step = ids(dimensioned)
    shown = fields(open_form(bot, slack))
    draft = {
        block: label
        for block, (label, _) in shown.items()
        if block.endswith(f":{step['draft']}") or f":{step['draft']}:" in block
    }
    assert draft == {
        f"cases:{step['draft']}": "draft (collaborative): cases this week",
        f"reviewed:{step['draft']}": "draft: cases reviewed",
        f"dim:{step['draft']}:tone": "draft: of those, passed on tone",
        f"dim:{step['draft']}:accuracy": "draft: of those, passed on accuracy",
        f"dim:{step['draft']}:policy": "draft: of those, passed on policy",
        f"by:{step['draft']}": "draft: reviewed by",
    }
    assert f"dim:{step['refunds']}:accuracy" in shown and f"passed:{step['refunds']}" not in shown
    typed = {f"cases:{step['draft']}": "40", f"reviewed:{step['draft']}": "20"}
    typed |= {f"dim:{step['draft']}:{d}": n for d, n in (("tone", "19"), ("accuracy", "18"), ("policy", "20"))}
    reply = submit(bot, open_form(bot, slack), typed)
    assert reply.body["response_action"] == "update", reply.body
    assert "accuracy 18/20 = 90%, lowest of 3" in str(reply.body["view"])
    assert reviews(engine) == [(0.9, 20, "tone:19 accuracy:18 policy:20")]
    again = fields(open_form(bot, slack))  # opens filled in with the review that counts
    assert again[f"dim:{step['draft']}:accuracy"][1] == "18" and again[f"reviewed:{step['draft']}"][1] == "20"


def test_a_review_by_dimension_left_half_or_over_is_refused_on_its_field(bot, slack, dimensioned, engine, clock):  # noqa: F811
    clock.set(wednesday(1))
    step = ids(dimensioned)["draft"]
    before = row_counts(engine)
    half = submit(bot, open_form(bot, slack), {f"reviewed:{step}": "20", f"dim:{step}:tone": "19"})
    assert half.body["response_action"] == "errors"
    assert set(half.body["errors"]) == {f"dim:{step}:accuracy", f"dim:{step}:policy"}
    assert "passed on each dimension" in half.body["errors"][f"dim:{step}:policy"]
    typed = {
        f"reviewed:{step}": "20",
        f"dim:{step}:tone": "19",
        f"dim:{step}:accuracy": "21",
        f"dim:{step}:policy": "x",
    }
    bad = submit(bot, open_form(bot, slack), typed)
    assert set(bad.body["errors"]) == {f"dim:{step}:policy"}
    typed[f"dim:{step}:policy"] = "20"
    over = submit(bot, open_form(bot, slack), typed)
    assert over.body["errors"] == {f"dim:{step}:accuracy": over.body["errors"][f"dim:{step}:accuracy"]}
    assert "21" in over.body["errors"][f"dim:{step}:accuracy"]
    assert row_counts(engine) == before
