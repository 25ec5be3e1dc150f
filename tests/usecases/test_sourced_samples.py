"""A rubric from a sample, pulled by the clock (issue 58): `rubric: {passed, reviewed}`,
two numbers of one source, stored as one rubric report with its sample; a bad pair is
said as the source's failure and stores nothing; a bad `from:` is refused at load.
Real clock, a JSON source on HTTP, SQLite and PostgreSQL."""

from copy import deepcopy
from datetime import timedelta

import pytest
import yaml

from cadence.definition_load import DefinitionError, parse_playbook
from tests.usecases.test_sources import WEEK_1_ENDS, Clock, Engine, load, rows, sourced, stats  # noqa: F401


def sampled(url: str) -> dict:
    definition = sourced(url)
    definition["steps"][0]["from"]["rubric"] = {
        "passed": {"source": "ci-stats", "path": "draft.passed"},
        "reviewed": {"source": "ci-stats", "path": "draft.reviewed"},
    }
    return definition


@pytest.fixture
def clockwork(engine, slack, store, clock, stats):  # noqa: F811
    from datetime import UTC, datetime

    stats.answers["/stats"] = (
        200,
        {"kpi": 14.5, "draft": {"cases": 40, "exceptions": 2, "passed": 18, "reviewed": 20}},
    )
    load(store, clock, sampled(stats.url + "/stats"))
    return Engine(engine, slack, Clock(datetime(2026, 11, 22, 12, tzinfo=UTC)))


def test_a_sampled_rubric_is_fetched_as_two_numbers_and_stored_as_one_score_with_its_sample(clockwork, engine, stats):  # noqa: F811
    clockwork.run(WEEK_1_ENDS)
    assert len(stats.requests) == 5  # kpi, cases, exceptions, and the rubric's passed and reviewed
    assert rows(engine, "select score, reviewed, reported_by from rubric_score") == [(0.9, 20, "source:ci-stats")]
    fetched = rows(engine, "select asked, outcome, value from source_fetch where number = 'rubric:draft'")
    assert fetched == [("passed: path draft.passed; reviewed (ci-stats): path draft.reviewed", "fetched", 0.9)]


@pytest.mark.parametrize(
    ("draft", "error"),
    [
        ({"passed": 21, "reviewed": 20}, "21 passed is more than the 20 reviewed"),
        ({"passed": 0, "reviewed": 0}, "no case reviewed"),
        ({"passed": 1.5, "reviewed": 20}, "not a count: 1.5"),
    ],
)
def test_a_bad_sample_is_the_sources_failure_and_stores_nothing(clockwork, engine, stats, draft, error):  # noqa: F811
    stats.answers["/stats"] = (200, {"kpi": 14.5, "draft": {"cases": 40, "exceptions": 2, **draft}})
    clockwork.run(WEEK_1_ENDS)
    assert rows(engine, "select count(*) from rubric_score") == [(0,)]
    failed = rows(engine, "select error from source_fetch where number = 'rubric:draft' and outcome = 'failed'")
    assert failed and error in failed[0][0]


def test_a_sample_from_names_both_numbers_and_exports_as_written(stats):  # noqa: F811
    definition = sampled(stats.url + "/stats")
    spec = parse_playbook(definition)
    exported = spec.canonical()["steps"][0]["from"]["rubric"]
    assert exported == {
        "passed": {"source": "ci-stats", "path": "draft.passed"},
        "reviewed": {"source": "ci-stats", "path": "draft.reviewed"},
    }
    assert parse_playbook(yaml.safe_load(yaml.safe_dump(spec.canonical()))).canonical() == spec.canonical()
    broken = deepcopy(definition)
    broken["steps"][0]["from"]["rubric"]["reviewed"] = {"source": "nowhere", "path": "x"}
    with pytest.raises(DefinitionError, match=r"from\.rubric\.reviewed: unknown source 'nowhere'"):
        parse_playbook(broken)
    half = deepcopy(definition)
    del half["steps"][0]["from"]["rubric"]["reviewed"]
    with pytest.raises(DefinitionError, match="reviewed"):
        parse_playbook(half)


def test_the_week_after_is_judged_on_the_sample(clockwork, engine, stats):  # noqa: F811
    clockwork.run(WEEK_1_ENDS)
    clockwork.run(WEEK_1_ENDS + timedelta(hours=12, minutes=30))  # the close
    assert rows(engine, "select rubric, reviewed from step_verdict where rubric is not null") == [(0.9, 20)]
