"""The YAML's `sources:` and `from:`, checked at load, all or nothing, in words an author
can act on; and what each `from:` feeds."""

from copy import deepcopy

import pytest

from cadence.definition_load import DefinitionError, parse_playbook
from cadence.sources import Entry, entries, entry_for, only_reads, unset_variables
from tests.conftest import SUPPORT_REPLIES


def with_sources(**changes):
    definition = deepcopy(SUPPORT_REPLIES)
    definition["sources"] = {
        "helpdesk": {"kind": "prometheus", "url": "https://prometheus.internal:9090", "token_env": "PROM_TOKEN"},
        "warehouse": {"kind": "sql", "url_env": "WAREHOUSE_URL"},
        "ci-stats": {"kind": "http", "url": "https://ci.example.com/stats", "token_env": "CI_TOKEN"},
    }
    definition["kpi"]["from"] = {"source": "helpdesk", "query": "avg_over_time(first_response_minutes[1w])"}
    definition["guardrail"]["from"] = {"source": "warehouse", "query": "select avg(score) from csat"}
    definition["steps"][0]["from"] = {"rubric": {"source": "ci-stats", "path": "rubric.draft"}}
    definition.update(changes)
    return definition


def problems(definition) -> str:
    with pytest.raises(DefinitionError) as raised:
        parse_playbook(definition)
    return str(raised.value)


def test_each_from_names_what_it_feeds_and_the_definition_keeps_what_was_written():
    spec = parse_playbook(with_sources())
    stored = spec.canonical()
    assert stored["sources"]["warehouse"] == {"kind": "sql", "url_env": "WAREHOUSE_URL"}
    assert stored["steps"][0]["from"] == {"rubric": {"source": "ci-stats", "path": "rubric.draft"}}
    assert "from" not in stored["steps"][1]
    assert [e.key for e in entries(stored)] == ["kpi", "guardrail", "rubric:draft"]
    assert entry_for(stored, "rubric", "draft") == Entry("rubric", "draft", "ci-stats", None, "rubric.draft")
    assert entry_for(stored, "cases", "draft") is None


def test_a_playbook_without_sources_keeps_the_definition_it_always_had():
    assert "sources" not in parse_playbook(SUPPORT_REPLIES).canonical()


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (lambda d: d["kpi"].update({"from": {"source": "nope", "query": "up"}}), "kpi.from: unknown source 'nope'"),
        (
            lambda d: d["guardrail"].update({"from": {"source": "warehouse", "query": "update csat set score = 5"}}),
            "guardrail.from: the query must be one SELECT (or WITH … SELECT) that only reads",
        ),
        (
            lambda d: d["steps"][0].update({"from": {"cases": {"source": "ci-stats", "path": "a..b"}}}),
            "steps[draft].from.cases: path 'a..b' cannot lead to a number",
        ),
        (
            lambda d: d["steps"][0].update({"from": {"cases": {"source": "ci-stats", "query": "x"}}}),
            "an http source takes a 'path'",
        ),
        (lambda d: d["kpi"].update({"from": {"source": "helpdesk", "path": "a"}}), "takes a 'query', not a path"),
        (
            lambda d: d["sources"].update({"x": {"kind": "http", "url": "https://u:p@host/x"}}),
            "a URL with credentials goes in an environment variable",
        ),
        (lambda d: d["sources"].update({"x": {"kind": "http"}}), "give 'url' or 'url_env'"),
        (lambda d: d["sources"].update({"x": {"kind": "ftp", "url": "ftp://x"}}), "sources.x.kind"),
        (lambda d: d["sources"].update({"x": {"kind": "sql", "url_env": "X", "token_env": "T"}}), "takes no token_env"),
        (
            lambda d: d.update({"value_events": [{"name": "reply", "counts": "kpi"}]}),
            "kpi.from: value event reply already carries this number",
        ),
    ],
)
def test_what_cannot_be_fetched_is_refused_at_load(change, said):
    definition = with_sources()
    change(definition)
    assert said in problems(definition)


@pytest.mark.parametrize(
    ("sql", "reads"),
    [
        ("select count(*) from replies where sent_at >= :week_start", True),
        ("  SELECT 1;  ", True),
        ("with x as (select 1 as n) select n from x", True),
        ("select 'insert' as word", True),  # a word in a string is not a statement
        ("select 1; select 2", False),
        ("delete from replies", False),
        ("with x as (delete from replies returning 1) select count(*) from x", False),
        ("select * into copy from replies", False),
        ("select 1 -- ; drop table x", True),
        ("/* comment */ drop table replies", False),
        ("explain select 1", False),
    ],
)
def test_only_one_select_that_reads_is_taken(sql, reads):
    assert only_reads(sql) is reads


def test_the_variables_a_source_names_must_be_set():
    spec = parse_playbook(with_sources())
    assert unset_variables(spec.sources, {"PROM_TOKEN": "t", "WAREHOUSE_URL": "sqlite://", "CI_TOKEN": ""}) == [
        "sources.ci-stats: environment variable CI_TOKEN is not set"
    ]


def test_a_step_with_no_rubric_by_design_takes_no_sourced_rubric():
    """`rubric: none`: the step has no rubric, so a `from:` that feeds one is refused at load,
    naming the step; its cases and exceptions may still come from a source."""
    definition = with_sources()
    definition["steps"][0]["rubric"] = "none"
    assert "step 'draft' has no rubric by design (rubric: none), so its from: takes no rubric" in problems(definition)
    definition["steps"][0]["from"] = {"cases": {"source": "ci-stats", "path": "cases.draft"}}
    assert parse_playbook(definition).steps[0].rubric == "none"
