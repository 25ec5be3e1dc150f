"""A playbook's and a step's `tool` (docs/playbooks.md; docs/usage-records.md): the AI tool
whose usage records a step's weeks are read against, the playbook's where a step names
none; left out of the canonical definition where not given, so every playbook loaded
before it keeps the definition it had."""

import pytest

from cadence.definition_load import DefinitionError, parse_playbook
from tests.cadence.test_definition import _with


def test_a_step_names_its_tool_or_takes_the_playbook_s():
    spec = parse_playbook(
        _with(
            tool="copilot",
            steps=[
                {"name": "draft", "mode": "collaborative", "tool": "claude-code"},
                {"name": "send", "mode": "human-led"},
            ],
        )
    )
    assert [step.tool or spec.tool for step in spec.steps] == ["claude-code", "copilot"]
    canonical = spec.canonical()
    assert canonical["tool"] == "copilot" and canonical["steps"][0]["tool"] == "claude-code"
    assert "tool" not in canonical["steps"][1]


def test_a_definition_without_a_tool_is_as_it_was():
    canonical = parse_playbook(_with()).canonical()
    assert "tool" not in canonical and all("tool" not in step for step in canonical["steps"])


@pytest.mark.parametrize("tool", ["Copilot", "a tool", "x" * 41, ""])
def test_a_tool_is_named_as_a_usage_source_is(tool):
    with pytest.raises(DefinitionError):
        parse_playbook(_with(tool=tool))
