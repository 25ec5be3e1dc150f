"""The handoff's fallback mode in the kit form (issue 81, "Handoffs with a fallback"),
signed form submissions as tests/handlers/test_kit_form.py, whose helpers this uses."""

import json

from storage.models.governance import Decision
from tests.conftest import OWNER
from tests.handlers.test_kit_form import open_kit, shown, submit
from tests.handlers.test_playbook_form import count


def test_the_handoffs_fallback_is_a_field_of_the_kit_and_a_looser_one_waits_for_a_curator(
    bot, slack, store, engine, playbook
):
    """Issue 81, "Handoffs with a fallback": the form shows the fallback (collaborative by
    default, unwritten), takes human-led at once (stricter: people on every case) and
    collaborative again only as a bar change request; a fallback without a handoff is refused."""
    view = open_kit(bot, slack)
    assert shown(view)["fallback"] == "collaborative"
    alone = submit(bot, view, {**shown(view), "fallback": "human-led"}, OWNER)
    assert set(alone.body["errors"]) == {"sla_hours"}, alone.body  # a fallback needs a handoff
    untouched = submit(bot, view, {**shown(view), "sla_hours": "24"}, OWNER)
    assert untouched.body["response_action"] == "update", untouched.body
    assert store.playbooks.state("support-replies").playbook.definition["handoff"] == {"sla_hours": 24}

    view = open_kit(bot, slack)
    stricter = submit(bot, view, {**shown(view), "fallback": "human-led"}, OWNER)
    assert stricter.body["response_action"] == "update", stricter.body
    assert "handoff sla hours 24 → sla hours 24, fallback human-led" in json.dumps(
        stricter.body["view"], ensure_ascii=False
    )
    handoff = store.playbooks.state("support-replies").playbook.definition["handoff"]
    assert handoff == {"sla_hours": 24, "fallback": "human-led"}
    view = open_kit(bot, slack)
    assert shown(view)["fallback"] == "human-led"

    decisions = count(engine, Decision)
    looser = submit(bot, view, {**shown(view), "fallback": "collaborative"}, OWNER)
    assert looser.body["response_action"] == "errors", looser.body
    assert "handoff fallback human-led → collaborative" in looser.body["errors"]["why"]
    assert count(engine, Decision) == decisions  # refused without a reason: nothing stored
    asked = submit(bot, view, {**shown(view), "fallback": "collaborative", "why": "triage covers it"}, OWNER)
    assert "loosen the bar (handoff fallback human-led → collaborative)" in asked.body["errors"]["why"]  # a curator's
    assert store.playbooks.state("support-replies").playbook.definition["handoff"]["fallback"] == "human-led"
