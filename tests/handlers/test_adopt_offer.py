"""The same learning, not paid twice at `/rollout adopt` (issue 97, item 5) end to end, as Slack
sends it on both databases: billing-replies v1 adopted into #ops, a team new to its function,
measures the same First-response time as support-replies v1. The reply shows that match with
*Adopt it* and *Adopt billing-replies v1 anyway*, nothing stored; *Adopt it* adopts
support-replies for #ops through the same adopt; *anyway* asks why in a form (an empty reason
refused there, nothing stored) and adopts billing-replies with the reason kept; a second click
or the form sent again adopts nothing more, and an offer answered refuses its other button. A
request approved into a close match: tests/handlers/test_similar.py."""

import copy
import json
import uuid
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from cadence.definition_load import parse_playbook
from storage.models.bookkeeping import OutboxMessage
from storage.models.governance import Decision
from storage.models.playbooks import Playbook
from tests.committed import committed, loaded
from tests.conftest import ADMIN, SUPPORT_REPLIES
from tests.usecases.test_governance import CURATOR, CURATORS, click, publish_over
from tests.usecases.test_requests import opened
from usecases.shared.life import begin_cycle

BILLING, BILLING_OWNER = "CBILLING01", "UBILLOWN01"
OPS, OPS_OWNER = "COPS000001", "UOPSOWNER1"
BILLING_REPLIES = copy.deepcopy(SUPPORT_REPLIES) | {
    "playbook": "billing-replies",
    "title": "Billing reply drafting",
    "function": "Billing",
    "channel": BILLING,
    "owner": BILLING_OWNER,
    "steps": [{"name": "triage", "mode": "collaborative"}, {"name": "answer", "mode": "collaborative"}],
}
MATCH = "support-replies v1 (Support), same KPI First-response time (min)"
ADOPT = f"adopt billing-replies <#{OPS}|ops> owner <@{OPS_OWNER}> baseline:40"


@pytest.fixture
def offered(bot, world, slack, store, clock):
    """support-replies v1 and billing-replies v1 published; #ops runs nothing yet."""
    assert "support-replies v1" in publish_over(bot, store, "publish support-replies override sharing it early")
    loaded(store, [parse_playbook(BILLING_REPLIES)], "UTC", actor="test", at=clock())
    begin_cycle(store, store.playbooks.state("billing-replies").playbook.id, 1, date(2026, 11, 16), ADMIN, clock())
    assert "billing-replies v1" in publish_over(bot, store, "publish billing-replies override sharing it early")
    slack.add_channel(BILLING, [BILLING_OWNER])
    slack.add_channel(OPS, [OPS_OWNER])
    for user in (BILLING_OWNER, OPS_OWNER):
        slack.add_user(user, tz="Europe/Berlin")
    return world


def stored(engine):
    with Session(engine) as s:
        return {
            t.__name__: s.exec(select(func.count()).select_from(t)).one() for t in (Playbook, Decision, OutboxMessage)
        }


def decisions(engine, kind):
    with Session(engine) as s:
        return [d.figures for d in s.exec(select(Decision).where(Decision.kind == kind).order_by(Decision.id))]


def offer(bot, store, engine):
    """The curator's adopt, answered with the offer: its buttons, by action id; nothing stored."""
    before = stored(engine)
    reply = bot.command(ADOPT, user=CURATOR, channel=CURATORS).body
    shown = json.dumps(reply, ensure_ascii=False)
    assert reply["response_type"] == "ephemeral" and "The same learning may be paid for already" in shown
    assert f"*billing-replies v1* (Billing) would be the first playbook of its function in <#{OPS}>" in shown
    assert MATCH in shown
    assert stored(engine) == before and store.playbooks.state("billing-replies-ops") is None
    found = {}
    for block in reply["blocks"]:
        for element in [block.get("accessory") or {}, *block.get("elements", [])]:
            if element.get("type") == "button":
                found[element["action_id"]] = element
    assert set(found) == {"adopt_instead", "adopt_anyway"}
    assert found["adopt_anyway"]["text"]["text"] == "Adopt billing-replies v1 anyway"
    return found


def told(slack):
    """What the clicker was last told, only them."""
    return json.dumps(slack.calls_to("chat.postEphemeral")[-1].params, ensure_ascii=False)


def reason(text):
    return {"anyway": {"type": "plain_text_input", "value": text}}


def test_adopt_it_adopts_the_match_for_the_same_team_once(bot, offered, slack, store, engine):
    buttons = offer(bot, store, engine)
    before = stored(engine)
    instead = buttons["adopt_instead"]["value"]
    click(bot, "adopt_instead", instead, OPS_OWNER, CURATORS, "1700000000.000200")  # not a curator
    assert "Only curators" in told(slack) and stored(engine) == before

    click(bot, "adopt_instead", instead, CURATOR, CURATORS, "1700000000.000200")
    state = store.playbooks.state("support-replies-ops")
    assert (state.playbook.channel_id, state.playbook.owner_id, state.playbook.kpi_baseline) == (OPS, OPS_OWNER, 40)
    assert store.playbooks.state("billing-replies-ops") is None and decisions(engine, "created-anyway") == []
    assert "support-replies-ops" in told(slack)  # the adoption's announcement, as the command's reply
    [adopted] = decisions(engine, "adopted")
    assert adopted["origin"] == "support-replies" and adopted["version"] == 1

    after = stored(engine)
    click(bot, "adopt_instead", instead, CURATOR, CURATORS, "1700000000.000200")  # again: nothing more
    assert "it was answered, and nothing more was adopted" in told(slack) and stored(engine) == after
    click(bot, "adopt_anyway", buttons["adopt_anyway"]["value"], CURATOR, CURATORS, "1700000000.000200")
    assert "it was answered, and nothing more was adopted" in told(slack) and stored(engine) == after
    assert slack.calls_to("views.open") == []


def test_adopt_anyway_asks_why_and_keeps_the_reason(bot, offered, slack, store, engine):
    buttons = offer(bot, store, engine)
    anyway = buttons["adopt_anyway"]["value"]
    click(bot, "adopt_anyway", anyway, OPS_OWNER, CURATORS, "1700000000.000300")  # not a curator: no form
    assert "Only curators" in told(slack) and slack.calls_to("views.open") == []

    click(bot, "adopt_anyway", anyway, CURATOR, CURATORS, "1700000000.000300")
    view = {**opened(slack), "id": f"V{uuid.uuid4().hex[:10].upper()}", "hash": "1700000000.abcd"}
    assert view["callback_id"] == "adopt_anyway" and "billing-replies v1" in json.dumps(view)
    before = stored(engine)
    empty = bot.submit(CURATOR, view, reason("   "))
    assert empty.body == {"response_action": "errors", "errors": {"anyway": empty.body["errors"]["anyway"]}}
    assert "Say why it is not one of those the offer showed" in empty.body["errors"]["anyway"]
    assert stored(engine) == before and store.playbooks.state("billing-replies-ops") is None

    # corrected, the same view (Slack's id and hash unchanged by a field's error) asks another
    # curator (issue 109: past close matches with a reason is never the asker's alone), who adopts
    done = bot.submit(CURATOR, view, reason("Billing disputes:   not Support's tickets"))
    assert done.status == 200 and not done.body
    assert "is a second person's decision" in told(slack) and store.playbooks.state("billing-replies-ops") is None
    version = store.registry.version("billing-replies", None)
    asked = store.registry.pending_request(version.id, OPS)
    click(bot, "request_approve", str(asked.id), CURATOR, CURATORS, "1700000000.000400")  # the asker: refused
    assert "Not yours to decide" in told(slack) and store.playbooks.state("billing-replies-ops") is None
    committed(store).org.add_curator("UCURATOR09", ADMIN, datetime.now(UTC))
    click(bot, "request_approve", str(asked.id), "UCURATOR09", CURATORS, "1700000000.000400")
    state = store.playbooks.state("billing-replies-ops")
    assert (state.playbook.owner_id, state.playbook.kpi_baseline) == (OPS_OWNER, 40)
    assert decisions(engine, "created-anyway") == [
        {"similar": [MATCH], "reason": "Billing disputes: not Support's tickets"}
    ]

    after = stored(engine)
    again = bot.submit(CURATOR, view, reason("Billing disputes:   not Support's tickets"))  # Slack sends it again
    assert again.status == 200 and not again.body and stored(engine) == after
    click(bot, "adopt_instead", buttons["adopt_instead"]["value"], CURATOR, CURATORS, "1700000000.000300")
    assert "it was answered, and nothing more was adopted" in told(slack)
    assert stored(engine) == after and store.playbooks.state("support-replies-ops") is None
