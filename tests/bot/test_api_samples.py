"""Reviews that sample through the reporting API (issue 58): a rubric report with its
passed and reviewed counts, read back with its sample and its interval over the reviewed
cases; a bad sample refused naming its field. Real HTTP endpoint, SQLite and PostgreSQL."""

import json

import pytest

from tests.committed import loaded
from tests.handlers.test_commands import row_counts
from tests.usecases.test_review_samples import scores


def test_the_api_takes_a_sample_and_reads_it_back_with_its_interval(api, store, engine):
    from tests.bot.conftest import API_NOW
    from tests.bot.test_api_reads import get
    from tests.openapi_check import described
    from usecases import tokens

    token = tokens.create(store, "sheets", ["support-replies"], ["cases", "rubric"], True, "test", API_NOW).token
    reports = [
        {"playbook": "support-replies", "kind": "cases", "step": "draft", "value": 40},
        {"playbook": "support-replies", "kind": "rubric", "step": "draft", "passed": 18, "reviewed": 20},
    ]
    assert api.post({"reports": reports}, token=token)[0] == 201
    assert scores(engine) == [(0.9, 20)]
    _, body = get(api.base_url, "/api/v1/playbooks/support-replies", token)
    draft = next(s for s in body["weeks"][-1]["steps"] if s["step"] == "draft")
    assert (draft["rubric"], draft["reviewed"], draft["review_asked"]) == (0.9, 20, 8)
    # Wilson over the 20 reviewed (70–97%), not the 40 cases (77–96%)
    assert [round(draft["rubric_ci"][k], 2) for k in ("lower", "upper")] == [0.70, 0.97]
    described("GET", "/api/v1/playbooks/{slug}", 200, body)


@pytest.mark.parametrize(
    ("report", "field"),
    [
        ({"passed": 21, "reviewed": 20}, "passed"),
        ({"passed": 18}, "reviewed"),
        ({"passed": 18, "reviewed": 20, "value": 0.9}, "value"),
        ({"passed": 18, "reviewed": 0}, "reviewed"),
        ({"passed": -1, "reviewed": 20}, "passed"),
        ({"passed": 1.5, "reviewed": 20}, "passed"),
    ],
)
def test_the_api_refuses_a_bad_sample_naming_its_field(api, store, engine, report, field):
    from tests.bot.conftest import API_NOW
    from usecases import tokens

    token = tokens.create(store, "sheets", ["support-replies"], ["rubric"], True, "test", API_NOW).token
    before = row_counts(engine)
    status, body, _ = api.post(
        {"reports": [{"playbook": "support-replies", "kind": "rubric", "step": "draft", **report}]}, token=token
    )
    assert status in (400, 422), body
    assert field in json.dumps(body), body
    assert row_counts(engine) == before


def test_the_api_takes_a_review_by_dimension_and_refuses_one_short_naming_it(api, store, engine, clock):
    from cadence.definition_load import parse_playbook
    from tests.bot.conftest import API_NOW
    from tests.conftest import SUPPORT_REPLIES
    from usecases import tokens

    definition = {**SUPPORT_REPLIES, "rubric": {"dimensions": ["tone", "accuracy"]}}
    loaded(store, [parse_playbook(definition)], "UTC", actor="test", at=clock())
    token = tokens.create(store, "sheets", ["support-replies"], ["rubric"], True, "test", API_NOW).token
    review = {"playbook": "support-replies", "kind": "rubric", "step": "draft", "reviewed": 20}
    before = row_counts(engine)
    for refused, says in (
        ({"dimensions": {"tone": 19}}, "accuracy is not given"),
        ({"dimensions": {"tone": 19, "accuracy": 18, "style": 3}}, "no rubric dimension “style”"),
        ({"dimensions": {"tone": 21, "accuracy": 18}}, "tone: 21 passed is more than the 20 reviewed"),
        ({"dimensions": {}}, "dimensions"),
        ({"dimensions": {"tone": 19, "accuracy": 18}, "passed": 18}, "passed"),
    ):
        status, body, _ = api.post({"reports": [{**review, **refused}]}, token=token)
        assert status in (400, 422) and says in json.dumps(body, ensure_ascii=False), body
    assert row_counts(engine) == before
    assert api.post({"reports": [{**review, "dimensions": {"tone": 19, "accuracy": 18}}]}, token=token)[0] == 201
    from sqlmodel import Session, select

    from storage.models.reports import RubricScore

    with Session(engine) as s:
        assert [(r.score, r.reviewed, r.dimensions) for r in s.exec(select(RubricScore))] == [
            (0.9, 20, "tone:19 accuracy:18")
        ]
