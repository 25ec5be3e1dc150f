"""PlaybookSpec.canonical(), pinned: each example playbook's, and one that gives every
optional section (exception owner, handoff, review rate, calibration, rubric, cost, a
step's `was` and `model`), as tests/cadence/canonical.json holds them, keys in order. A
field added to the schema leaves these unchanged: a playbook without it keeps the
definition it always had (what "unchanged" compares)."""

import json
from pathlib import Path

import pytest
import yaml

from cadence.definition_load import parse_playbook

ROOT = Path(__file__).resolve().parents[2]
PINNED = json.loads((Path(__file__).parent / "canonical.json").read_text())


def _everything() -> dict:
    raw = yaml.safe_load((ROOT / "examples" / "support-replies.yaml").read_text())
    raw |= {
        "exception_owner": "U0987654321",
        "handoff": {"sla_hours": 24, "escalate_to": "C0123456789"},
        "review_rate": {"collaborative": 0.2, "ai-led": 0.1},
        "calibration": {"cases": 40},
        "rubric": {"dimensions": ["tone", "accuracy"]},
        "cost": {"per_month": 100},
    }
    raw["steps"][0] |= {"was": "old-name", "model": "gpt"}
    return raw


def _definitions() -> dict[str, dict]:
    found = {path.stem: yaml.safe_load(path.read_text()) for path in sorted((ROOT / "examples").glob("*.yaml"))}
    return found | {"everything": _everything()}


@pytest.mark.parametrize("name", sorted(_definitions()))
def test_the_canonical_definition_is_as_it_was(name):
    canonical = parse_playbook(_definitions()[name]).canonical()
    assert json.dumps(canonical, indent=1) == json.dumps(PINNED[name], indent=1)
