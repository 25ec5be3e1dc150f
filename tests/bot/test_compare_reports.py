"""`compare` on the KPI (docs/playbooks.md, "Compared with the rest"): the KPI reported
for the playbook's work and for the rest, by `/rollout kpi`, the week form, the check-in's
KPI form and the reporting API, through the real endpoints on SQLite and PostgreSQL; and
refused, naming the setting, on a playbook that does not compare."""

import json
import urllib.request

import pytest
from sqlalchemy import text

from cadence.definition_load import parse_playbook
from tests.bot.conftest import API_NOW, Client
from tests.committed import loaded
from tests.conftest import MEMBER, OWNER, SUPPORT_REPLIES
from tests.handlers.test_commands import assert_refused
from tests.handlers.test_forms import click, submit, text_input
from tests.handlers.test_forms import dm as dm
from tests.handlers.test_week_form import fields, open_form
from tests.handlers.test_week_form import submit as submit_week
from usecases import tokens

COMPARED_KPI = {**SUPPORT_REPLIES["kpi"], "compare": "rest", "rest_baseline": 40}


def rows(engine, sql):
    with engine.connect() as connection:
        return connection.execute(text(sql)).all()


def runs(engine):
    return rows(engine, "SELECT value, reported_by FROM kpi_reading WHERE withdrawn_at IS NULL ORDER BY id")


def rests(engine):
    return rows(engine, "SELECT value, reported_by FROM kpi_rest_reading WHERE withdrawn_at IS NULL ORDER BY id")


@pytest.fixture
def compared(playbook, store, clock):
    """support-replies, its KPI compared with the rest."""
    loaded(store, [parse_playbook({**SUPPORT_REPLIES, "kpi": COMPARED_KPI})], "UTC", actor="test", at=clock())
    return store.playbooks.state("support-replies")


def test_both_arms_in_one_command_and_either_alone(bot, compared, engine):
    reply = bot.command("kpi support-replies 18.5 rest 24.1", user=MEMBER)
    assert "Recorded *First-response time* = *18.5 min*, the rest *24.1 min*" in reply.text, reply.text
    assert runs(engine) == [(18.5, MEMBER)] and rests(engine) == [(24.1, MEMBER)]
    reply = bot.command("kpi support-replies rest 23", user=MEMBER)
    assert "Recorded *First-response time* for the rest = *23 min*" in reply.text, reply.text
    assert runs(engine) == [(18.5, MEMBER)] and rests(engine) == [(24.1, MEMBER), (23.0, MEMBER)]
    assert "Recorded *First-response time* = *17 min*" in bot.command("kpi support-replies 17", user=MEMBER).text
    assert len(runs(engine)) == 2 and len(rests(engine)) == 2
    # undo takes the newest of the caller's reports: the run's 17, then the rest's 23
    assert "Withdrew your KPI reading" in bot.command("undo support-replies", user=MEMBER).text
    undone = bot.command("undo support-replies", user=MEMBER).text
    assert "Withdrew your KPI reading for the rest (First-response time = 23 min)" in undone, undone
    assert "What counts now: First-response time = 24.1 min" in undone
    assert runs(engine) == [(18.5, MEMBER)] and rests(engine) == [(24.1, MEMBER)]


@pytest.mark.parametrize(
    "typed, phrase",
    [
        ("kpi support-replies 18.5 rest 24,1", "comma"),
        ("kpi support-replies rest nan", "number"),
        ("kpi support-replies rest inf", "number"),
        ("kpi support-replies rest 24min", "number"),
        ("kpi support-replies 18.5 rest", "`rest` takes the rest's value"),
        ("kpi support-replies 18.5 rest 24 25", "`rest` takes the rest's value"),
        ("kpi support-replies 18.5 others 24", "takes one value"),
        ("kpi support-replies rest 24%", "measured in min"),
    ],
)
def test_a_bad_rest_value_is_refused_and_nothing_is_stored(bot, compared, engine, typed, phrase):
    assert_refused(bot.command(typed, user=MEMBER), phrase)
    assert runs(engine) == [] and rests(engine) == []


def test_a_rest_value_on_a_playbook_without_compare_is_refused_naming_the_setting(bot, playbook, engine):
    for typed in ("kpi support-replies 18.5 rest 24.1", "kpi support-replies rest 24.1"):
        assert_refused(bot.command(typed, user=MEMBER), "not compared with the rest", "kpi.compare")
    assert runs(engine) == [] and rests(engine) == []


def test_the_week_form_asks_the_rest(bot, slack, compared, engine):
    bot.command("kpi support-replies rest 30", user=OWNER)
    view = open_form(bot, slack)
    shown = fields(view)
    assert shown["rest"] == ("The rest (min)", "30")
    reply = submit_week(bot, view, {"kpi": "18", "rest": "26.5"})
    assert reply.body["response_action"] == "update", reply.body
    assert "The rest" in json.dumps(reply.body["view"]["blocks"])
    assert runs(engine) == [(18.0, OWNER)] and [v for v, _ in rests(engine)] == [30.0, 26.5]
    view = open_form(bot, slack)
    reply = submit_week(bot, view, {"rest": "26,5"})
    assert reply.body["response_action"] == "errors" and "comma" in reply.body["errors"]["rest"]
    assert len(rests(engine)) == 2


def test_the_week_form_of_a_playbook_without_compare_has_no_rest(bot, slack, playbook):
    assert "rest" not in fields(open_form(bot, slack))


def test_the_checkins_kpi_form_takes_the_rest_too(bot, dm, slack, compared, engine):
    assert click(bot, dm, "checkin_kpi").status == 200
    view = slack.opened_views[-1]
    assert [b["block_id"] for b in view["blocks"] if b["type"] == "input"] == ["value", "rest"]
    reply = submit(bot, view, {"value": text_input(""), "rest": text_input("")})
    assert "Give this week's value, the rest's, or both." in reply.body["errors"]["value"]
    reply = submit(bot, view, {"value": text_input(""), "rest": text_input("1e999")})
    assert reply.body["response_action"] == "errors" and "rest" in reply.body["errors"]
    reply = submit(bot, view, {"value": text_input(""), "rest": text_input("25")})
    assert reply.status == 200 and not reply.body
    assert runs(engine) == [] and rests(engine) == [(25.0, MEMBER)]


@pytest.fixture
def api(bot, playbook, store, clock):
    from tests.bot.conftest import API_NOW

    clock.set(API_NOW)
    created = tokens.create(store, "crm", ["support-replies"], ["kpi", "cases"], False, "test", API_NOW)
    return Client(bot.base_url, created.token)


def test_the_api_reports_the_rest_as_an_arm(api, compared, engine):
    status, body, _ = api.post(
        {
            "reports": [
                {"playbook": "support-replies", "kind": "kpi", "value": 18.5},
                {"playbook": "support-replies", "kind": "kpi", "value": 24.1, "arm": "rest"},
                {"playbook": "support-replies", "kind": "kpi", "value": 18.0, "arm": "run"},
            ]
        }
    )
    assert status == 201, body
    assert body["accepted"][1]["counts_for"] == "support-replies, week 1 of cycle 1 (2026-11-16), the rest"
    assert runs(engine) == [(18.5, "token:crm"), (18.0, "token:crm")] and rests(engine) == [(24.1, "token:crm")]


def test_the_api_refuses_a_rest_without_compare_and_an_arm_off_the_kpi(api, playbook, engine):
    status, body, _ = api.post(
        {
            "reports": [
                {"playbook": "support-replies", "kind": "kpi", "value": 18.5},
                {"playbook": "support-replies", "kind": "kpi", "value": 24.1, "arm": "rest"},
                {"playbook": "support-replies", "kind": "cases", "step": "draft", "value": 4, "arm": "rest"},
            ]
        }
    )
    assert status == 422, body
    errors = {e["index"]: e for e in body["errors"]}
    assert errors[1]["field"] == "arm" and "kpi.compare" in errors[1]["message"], errors
    assert errors[2]["field"] == "arm" and "only a kpi report has an arm" in errors[2]["message"]
    assert 0 not in errors
    status, body, _ = api.post({"playbook": "support-replies", "kind": "kpi", "value": 4, "arm": "others"})
    assert status == 422 and body["errors"][0]["field"] == "arm", body
    assert runs(engine) == [] and rests(engine) == []


def test_the_web_view_draws_run_and_rest_as_two_lines(bot, compared, http_server, database_url, slack, store, clock):
    from tests.bot.test_web_view import fetch, web_session

    bot.command("kpi support-replies 18.5 rest 24.1", user=MEMBER)
    url, cookie = web_session(bot, http_server, database_url, slack, store, clock, MEMBER)
    status, _, page = fetch(url + "/web/playbooks/support-replies", cookie)
    assert status == 200
    assert "the rest (min)" in page and "cycle 1, week 1: 24.1 min" in page and "cycle 1, week 1: 18.5 min" in page


def test_the_apis_playbook_read_has_each_weeks_rest_and_the_cycle_against_it(api, compared, store, engine):
    """What status says of the cycle against the rest, the API's playbook read (and so an
    assistant's `playbook` tool) says too, with each week's rest beside its KPI."""
    status, body, _ = api.post(
        {
            "reports": [
                {"playbook": "support-replies", "kind": "kpi", "value": 18.5},
                {"playbook": "support-replies", "kind": "kpi", "value": 24.1, "arm": "rest"},
            ]
        }
    )
    assert status == 201, body
    reader = tokens.create(store, "assistant", None, [], True, "test", API_NOW).token
    request = urllib.request.Request(
        f"{api.base_url}/api/v1/playbooks/support-replies", headers={"Authorization": f"Bearer {reader}"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        read = json.loads(response.read())
    week = next(w for w in read["weeks"] if w["kpi"] is not None)
    assert (week["kpi"], week["rest"]) == (18.5, 24.1)
    comparison = read["comparison"]
    assert comparison["deltas"] == [pytest.approx(-5.6)]
    assert comparison["verdict"] == "too-few" and comparison["delta_weeks"] == 1
    assert comparison["said"] == "too few weeks to compare (1 week with both numbers; 2 are needed)"


def test_the_apis_playbook_read_of_a_playbook_that_does_not_compare_says_so(api, store):
    reader = tokens.create(store, "assistant", None, [], True, "test", API_NOW).token
    request = urllib.request.Request(
        f"{api.base_url}/api/v1/playbooks/support-replies", headers={"Authorization": f"Bearer {reader}"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        read = json.loads(response.read())
    assert read["comparison"] is None and all(w["rest"] is None for w in read["weeks"])
