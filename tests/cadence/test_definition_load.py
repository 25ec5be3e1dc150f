"""parse_playbook's refusals before and around the schema, pinned: a document that is no
mapping, rule settings at the top level beside `rules:` (not a mapping, a clash), and a
top-level rule's problem said where its author wrote it, under the file's name."""

import pytest

from cadence.definition_load import DefinitionError, parse_playbook
from tests.conftest import SUPPORT_REPLIES as R


@pytest.mark.parametrize(
    ("raw", "where", "problems", "paths"),
    [
        ([1, 2], "", ["document: expected a mapping with 'playbook:', 'title:', ... got list"], [()]),
        ([1, 2], "pb.yaml", ["pb.yaml: expected a mapping with 'playbook:', 'title:', ... got list"], [()]),
        ({**R, "min_cases": 5, "rules": 5}, "pb.yaml", ["pb.yaml.rules: expected a mapping"], [()]),
        (
            {**R, "min_cases": 5, "rules": {"min_cases": 6}},
            "pb.yaml",
            ["pb.yaml.min_cases: given both at the top level and under 'rules'"],
            [()],
        ),
        ({**R, "min_cases": "x"}, "pb.yaml", ["pb.yaml.min_cases: must be a whole number, got 'x'"], [("min_cases",)]),
        ({**R, "min_casse": 5}, "", ["min_casse: not a key here; did you mean min_cases?"], [("min_casse",)]),
    ],
)
def test_refused_where_written(raw, where, problems, paths):
    with pytest.raises(DefinitionError) as info:
        parse_playbook(raw, where)
    assert (info.value.problems, info.value.paths) == (problems, paths)


def test_top_level_rules_with_rules_left_empty():
    assert parse_playbook({**R, "min_cases": 5, "rules": None}).rules.min_cases == 5
