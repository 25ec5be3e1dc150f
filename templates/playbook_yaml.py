"""Playbooks as YAML, the way `rollout playbook load` reads them: what `rollout playbook
export` prints and the web view's playbook page offers as a download. Each playbook is
one document, its definition as its author would write it (`cadence.definition.as_written`),
so that loading the text back changes nothing."""

from __future__ import annotations

from typing import Any

import yaml

from cadence.definition_load import as_written


class _Dumper(yaml.SafeDumper):
    """Short lists and mappings on one line, as the examples are written; whole numbers
    without a '.0' (the schema reads 42 as 42.0)."""


def _number(dumper: yaml.SafeDumper, value: float) -> yaml.Node:
    if value.is_integer() and abs(value) < 2**53:
        return dumper.represent_int(int(value))
    return dumper.represent_float(value)


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    """A text of lines (a step's prompt or rubric, cadence/step_texts.py) as a block
    scalar, `|`, as its author would write it; PyYAML quotes one it cannot keep so."""
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None)


_Dumper.add_representer(float, _number)
_Dumper.add_representer(str, _text)


def playbook_yaml(definitions: list[dict[str, Any]], note: str = "") -> str:
    """The definitions (as stored) as one YAML stream, a document each; `note`, if given,
    opens it as a comment."""
    head = "".join(f"# {line}\n" for line in note.splitlines())
    documents = [
        yaml.dump(
            as_written(d), Dumper=_Dumper, sort_keys=False, allow_unicode=True, default_flow_style=None, width=100
        )
        for d in definitions
    ]
    return head + "---\n".join(documents)
