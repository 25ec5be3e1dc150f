"""Rubric dimensions (docs/playbooks.md, "Rubric dimensions"): the playbook reviewed by
dimension on the database, a fixture tests/handlers/test_week_form_dimensions.py's form
uses. A review by dimension stored and scored by its lowest, and readiness naming it, are
tests/usecases/fast/test_reviews.py's; the refusals, fast/test_reviews.py's and
tests/handlers/test_grammar.py's; the close and its alerts naming the lowest dimension,
tests/usecases/fast/test_close_modes.py's."""

import pytest

from cadence.definition_load import parse_playbook
from tests.committed import loaded
from tests.conftest import SUPPORT_REPLIES

DIMENSIONS = {"rubric": {"dimensions": ["tone", "accuracy", "policy"]}}


@pytest.fixture
def dimensioned(store, clock, playbook):
    """support-replies with tone, accuracy and policy; refunds reviewed on accuracy alone."""
    steps = [dict(s) for s in SUPPORT_REPLIES["steps"]]
    steps[2]["rubric"] = {"dimensions": ["accuracy"]}
    spec = parse_playbook({**SUPPORT_REPLIES, **DIMENSIONS, "steps": steps})
    loaded(store, [spec], "UTC", actor="test", at=clock())
    return store.playbooks.state("support-replies")
