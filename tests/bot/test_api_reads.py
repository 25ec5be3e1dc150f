"""The reporting API's reads and its OpenAPI document through the real HTTP endpoint, on
SQLite and PostgreSQL: a read token's playbooks, weeks and registry, the intervals and
flags a read gives, routes that match only their own paths, and a document that
describes every field the reads send and no other."""

import json
import urllib.request
from datetime import timedelta

import pytest
from jsonschema import ValidationError

from handlers.api import openapi
from tests.bot.conftest import API_NOW as NOW
from tests.committed import committed, loaded
from tests.conftest import OWNER
from tests.openapi_check import described
from usecases import tokens


def test_the_openapi_document_is_valid_and_served(api, bot):
    from openapi_spec_validator import validate

    document = openapi()
    validate(document)
    with urllib.request.urlopen(f"{bot.base_url}/api/v1/openapi.json", timeout=10) as response:
        assert json.loads(response.read()) == json.loads(json.dumps(document, default=str))


def test_the_document_describes_every_field_the_reads_send_and_no_other():
    schemas = openapi()["components"]["schemas"]
    detail = schemas["PlaybookDetail"]
    assert {"input_reliability", "weeks", "definition"} <= set(detail["required"])
    assert "sources" in schemas["WeekOut"]["required"]
    provenance = {"number", "source", "value", "fetched_at", "typed", "error"}
    assert set(schemas["SourcedNumber"]["properties"]) == provenance == set(schemas["SourcedNumber"]["required"])
    week = {"week": "2026-11-16", "kpi": 14.5, "guardrail": None, "steps": [], "sources": []}
    described("GET", "/api/v1/playbooks/{slug}", 200, _detail(weeks=[week]))
    judged = {
        "at": "2026-12-14T09:00:00+00:00",
        "decision": "not-ready",
        "ready": False,
        "missing": ["accuracy"],
        "override": None,
        "criteria": [{"name": "accuracy", "met": False, "steps": [{"step": "draft", "weeks_met": [2, 3]}]}],
    }
    described("GET", "/api/v1/playbooks/{slug}", 200, _detail(readiness=judged))
    with pytest.raises(ValidationError):  # a criterion the document does not name
        described("GET", "/api/v1/playbooks/{slug}", 200, _detail(readiness={**judged, "criteria": [{"name": "x"}]}))
    # a field the document lacks, or one it names that the answer lacks, is not what it describes
    for wrong in (
        _detail(provenance="x"),
        {k: v for k, v in _detail().items() if k != "input_reliability"},
        _detail(weeks=[{**week, "extra": 1}]),
        _detail(weeks=[{k: v for k, v in week.items() if k != "sources"}]),
        _detail(input_reliability=1.5),
    ):
        with pytest.raises(ValidationError):
            described("GET", "/api/v1/playbooks/{slug}", 200, wrong)


def _detail(**fields):
    kpi = {"name": "FRT", "unit": "min", "direction": "down", "baseline": 42, "target": 15}
    summary = dict(
        slug="a", title="A", function="support", status="active", owner=OWNER, owner_name=OWNER, timezone="UTC"
    )
    return {
        **summary,
        "kpi": kpi,
        "cycle": 1,
        "week": 1,
        "modes": {},
        "standing": "on track",
        "stalled": None,
        "plateau": False,
        "definition": {},
        "input_reliability": None,
        "weeks": [],
        "readiness": None,
        **fields,
    }


def get(base_url, path, token):
    request = urllib.request.Request(base_url + path, headers={"Authorization": f"Bearer {token}"} if token else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"{}")


def test_a_read_token_reads_its_playbooks_their_weeks_and_the_registry(api, store):
    assert api.post({"playbook": "support-replies", "kind": "kpi", "value": 14.5})[0] == 201
    reader = tokens.create(store, "sheets", ["support-replies"], [], True, "test", NOW).token
    status, body = get(api.base_url, "/api/v1/playbooks", reader)
    assert status == 200 and [p["slug"] for p in body["playbooks"]] == ["support-replies"]
    assert body["playbooks"][0]["modes"] == {"draft": "collaborative", "send": "ai-led", "refunds": "human-led"}
    described("GET", "/api/v1/playbooks", 200, body)
    status, body = get(api.base_url, "/api/v1/playbooks/support-replies", reader)
    assert status == 200 and (body["cycle"], body["week"]) == (1, 1)
    described("GET", "/api/v1/playbooks/{slug}", 200, body)
    assert body["weeks"][-1]["week"] == "2026-11-16" and body["weeks"][-1]["kpi"] == 14.5
    assert body["definition"]["kpi"]["target"] == 15
    assert get(api.base_url, "/api/v1/registry", reader) == (200, {"versions": []})
    described("GET", "/api/v1/registry", 200, {"versions": []})
    assert get(api.base_url, "/api/v1/playbooks/refund-triage", reader)[0] == 404
    assert get(api.base_url, "/api/v1/playbooks", api.token) == (403, {"error": "token helpdesk may not read"})
    assert get(api.base_url, "/api/v1/playbooks", None)[0] == 401


def test_a_read_gives_each_ratio_and_rubric_score_with_its_interval_and_the_plateau_flag(api, store):
    reports = [
        {"playbook": "support-replies", "kind": "cases", "step": "draft", "value": 15},
        {"playbook": "support-replies", "kind": "rubric", "step": "draft", "value": 0.88},
        {"playbook": "support-replies", "kind": "exception", "step": "draft", "reason": "a wrong refund"},
        {"playbook": "support-replies", "kind": "exception", "step": "draft", "reason": "a wrong address"},
    ]
    kinds = ["cases", "rubric", "exception"]
    reader = tokens.create(store, "sheets", ["support-replies"], kinds, True, "test", NOW).token
    assert api.post({"reports": reports}, token=reader)[0] == 201
    _, body = get(api.base_url, "/api/v1/playbooks/support-replies", reader)
    draft = next(s for s in body["weeks"][-1]["steps"] if s["step"] == "draft")
    assert (draft["cases"], draft["exceptions"], draft["exception_ratio"]) == (15, 2, 2 / 15)
    # 2 of 15 = 13% (95% CI 4–38%); the rubric 88% read as 13 of 15 cases passing review
    assert [round(draft["exception_ratio_ci"][k], 3) for k in ("lower", "upper")] == [0.037, 0.379]
    assert [round(draft["rubric_ci"][k], 3) for k in ("lower", "upper")] == [0.621, 0.963]
    send = next(s for s in body["weeks"][-1]["steps"] if s["step"] == "send")
    assert (send["exception_ratio"], send["exception_ratio_ci"], send["rubric_ci"]) == (None, None, None)
    assert body["plateau"] is False  # a first week: no history to have grown
    described("GET", "/api/v1/playbooks/{slug}", 200, body)  # every field, the intervals too, as documented
    _, listed = get(api.base_url, "/api/v1/playbooks", reader)
    assert listed["playbooks"][0]["plateau"] is False
    schemas = openapi()["components"]["schemas"]
    assert {"lower", "upper"} <= set(schemas["Bounds"]["properties"])
    assert {"exception_ratio", "exception_ratio_ci", "rubric_ci"} <= set(schemas["StepWeekOut"]["properties"])
    assert "plateau" in schemas["PlaybookOut"]["required"]


def test_a_path_is_a_routes_own_and_a_slug_one_segment(api, store):
    reader = tokens.create(store, "sheets", ["support-replies"], [], True, "test", NOW).token
    assert get(api.base_url, "/api/v1/playbooks/support-replies/verdicts", reader) == (404, {"error": "not found"})
    assert get(api.base_url, "/api/v1/playbooks/", reader) == (404, {"error": "not found"})
    for no_slug in ("Support-Replies", "-support", "s" * 64, "support-replies%0A"):  # no route's: never FastAPI's 422
        assert get(api.base_url, "/api/v1/playbooks/" + no_slug, reader) == (404, {"error": "not found"}), no_slug
    assert get(api.base_url, "/api/v1/nothing", None) == (404, {"error": "not found"})
    request = urllib.request.Request(api.base_url + "/api/v1/playbooks/support-replies", method="POST", data=b"{}")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert (refused.value.code, refused.value.headers["Allow"]) == (405, "GET")
    assert json.loads(refused.value.read()) == {"error": "GET only"}
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(api.base_url + "/api/v1/reports", timeout=10)
    assert (refused.value.code, refused.value.headers["Allow"]) == (405, "POST")


def test_the_assistants_reads_refuse_what_they_cannot_take_in_one_sentence(api, store, clock):
    """The reads an assistant's tools share (issue 84): a bad day, a search too long, a
    playbook outside the token's scope; a scoped token's learnings are its playbooks'."""
    from cadence.definition_load import parse_playbook
    from tests.conftest import SUPPORT_REPLIES

    loaded(store, [parse_playbook({**SUPPORT_REPLIES, "playbook": "refund-triage"})], "UTC", "test", NOW)
    reader = tokens.create(store, "sheets", ["support-replies"], [], True, "test", NOW).token
    for slug, text in (("refund-triage", "refunds need the policy quoted"), ("support-replies", "quote the policy")):
        committed(store).learnings.add(store.playbooks.state(slug).playbook.id, 1, text, OWNER, NOW)
    refused = {
        "/api/v1/playbooks/support-replies/decisions?since=yesterday": (422, "since is a day, YYYY-MM-DD (2026-11-16)"),
        "/api/v1/learnings?q=" + "+".join(f"w{i}" for i in range(11)): (
            422,
            "a search takes at most 10 words of at most 100 characters each",
        ),
        "/api/v1/learnings?q=policy&playbook=refund-triage": (404, "no playbook refund-triage"),
        "/api/v1/playbooks/refund-triage/readiness": (404, "no playbook refund-triage"),
    }
    for path, (status, error) in refused.items():
        clock.set(clock() + timedelta(seconds=1))
        assert get(api.base_url, path, reader) == (status, {"error": error}), path
    clock.set(clock() + timedelta(seconds=1))
    status, found = get(api.base_url, "/api/v1/learnings?q=policy", reader)
    assert status == 200 and [h["playbook"] for h in found["learnings"]] == ["support-replies"]
    described("GET", "/api/v1/learnings", 200, found)
