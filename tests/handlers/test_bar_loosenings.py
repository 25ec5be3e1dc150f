"""Issue 80, item 1 end to end: each loosening of the steps field through `/rollout edit`
as Slack sends it (a signed view_submission) waits as a bar change request, and the asker's
own approval click (the card's signed block_actions) is refused with the reason; on SQLite
and PostgreSQL. Their opposites, and the kit's and the evidence's loosenings loaded at the
server: tests/usecases/fast/test_bar_loosenings.py; the classification itself:
tests/cadence/test_bar_structure.py."""

import json

import pytest

from tests.handlers.test_bar_requests import buttons, cards, ephemeral, requests_of
from tests.handlers.test_playbook_form import open_edit, shown, submit
from tests.usecases.test_governance import CURATOR, CURATORS, click

STEPS_NOW = "draft: collaborative\nsend: ai-led\nrefunds: human-led pinned"


def now(store):
    return store.playbooks.state("support-replies").playbook.definition


@pytest.mark.parametrize(
    ("steps_field", "words", "in_force"),
    [
        (
            "draft: collaborative\nsend: ai-led\nrefunds: human-led",
            "step refunds pinned → unpinned",
            {"refunds": ("human-led", True)},
        ),
        (
            STEPS_NOW + "\nverify: ai-led",
            "new step verify at ai-led (runs collaborative until approved)",
            {"verify": ("collaborative", False)},
        ),
        (  # removed and added back under another name, at ai-led: unmistakably a request
            "draft: collaborative\nsend-v2: ai-led\nrefunds: human-led pinned",
            "new step send-v2 at ai-led (runs collaborative until approved)",
            {"send-v2": ("collaborative", False)},
        ),
    ],
    ids=["unpin", "new-step-ai-led", "removed-and-added-at-ai-led"],
)
def test_a_loosening_of_the_steps_field_waits_and_the_askers_own_click_is_refused(
    bot, slack, store, engine, world, steps_field, words, in_force
):
    view = open_edit(bot, slack, user=CURATOR)
    assert shown(view)["steps"] == STEPS_NOW
    reply = submit(bot, view, {**shown(view), "steps": steps_field, "why": "Trust <earned> on refunds"}, CURATOR)
    assert reply.body["response_action"] == "update", reply.body
    assert requests_of(engine) == [("open", CURATOR, None)]
    held = {s["name"]: (s["mode"], bool(s.get("pinned"))) for s in now(store)["steps"]}
    assert {name: held[name] for name in in_force} == in_force  # the rest applied, the loosening waits
    world.dispatcher.drain(max_wait=0)
    [card] = cards(slack)
    said = json.dumps(card["blocks"], ensure_ascii=False)
    assert f"• {words}" in said and "Trust &lt;earned&gt; on refunds" in said
    click(bot, "bar_approve", buttons(card)["bar_approve"], CURATOR, CURATORS, card["ts"])
    assert "the asker never decides their own" in ephemeral(slack)
    assert requests_of(engine) == [("open", CURATOR, None)]
    status = bot.command("status support-replies", user=CURATOR).text
    assert "waiting for a curator:" in status and f"• {words}" in status
