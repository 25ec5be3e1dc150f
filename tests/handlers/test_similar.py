"""The same learning, not paid twice (issue 97, item 5) end to end: `/rollout new`'s form,
submitted as Slack sends it on both databases, is shown again with the published version
it closely matches (*Adopt it* pushes the request's form, its version filled in) and a box
for why to create it anyway; nothing is made until a reason is given, and the reason is kept.
Steps in common match within the same function only (issue 108, item 12), and each match
says why it matched. The matching's rules are tests/cadence/test_similarity.py's."""

import copy
import json
from datetime import date

from sqlmodel import Session, select

from cadence.definition_load import parse_playbook
from storage.models.governance import Decision
from tests.committed import loaded
from tests.conftest import MEMBER
from tests.handlers.test_next_steps import SALES_DESK
from tests.handlers.test_playbook_form import open_new, submit
from tests.usecases.fast.form_world import NEW_VALUES
from tests.usecases.test_governance import CURATOR, adopt_over, publish_over
from tests.usecases.test_requests import OPS, OPS_OWNER, SALES_OWNER
from usecases.shared.life import begin_cycle

SAME_KPI = {**NEW_VALUES, "title": "Reply drafting", "kpi_name": "first response time", "kpi_unit": "min"}
# Support's own other desk: support-replies' steps (draft, send, refunds), another KPI
HELP_DESK = copy.deepcopy(SALES_DESK) | {"playbook": "help-desk", "title": "Help desk replies", "function": "Support"}
STEPS_MATCH = "help-desk (Support), 3 of 3 steps in common (draft, send, refunds)"
# issue 108, item 12: Finance's own playbook, sharing nothing with the others but generic step names
DUNNING = {
    **NEW_VALUES,
    "title": "Invoice dunning letters",
    "function": "Finance",
    "value_event": "letter_sent",
    "kpi_name": "Days to pay",
    "kpi_unit": "days",
    "baseline": "40",
    "target": "30",
    "steps": "draft: collaborative\nsend: human-led\nrefunds: human-led",
}


def decisions(engine, kind):
    with Session(engine) as s:
        return [
            (d.summary, d.figures) for d in s.exec(select(Decision).where(Decision.kind == kind).order_by(Decision.id))
        ]


def test_a_close_match_is_shown_before_anything_is_made_and_a_reason_creates_it_anyway(
    bot, world, slack, store, engine
):
    assert "support-replies v1" in publish_over(bot, store, "publish support-replies override sharing it early")
    first = submit(bot, open_new(bot, slack), SAME_KPI, MEMBER)
    assert first.body["response_action"] == "update" and store.playbooks.state("reply-drafting") is None
    view = first.body["view"]
    shown = json.dumps(view, ensure_ascii=False)
    assert "The same learning may be paid for already" in shown
    assert "support-replies v1 (Support), same KPI First-response time (min)" in shown
    assert view["submit"]["text"] == "Create anyway" and view["callback_id"] == "playbook_new"
    [button] = [b["accessory"] for b in view["blocks"] if b.get("accessory", {}).get("action_id") == "similar_adopt"]
    assert button["value"] == "support-replies@v1"

    # Adopt it: the request's form over it, its version filled in
    bot.interaction(
        {
            "type": "block_actions",
            "user": {"id": MEMBER},
            "trigger_id": "12345.98765.abcd",
            "container": {"type": "view", "view_id": "V0000000001"},
            "view": {**view, "id": "V0000000001"},
            "actions": [
                {"type": "button", "action_id": "similar_adopt", "block_id": "similar_0", "value": button["value"]}
            ],
        }
    )
    [push] = slack.calls_to("views.push")
    pushed = json.loads(push.params["view"]) if isinstance(push.params["view"], str) else push.params["view"]
    [version] = [b["element"] for b in pushed["blocks"] if b.get("block_id") == "version"]
    assert version["initial_value"] == "support-replies@v1"

    empty = submit(bot, view, {**SAME_KPI, "anyway": "  "}, MEMBER)
    assert empty.body == {"response_action": "errors", "errors": {"anyway": empty.body["errors"]["anyway"]}}
    assert "Say why it is not one of those above" in empty.body["errors"]["anyway"]
    assert store.playbooks.state("reply-drafting") is None and decisions(engine, "created-anyway") == []

    made = submit(bot, view, {**SAME_KPI, "anyway": "Our replies are B2B:   another policy"}, MEMBER)
    assert "reply-drafting" in json.dumps(made.body["view"]) and store.playbooks.state("reply-drafting") is not None
    [(summary, figures)] = decisions(engine, "created-anyway")
    assert figures == {
        "similar": ["support-replies v1 (Support), same KPI First-response time (min)"],
        "reason": "Our replies are B2B: another policy",
    }
    assert summary.startswith("Playbook reply-drafting created though support-replies v1 (Support)")


def test_an_adoption_into_a_new_function_shows_an_active_playbook_to_ask_for_and_keeps_the_override(
    bot, world, slack, store, engine, clock
):
    """support-replies v1 into #ops, whose team runs none of Support: help-desk, Support's too,
    running in #sales unpublished, has the same steps. The adopt answers with the offer, nothing
    stored: help-desk to ask its owner for (no version to adopt instead), support-replies' own adopt
    with a reason. A curator's typed `override <reason>` asks another curator, whose Approve
    adopts it, the reason kept (the
    offer's buttons are tests/handlers/test_adopt_offer.py's)."""
    assert "support-replies v1" in publish_over(bot, store, "publish support-replies override sharing it early")
    loaded(store, [parse_playbook(HELP_DESK)], "UTC", actor="test", at=clock())
    begin_cycle(store, store.playbooks.state("help-desk").playbook.id, 1, date(2026, 11, 30), SALES_OWNER, clock())
    slack.add_channel(OPS, [OPS_OWNER])
    slack.add_user(OPS_OWNER)
    command = f"adopt support-replies <#{OPS}|ops> owner <@{OPS_OWNER}>"
    shown = bot.command(command, user=CURATOR)
    assert f"*support-replies v1* (Support) would be the first playbook of its function in <#{OPS}>" in shown.text
    assert f"{STEPS_MATCH}: ask its owner to share it" in shown.text
    buttons = [
        e.get("action_id") for b in shown.body["blocks"] for e in [b.get("accessory") or {}, *b.get("elements", [])]
    ]
    assert [b for b in buttons if b] == ["adopt_anyway"]
    assert store.playbooks.state("support-replies-ops") is None and decisions(engine, "created-anyway") == []
    asked = adopt_over(bot, store, command + " override ops answers Support's own tickets")  # another curator decides
    assert "past close matches" in asked
    assert store.playbooks.state("support-replies-ops") is not None
    [(_, figures)] = decisions(engine, "created-anyway")
    assert figures["reason"] == "ops answers Support's own tickets"
    assert figures["similar"] == [STEPS_MATCH]


def test_an_approved_request_into_a_new_function_shows_the_close_match_on_its_card_and_a_reason_adopts_it(
    bot, world, slack, store, engine, clock
):
    """#ops, which runs none of Support, asks for support-replies v1 while help-desk (Support)
    has the same steps: Approve runs the same adopt, so the same check. The card shows the match,
    nothing stored; its reason button adopts it, the reason kept as `created-anyway`."""
    from tests.usecases.test_governance import CURATORS, click
    from tests.usecases.test_requests import CHAMPION, body, card_buttons, cards, opened, request, requests_of

    assert "support-replies v1" in publish_over(bot, store, "publish support-replies override sharing it early")
    loaded(store, [parse_playbook(HELP_DESK)], "UTC", actor="test", at=clock())
    begin_cycle(store, store.playbooks.state("help-desk").playbook.id, 1, date(2026, 11, 30), SALES_OWNER, clock())
    slack.add_channel(OPS, [OPS_OWNER, CHAMPION])
    for user in (OPS_OWNER, CHAMPION):
        slack.add_user(user)
    asked = request(bot, slack, f"request support-replies <#{OPS}|ops> champion <@{CHAMPION}>", OPS_OWNER)
    assert "Asked the curators to adopt *support-replies v1*" in asked.text
    world.dispatcher.drain(max_wait=0)
    [card] = cards(slack)
    click(bot, "request_approve", card_buttons(card)["request_approve"]["value"], CURATOR, CURATORS, card["ts"])
    told = json.dumps(slack.calls_to("chat.postEphemeral")[-1].params, ensure_ascii=False)
    assert f"*support-replies v1* would be the first playbook of its function in <#{OPS}>" in told, told
    world.dispatcher.drain(max_wait=0)
    [card] = cards(slack)
    assert f"{STEPS_MATCH}: *Approve with a reason*" in body(card)
    assert store.playbooks.state("support-replies-ops") is None and decisions(engine, "created-anyway") == []
    assert requests_of(engine) == [(OPS, "pending", None, None)]

    click(bot, "request_override", card_buttons(card)["request_override"]["value"], CURATOR, CURATORS, card["ts"])
    view = opened(slack)
    assert view["callback_id"] == "request_override"
    done = bot.submit(CURATOR, view, {"reason": {"type": "plain_text_input", "value": "ops answers Support's tickets"}})
    assert done.status == 200 and not (done.body or {}).get("errors"), done.body
    assert store.playbooks.state("support-replies-ops").playbook.owner_id == OPS_OWNER
    [(_, figures)] = decisions(engine, "created-anyway")
    assert figures == {
        "similar": [STEPS_MATCH],
        "reason": "ops answers Support's tickets",
    }
    assert requests_of(engine) == [(OPS, "approved", CURATOR, "support-replies-ops")]


def test_generic_step_names_shared_with_another_function_ask_nothing_at_new(bot, world, slack, store, clock):
    """Issue 108, item 12: "Invoice dunning letters" (Finance, Days to pay; draft, send,
    refunds) in a workspace whose playbooks share nothing with it but those step names
    (support-replies v1 published, help-desk running, both Support's) is made at once."""
    assert "support-replies v1" in publish_over(bot, store, "publish support-replies override sharing it early")
    loaded(store, [parse_playbook(HELP_DESK)], "UTC", actor="test", at=clock())
    made = submit(bot, open_new(bot, slack), DUNNING, MEMBER)
    shown = json.dumps(made.body, ensure_ascii=False)
    assert "The same learning may be paid for already" not in shown, shown
    state = store.playbooks.state("invoice-dunning-letters")
    assert state is not None and [s.name for s in state.steps] == ["draft", "send", "refunds"]


def test_an_adoption_into_a_new_channel_is_asked_nothing_of_another_functions_steps_or_a_kpi_named_alike(
    bot, world, slack, store, engine, clock
):
    """Issue 108, item 12: support-replies v1 adopted into #ops, a new channel, while a Finance
    playbook runs the same steps under a KPI named alike ("Response time", not the same
    First-response time): adopted at once, no offer, no `created-anyway`."""
    assert "support-replies v1" in publish_over(bot, store, "publish support-replies override sharing it early")
    finance = HELP_DESK | {
        "playbook": "fin-replies",
        "function": "Finance",
        "kpi": {"name": "Response time", "unit": "min", "direction": "down", "baseline": 50, "target": 20},
    }
    loaded(store, [parse_playbook(finance)], "UTC", actor="test", at=clock())
    begin_cycle(store, store.playbooks.state("fin-replies").playbook.id, 1, date(2026, 11, 30), SALES_OWNER, clock())
    slack.add_channel(OPS, [OPS_OWNER])
    slack.add_user(OPS_OWNER)
    shown = bot.command(f"adopt support-replies <#{OPS}|ops> owner <@{OPS_OWNER}>", user=CURATOR)
    assert "The same learning may be paid for already" not in shown.text, shown.text
    assert store.playbooks.state("support-replies-ops") is not None
    assert decisions(engine, "created-anyway") == []
