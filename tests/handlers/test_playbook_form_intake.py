"""A pilot worth funding: `/rollout new` asks how often the work happens, what one case
costs today, whether it is structured and the one event it will count, before the KPI;
the answers are kept as the YAML's `intake:` and shown to the curators and on the web
page; a demo is flagged, not refused. Forms submitted as Slack sends them."""

import json
import re

from cadence.definition import parse_playbook
from storage.models.governance import Decision
from storage.models.playbooks import Playbook
from tests.committed import committed, loaded
from tests.conftest import ADMIN, CHANNEL, MEMBER, OWNER, SUPPORT_REPLIES
from tests.handlers.test_forms import deliver
from tests.handlers.test_playbook_form import NEW_VALUES, count, open_edit, open_new, shown, submit

CURATORS = "CCURATORS1"
BAD = [
    ({"cases_per_week": "-5"}, "cases_per_week"),
    ({"cases_per_week": "many"}, "cases_per_week"),
    ({"cases_per_week": "NaN"}, "cases_per_week"),
    ({"cases_per_week": "1e400"}, "cases_per_week"),
    ({"cases_per_week": "12%"}, "cases_per_week"),
    ({"minutes_per_case": "-9"}, "minutes_per_case"),
    ({"minutes_per_case": "0"}, "minutes_per_case"),
    ({"minutes_per_case": "nine"}, "minutes_per_case"),
    ({"minutes_per_case": "nan"}, "minutes_per_case"),
    ({"minutes_per_case": "9,5"}, "minutes_per_case"),
]


def definition(store, slug):
    return store.playbooks.state(slug).playbook.definition


def with_curators(store, slack, clock):
    committed(store).org.set_setting("curators_channel", CURATORS, ADMIN, clock())
    slack.add_channel(CURATORS, [ADMIN])


def test_new_asks_before_the_kpi_and_keeps_the_answers(bot, slack, store, engine, clock):
    with_curators(store, slack, clock)
    view = open_new(bot, slack)
    inputs = [b for b in view["blocks"] if b["type"] == "input"]
    order = [b["block_id"] for b in inputs]
    asked = ["cases_per_week", "minutes_per_case", "structured", "value_event", "value_minutes"]
    assert order[order.index("channel") + 1 : order.index("kpi_name")] == asked
    required = {b["block_id"]: not b["optional"] for b in inputs}
    assert required["cases_per_week"] and required["minutes_per_case"] and required["value_event"]
    assert not required["value_minutes"]
    box = next(b for b in inputs if b["block_id"] == "structured")
    assert box["element"]["type"] == "checkboxes" and "initial_options" not in box["element"]
    assert next(b for b in inputs if b["block_id"] == "value_event")["label"]["text"].endswith(
        "name the one event you will count"
    )

    reply = submit(bot, view, NEW_VALUES, MEMBER)
    assert reply.body["response_action"] == "update", reply.body
    said = json.dumps(reply.body["view"], ensure_ascii=False)
    assert "refund-triage" in said and "funding a demo" not in said
    made = definition(store, "refund-triage")
    assert made["intake"] == {"cases_per_week": 120.0, "minutes_per_case": 9.0, "structured": True}
    assert made["value"] == {"event": "refund_done"}
    assert parse_playbook(made).intake is not None  # what `playbook load` takes back
    deliver(engine, slack, clock)
    line = json.dumps(slack.posted(CURATORS), ensure_ascii=False)
    assert "Intake: 120 cases a week × 9 min, structured" in line and "`refund_done`" in line
    assert "funding a demo" not in line


def test_a_demo_is_said_in_the_reply_and_to_the_curators_and_the_playbook_is_made(bot, slack, store, engine, clock):
    with_curators(store, slack, clock)
    answers = {**NEW_VALUES, "cases_per_week": "6", "structured": ""}
    reply = submit(bot, open_new(bot, slack), answers, MEMBER)
    assert reply.body["response_action"] == "update", reply.body
    assert "funding a demo? 6 cases a week; not structured" in json.dumps(reply.body["view"], ensure_ascii=False)
    assert definition(store, "refund-triage")["intake"]["structured"] is False
    assert store.playbooks.state("refund-triage").playbook.status == "active"
    deliver(engine, slack, clock)
    line = json.dumps(slack.posted(CURATORS), ensure_ascii=False)
    assert "funding a demo? 6 cases a week; not structured" in line and "6 cases a week × 9 min" in line
    team = json.dumps(slack.posted(CHANNEL), ensure_ascii=False)
    assert "Mode map" in team and "funding a demo" not in team  # the team gets its mode map, not the verdict

    # exactly the bar (10 a week), structured: no demo
    bar = submit(bot, open_new(bot, slack), {**NEW_VALUES, "title": "Refund two", "cases_per_week": "10"}, MEMBER)
    assert "funding a demo" not in json.dumps(bar.body["view"])


def test_each_bad_intake_is_refused_on_its_field_and_nothing_is_stored(bot, slack, engine):
    view = open_new(bot, slack)
    decisions = count(engine, Decision)
    missing = [
        ({"cases_per_week": ""}, "cases_per_week"),
        ({"minutes_per_case": ""}, "minutes_per_case"),
        ({"value_event": ""}, "value_event"),
    ]
    for change, field in BAD + missing:
        reply = submit(bot, view, {**NEW_VALUES, **change}, MEMBER)
        assert reply.body.get("response_action") == "errors", (change, reply.body)
        assert list(reply.body["errors"]) == [field], (change, reply.body["errors"])
        assert "Traceback" not in reply.body["errors"][field]
    assert count(engine, Playbook) == 0 and count(engine, Decision) == decisions
    said = submit(bot, view, {**NEW_VALUES, "cases_per_week": "-5"}, MEMBER).body["errors"]["cases_per_week"]
    assert "0" in said  # says the bound
    assert (
        "one event you will count"
        in submit(bot, view, {**NEW_VALUES, "value_event": ""}, MEMBER).body["errors"]["value_event"]
    )


def test_edit_keeps_the_intake_filled_in_and_a_change_is_a_revision(bot, slack, store, engine, clock):
    raw = {**SUPPORT_REPLIES, "intake": {"cases_per_week": 120, "minutes_per_case": 9, "structured": True}}
    loaded(store, [parse_playbook(raw)], "UTC", actor="test", at=clock())
    view = open_edit(bot, slack)
    values = shown(view)
    assert (values["cases_per_week"], values["minutes_per_case"], values["structured"]) == ("120", "9", "structured")
    decisions = count(engine, Decision)
    unchanged = submit(bot, view, values, OWNER)
    assert "nothing changed" in json.dumps(unchanged.body["view"]) and count(engine, Decision) == decisions

    for change, field in [*BAD, ({"cases_per_week": ""}, "cases_per_week")]:
        reply = submit(bot, view, {**values, **change}, OWNER)
        assert reply.body.get("response_action") == "errors", (change, reply.body)
        assert field in reply.body["errors"], (change, reply.body["errors"])
    assert definition(store, "support-replies")["intake"]["cases_per_week"] == 120
    assert count(engine, Decision) == decisions

    reply = submit(bot, view, {**values, "cases_per_week": "80", "structured": ""}, OWNER)
    assert reply.body["response_action"] == "update", reply.body
    changes = json.dumps(reply.body["view"], ensure_ascii=False)
    assert "intake 120 cases a week × 9 min, structured → 80 cases a week × 9 min, not structured" in changes
    assert definition(store, "support-replies")["intake"] == {
        "cases_per_week": 80.0,
        "minutes_per_case": 9.0,
        "structured": False,
    }
    assert count(engine, Decision) == decisions + 1
    again = shown(open_edit(bot, slack))
    assert (again["cases_per_week"], again["structured"]) == ("80", "")


def test_a_yaml_playbook_without_intake_or_value_event_edits_and_asks_what_it_will_count(
    bot, slack, store, engine, playbook
):
    view = open_edit(bot, slack)
    inputs = {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}
    assert inputs["cases_per_week"]["optional"] and inputs["value_event"]["optional"]
    values = shown(view)
    assert values["cases_per_week"] == values["minutes_per_case"] == values["value_event"] == ""
    decisions = count(engine, Decision)
    reply = submit(bot, view, values, OWNER)
    assert "nothing changed" in json.dumps(reply.body["view"]) and count(engine, Decision) == decisions
    assert "intake" not in definition(store, "support-replies")
    # one number without the other: refused on the missing one
    half = submit(bot, view, {**values, "cases_per_week": "40"}, OWNER)
    assert list(half.body["errors"]) == ["minutes_per_case"] and count(engine, Decision) == decisions
    assert "no value event: what will you count?" in bot.command("status support-replies", user=OWNER).text


def test_the_web_page_shows_the_intake_and_the_demo(bot, slack, store, engine, clock, http_server, database_url):
    from bot.app import create_app
    from bot.web import make_asgi
    from tests.bot.test_web_view import fetch
    from tests.conftest import settings_for

    answers = {**NEW_VALUES, "cases_per_week": "6", "structured": ""}
    assert submit(bot, open_new(bot, slack), answers, MEMBER).body["response_action"] == "update"
    mount, url = http_server
    settings = settings_for(database_url, slack, rollout_web_url=url)
    mount.app = make_asgi(create_app(settings, store, clock=clock), store, clock)
    link = re.search(r"(/web/login\?token=[A-Za-z0-9_-]+)", bot.command("web", user=MEMBER).text)
    cookie = fetch(url + link.group(1))[1]["Set-Cookie"].split(";")[0]
    status, _, page = fetch(url + "/web/playbooks/refund-triage", cookie)
    assert status == 200, page
    assert "Intake: 6 cases a week × 9 min, not structured" in page
    assert "funding a demo? 6 cases a week; not structured" in page
    assert "counts `refund_done`; no minutes saved given, so no hours are estimated" in page
