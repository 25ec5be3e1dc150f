"""Where it rolls next (issue 97, item 3) end to end: `/rollout next` through Slack's signed
request on both databases ranks a team's pending request and a function not running a
published version, each with its value, fit and risk read from what the origin reported and
the close kept; a refusal stores nothing. The ranking's rules are tests/cadence/test_next_steps.py's."""

import copy
import json
import re
from datetime import UTC, date, datetime

import pytest
from sqlmodel import Session, select

from cadence.definition_load import parse_playbook
from storage.models.governance import AdoptionRequest, RegistryVersion
from tests.bot.test_web_view import fetch
from tests.committed import loaded
from tests.conftest import OWNER, SUPPORT_REPLIES
from tests.usecases.test_governance import CURATORS, close_of, publish_over, report_week
from tests.usecases.test_requests import CHAMPION, OPS, OPS_OWNER, SALES, SALES_OWNER, opened, request
from tests.web_signed_in import signed_in
from usecases.shared.life import begin_cycle

SALES_DESK = copy.deepcopy(SUPPORT_REPLIES) | {
    "playbook": "sales-desk",
    "title": "Sales desk replies",
    "function": "Sales",
    "channel": SALES,
    "owner": SALES_OWNER,
    "kpi": {"name": "Reply time", "unit": "h", "direction": "down", "baseline": 8, "target": 4},
}


@pytest.fixture
def ranked_world(bot, world, slack, store, clock):
    """support-replies (Support) with a week of 52 cases, 2 of them exceptions, closed and
    published with its intake; sales-desk (Sales) running; #ops asking for support-replies."""
    state = store.playbooks.state("support-replies")
    with Session(world.store.bind) as s:  # the intake, as `/rollout new` keeps it
        row = s.get(type(state.playbook), state.playbook.id)
        row.definition = {
            **row.definition,
            "intake": {"cases_per_week": 120, "minutes_per_case": 9, "structured": True},
        }
        s.add(row)
        s.commit()
    report_week(bot, clock, 1, draft=(20, 2, "95%"))
    world.run(close_of(1))
    assert "support-replies v1" in publish_over(bot, store, "publish support-replies override sharing it early")
    loaded(store, [parse_playbook(SALES_DESK)], "UTC", actor="test", at=clock())
    begin_cycle(store, store.playbooks.state("sales-desk").playbook.id, 1, date(2026, 11, 30), SALES_OWNER, clock())
    slack.add_channel(SALES, [SALES_OWNER, CHAMPION])
    slack.add_channel(OPS, [OPS_OWNER, CHAMPION])
    for user in (SALES_OWNER, CHAMPION, OPS_OWNER):
        slack.add_user(user, tz="Europe/Berlin")
    sent = request(
        bot, slack, f"request support-replies <#{OPS}|ops> champion <@{CHAMPION}> why Same refunds", OPS_OWNER
    )
    assert "Asked the curators" in sent.text and opened(slack)
    return world


def test_next_ranks_the_request_and_the_function_not_running_it_with_their_reasons(bot, ranked_world, slack):
    reply = bot.command("next", user=SALES_OWNER)  # anyone may ask
    text = reply.text
    assert "Where it could roll next" in text
    first, second = text.index("1. *support-replies v1*"), text.index("2. *support-replies v1*")
    assert first < second
    # #ops asked with a champion: up to 72 h a cycle by the intake, ×1.25 for its champion;
    # 2 exceptions in 52 cases at the origin (4%), no escalation: 72 × 1.25 × 0.96 against Sales's 72 × 0.96
    assert (
        f"to <#{OPS}>, which asked (champion <@{CHAMPION}>): value: up to 72 h a cycle (120 cases a week × 9 min); "
        "fit: a team new to playbooks, champion named; risk: 4% exceptions at the origin, no open escalations"
    ) in text
    assert (
        "to Sales, which runs nothing of it yet: value: up to 72 h a cycle (120 cases a week × 9 min); "
        "fit: another function (Sales, from Support); risk: 4% exceptions at the origin, no open escalations"
    ) in text


def test_nothing_to_rank_is_said_and_more_words_are_refused_storing_nothing(bot, world, engine):
    assert "Nothing to rank yet" in bot.command("next", user=OWNER).text
    refused = bot.command("next support-replies", user=OWNER).text
    assert "`/rollout next` takes no more words" in refused and "/rollout next" in refused
    with Session(engine) as s:
        assert s.exec(select(AdoptionRequest)).all() == []


def test_the_curators_digest_names_the_top_three(bot, ranked_world, slack):
    ranked_world.run(datetime(2026, 11, 23, 13, 5, tzinfo=UTC))  # Monday 13:00: the digest of week 1
    [digest] = [m for m in slack.posted(CURATORS) if m["text"].startswith("Rollout digest")]
    text = json.dumps(digest["blocks"], ensure_ascii=False)
    assert "*Where it could roll next* (a recommendation; `/rollout next` ranks them all):" in text
    assert f"\\n1. *support-replies v1* to <#{OPS}>, which asked: value: up to 72 h a cycle" in text
    assert "\\n2. *support-replies v1* to Sales: value: up to 72 h a cycle" in text


def test_the_registry_page_ranks_them_too(bot, ranked_world, slack, http_server, database_url, store):
    url, cookie = signed_in(bot, ranked_world.clock, slack, store, http_server, database_url, OWNER)
    code, _, page = fetch(url + "/web/registry", cookie)
    assert code == 200 and '<h2 id="next">Where it could roll next</h2>' in page
    ranked = page[page.index("<ol>") : page.index("</ol>")]
    assert ranked.index("which asked") < ranked.index("to Sales, which runs nothing of it yet")
    assert "fit: a team new to playbooks, champion named" in ranked


def test_a_team_at_its_load_is_ranked_lower_and_said_so(bot, ranked_world, slack, store):
    """#sales runs sales-desk; support-replies allows a team 1 active playbook: #sales is at
    its load, so its request is halved and says why (never refused here: a recommendation)."""
    with Session(store.bind) as s:
        version = s.exec(select(RegistryVersion)).one()
        version.definition = {
            **version.definition,
            "rules": {**version.definition["rules"], "team_load_max": {"playbooks": 1, "revisions": 4}},
        }
        s.add(version)
        s.commit()
    asked = request(
        bot, slack, f"request support-replies <#{SALES}|sales> champion <@{CHAMPION}> why Same replies", SALES_OWNER
    )
    assert "Asked the curators" in asked.text
    text = bot.command("next", user=SALES_OWNER).text
    assert f"1. *support-replies v1* (Support) to <#{OPS}>" in text
    assert (
        f"2. *support-replies v1* (Support) to <#{SALES}>, which asked (champion <@{CHAMPION}>): value: up to 72 h a "
        "cycle (120 cases a week × 9 min); fit: another function (Sales, from Support), champion named, over its load: "
        "1 active playbook (max 1)"
    ) in text


NYC, NYC_OWNER = "CNYC000001", "UNYCOWNER1"
FIN, FIN_OWNER = "CFIN000001", "UFINOWNER1"


def test_the_curators_digest_names_only_the_best_three_of_four_with_their_reasons(
    bot, ranked_world, slack, store, clock
):
    """Four candidates, each scored apart (72 h × fit × 0.96 kept of the origin's 4% risk):
    #nyc's request, a Support team (same function ×1.25, champion ×1.25): 108; #ops's, a team
    new to playbooks with a champion: 86.4; Sales, running nothing of it: 69.1; #fin's, a
    Finance team at its load of 3 playbooks (champion ×1.25, over its load ×0.5): 43.2.
    `/rollout next` ranks all four; the digest the best three, in that order, and not #fin."""
    support_chat = copy.deepcopy(SUPPORT_REPLIES) | dict(
        playbook="support-chat", title="Support chat replies", channel=NYC, owner=NYC_OWNER
    )
    finance = [
        copy.deepcopy(SALES_DESK) | dict(playbook=f"fin-{n}", title=f"Finance {n}", function="Finance", channel=FIN)
        for n in ("a", "b", "c")
    ]
    for raw in finance:
        raw["owner"] = FIN_OWNER
    # loaded, none started: each team's function is known all the same
    loaded(store, [parse_playbook(d) for d in (support_chat, *finance)], "UTC", actor="test", at=clock())
    slack.add_channel(NYC, [NYC_OWNER, CHAMPION])
    slack.add_channel(FIN, [FIN_OWNER, CHAMPION])
    for user in (NYC_OWNER, FIN_OWNER):
        slack.add_user(user, tz="Europe/Berlin")
    for channel, name, by in ((NYC, "nyc", NYC_OWNER), (FIN, "fin", FIN_OWNER)):
        asked = request(bot, slack, f"request support-replies <#{channel}|{name}> champion <@{CHAMPION}>", by)
        assert "Asked the curators" in asked.text, asked.text

    ranked = bot.command("next", user=OWNER).text
    assert re.findall(r"\d\. \*support-replies v1\* \(Support\) to [^:]+", ranked) == [
        f"1. *support-replies v1* (Support) to <#{NYC}>, which asked (champion <@{CHAMPION}>)",
        f"2. *support-replies v1* (Support) to <#{OPS}>, which asked (champion <@{CHAMPION}>)",
        "3. *support-replies v1* (Support) to Sales, which runs nothing of it yet",
        f"4. *support-replies v1* (Support) to <#{FIN}>, which asked (champion <@{CHAMPION}>)",
    ], ranked
    fin = "fit: another function (Finance, from Support), champion named, over its load: 3 active playbooks (max 3)"
    assert fin in ranked, ranked

    ranked_world.run(datetime(2026, 11, 23, 13, 5, tzinfo=UTC))  # Monday 13:00: the digest of week 1
    [digest] = [m for m in slack.posted(CURATORS) if m["text"].startswith("Rollout digest")]
    text = json.dumps(digest["blocks"], ensure_ascii=False)
    section = text[text.index("*Where it could roll next*") :]
    section = section[: section.index('"}')]
    named = re.findall(r"\\n(\d)\. \*support-replies v1\* to ([^:]+): ", section)
    assert named == [
        ("1", f"<#{NYC}>, which asked"),
        ("2", f"<#{OPS}>, which asked"),
        ("3", "Sales"),
    ], section
    risk = "risk: 4% exceptions at the origin, no open escalations"
    assert (
        f"1. *support-replies v1* to <#{NYC}>, which asked: value: up to 72 h a cycle (120 cases a week × 9 min); "
        f"fit: same function (Support), champion named; {risk}"
    ) in section
    assert f"2. *support-replies v1* to <#{OPS}>, which asked: value: up to 72 h a cycle" in section
    assert f"fit: a team new to playbooks, champion named; {risk}" in section
    assert (
        "3. *support-replies v1* to Sales: value: up to 72 h a cycle (120 cases a week × 9 min); "
        f"fit: another function (Sales, from Support); {risk}"
    ) in section
    assert FIN not in section and "over its load" not in section
