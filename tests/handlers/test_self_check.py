"""The self-check before the next pilot (issue 97, item 6) end to end, through Slack's
signed requests on both databases: `/rollout new`'s form asks seed 004's questions with the
intake; answers left vague are kept and said as "funding a demo?" to the asker, to the
curators and in the curators' digest of its first cycle; clear ones fill in the playbook:
its operational owner as its owners, and the kit form's starting values (its contract the
inputs; the rubric and calibration set its trust answer names; the kit of the published
version it replicates), which count only once its owner saves them. The rule's words are
tests/cadence/test_definition_intake.py's; what an answer names, tests/cadence/test_self_check.py's."""

import json
from datetime import UTC, datetime

from tests.conftest import MEMBER, OWNER
from tests.handlers.test_kit_form import open_kit, shown
from tests.handlers.test_kit_form import submit as submit_kit
from tests.handlers.test_playbook_form import open_new, submit
from tests.usecases.fast.form_world import NEW_VALUES
from tests.usecases.test_governance import CURATORS, publish_over

# a one-word value event names no thing and what became of it; a person picked is a full answer
VAGUE = {
    **NEW_VALUES,
    "value_event": "refunds",
    "contract": "the ticket",
    "trust": "",
    "operator": OWNER,
    "template": "",
}


def test_vague_answers_are_kept_and_said_as_funding_a_demo_clear_ones_fill_in_the_playbook(bot, world, slack, store):
    view = open_new(bot, slack)
    asked = [
        b["label"]["text"] for b in view["blocks"] if b.get("block_id") in ("contract", "trust", "operator", "template")
    ]
    assert asked == [
        "The minimum input contract: what must every case come with?",
        "How will its outputs become trustworthy?",
        "Who runs it once the pilot team moves on?",
        "Which version does it replicate? (or new)",
    ]
    hints = {b.get("block_id"): b.get("hint", {}).get("text", "") for b in view["blocks"]}
    assert "they start your kit" in hints["trust"] and "your kit starts from its kit" in hints["template"]
    made = submit(bot, view, VAGUE, MEMBER)
    warning = (
        "funding a demo? vague: the value event, the input contract, how outputs become trustworthy, "
        "the replication template"
    )
    assert warning in json.dumps(made.body["view"], ensure_ascii=False)
    definition = store.playbooks.state("refund-triage").playbook.definition
    assert definition["intake"]["contract"] == "the ticket" and definition["intake"]["trust"] == ""
    assert definition["owners"] == {"business_rules": OWNER, "model_updates": OWNER}
    assert definition["inputs"] == []  # the contract fills in the kit form's inputs instead

    world.run(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))  # the curators heard of it, with its warning
    assert any(warning in json.dumps(m, ensure_ascii=False) for m in slack.posted(CURATORS))
    world.run(datetime(2026, 11, 30, 13, 5, tzinfo=UTC))  # its first week's digest names it
    [thread] = [m for m in slack.posted(CURATORS) if m["text"] == "Support: 2 playbooks"]
    assert f"*refund-triage* · Refund triage\\n:warning: {warning}" in json.dumps(thread["blocks"], ensure_ascii=False)


def _intro(view):
    return view["blocks"][0]["text"]["text"]


def test_the_answers_start_the_kit_form_and_count_once_its_owner_saves_them(bot, world, slack, store):
    trust = "a rubric of tone and accuracy, and a calibration set of 40 past tickets"
    made = submit(bot, open_new(bot, slack), {**NEW_VALUES, "trust": trust}, MEMBER)
    assert made.body["response_action"] == "update" and "funding a demo" not in json.dumps(made.body["view"])
    definition = store.playbooks.state("refund-triage").playbook.definition
    assert definition["inputs"] == [] and "rubric" not in definition and "calibration" not in definition  # no gate yet

    view = open_kit(bot, slack, "refund-triage", user=MEMBER)
    started = shown(view)
    assert started["inputs"] == NEW_VALUES["contract"]
    assert started["dimensions"] == "tone, accuracy" and started["calibration_cases"] == "40"
    assert (
        "Filled in from your answers to `/rollout new`: inputs, rubric dimensions, calibration set. "
        "Check them: they count only once you save."
    ) in _intro(view)

    saved = submit_kit(bot, view, started, MEMBER)  # as Slack sends it: the owner keeps them
    assert saved.body["response_action"] == "update", saved.body
    definition = store.playbooks.state("refund-triage").playbook.definition
    assert definition["inputs"] == [NEW_VALUES["contract"]]
    assert definition["rubric"] == {"dimensions": ["tone", "accuracy"]} and definition["calibration"] == {"cases": 40}
    again = open_kit(bot, slack, "refund-triage", user=MEMBER)
    assert shown(again)["calibration_cases"] == "40" and "Filled in" not in _intro(again)  # the playbook's own now


def test_a_template_naming_a_published_version_starts_the_kit_from_that_version(bot, world, slack, store):
    kit = {
        "outputs": "reply sent",
        "runbook": "https://wiki.example.com/support-replies",
        "training": "Shadow the origin team for one week",
        "checks": "Draft 10 sample tickets",
        "dimensions": "tone, accuracy",
        "calibration_cases": "30",
    }
    packaged = submit_kit(bot, open_kit(bot, slack), kit, OWNER)
    assert packaged.body["response_action"] == "update", packaged.body
    assert "support-replies v1" in publish_over(bot, store, "publish support-replies override sharing it early")

    own = {
        **NEW_VALUES,
        "trust": "a calibration set of 12 past refunds, reviewed weekly",
        "template": "Support-Replies@v1",
    }
    made = submit(bot, open_new(bot, slack), own, MEMBER)
    assert made.body["response_action"] == "update", made.body
    said = json.dumps(made.body["view"], ensure_ascii=False)
    assert "It replicates *support-replies v1*: `/rollout kit refund-triage` starts from that version's kit" in said
    definition = store.playbooks.state("refund-triage").playbook.definition
    assert definition["intake"]["template"] == "support-replies v1"  # kept by the registry's name
    assert not definition["outputs"] and not definition["replication"].get("runbook") and "rubric" not in definition

    view = open_kit(bot, slack, "refund-triage", user=MEMBER)
    started = shown(view)
    assert {k: started[k] for k in ("outputs", "runbook", "training", "checks", "dimensions")} == {
        k: v for k, v in kit.items() if k != "calibration_cases"
    }
    assert started["calibration_cases"] == "12"  # its own answer before the version's
    assert started["inputs"] == NEW_VALUES["contract"]
    assert (
        "Filled in from your answers to `/rollout new` and *support-replies v1*, the version it replicates: "
        "inputs, outputs, runbook, training, checks, rubric dimensions, calibration set."
    ) in _intro(view)


def test_a_template_the_registry_has_not_is_refused_on_its_field_and_nothing_is_made(bot, world, slack, store):
    reply = submit(bot, open_new(bot, slack), {**NEW_VALUES, "template": "support-replys v1"}, MEMBER)
    assert reply.body["response_action"] == "errors", reply.body
    assert reply.body["errors"] == {
        "template": "The registry has no support-replys v1: name a published version as `/rollout registry` "
        "lists it (e.g. support-replies v2), or write new."
    }
    assert store.playbooks.state("refund-triage") is None
