"""The playbook form's value measure (usecases/value_form.py) on the fakes: `/rollout new`
and `/rollout edit` take the value event, the minutes each saves and the cost per month
(in ROLLOUT_CURRENCY), as the YAML's `value:` and `cost:`; every bad input refused on its
field with nothing stored."""

from __future__ import annotations

import json

from tests import fakes
from tests.fakes import MEMBER, OWNER
from tests.usecases.fast.form_world import (
    NEW_VALUES,
    a_playbook,
    decisions,
    open_edit,
    open_new,
    status_of,
    submit,
    world,
)

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


def definition(services, slug):
    return fakes.store_of(services).playbooks.state(slug).playbook.definition


def test_each_bad_value_input_is_refused_on_its_field_and_nothing_is_stored():
    services = world()
    form = open_new(services)
    for change, field, words in BAD + NEW_BAD:
        reply = submit(services, form, {**NEW_VALUES, **VALUE, **change}, MEMBER)
        assert reply.get("response_action") == "errors", (change, reply)
        assert words in reply["errors"][field], (change, reply["errors"])
    assert fakes.store_of(services).held.states == {} and decisions(services) == []


def test_edit_is_filled_in_with_the_value_and_each_change_is_a_revision():
    value = {"event": "reply_accepted", "minutes_saved": 6}
    services = world(a_playbook(value=value, cost={"per_month": 1200}))
    form = open_edit(services)
    values = form.values
    assert (values["value_event"], values["value_minutes"], values["cost"]) == ("reply_accepted", "6", "1200")
    unchanged = submit(services, form, values, OWNER)
    assert "nothing changed" in json.dumps(unchanged["view"]) and decisions(services) == []

    # a bad input on edit: refused on its field, the playbook as it was
    for change, field, words in BAD + EDIT_BAD:
        reply = submit(services, form, {**values, **change}, OWNER)
        assert words in reply["errors"][field], (change, reply)
    assert definition(services, "support-replies")["value"]["minutes_saved"] == 6
    assert decisions(services) == []

    reply = submit(services, form, {**values, "value_minutes": "7.5", "cost": "1500"}, OWNER)
    assert reply["response_action"] == "update", reply
    changes = json.dumps(reply["view"], ensure_ascii=False)
    assert "value measure reply_accepted × 6 min saved → reply_accepted × 7.5 min saved" in changes
    assert "cost per month 1200 → 1500" in changes
    assert definition(services, "support-replies")["cost"] == {"per_month": 1500.0}

    # emptied: no value measure, and the revision says so
    form = open_edit(services)
    emptied = {**form.values, "value_event": "", "value_minutes": "", "cost": ""}
    reply = submit(services, form, emptied, OWNER)
    changes = json.dumps(reply["view"], ensure_ascii=False)
    assert "value measure removed (reply_accepted × 7.5 min saved): no value measure" in changes
    assert "cost per month 1500 → none" in changes
    after = definition(services, "support-replies")
    assert "value" not in after and "cost" not in after
    assert "no value event: what will you count?" in status_of(services, "support-replies")
    assert len(decisions(services)) == 2


def test_edit_keeps_a_value_measures_source():
    """The form does not show a value measure's `from:`: changing the minutes keeps it."""
    value = {"event": "refund_done", "minutes_saved": 10, "from": {"source": "wh", "query": "select 1"}}
    services = world(a_playbook(sources={"wh": {"kind": "sql", "url_env": "WH"}}, value=value))
    form = open_edit(services)
    reply = submit(services, form, {**form.values, "value_minutes": "12"}, OWNER)
    assert reply["response_action"] == "update", reply
    stored = definition(services, "support-replies")["value"]
    assert stored["minutes_saved"] == 12 and stored["from"] == {"source": "wh", "query": "select 1"}
