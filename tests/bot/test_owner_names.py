"""The owner by name in the API's and the assistant's playbook reads (issue 108, item 8c),
as the web view shows people: Slack's display name, else the real name (as the clock and
Slack's user_change keep them), else the id; the id kept beside (`owner`, `owner_name`).
Over HTTP with a read token and the assistant's HTTP transport, on SQLite and PostgreSQL."""

import anyio

from tests.bot.test_api_reads import get
from tests.bot.test_mcp import http_client
from tests.conftest import OWNER
from tests.openapi_check import described
from usecases import tokens


def _reads(bot, token, clock):
    """The owner as the list and the playbook read give it, over /api/v1 and as the tools."""

    async def session():
        async with http_client(bot.base_url, token, clock) as client:
            listed = (await client.call_tool("list_playbooks", {})).structured_content
            one = (await client.call_tool("playbook", {"slug": "support-replies"})).structured_content
        return listed, one

    clock.advance(seconds=1)
    status, listed = get(bot.base_url, "/api/v1/playbooks", token)
    assert status == 200
    described("GET", "/api/v1/playbooks", 200, listed)
    clock.advance(seconds=1)
    status, one = get(bot.base_url, "/api/v1/playbooks/support-replies", token)
    assert status == 200
    described("GET", "/api/v1/playbooks/{slug}", 200, one)
    tools_listed, tools_one = anyio.run(session)
    owners = {(p["owner"], p["owner_name"]) for p in (*listed["playbooks"], one, *tools_listed["playbooks"], tools_one)}
    [owner] = owners  # the API and the assistant alike
    return owner


def test_the_owner_is_shown_by_name_beside_the_id(bot, playbook, store, clock):
    reader = tokens.create(store, "sheets", None, [], True, "test", clock()).token
    assert _reads(bot, reader, clock) == (OWNER, OWNER)  # Slack has given no name yet: the id

    by_real_name = {"display_name": "", "real_name": "Olivia Owens"}
    bot.event({"type": "user_change", "user": {"id": OWNER, "deleted": False, "profile": by_real_name}})
    assert _reads(bot, reader, clock) == (OWNER, "Olivia Owens")

    chosen = {"display_name": "Olli", "real_name": "Olivia Owens"}
    bot.event({"type": "user_change", "user": {"id": OWNER, "deleted": False, "profile": chosen}})
    assert _reads(bot, reader, clock) == (OWNER, "Olli")
