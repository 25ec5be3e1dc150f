"""A review by rubric dimension pulled by the clock (docs/sources.md): `rubric: {reviewed,
dimensions: {tone, accuracy}}`, counts of one source, stored as one rubric report with
each dimension's count, its score the lowest; a bad count is the source's failure and
stores nothing; a `from:` that does not fit the step's dimensions is refused at load.
Real clock, a JSON source on HTTP, SQLite and PostgreSQL."""

from copy import deepcopy

import pytest
import yaml

from cadence.definition_load import DefinitionError, parse_playbook
from tests.usecases.test_sources import WEEK_1_ENDS, Clock, Engine, load, rows, sourced, stats  # noqa: F401


def by_dimension(url: str) -> dict:
    definition = sourced(url)
    definition["rubric"] = {"dimensions": ["tone", "accuracy"]}
    definition["steps"][0]["from"]["rubric"] = {
        "reviewed": {"source": "ci-stats", "path": "draft.reviewed"},
        "dimensions": {
            "tone": {"source": "ci-stats", "path": "draft.tone"},
            "accuracy": {"source": "ci-stats", "path": "draft.accuracy"},
        },
    }
    return definition


@pytest.fixture
def clockwork(engine, slack, store, clock, stats):  # noqa: F811
    from datetime import UTC, datetime

    draft = {"cases": 40, "exceptions": 2, "reviewed": 20, "tone": 19, "accuracy": 17}
    stats.answers["/stats"] = (200, {"kpi": 14.5, "draft": draft})
    load(store, clock, by_dimension(stats.url + "/stats"))
    return Engine(engine, slack, Clock(datetime(2026, 11, 22, 12, tzinfo=UTC)))


def test_a_review_by_dimension_is_fetched_count_by_count_and_stored_as_one(clockwork, engine, stats):  # noqa: F811
    clockwork.run(WEEK_1_ENDS)
    stored = rows(engine, "select score, reviewed, dimensions, reported_by from rubric_score")
    assert stored == [(0.85, 20, "tone:19 accuracy:17", "source:ci-stats")]
    fetched = rows(engine, "select asked, outcome, value from source_fetch where number = 'rubric:draft'")
    assert fetched == [
        (
            "reviewed: path draft.reviewed; tone (ci-stats): path draft.tone; accuracy (ci-stats): path draft.accuracy",
            "fetched",
            0.85,
        )
    ]


@pytest.mark.parametrize(
    ("counts", "error"),
    [
        ({"reviewed": 20, "tone": 21, "accuracy": 17}, "tone: 21 passed is more than the 20 reviewed"),
        ({"reviewed": 0, "tone": 0, "accuracy": 0}, "no case reviewed"),
        ({"reviewed": 20, "tone": 19, "accuracy": 1.5}, "not a count: 1.5"),
    ],
)
def test_a_bad_count_is_the_sources_failure_and_stores_nothing(clockwork, engine, stats, counts, error):  # noqa: F811
    stats.answers["/stats"] = (200, {"kpi": 14.5, "draft": {"cases": 40, "exceptions": 2, **counts}})
    clockwork.run(WEEK_1_ENDS)
    assert rows(engine, "select count(*) from rubric_score") == [(0,)]
    failed = rows(engine, "select error from source_fetch where number = 'rubric:draft' and outcome = 'failed'")
    assert failed and error in failed[0][0]


def test_a_from_must_fit_the_steps_dimensions_and_exports_as_written(stats):  # noqa: F811
    definition = by_dimension(stats.url + "/stats")
    spec = parse_playbook(definition)
    assert spec.canonical()["steps"][0]["from"]["rubric"] == definition["steps"][0]["from"]["rubric"]
    assert parse_playbook(yaml.safe_load(yaml.safe_dump(spec.canonical()))).canonical() == spec.canonical()
    short = deepcopy(definition)
    del short["steps"][0]["from"]["rubric"]["dimensions"]["accuracy"]
    with pytest.raises(DefinitionError, match=r"from\.rubric\.dimensions: dimension accuracy is not given"):
        parse_playbook(short)
    other = deepcopy(definition)
    other["steps"][0]["from"]["rubric"]["dimensions"]["style"] = {"source": "ci-stats", "path": "x"}
    with pytest.raises(DefinitionError, match="style is not a dimension of step draft"):
        parse_playbook(other)
    plain = deepcopy(definition)
    plain["steps"][0]["from"]["rubric"] = {"source": "ci-stats", "path": "draft.rubric"}
    with pytest.raises(DefinitionError, match=r"rubric has dimensions \(tone, accuracy\): its source gives"):
        parse_playbook(plain)
    unknown = deepcopy(definition)
    unknown["steps"][0]["from"]["rubric"]["dimensions"]["tone"] = {"source": "nowhere", "path": "x"}
    with pytest.raises(DefinitionError, match=r"from\.rubric\.dimensions\.tone: unknown source 'nowhere'"):
        parse_playbook(unknown)
    none = deepcopy(definition)
    del none["rubric"]
    with pytest.raises(DefinitionError, match="rubric has no dimensions, so its source gives none"):
        parse_playbook(none)
