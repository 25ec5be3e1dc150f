"""The playbook form's value measure: `/rollout new` and `/rollout edit` take the value
event, the minutes each saves and the cost per month (in ROLLOUT_CURRENCY), as the YAML's
`value:` and `cost:`; every bad input refused on its field with nothing stored."""

import json

from cadence.definition import parse_playbook
from storage.models.governance import Decision
from storage.models.playbooks import Playbook
from tests.committed import loaded
from tests.conftest import MEMBER, OWNER, SUPPORT_REPLIES
from tests.handlers.test_playbook_form import NEW_VALUES, count, open_edit, open_new, shown, submit

VALUE = {"value_event": "reply_accepted", "value_minutes": "6", "cost": "1200"}
BAD = [
    ({"value_minutes": "0"}, "value_minutes", "more than 0"),
    ({"value_minutes": "-5"}, "value_minutes", "more than 0"),
    ({"value_minutes": "1441"}, "value_minutes", "at most 1440"),
    ({"value_minutes": "6%"}, "value_minutes", "percentage"),
    ({"value_minutes": "six"}, "value_minutes", "not a number"),
    ({"cost": "-1"}, "cost", "cannot be negative"),
    ({"cost": "1200 XYZ"}, "cost", "not an ISO 4217 currency code"),
    ({"cost": "1200 EUR"}, "cost", "Costs are in USD"),
    ({"cost": "1,200"}, "cost", "comma"),
    ({"value_event": "Reply accepted"}, "value_event", "Must be one word of lowercase letters, digits and '_'"),
]
# `/rollout new` asks for the value event (the minutes it saves stay optional); an edit of a
# playbook without one may leave both empty, but not name minutes without their event
NEW_BAD = [({"value_event": ""}, "value_event", "Name the one event you will count")]
EDIT_BAD = [({"value_event": ""}, "value_event", "leave both empty")]


def definition(store, slug):
    return store.playbooks.state(slug).playbook.definition


def test_new_shows_the_currency_and_stores_value_and_cost_as_the_yaml_has_them(bot, slack, store):
    view = open_new(bot, slack)
    hints = {b["block_id"]: b.get("hint", {}).get("text", "") for b in view["blocks"] if b["type"] == "input"}
    assert "USD" in hints["cost"] and "ROLLOUT_CURRENCY" in hints["cost"]
    optional = {b["block_id"]: b["optional"] for b in view["blocks"] if b.get("block_id") in VALUE}
    assert optional == {"value_event": False, "value_minutes": True, "cost": True}
    reply = submit(bot, view, {**NEW_VALUES, **VALUE, "cost": "1200 usd"}, MEMBER)
    assert reply.body["response_action"] == "update", reply.body
    made = definition(store, "refund-triage")
    assert made["value"] == {"event": "reply_accepted", "minutes_saved": 6.0}
    assert made["cost"] == {"per_month": 1200.0}
    assert parse_playbook(made).value.minutes_saved == 6  # what `playbook load` takes
    # and shown: status says what the measure counts
    assert "`reply_accepted`" in bot.command("status refund-triage", user=MEMBER).text

    # the event alone (minutes saved and cost are optional): counted, no hours estimated
    again = submit(bot, open_new(bot, slack), {**NEW_VALUES, "title": "Refund triage two"}, MEMBER)
    assert again.body["response_action"] == "update", again.body
    made = definition(store, "refund-triage-two")
    assert made["value"] == {"event": "refund_done"} and "cost" not in made
    assert parse_playbook(made).canonical()["value"] == {"event": "refund_done"}  # exported as stored
    said = bot.command("status refund-triage-two", user=MEMBER).text
    assert "counts `refund_done`; no minutes saved given, so no hours are estimated" in said


def test_each_bad_value_input_is_refused_on_its_field_and_nothing_is_stored(bot, slack, engine):
    view = open_new(bot, slack)
    decisions = count(engine, Decision)
    for change, field, words in BAD + NEW_BAD:
        reply = submit(bot, view, {**NEW_VALUES, **VALUE, **change}, MEMBER)
        assert reply.body.get("response_action") == "errors", (change, reply.body)
        assert words in reply.body["errors"][field], (change, reply.body["errors"])
    assert count(engine, Playbook) == 0 and count(engine, Decision) == decisions


def test_edit_is_filled_in_with_the_value_and_each_change_is_a_revision(bot, slack, store, engine, clock):
    raw = {**SUPPORT_REPLIES, "value": {"event": "reply_accepted", "minutes_saved": 6}, "cost": {"per_month": 1200}}
    loaded(store, [parse_playbook(raw)], "UTC", actor="test", at=clock())
    view = open_edit(bot, slack)
    values = shown(view)
    assert (values["value_event"], values["value_minutes"], values["cost"]) == ("reply_accepted", "6", "1200")
    decisions = count(engine, Decision)
    unchanged = submit(bot, view, values, OWNER)
    assert "nothing changed" in json.dumps(unchanged.body["view"]) and count(engine, Decision) == decisions

    # a bad input on edit: refused on its field, the playbook as it was
    for change, field, words in BAD + EDIT_BAD:
        reply = submit(bot, view, {**values, **change}, OWNER)
        assert words in reply.body["errors"][field], (change, reply.body)
    assert definition(store, "support-replies")["value"]["minutes_saved"] == 6
    assert count(engine, Decision) == decisions

    reply = submit(bot, view, {**values, "value_minutes": "7.5", "cost": "1500"}, OWNER)
    assert reply.body["response_action"] == "update", reply.body
    changes = json.dumps(reply.body["view"], ensure_ascii=False)
    assert "value measure reply_accepted × 6 min saved → reply_accepted × 7.5 min saved" in changes
    assert "cost per month 1200 → 1500" in changes
    assert definition(store, "support-replies")["cost"] == {"per_month": 1500.0}

    # emptied: no value measure, and the revision says so
    view = open_edit(bot, slack)
    emptied = {**shown(view), "value_event": "", "value_minutes": "", "cost": ""}
    reply = submit(bot, view, emptied, OWNER)
    changes = json.dumps(reply.body["view"], ensure_ascii=False)
    assert "value measure removed (reply_accepted × 7.5 min saved): no value measure" in changes
    assert "cost per month 1500 → none" in changes
    after = definition(store, "support-replies")
    assert "value" not in after and "cost" not in after
    assert "no value event: what will you count?" in bot.command("status support-replies", user=OWNER).text
    assert count(engine, Decision) == decisions + 2


def test_edit_keeps_a_value_measures_source(bot, slack, store, clock):
    """The form does not show a value measure's `from:`: changing the minutes keeps it."""
    raw = {
        **SUPPORT_REPLIES,
        "sources": {"wh": {"kind": "sql", "url_env": "WH"}},
        "value": {"event": "refund_done", "minutes_saved": 10, "from": {"source": "wh", "query": "select 1"}},
    }
    loaded(store, [parse_playbook(raw)], "UTC", actor="test", at=clock())
    view = open_edit(bot, slack)
    reply = submit(bot, view, {**shown(view), "value_minutes": "12"}, OWNER)
    assert reply.body["response_action"] == "update", reply.body
    value = definition(store, "support-replies")["value"]
    assert value["minutes_saved"] == 12 and value["from"] == {"source": "wh", "query": "select 1"}
