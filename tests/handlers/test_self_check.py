"""The self-check before the next pilot (issue 97, item 6) end to end, through Slack's
signed requests on both databases: `/rollout new`'s form asks seed 004's questions with the
intake; answers left vague are kept and said as "funding a demo?" to the asker, to the
curators and in the curators' digest of its first cycle; clear ones fill in the playbook
(its operational owner; its contract, the kit form's inputs). The rule's words are tests/cadence/test_definition_intake.py's."""

import json
from datetime import UTC, datetime

from tests.conftest import MEMBER, OWNER
from tests.handlers.test_playbook_form import open_new, submit
from tests.usecases.fast.form_world import NEW_VALUES
from tests.usecases.test_governance import CURATORS

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
