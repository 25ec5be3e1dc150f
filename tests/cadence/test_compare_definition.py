"""`compare` on the KPI, checked at load in words an author can act on, and read back
from the stored definition (docs/playbooks.md, "Compared with the rest")."""

from copy import deepcopy

import pytest

from cadence.definition_compare import Compare
from cadence.definition_load import DefinitionError, parse_playbook
from cadence.sources import entries, entry_for
from tests.conftest import SUPPORT_REPLIES


def with_kpi(**changes):
    definition = deepcopy(SUPPORT_REPLIES)
    definition["kpi"].update(changes)
    return definition


def problems(definition) -> str:
    with pytest.raises(DefinitionError) as raised:
        parse_playbook(definition)
    return str(raised.value)


def test_a_playbook_without_compare_keeps_the_definition_it_always_had():
    stored = parse_playbook(SUPPORT_REPLIES).canonical()
    assert "compare" not in stored["kpi"] and "rest_baseline" not in stored["kpi"]
    assert Compare.of(stored) is None


def test_compare_rest_and_its_baseline_are_kept_and_read():
    stored = parse_playbook(with_kpi(compare="rest", rest_baseline=40)).canonical()
    assert stored["kpi"]["compare"] == "rest"
    assert Compare.of(stored) == Compare(None, 40.0)
    assert not Compare.of(stored).holdout


def test_a_holdout_names_its_share():
    stored = parse_playbook(with_kpi(compare={"rest": "holdout", "share": 0.1})).canonical()
    compare = Compare.of(stored)
    assert compare is not None and compare.holdout and compare.holdout_share == 0.1


@pytest.mark.parametrize(
    "changes, said",
    [
        ({"compare": "others"}, "compare"),
        ({"compare": {"rest": "holdout", "share": 1.5}}, "share"),
        ({"compare": {"rest": "holdout", "share": 0}}, "share"),
        ({"compare": {"rest": "holdout"}}, "share"),
        ({"rest_baseline": 40}, "rest_baseline is the rest's baseline: it needs 'kpi.compare: rest'"),
        ({"compare": "rest", "rest_baseline": float("nan")}, "rest_baseline"),
    ],
)
def test_a_bad_compare_is_refused_naming_the_setting(changes, said):
    assert said in problems(with_kpi(**changes))


def sourced(**given):
    definition = with_kpi(compare="rest")
    definition["sources"] = {
        "crm": {"kind": "sql", "url_env": "CRM_URL"},
        "stats": {"kind": "http", "url": "https://stats.example.com/w"},
    }
    definition["kpi"]["from"] = {"source": "crm", "query": "select avg(win) from deals where playbook", **given}
    return definition


def test_a_rest_query_feeds_the_rest_from_the_kpis_source():
    stored = parse_playbook(sourced(rest_query="select avg(win) from deals where not playbook")).canonical()
    assert [e.key for e in entries(stored)] == ["kpi", "rest"]
    rest = entry_for(stored, "rest")
    assert rest is not None and rest.query == "select avg(win) from deals where not playbook" and rest.source == "crm"
    assert rest.words("Win rate") == "the rest's KPI (Win rate)"


def test_a_rest_query_is_checked_as_the_kpis_query_is():
    assert "kpi.from (the rest's): the query must be one SELECT" in problems(sourced(rest_query="delete from deals"))
    assert "a sql source takes a 'query', not a path" in problems(sourced(rest_path="rest.win"))


def test_a_rest_query_needs_compare_and_belongs_to_the_kpi():
    definition = sourced(rest_query="select 1")
    del definition["kpi"]["compare"]
    assert "a from with rest_query or rest_path needs 'kpi.compare: rest'" in problems(definition)
    definition = sourced()
    definition["guardrail"]["from"] = {"source": "crm", "query": "select 1", "rest_query": "select 2"}
    assert "guardrail.from: rest_query and rest_path are the KPI's" in problems(definition)
