"""The playbook form's value measure: `/rollout new` and `/rollout edit` take the value
event, the minutes each saves and the cost per month (in ROLLOUT_CURRENCY), as the YAML's
`value:` and `cost:`, submitted as Slack sends them (every bad input refused, and edits:
tests/usecases/fast/test_playbook_form_value.py)."""

from cadence.definition_load import parse_playbook
from tests.conftest import MEMBER
from tests.handlers.test_playbook_form import NEW_VALUES, open_new, submit

VALUE = {"value_event": "reply_accepted", "value_minutes": "6", "cost": "1200"}


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
    two = {**NEW_VALUES, "title": "Refund triage two"}  # the same KPI: made with a reason (test_similar.py)
    asked_why = submit(bot, open_new(bot, slack), two, MEMBER).body["view"]
    again = submit(bot, asked_why, {**two, "anyway": "another desk"}, MEMBER)
    assert again.body["response_action"] == "update", again.body
    made = definition(store, "refund-triage-two")
    assert made["value"] == {"event": "refund_done"} and "cost" not in made
    assert parse_playbook(made).canonical()["value"] == {"event": "refund_done"}  # exported as stored
    said = bot.command("status refund-triage-two", user=MEMBER).text
    assert "counts `refund_done`; no minutes saved given, so no hours are estimated" in said
