"""Licenses against results where they show (docs/usage-records.md, "Licenses against
results"), on SQLite and PostgreSQL: GitHub Copilot's stand-in pulled with its seats, the
logins mapped to the team, then the sponsor's first screen (the web overview), the API's
digest (checked against its OpenAPI document), the assistant's `digest` tool and the
digest's Slack header each say the tool's seats and their holders active ("8 seats, 2
active"), the playbook on it, the function's seats and the idle seats' cost a week."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import anyio
import pytest
import yaml

from bot.demo.standin.usage_copilot import CopilotStandIn
from cadence.definition_load import parse_playbook
from handlers.mcp_tools import call
from slack_api.members import TeamDirectory
from tests.bot.test_api_reads import get
from tests.bot.test_web_view import fetch, signed_in, view
from tests.committed import committed, loaded
from tests.conftest import CHANNEL, MEMBER, OWNER, SUPPORT_REPLIES, Engine
from tests.openapi_check import described
from usecases import tokens, usage
from usecases.api_reads import OPERATOR
from usecases.shared.services import Services

__all__ = ["view"]  # a fixture

AT = datetime(2026, 11, 21, 6, 0, tzinfo=UTC)  # Saturday of week 1: the surfaces are read then
PULLED = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)  # Monday: pulled 16 to 22 November
WEEK = date(2026, 11, 16)
TEAM = [(OWNER, None), (MEMBER, None)] + [(f"UZL000{n}", None) for n in range(3, 7)]  # six people
LINE = "copilot: 8 seats, 2 active this week; 1 playbook on it, 0 moved their KPI; 6 idle seats, 26.31 USD a week"


@pytest.fixture
def github():
    standin = CopilotStandIn().start()
    yield standin
    standin.stop()


def pulled(store, clock, github) -> None:
    """support-replies on copilot; eight seats, six of the team's people (mapped) and two
    no one's; the member and one unmapped holder used it in week 1."""
    loaded(store, [parse_playbook(SUPPORT_REPLIES | {"tool": "copilot"})], "UTC", actor="test", at=clock())
    logins = [f"octo-{n}" for n in range(1, 9)]
    for login in logins:
        github.add_seat(login)
    github.add_use(WEEK + timedelta(days=1), "octo-2")  # the member
    github.add_use(WEEK + timedelta(days=2), "octo-8")  # a holder no team knows
    github.add_use(WEEK + timedelta(days=2), "octo-99")  # a user without a seat
    people = [OWNER, MEMBER] + [user for user, _ in TEAM[2:]]
    mapping = "tool,login,slack_user\n" + "".join(
        f"copilot,{login},{user}\n" for login, user in zip(logins[:6], people, strict=True)
    )
    assert usage.map_logins(store, mapping) == (6, [])
    copilot = {"kind": "copilot", "org": "acme", "token_env": "COPILOT_TOKEN", "url": github.url, "seat_per_month": 19}
    assert usage.load(store, yaml.safe_dump({"usage": {"copilot": copilot}}), {"COPILOT_TOKEN": "x"}, "cli", AT) == []
    [passed] = usage.run(store, {"COPILOT_TOKEN": github.token}, {CHANNEL: TEAM}, PULLED)
    assert passed.error is None


def test_the_overview_the_api_and_the_assistant_say_the_seats_and_their_holders_active(view, store, clock, github):
    pulled(store, clock, github)
    clock.set(AT)
    status, _, page = fetch(view.base_url + "/web/", signed_in(view, OWNER))
    assert status == 200
    block = page[page.index('<h2 id="licenses">') : page.index('<h2 id="funnel">')]
    assert f"<li>{LINE}" in block and "<li>Support: 6 seats, 1 active</li>" in block
    assert "× 12 ÷ 52 a week" in block and "octo-" not in page

    reader = tokens.create(store, "sheets", None, [], True, "test", AT).token
    status, body = get(view.base_url, "/api/v1/digest", reader)
    assert status == 200
    described("GET", "/api/v1/digest", 200, body)
    [copilot] = body["org"]["licenses"]
    assert (copilot["seats"], copilot["active"], copilot["idle"], copilot["playbooks"]) == (8, 2, 6, 1)
    assert copilot["said"] == LINE and copilot["functions"] == [dict(function="Support", seats=6, active=1)]

    services = Services(
        store=store, clock=clock, admins=frozenset(), org_timezone="UTC", directory=TeamDirectory(ttl_seconds=0)
    )
    answer = anyio.run(call, services, OPERATOR, "digest", {})
    assert not answer.is_error and answer.structured_content["org"]["licenses"] == body["org"]["licenses"]


def test_a_function_under_the_floor_shows_no_seats(view, store, clock, github):
    loaded(store, [parse_playbook(SUPPORT_REPLIES | {"tool": "copilot"})], "UTC", actor="test", at=clock())
    github.add_seat("octo-1")
    github.add_seat("octo-2")
    github.add_use(WEEK + timedelta(days=1), "octo-2")
    assert usage.map_logins(store, f"tool,login,slack_user\ncopilot,octo-1,{OWNER}\ncopilot,octo-2,{MEMBER}\n")[0] == 2
    copilot = {"kind": "copilot", "org": "acme", "token_env": "COPILOT_TOKEN", "url": github.url}
    assert usage.load(store, yaml.safe_dump({"usage": {"copilot": copilot}}), {"COPILOT_TOKEN": "x"}, "cli", AT) == []
    usage.run(store, {"COPILOT_TOKEN": github.token}, {CHANNEL: TEAM}, PULLED)
    clock.set(AT)
    _, _, page = fetch(view.base_url + "/web/", signed_in(view, OWNER))
    block = page[page.index('<h2 id="licenses">') : page.index('<h2 id="funnel">')]
    assert (
        "copilot: 2 seats, 1 active this week; 1 playbook on it, 0 moved their KPI</li>" not in block
    )  # functions under it
    assert "<li>Support: too few people to show</li>" in block and "idle seats," not in block  # no price declared


def test_the_digest_s_header_has_a_line_a_tool(engine, slack, store, playbook, clock, bot, github):
    slack.add_channel("CCURATORS1", [OWNER])
    slack.add_user(OWNER, tz="Europe/Berlin")
    committed(store).org.set_setting("curators_channel", "CCURATORS1", OWNER, datetime(2026, 11, 1, tzinfo=UTC))
    pulled(store, clock, github)
    world = Engine(engine, slack, clock)
    world.run(datetime(2026, 11, 23, 8, 0, tzinfo=UTC))
    world.run(datetime(2026, 11, 23, 13, 0, tzinfo=UTC))
    posted = slack.posted("CCURATORS1")
    summary = next(m for m in posted if m["text"].startswith("Rollout digest"))
    body = json.dumps(summary["blocks"], ensure_ascii=False)
    assert "*Licenses against results*" in body
    assert "copilot: 8 seats, 2 active last week; 1 playbook on it" in body  # read on Monday: week 1 is last week
    assert "Support: 6 seats, 1 active" in body
