"""What the self-check's answers name (cadence/self_check.py): the version a template
answer names, and the rubric's dimensions and calibration set's size a trust answer gives,
the kit form's starting values (tests/handlers/test_self_check.py shows them end to end)."""

import pytest

from cadence.self_check import NEW, calibration_named, dimensions_named, version_named


@pytest.mark.parametrize(
    ("answer", "named"),
    [
        ("new", NEW),
        (" New ", NEW),
        ("support-replies v2", ("support-replies", 2)),
        ("Support-Replies@v2", ("support-replies", 2)),
        ("support-replies @ 3", ("support-replies", 3)),
        ("support-replies", ("support-replies", None)),  # its newest
        ("like the support team's", None),
        ("", None),
    ],
)
def test_a_template_names_a_version_or_new(answer, named):
    assert version_named(answer) == named


@pytest.mark.parametrize(
    ("answer", "dimensions", "cases"),
    [
        ("a rubric of tone and accuracy, and a calibration set of 40 past tickets", ["tone", "accuracy"], 40),
        ("a rubric of accuracy and a calibration set", ["accuracy"], None),  # no size: none started
        ("Rubric: Tone, Accuracy, Policy", ["tone", "accuracy", "policy"], None),
        ("40 calibration cases and a rubric for tone", ["tone"], 40),
        ("rubric scoring tone/accuracy; 2 reviewers, calibration set 25", ["tone", "accuracy"], 25),
        ("a rubric and the origin's calibration set", [], None),  # names neither
        ("a rubric of 5 dimensions", [], None),  # not the dimensions themselves
        ("two reviewers read 10 drafts a week", [], None),  # a number, not a set's
        ("a calibration set of 20000 tickets", [], None),  # more than a set holds
        ("", [], None),
    ],
)
def test_a_trust_answer_names_a_rubric_s_dimensions_and_a_calibration_set_s_size(answer, dimensions, cases):
    assert dimensions_named(answer) == dimensions
    assert calibration_named(answer) == cases
