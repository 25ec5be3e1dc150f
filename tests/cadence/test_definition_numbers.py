"""Every number of a playbook takes a number only (issue 91, item 5): `true` is not 1, the
text '4' is not 4, a whole number's field refuses 4.5, and no number is 1e300; each
refused at its own key, for a file reader to name its line. The whole schema, walked:
a field added later is held to the same."""

import copy

import pytest

from cadence.definition import read_spec
from cadence.definition_load import DefinitionError, parse_playbook
from cadence.definition_rules import RULE_FIELDS, RuleSettings
from tests.conftest import OWNER, SUPPORT_REPLIES

RICH = {
    **SUPPORT_REPLIES,
    "kpi": {**SUPPORT_REPLIES["kpi"], "compare": {"rest": "holdout", "share": 0.1}, "rest_baseline": 40},
    "guardrail": {"name": "CSAT", "min": 4.6, "max": 5},
    "steps": [
        {"name": "draft", "mode": "collaborative", "calibration": {"cases": 40}},
        {"name": "send", "mode": "ai-led"},
        {"name": "refunds", "mode": "human-led", "pinned": True},
    ],
    "review_rate": {"collaborative": 0.2, "ai-led": 0.1},
    "value": {"event": "reply_accepted", "minutes_saved": 6, "review_minutes": 4, "exception_minutes": 10},
    "cost": {"per_month": 1200},
    "handoff": {"sla_hours": 24, "resolve_hours": 72, "escalate_to": OWNER},
    "intake": {"cases_per_week": 100, "minutes_per_case": 6, "structured": True},
    "sources": {"wh": {"kind": "sql", "url_env": "WAREHOUSE_URL"}},
    "inputs": [{"name": "ticket text", "check": {"source": "wh", "query": "select 1", "min": 0.95}}],
    "calibration": {"cases": 30},
    "replication": {"requires_champion": False},  # kept only when turned off
    "rules": {k: v for k, v in RuleSettings().model_dump().items() if isinstance(v, int | float) and v is not None},
}


def leaves(node, path=()):
    """Each number and each true/false of the document, with its path."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from leaves(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from leaves(value, (*path, index))
    elif isinstance(node, bool | int | float):
        yield path, node


def put(raw, path, value):
    changed = copy.deepcopy(raw)
    node = changed
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return changed


NUMBERS = [(path, value) for path, value in leaves(RICH) if not isinstance(value, bool)]
FLAGS = [(path, value) for path, value in leaves(RICH) if isinstance(value, bool)]


def test_the_rich_playbook_loads_and_holds_every_number_of_the_schema():
    spec = parse_playbook(RICH)
    assert read_spec(spec.canonical()) == spec
    numbered = {path[-1] for path, _ in NUMBERS}
    assert {"per_month", "review_minutes", "baseline", "min", "cases", "sla_hours", "share"} <= numbered
    assert {f for f in RULE_FIELDS if isinstance(getattr(RuleSettings(), f), int | float)} <= numbered


@pytest.mark.parametrize(("path", "given"), NUMBERS, ids=[".".join(map(str, p)) for p, _ in NUMBERS])
@pytest.mark.parametrize("odd", [True, False, "4", "1e300", 1e300, -1e300])
def test_every_number_refuses_a_boolean_a_text_and_an_absurd_magnitude(path, given, odd):
    with pytest.raises(DefinitionError) as refused:
        parse_playbook(put(RICH, path, odd))
    assert refused.value.paths == [path], refused.value.problems
    [said] = refused.value.problems
    if isinstance(odd, bool):
        assert said.endswith(f"got {str(odd).lower()}"), said
    elif isinstance(odd, str):
        assert said.endswith(f"got '{odd}'"), said


@pytest.mark.parametrize(("path", "given"), FLAGS, ids=[".".join(map(str, p)) for p, _ in FLAGS])
@pytest.mark.parametrize("odd", [1, 0, "true", "yes"])
def test_every_true_or_false_refuses_a_number_or_a_text(path, given, odd):
    with pytest.raises(DefinitionError) as refused:
        parse_playbook(put(RICH, path, odd))
    assert refused.value.paths == [path], refused.value.problems
    assert "must be true or false" in refused.value.problems[0]


def said(raw):
    with pytest.raises(DefinitionError) as refused:
        parse_playbook(raw)
    return refused.value.problems


def test_a_whole_number_refuses_a_fraction_and_a_number_takes_a_whole_one():
    assert said(put(RICH, ("rules", "min_cases"), 4.5)) == ["rules.min_cases: must be a whole number, got 4.5"]
    assert parse_playbook(put(RICH, ("value", "review_minutes"), 4)).value.review_minutes == 4.0
    assert said(put(RICH, ("cost", "per_month"), 1e300)) == ["cost.per_month: must be at most 1e+12, got 1e+300"]
    assert said(put(RICH, ("value", "review_minutes"), True)) == ["value.review_minutes: must be a number, got true"]
