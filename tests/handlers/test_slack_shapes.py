"""What Slack answers and what Slack accepts (issue 24, item 15): a public channel's
members are listed whether or not the bot is in it, so adopt asks conversations.info; an
App Home whatever the registry holds stays within Block Kit's limits, and a click that
re-renders it is never broken by it."""

import json

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.demo.standin.faults import Fault
from bot.demo.standin.workspace import BOT_USER
from cadence.definition_load import parse_playbook
from tests.committed import loaded, passed
from tests.conftest import ADMIN, BOT_TOKEN, MEMBER, OWNER, SUPPORT_REPLIES, SUPPORT_REPLIES_NO_SET, Engine
from tests.handlers.test_home import propose_promotion
from tests.usecases.test_governance import publish_over

CURATOR = "UCURATOR1"


def make_curator(bot, slack):
    slack.add_user(CURATOR)
    assert "now a curator" in bot.command(f"curator add <@{CURATOR}>", user=ADMIN).text


def test_the_stand_in_answers_for_channels_as_slack_does(slack):
    client = WebClient(token=BOT_TOKEN, base_url=slack.url, retry_handlers=[])
    slack.add_channel("CPUBLIC001", [OWNER, MEMBER])
    slack.add_channel("CPRIVATE01", [OWNER], private=True)
    for channel in ("CPUBLIC001", "CPRIVATE01"):
        slack.workspace.not_in_channel.add(channel)
    # A public channel: its members are listed to the bot outside it; only is_member tells.
    assert client.conversations_members(channel="CPUBLIC001")["members"] == [OWNER, MEMBER]
    assert client.conversations_info(channel="CPUBLIC001")["channel"]["is_member"] is False
    # A private channel the bot is not in does not exist for it.
    for call in (client.conversations_members, client.conversations_info):
        try:
            call(channel="CPRIVATE01")
            raise AssertionError("a private channel the bot is not in answered")
        except SlackApiError as err:
            assert err.response["error"] == "channel_not_found"
    slack.workspace.not_in_channel.discard("CPUBLIC001")
    assert client.conversations_info(channel="CPUBLIC001")["channel"]["is_member"] is True


def test_adopt_is_refused_in_a_public_channel_the_bot_is_not_in(bot, playbook, slack, store):
    make_curator(bot, slack)
    assert "v1" in publish_over(bot, store, "publish support-replies override a pilot ahead of readiness")
    slack.add_channel("CNEWTEAM01", [MEMBER])  # public: Slack lists its members to anyone
    slack.workspace.not_in_channel.add("CNEWTEAM01")
    command = "adopt support-replies <#CNEWTEAM01|new-team>"
    reply = bot.command(command, user=CURATOR)
    assert reply.body["response_type"] == "ephemeral", reply.text
    assert "I'm not in <#CNEWTEAM01> (Slack says is_member: false)" in reply.text
    assert "/invite @Rollout Cadence" in reply.text
    assert store.playbooks.state("support-replies-new-team") is None
    assert [c.params["channel"] for c in slack.calls_to("conversations.info")] == ["CNEWTEAM01"]
    # Invited, it adopts.
    slack.workspace.not_in_channel.discard("CNEWTEAM01")
    assert "now runs in <#CNEWTEAM01>" in bot.command(command, user=CURATOR).text
    assert store.playbooks.state("support-replies-new-team") is not None


def test_adopt_is_refused_in_an_archived_channel_or_when_slack_is_busy(bot, playbook, slack, store):
    make_curator(bot, slack)
    assert "v1" in publish_over(bot, store, "publish support-replies override a pilot ahead of readiness")
    slack.add_channel("CNEWTEAM01", [MEMBER, BOT_USER])
    slack.workspace.archived.add("CNEWTEAM01")
    reply = bot.command("adopt support-replies <#CNEWTEAM01|new-team>", user=CURATOR)
    assert "(Slack says is_archived)" in reply.text, reply.text
    slack.workspace.archived.discard("CNEWTEAM01")
    slack.fail_next("conversations.info", Fault(status=503))
    reply = bot.command("adopt support-replies <#CNEWTEAM01|new-team>", user=CURATOR)
    assert "Slack is busy" in reply.text and "nothing was stored" in reply.text, reply.text
    assert store.playbooks.state("support-replies-new-team") is None


LONG_SLUG = "customer-support-reply-drafting-with-ai-for-the-emea-region-tier"[:63]
LONG_FUNCTION = "R&D <Ops> & Support & Sales & Finance & Legal & People & IT & Data & Security"


def test_a_curators_home_with_a_long_registry_stays_within_block_kit(bot, playbook, slack, store, engine, clock):
    loaded(
        store,
        [parse_playbook({**SUPPORT_REPLIES, "playbook": LONG_SLUG, "function": LONG_FUNCTION})],
        "UTC",
        actor="test",
        at=clock(),
    )
    make_curator(bot, slack)
    for number in range(1, 31):
        assert f"v{number}" in publish_over(bot, store, f"publish {LONG_SLUG} override a pilot ahead of readiness")
    propose_promotion(engine, playbook, clock(), "proposal:home-test")
    opened = bot.event({"type": "app_home_opened", "user": CURATOR, "channel": "D0HOME", "tab": "home"})
    assert opened.status == 200
    # On a loaded machine building this Home can spend the request's second for Slack: then
    # the outbox publishes it (tests/handlers/test_home.py).
    Engine(engine, slack, clock).dispatcher.drain(max_wait=0)
    view = slack.views[CURATOR]
    assert len(view["blocks"]) <= 100
    sections = [b["text"]["text"] for b in view["blocks"] if b["type"] == "section"]
    assert all(len(text) <= 3000 for text in sections), max(len(t) for t in sections)
    registry = next(t for t in sections if LONG_SLUG in t)
    shown = registry.count(f"*{LONG_SLUG} v")
    assert 0 < shown < 30 and f"…and {30 - shown} more: `/rollout registry` lists them all." in registry
    assert "R&amp;D &lt;Ops&gt;" in registry

    # The curator approves from the Home: the decision stands, and the Home is published again.
    # (draft says it needs no calibration set: the promotion's gates, read at the click, pass.)
    loaded(store, [parse_playbook(SUPPORT_REPLIES_NO_SET)], "UTC", actor="test", at=clock())
    passed(store, "support-replies", "draft", clock())  # the rules' streak the proposal stands for
    slack.views.clear()
    clicked = bot.click(CURATOR, "proposal_approve", "proposal:home-test")
    assert clicked.status == 200
    assert store.playbooks.state("support-replies").step("draft").mode == "ai-led"
    assert not slack.posted(CURATOR)  # no "something went wrong" DM to the clicker
    Engine(engine, slack, clock).dispatcher.drain(max_wait=0)
    refreshed = json.dumps(slack.views[CURATOR], ensure_ascii=False)
    assert "Waiting for your decision" not in refreshed and LONG_SLUG in refreshed
