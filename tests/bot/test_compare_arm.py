"""The holdout's arm through the real API and the command line, on SQLite and PostgreSQL:
`GET /api/v1/playbooks/{slug}/arm?case=<id>` and `rollout arm <slug> <case-id>` answer
`run` or `holdout` by the hash (cadence/arms.py), write nothing, and refuse what they
cannot answer in words (docs/api.md)."""

import json
import urllib.error
import urllib.parse
import urllib.request

import pytest
from sqlalchemy import text

from cadence.arms import arm
from cadence.definition_load import parse_playbook
from templates.refusals import Refusal, plain
from tests.bot.conftest import API_NOW
from tests.committed import loaded
from tests.conftest import SUPPORT_REPLIES, past_the_database
from tests.openapi_check import described
from usecases import tokens

HOLDOUT = {**SUPPORT_REPLIES["kpi"], "compare": {"rest": "holdout", "share": 0.25}}
PATH = "/api/v1/playbooks/{slug}/arm"


@pytest.fixture
def holdout(playbook, store, clock):
    loaded(store, [parse_playbook({**SUPPORT_REPLIES, "kpi": HOLDOUT})], "UTC", actor="test", at=clock())
    return store.playbooks.state("support-replies")


@pytest.fixture
def token(bot, playbook, store, clock):
    clock.set(API_NOW)
    return tokens.create(store, "crm", ["support-replies"], ["kpi"], False, "test", API_NOW).token


def get(bot, token, slug, case=None, raw_query=None):
    query = raw_query if raw_query is not None else ("" if case is None else urllib.parse.urlencode({"case": case}))
    request = urllib.request.Request(
        f"{bot.base_url}/api/v1/playbooks/{slug}/arm?{query}", headers={"Authorization": f"Bearer {token}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"{}")


def writes(engine):
    """Every row of every table but the API's rate counts (each call's, as every API call)."""
    with engine.connect() as c:
        names = [n for n in engine.dialect.get_table_names(c) if n not in ("api_rate", "alembic_version")]
        return {n: c.execute(text(f"SELECT count(*) FROM {n}")).scalar() for n in names}


def test_the_api_answers_each_case_its_arm_forever_and_writes_nothing(bot, holdout, token, engine, clock):
    before = writes(engine)
    answers = {}
    for n, case in enumerate(["deal-1", "deal-2", "ünïcödé 🚀", "x" * 200, "deal-1"]):
        clock.set(API_NOW.replace(second=n))  # a second each: within the rate
        status, body = get(bot, token, "support-replies", case)
        assert status == 200, body
        described("get", PATH, 200, body)
        assert body == {
            "playbook": "support-replies",
            "case": case,
            "arm": arm("support-replies", case, 0.25),
            "share": 0.25,
        }
        answers.setdefault(case, set()).add(body["arm"])
    assert all(len(arms) == 1 for arms in answers.values())
    assert writes(engine) == before


def test_what_the_api_cannot_answer_is_refused_in_words(bot, playbook, token, engine, clock, store):
    clock.set(API_NOW.replace(second=10))
    status, body = get(bot, token, "support-replies", "deal-1")
    assert status == 409 and "kpi.compare: {rest: holdout, share: 0.1}" in body["error"], body
    assert body["error"] == plain(Refusal.of("arm_not_compared", slug="support-replies", setting="kpi.compare"))
    described("get", PATH, 409, body)
    loaded(store, [parse_playbook({**SUPPORT_REPLIES, "kpi": HOLDOUT})], "UTC", actor="test", at=clock())
    clock.set(API_NOW.replace(second=11))
    status, body = get(bot, token, "support-replies", "x" * 201)
    assert status == 422 and body["error"] == "a case id is at most 200 characters; this one has 201"
    assert body["error"] == plain(Refusal.of("arm_case_too_long", most=200, length=201))  # the catalogue's
    described("get", PATH, 422, body)
    clock.set(API_NOW.replace(second=12))
    assert get(bot, token, "support-replies") == (422, {"error": "give the case's id: any text of 1 to 200 characters"})
    clock.set(API_NOW.replace(second=13))
    status, body = get(bot, token, "nope", "deal-1")
    assert status == 404 and body == {"error": "no playbook nope"}
    clock.set(API_NOW.replace(second=14))
    assert get(bot, "rcb_not-a-token", "support-replies", "deal-1")[0] == 401


def test_past_the_rate_the_arm_waits_as_every_call(bot, holdout, token, clock):
    clock.set(API_NOW.replace(second=30))
    statuses = [get(bot, token, "support-replies", f"deal-{n}")[0] for n in range(21)]
    assert statuses[:20] == [200] * 20 and statuses[20] == 429


def test_the_command_line_answers_the_same(run, holdout, engine):
    before = writes(engine)
    for case in ("deal-1", "deal-2", "ünïcödé 🚀"):
        result = run("arm", "support-replies", case)
        assert result.exit_code == 0 and result.stdout == arm("support-replies", case, 0.25) + "\n"
    result = run("arm", "support-replies", "x" * 201)
    assert result.exit_code == 1 and "at most 200 characters" in result.output and "Traceback" not in result.output
    result = run("arm", "nope", "deal-1")
    assert result.exit_code == 1 and "no playbook nope" in result.output
    assert writes(engine) == before


def test_the_command_line_names_the_setting_without_a_holdout(run, playbook, store, clock):
    """Issue 78, item 4: the 409's sentence is the catalogue's (templates/refusals.py), a
    playbook not compared and one compared without holding cases out each its own."""
    result = run("arm", "support-replies", "deal-1")
    assert result.exit_code == 1 and "kpi.compare" in result.output
    said = plain(Refusal.of("arm_not_compared", slug="support-replies", setting="kpi.compare"))
    assert past_the_database(result.output) == f"Error: {said}\n"
    compared = {**SUPPORT_REPLIES["kpi"], "compare": "rest"}
    loaded(store, [parse_playbook({**SUPPORT_REPLIES, "kpi": compared})], "UTC", actor="test", at=clock())
    result = run("arm", "support-replies", "deal-1")
    said = plain(Refusal.of("arm_holds_nothing_out", slug="support-replies", setting="kpi.compare"))
    assert result.exit_code == 1 and past_the_database(result.output) == f"Error: {said}\n", result.output
    assert "holding nothing out" in said
