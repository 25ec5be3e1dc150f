"""A pilot worth funding (usecases/playbook_form.py, usecases/intake_form.py) on the fakes:
`/rollout new` asks how often the work happens, what one case costs today, whether it is
structured and the one event it will count, before the KPI; the answers are kept as the
YAML's `intake:` and shown to the curators; a demo is flagged, not refused."""

from __future__ import annotations

import json

from cadence.definition_load import parse_playbook
from storage.store import CURATORS_CHANNEL
from tests import fakes
from tests.fakes import CHANNEL, MEMBER, OWNER
from tests.usecases.fast.form_world import (
    NEW_VALUES,
    a_playbook,
    decisions,
    form_view,
    open_edit,
    open_new,
    status_of,
    submit,
    world,
)

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


def definition(services, slug):
    return fakes.store_of(services).playbooks.state(slug).playbook.definition


def with_curators(*states):
    services = world(*states)
    fakes.store_of(services).held.settings[CURATORS_CHANNEL] = CURATORS
    return services


def sent(services, channel):
    return json.dumps([m.payload for m in fakes.store_of(services).held.sent(channel)], ensure_ascii=False)


def test_new_asks_before_the_kpi_and_keeps_the_answers():
    services = with_curators()
    form = open_new(services)
    inputs = [b for b in form_view(form)["blocks"] if b["type"] == "input"]
    order = [b["block_id"] for b in inputs]
    asked = ["cases_per_week", "minutes_per_case", "structured", "value_event", "value_minutes"]
    asked += ["contract", "trust", "operator", "template"]  # the self-check (docs/programme.md)
    assert order[order.index("channel") + 1 : order.index("kpi_name")] == asked
    required = {b["block_id"]: not b["optional"] for b in inputs}
    assert required["cases_per_week"] and required["minutes_per_case"] and required["value_event"]
    assert not required["value_minutes"] and not any(required[f] for f in ("contract", "trust", "operator", "template"))
    box = next(b for b in inputs if b["block_id"] == "structured")
    assert box["element"]["type"] == "checkboxes" and "initial_options" not in box["element"]
    assert next(b for b in inputs if b["block_id"] == "value_event")["label"]["text"].endswith(
        "name the one event you will count"
    )

    reply = submit(services, form, NEW_VALUES, MEMBER)
    assert reply["response_action"] == "update", reply
    said = json.dumps(reply["view"], ensure_ascii=False)
    assert "refund-triage" in said and "funding a demo" not in said
    made = definition(services, "refund-triage")
    assert made["intake"] == {
        "cases_per_week": 120.0,
        "minutes_per_case": 9.0,
        "structured": True,
        # the self-check's answers, kept as asked (docs/programme.md)
        "contract": "the refund request, the order and the policy",
        "trust": "a rubric of accuracy and a calibration set",
        "operator": OWNER,
        "template": "new",
    }
    assert made["owners"] == {"business_rules": OWNER, "model_updates": OWNER}  # its operator, named
    assert made["inputs"] == []  # its contract fills in the kit form's inputs (tests/usecases/fast/test_kit_form.py)
    assert made["value"] == {"event": "refund_done"}
    assert parse_playbook(made).intake is not None  # what `playbook load` takes back
    line = sent(services, CURATORS)
    assert "Intake: 120 cases a week × 9 min, structured" in line and "`refund_done`" in line
    assert "funding a demo" not in line


def test_a_demo_is_said_in_the_reply_and_to_the_curators_and_the_playbook_is_made():
    services = with_curators()
    answers = {**NEW_VALUES, "cases_per_week": "6", "structured": ""}
    reply = submit(services, open_new(services), answers, MEMBER)
    assert reply["response_action"] == "update", reply
    assert "funding a demo? 6 cases a week; not structured" in json.dumps(reply["view"], ensure_ascii=False)
    assert definition(services, "refund-triage")["intake"]["structured"] is False
    assert fakes.store_of(services).playbooks.state("refund-triage").playbook.status == "active"
    line = sent(services, CURATORS)
    assert "funding a demo? 6 cases a week; not structured" in line and "6 cases a week × 9 min" in line
    team = sent(services, CHANNEL)
    assert "Mode map" in team and "funding a demo" not in team  # the team gets its mode map, not the verdict

    # exactly the bar (10 a week), structured: no demo
    bar = submit(services, open_new(services), {**NEW_VALUES, "title": "Refund two", "cases_per_week": "10"}, MEMBER)
    assert "funding a demo" not in json.dumps(bar["view"])


def test_each_bad_intake_is_refused_on_its_field_and_nothing_is_stored():
    services = world()
    form = open_new(services)
    missing = [
        ({"cases_per_week": ""}, "cases_per_week"),
        ({"minutes_per_case": ""}, "minutes_per_case"),
        ({"value_event": ""}, "value_event"),
    ]
    for change, field in BAD + missing:
        reply = submit(services, form, {**NEW_VALUES, **change}, MEMBER)
        assert reply.get("response_action") == "errors", (change, reply)
        assert list(reply["errors"]) == [field], (change, reply["errors"])
        assert "Traceback" not in reply["errors"][field]
    assert fakes.store_of(services).held.states == {} and decisions(services) == []
    said = submit(services, form, {**NEW_VALUES, "cases_per_week": "-5"}, MEMBER)["errors"]["cases_per_week"]
    assert "0" in said  # says the bound
    no_event = submit(services, form, {**NEW_VALUES, "value_event": ""}, MEMBER)["errors"]["value_event"]
    assert "one event you will count" in no_event


def test_edit_keeps_the_intake_filled_in_and_a_change_is_a_revision():
    services = world(a_playbook(intake={"cases_per_week": 120, "minutes_per_case": 9, "structured": True}))
    form = open_edit(services)
    values = form.values
    assert (values["cases_per_week"], values["minutes_per_case"], values["structured"]) == ("120", "9", "structured")
    unchanged = submit(services, form, values, OWNER)
    assert "nothing changed" in json.dumps(unchanged["view"]) and decisions(services) == []

    for change, field in [*BAD, ({"cases_per_week": ""}, "cases_per_week")]:
        reply = submit(services, form, {**values, **change}, OWNER)
        assert reply.get("response_action") == "errors", (change, reply)
        assert field in reply["errors"], (change, reply["errors"])
    assert definition(services, "support-replies")["intake"]["cases_per_week"] == 120
    assert decisions(services) == []

    reply = submit(services, form, {**values, "cases_per_week": "80", "structured": ""}, OWNER)
    assert reply["response_action"] == "update", reply
    changes = json.dumps(reply["view"], ensure_ascii=False)
    assert "intake 120 cases a week × 9 min, structured → 80 cases a week × 9 min, not structured" in changes
    assert definition(services, "support-replies")["intake"] == {
        "cases_per_week": 80.0,
        "minutes_per_case": 9.0,
        "structured": False,
    }
    assert len(decisions(services)) == 1
    again = open_edit(services).values
    assert (again["cases_per_week"], again["structured"]) == ("80", "")


def test_a_yaml_playbook_without_intake_or_value_event_edits_and_asks_what_it_will_count():
    services = world(a_playbook())
    form = open_edit(services)
    inputs = {b["block_id"]: b for b in form_view(form)["blocks"] if b["type"] == "input"}
    assert inputs["cases_per_week"]["optional"] and inputs["value_event"]["optional"]
    values = form.values
    assert values["cases_per_week"] == values["minutes_per_case"] == values["value_event"] == ""
    reply = submit(services, form, values, OWNER)
    assert "nothing changed" in json.dumps(reply["view"]) and decisions(services) == []
    assert "intake" not in definition(services, "support-replies")
    # one number without the other: refused on the missing one
    half = submit(services, form, {**values, "cases_per_week": "40"}, OWNER)
    assert list(half["errors"]) == ["minutes_per_case"] and decisions(services) == []
    assert "no value event: what will you count?" in status_of(services, "support-replies")
