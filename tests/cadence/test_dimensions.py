"""Rubric dimensions as rules (cadence/dimensions.py): which a step declares, what a
review must give, its lowest and how it is worded. Pure."""

import pytest

from cadence import dimensions
from cadence.definition_load import DefinitionError, parse_playbook
from tests.conftest import SUPPORT_REPLIES

DECLARED = ("tone", "accuracy", "policy")


def definition(**changes):
    return parse_playbook({**SUPPORT_REPLIES, **changes}).canonical()


def test_a_step_reviews_its_own_dimensions_else_the_playbooks_and_none_by_design():
    steps = [dict(s) for s in SUPPORT_REPLIES["steps"]]
    steps[0]["rubric"] = {"dimensions": ["accuracy"]}
    steps[2]["rubric"] = "none"
    d = definition(rubric={"dimensions": list(DECLARED)}, steps=steps)
    assert dimensions.declared(d, "DRAFT") == ("accuracy",)
    assert dimensions.declared(d, "send") == DECLARED
    assert dimensions.declared(d, "refunds") == ()
    assert dimensions.declared(definition(), "send") == ()


@pytest.mark.parametrize(
    ("given", "reviewed", "problem"),
    [
        ((("tone", 19), ("accuracy", 18), ("policy", 20)), 20, None),
        ((("Policy", 20), ("TONE", 19), ("accuracy", 18)), 20, None),
        ((("tone", 19), ("accuracy", 18)), 20, ("missing", "policy")),
        ((), 20, ("not_asked", "tone")),
        ((), None, ("not_asked", "tone")),
        ((("tone", 19), ("accuracy", 18), ("policy", 20), ("style", 1)), 20, ("unknown", "style")),
        ((("tone", 19), ("tone", 18)), 20, ("twice", "tone")),
        ((("tone", 19), ("accuracy", 21), ("policy", 20)), 20, ("over", "accuracy")),
    ],
)
def test_a_review_gives_each_declared_dimension_once_within_the_reviewed(given, reviewed, problem):
    found = dimensions.check(DECLARED, given, reviewed)
    assert (found.kind, found.dimension) == problem if problem else found is None


def test_dimensions_given_to_a_step_without_them_are_unknown_and_none_given_is_fine():
    assert dimensions.check((), (("tone", 3),), 5) == dimensions.Problem("unknown", "tone")
    assert dimensions.check((), (), None) is None
    assert dimensions.check((), (), 20) is None


def test_the_score_is_the_lowest_dimensions_and_ties_go_to_the_first_declared():
    counts = dimensions.in_order(DECLARED, (("policy", 18), ("tone", 19), ("ACCURACY", 18)))
    assert counts == (("tone", 19), ("accuracy", 18), ("policy", 18))
    stored = dimensions.encode(counts)
    assert stored == "tone:19 accuracy:18 policy:18"
    assert dimensions.decode(stored) == counts
    assert dimensions.lowest(stored) == dimensions.Lowest("accuracy", 18, 3)
    assert dimensions.score(counts, 20) == 0.9
    assert dimensions.words(stored, 20) == "accuracy 18/20 = 90%, lowest of 3"
    assert dimensions.words("tone:7", 8) == "tone 7/8 = 87.5%, lowest of 1"
    assert (dimensions.encode(()), dimensions.lowest(None), dimensions.words(None, 20)) == (None, None, "")


@pytest.mark.parametrize(
    ("rubric", "where"),
    [
        ({"dimensions": []}, "rubric.dimensions: must have at least 1 item"),
        ({"dimensions": ["Tone"]}, "rubric.dimensions[0]: must be one lowercase word"),
        ({"dimensions": ["tone", "tone"]}, "dimension 'tone' is listed twice"),
        ({"dimensions": ["week"]}, "dimension 'week'"),
        ({"dimensions": [f"d{i}" for i in range(9)]}, "at most 8"),
        ("some", "rubric: must be keys with values"),
    ],
)
def test_a_bad_rubric_is_refused_at_load_naming_it(rubric, where):
    with pytest.raises(DefinitionError) as refused:
        parse_playbook({**SUPPORT_REPLIES, "rubric": rubric})
    assert where in str(refused.value)


@pytest.mark.parametrize(
    ("rubric", "said"),
    [
        ("some", "steps[draft].rubric: must be none, or the step's own {dimensions: [...]}"),
        ({"dimensions": ["Tone"]}, "steps[draft].rubric.dimensions[0]: must be one lowercase word"),
        ({"dimension": ["tone"]}, "steps[draft].rubric.dimension: not a key here; did you mean dimensions?"),
    ],
)
def test_a_steps_bad_rubric_is_named_as_its_author_wrote_it(rubric, said):
    steps = [dict(s) for s in SUPPORT_REPLIES["steps"]]
    steps[0]["rubric"] = rubric
    with pytest.raises(DefinitionError) as refused:
        parse_playbook({**SUPPORT_REPLIES, "steps": steps})
    assert said in str(refused.value)


def test_a_playbook_without_dimensions_keeps_its_definition():
    assert "rubric" not in definition()
    steps = [dict(s) for s in SUPPORT_REPLIES["steps"]]
    steps[2]["rubric"] = "none"
    assert parse_playbook({**SUPPORT_REPLIES, "steps": steps}).steps[2].rubric == "none"
    d = definition(rubric={"dimensions": ["tone"]})
    assert d["rubric"] == {"dimensions": ["tone"]}
    assert parse_playbook(d).canonical() == d
