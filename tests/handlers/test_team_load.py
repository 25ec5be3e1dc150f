"""A team's load (issue 97, item 4) end to end: signed `/rollout adopt` commands into a team
already carrying its `team_load_max` are refused naming the load, storing nothing; a
curator's `override <reason>` adopts all the same with a `load-overridden` decision kept
beside the adoption; an approved request is refused alike and its card asks the reason;
status and the web view's playbook page show the team's load. On SQLite and PostgreSQL."""

import copy
import json

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from cadence.definition_load import parse_playbook
from storage.models.bookkeeping import OutboxMessage
from storage.models.governance import Decision
from storage.models.playbooks import Cycle, Playbook, Step
from tests.committed import loaded
from tests.conftest import ADMIN, OWNER, SUPPORT_REPLIES, Engine
from tests.usecases.test_governance import CURATOR, CURATORS, adopt_over, click, publish_over, wednesday
from tests.web_signed_in import signed_in

SALES, SALES_OWNER = "CSALES0001", "USALESOWN1"
OPS, OPS_OWNER = "COPS000001", "UOPSOWNER1"


def team_playbook(slug, channel, owner, **more):
    raw = copy.deepcopy(SUPPORT_REPLIES)
    raw.update(playbook=slug, title=f"{slug} drafting", channel=channel, owner=owner, **more)
    return parse_playbook(raw)


@pytest.fixture
def published(bot, engine, slack, clock, store):
    """support-replies v1 published; #sales runs 3 playbooks, #ops 1 revised 4 times."""
    loaded(store, [parse_playbook(copy.deepcopy(SUPPORT_REPLIES))], "UTC", actor="test", at=clock())
    slack.add_channel(CURATORS, [CURATOR, ADMIN])
    slack.add_channel(SALES, [SALES_OWNER])
    slack.add_channel(OPS, [OPS_OWNER])
    for user in (OWNER, CURATOR, SALES_OWNER, OPS_OWNER):
        slack.add_user(user, tz="Europe/Berlin")
    bot.command(f"curator add <@{CURATOR}>", user=ADMIN)
    bot.command(f"curators-channel <#{CURATORS}|curators>", user=ADMIN)
    clock.set(wednesday(1))
    teams = [team_playbook(f"sales-{n}", SALES, SALES_OWNER) for n in ("a", "b", "c")]
    loaded(store, [*teams, team_playbook("ops-a", OPS, OPS_OWNER)], "UTC", actor="test", at=clock())
    for cap in (0.11, 0.12, 0.13, 0.14):  # four revisions, each a `playbook-changed` decision
        loaded(store, [team_playbook("ops-a", OPS, OPS_OWNER, exception_cap=cap)], "UTC", actor="test", at=clock())
    assert "support-replies v1" in publish_over(bot, store, "publish support-replies override sharing it early")
    return Engine(engine, slack, clock)


def stored(engine):
    with Session(engine) as s:
        return {
            t.__name__: s.exec(select(func.count()).select_from(t)).one()
            for t in (Playbook, Step, Cycle, Decision, OutboxMessage)
        }


def overridden(engine):
    with Session(engine) as s:
        return [d for d in s.exec(select(Decision).where(Decision.kind == "load-overridden").order_by(Decision.id))]


def test_a_full_team_is_refused_naming_its_load_storing_nothing_and_another_curator_overrides_it(
    bot, published, store, engine
):
    before = stored(engine)
    refused = bot.command(f"adopt support-replies <#{SALES}|sales> owner <@{SALES_OWNER}>", user=CURATOR).text
    assert "is carrying all the change it can absorb now: 3 active playbooks (max 3)" in refused
    assert "adoptions in the last cycle: 0; steps in fallback: 0" in refused and "nothing was stored" in refused
    assert stored(engine) == before and store.playbooks.state("support-replies-sales") is None

    revised = bot.command(f"adopt support-replies <#{OPS}|ops> owner <@{OPS_OWNER}>", user=CURATOR).text
    assert "4 revisions in 4 weeks (max 4)" in revised and "active playbooks" not in revised
    assert stored(engine) == before

    text = f"adopt support-replies <#{SALES}|sales> owner <@{SALES_OWNER}> override the desk asked for it"
    asked = adopt_over(bot, store, text)  # past the team's load: another curator decides (issue 109)
    assert "is a second person's decision" in asked and "the team's load" in asked
    assert store.playbooks.state("support-replies-sales") is not None
    [kept] = overridden(engine)
    origin = store.playbooks.state("support-replies").playbook
    assert kept.playbook_id == origin.id and kept.actor == "UCURATOR09"
    assert kept.figures["override"] == "the desk asked for it" and kept.figures["channel"] == SALES
    assert kept.figures["load"]["playbooks"] == 3 and kept.figures["full"]["playbooks"] == {"count": 3, "max": 3}

    status = bot.command("status sales-a", user=SALES_OWNER).text
    assert "Team load" in status and "4 active playbooks (max 3)" in status and "1 adoption in the last cycle" in status
    assert "Full: an adoption into this team waits" in status


def test_a_team_with_room_adopts_with_no_override_and_a_higher_max_makes_room(bot, published, store, engine, slack):
    slack.add_channel("CNEW000001", ["UNEWOWNER1"])
    slack.add_user("UNEWOWNER1")
    reply = bot.command("adopt support-replies <#CNEW000001|new> owner <@UNEWOWNER1>", user=CURATOR).text
    assert store.playbooks.state("support-replies-new") is not None, reply
    status = bot.command("status support-replies-new", user="UNEWOWNER1").text
    assert "1 active playbook (max 3), 0 revisions in the last 4 weeks (max 4), 1 adoption in the last cycle" in status
    assert "Full" not in status and overridden(engine) == []


def test_an_approved_request_into_a_full_team_is_refused_on_its_card_naming_the_load_and_a_reason_adopts_it(
    bot, published, slack, store, engine
):
    """#sales asks for support-replies while it runs 3 playbooks: Approve runs the same adopt,
    so the same check. The card shows the refusal naming the load, nothing stored; its
    button for a reason approves it, the reason kept as `load-overridden` and the request
    approved."""
    from tests.usecases.test_requests import body, card_buttons, cards, opened, request, requests_of

    world = published
    asked = request(bot, slack, f"request support-replies <#{SALES}|sales> champion <@{SALES_OWNER}>", SALES_OWNER)
    assert "Asked the curators to adopt *support-replies v1*" in asked.text
    world.dispatcher.drain(max_wait=0)
    [card] = cards(slack)
    before = stored(engine)
    click(bot, "request_approve", card_buttons(card)["request_approve"]["value"], CURATOR, CURATORS, card["ts"])
    told = json.dumps(slack.calls_to("chat.postEphemeral")[-1].params, ensure_ascii=False)
    assert "is carrying all the change it can absorb now: 3 active playbooks (max 3)" in told, told
    world.dispatcher.drain(max_wait=0)
    [card] = cards(slack)
    assert "3 active playbooks (max 3)" in body(card) and "nothing was stored" in body(card)
    assert store.playbooks.state("support-replies-sales") is None and overridden(engine) == []
    assert requests_of(engine) == [(SALES, "pending", None, None)]
    assert {k: v for k, v in stored(engine).items() if k != "OutboxMessage"} == {
        k: v for k, v in before.items() if k != "OutboxMessage"
    }

    override = card_buttons(card)["request_override"]
    click(bot, "request_override", override["value"], CURATOR, CURATORS, card["ts"])
    view = opened(slack)
    assert view["callback_id"] == "request_override" and "the team's load" in json.dumps(view)
    done = bot.submit(CURATOR, view, {"reason": {"type": "plain_text_input", "value": "the desk asked for it"}})
    assert done.status == 200 and not (done.body or {}).get("errors"), done.body
    assert store.playbooks.state("support-replies-sales").playbook.owner_id == SALES_OWNER
    [kept] = overridden(engine)
    assert kept.actor == CURATOR and kept.figures["override"] == "the desk asked for it"
    assert kept.figures["full"]["playbooks"] == {"count": 3, "max": 3} and kept.figures["channel"] == SALES
    assert requests_of(engine) == [(SALES, "approved", CURATOR, "support-replies-sales")]


def test_the_web_views_playbook_page_shows_its_teams_load_and_when_it_is_full(
    bot, published, slack, store, http_server, database_url
):
    """Signed in through `/rollout web`'s link, as a person is: #sales's playbook page says
    its 3 active playbooks and Full; #ops's its 4 revisions; a team with room no Full."""
    import re

    from tests.bot.test_web_view import fetch

    world = published
    slack.add_channel("CNEW000001", ["UNEWOWNER1"])
    slack.add_user("UNEWOWNER1")
    bot.command("adopt support-replies <#CNEW000001|new> owner <@UNEWOWNER1>", user=CURATOR)
    url, cookie = signed_in(bot, world.clock, slack, store, http_server, database_url, CURATOR)

    def load_of(slug):
        code, _, page = fetch(url + f"/web/playbooks/{slug}", cookie)
        assert code == 200
        [shown] = re.findall(r'<p id="team-load">(.*?)</p>', page, re.S)
        return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", shown))

    sales = load_of("sales-a")
    assert sales.startswith(f"Team load of {SALES}: 3 active playbooks (max 3), 0 revisions in the last 4 weeks"), sales
    assert "Full: an adoption into this team waits for a curator's override" in sales.replace("&#39;", "'")
    ops = load_of("ops-a")
    assert "1 active playbook (max 3), 4 revisions in the last 4 weeks (max 4)" in ops and "Full" in ops, ops
    new = load_of("support-replies-new")
    assert "1 active playbook (max 3), 0 revisions in the last 4 weeks (max 4), 1 adoption in the last cycle" in new
    assert "Full" not in new, new
