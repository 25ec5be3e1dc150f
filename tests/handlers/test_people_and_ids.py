"""Who can be named owner or curator, and ids of Slack's shape (issue 24, item 5): only an
active person of the workspace, as Slack's users.info says now; an id that is not of
Slack's shape is refused before anything touches the database."""

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from bot.demo.standin.faults import Fault
from bot.demo.standin.workspace import BOT_USER
from storage.models.governance import Decision
from storage.models.org import RoleGrant, Setting
from storage.models.playbooks import Playbook
from tests.conftest import ADMIN, MEMBER, OWNER

CURATOR = "UCURATOR1"
NEW_OWNER = "UNEWOWNER1"


def rows(engine) -> tuple[int, ...]:
    with Session(engine) as s:
        return tuple(
            s.exec(select(func.count()).select_from(t)).one() for t in (Decision, Playbook, RoleGrant, Setting)
        )


def owner_of(store) -> str:
    return store.playbooks.state("support-replies").playbook.owner_id


def refused(reply, *phrases):
    assert reply.status == 200 and reply.body["response_type"] == "ephemeral", reply.body
    assert ":warning:" in reply.text and "Something went wrong" not in reply.text, reply.text
    for phrase in phrases:
        assert phrase in reply.text, reply.text


NOT_PEOPLE = {  # who is named -> how the stand-in's workspace has them -> what the refusal says
    "another bot": ("UOTHERBOT1", dict(is_bot=True), "is a bot or an app, not a person"),
    "this bot": (BOT_USER, None, "is a bot or an app, not a person"),
    "Slackbot": ("USLACKBOT", None, "is a bot or an app, not a person"),
    "an app user": ("UAPPUSER01", dict(is_app_user=True), "is a bot or an app, not a person"),
    "a deactivated user": ("UGONE00001", dict(deleted=True), "is deactivated in Slack"),
    "an unknown id": ("UNOBODY001", "unknown", "Slack knows no user UNOBODY001 in this workspace"),
}


@pytest.mark.parametrize("who", list(NOT_PEOPLE))
def test_only_an_active_person_can_be_handed_a_playbook(bot, playbook, slack, store, engine, who):
    user, setup, phrase = NOT_PEOPLE[who]
    if isinstance(setup, dict):
        slack.add_user(user, **setup)
    before = rows(engine)
    refused(bot.command(f"owner support-replies <@{user}>", user=OWNER), phrase, "/rollout owner")
    assert owner_of(store) == OWNER and rows(engine) == before
    assert not slack.posted(user)  # no DM telling them what they own
    # The owner still owns it, and hands it to a person.
    slack.add_user(NEW_OWNER)
    assert "now owns" in bot.command(f"owner support-replies <@{NEW_OWNER}|nora>", user=OWNER).text
    assert owner_of(store) == NEW_OWNER


@pytest.mark.parametrize("who", list(NOT_PEOPLE))
def test_only_an_active_person_can_be_made_a_curator(bot, slack, store, engine, who):
    user, setup, phrase = NOT_PEOPLE[who]
    if isinstance(setup, dict):
        slack.add_user(user, **setup)
    before = rows(engine)
    refused(bot.command(f"curator add <@{user}>", user=ADMIN), phrase, "/rollout curator")
    assert not store.org.is_curator(user) and rows(engine) == before


def test_a_curator_deactivated_since_can_still_be_removed(bot, slack, store):
    slack.add_user(CURATOR)
    assert "now a curator" in bot.command(f"curator add <@{CURATOR}>", user=ADMIN).text
    slack.add_user(CURATOR, deleted=True)
    assert "no longer a curator" in bot.command(f"curator remove <@{CURATOR}>", user=ADMIN).text
    assert not store.org.is_curator(CURATOR)


def test_adopt_names_only_an_active_person_owner(bot, playbook, slack, store, engine):
    slack.add_user(CURATOR)
    slack.add_user("UOTHERBOT1", is_bot=True)
    slack.add_user("UGONE00001", deleted=True)
    slack.add_channel("CNEWTEAM01", [BOT_USER, MEMBER])
    assert "now a curator" in bot.command(f"curator add <@{CURATOR}>", user=ADMIN).text
    assert "v1" in bot.command("publish support-replies override a pilot ahead of readiness", user=CURATOR).text
    before = rows(engine)
    for user, phrase in (("UOTHERBOT1", "is a bot or an app"), ("UGONE00001", "is deactivated in Slack")):
        reply = bot.command(f"adopt support-replies <#CNEWTEAM01|new-team> owner <@{user}>", user=CURATOR)
        refused(reply, phrase, "its owner", "/rollout adopt")
    assert rows(engine) == before
    reply = bot.command(f"adopt support-replies <#CNEWTEAM01|new-team> owner <@{MEMBER}>", user=CURATOR)
    assert "now runs in <#CNEWTEAM01>" in reply.text, reply.text
    assert store.playbooks.state("support-replies-new-team").playbook.owner_id == MEMBER


def test_slack_not_answering_who_someone_is_stores_nothing(bot, playbook, slack, store, engine):
    slack.add_user(NEW_OWNER)
    before = rows(engine)
    slack.fail_next("users.info", Fault(status=503))
    refused(bot.command(f"owner support-replies <@{NEW_OWNER}>", user=OWNER), "Slack is busy", "nothing was stored")
    slack.fail_next("users.info", Fault(status=429, retry_after=30))
    refused(bot.command(f"curator add <@{NEW_OWNER}>", user=ADMIN), "Slack is busy")
    assert owner_of(store) == OWNER and not store.org.is_curator(NEW_OWNER) and rows(engine) == before


LONG_USER = "U" + "A" * 40  # 41 characters: no Slack id, and longer than the owner column
LONG_CHANNEL = "C" + "A" * 250


@pytest.mark.parametrize(
    "command, user, phrase",
    [
        (f"owner support-replies <@{LONG_USER}>", OWNER, "is not a Slack user id"),
        (f"owner support-replies <@{LONG_USER}|someone>", OWNER, "is not a Slack user id"),
        ("owner support-replies <@u0lower001>", OWNER, "is not a Slack user id"),
        (f"curator add <@{LONG_USER}>", ADMIN, "is not a Slack user id"),
        (f"adopt support-replies <#CNEWTEAM01> owner <@{LONG_USER}>", CURATOR, "is not a Slack user id"),
        (f"adopt support-replies <#{LONG_CHANNEL}|x>", CURATOR, "is not a Slack channel id"),
        (f"curators-channel {LONG_CHANNEL}", ADMIN, "is not a Slack channel id"),
        (f"curators-channel <#{LONG_CHANNEL}|curators>", ADMIN, "is not a Slack channel id"),
        ("curators-channel <#C12|curators>", ADMIN, "is not a Slack channel id"),
    ],
    ids=lambda v: v[:40] if isinstance(v, str) else v,
)
def test_an_id_not_of_slacks_shape_is_refused_before_the_database(
    bot, playbook, slack, store, engine, command, user, phrase
):
    slack.add_user(CURATOR)
    slack.add_channel("CNEWTEAM01", [BOT_USER])
    assert "now a curator" in bot.command(f"curator add <@{CURATOR}>", user=ADMIN).text
    before = rows(engine)
    calls = len(slack.calls)
    refused(bot.command(command, user=user), phrase)
    assert rows(engine) == before and owner_of(store) == OWNER
    assert slack.calls[calls:] == []  # not even Slack was asked
