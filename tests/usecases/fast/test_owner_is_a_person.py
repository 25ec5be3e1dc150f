"""Who can be named owner (issue 24, item 5), on the fakes: only an active person of the
workspace, as Slack's users.info says (the FakeDirectory's people), for a playbook's owner
and an adoption's; a refusal stores nothing and tells no one. Slack not answering is
tests/handlers/test_people_and_ids.py's, through signed requests."""

from __future__ import annotations

import json

import pytest

from slack_api.members import Person
from tests import fakes
from tests.fakes import ADMIN, CHANNEL, MEMBER, OWNER, FakeDirectory
from tests.usecases.fast.slash import publish_over
from tests.usecases.fast.test_rollout_replies import said, world

NEW_OWNER = "UNEWOWNER1"
CURATOR = "UCURATOR1"
BOT_USER = "UROLLOUTBOT"  # the bot itself, as the stand-in's workspace has it

NOT_PEOPLE = {  # who is named -> how Slack has them -> what the refusal says
    "another bot": ("UOTHERBOT1", dict(is_bot=True), "is a bot or an app, not a person"),
    "this bot": (BOT_USER, dict(is_bot=True), "is a bot or an app, not a person"),
    "Slackbot": ("USLACKBOT", {}, "is a bot or an app, not a person"),
    "an app user": ("UAPPUSER01", dict(is_app_user=True), "is a bot or an app, not a person"),
    "a deactivated user": ("UGONE00001", dict(deleted=True), "is deactivated in Slack"),
    "an unknown id": ("UNOBODY001", dict(found=False), "Slack knows no user UNOBODY001 in this workspace"),
}


@pytest.mark.parametrize("who", list(NOT_PEOPLE))
def test_only_an_active_person_can_be_handed_a_playbook(who):
    user, slack_has, phrase = NOT_PEOPLE[who]
    directory = FakeDirectory({CHANNEL: [OWNER, MEMBER]}, {user: Person(user, "Europe/Berlin", **slack_has)})
    services = world(directory=directory)
    store = fakes.store_of(services)
    reply = said(services, f"owner support-replies <@{user}>", OWNER)
    shown = json.dumps(reply, ensure_ascii=False)
    assert reply["response_type"] == "ephemeral" and ":warning:" in shown and "Something went wrong" not in shown
    assert phrase in shown and "/rollout owner" in shown, shown
    assert store.playbooks.state("support-replies").playbook.owner_id == OWNER
    assert store.held.decisions == [] and store.commits() == 0
    assert not store.held.outbox  # no DM telling them what they own
    # The owner still owns it, and hands it to a person.
    assert "now owns" in json.dumps(said(services, f"owner support-replies <@{NEW_OWNER}|nora>", OWNER))
    assert store.playbooks.state("support-replies").playbook.owner_id == NEW_OWNER


def test_adopt_names_only_an_active_person_owner():
    people = {
        "UOTHERBOT1": Person("UOTHERBOT1", "Europe/Berlin", is_bot=True),
        "UGONE00001": Person("UGONE00001", "Europe/Berlin", deleted=True),
    }
    members = {CHANNEL: [OWNER, MEMBER], "CNEWTEAM01": [BOT_USER, MEMBER]}
    services = world(directory=FakeDirectory(members, people))
    store = fakes.store_of(services)
    assert "now a curator" in json.dumps(said(services, f"curator add <@{CURATOR}>", ADMIN))
    assert "v1" in publish_over(services, "publish support-replies override a pilot ahead of readiness", CURATOR)
    before = (store.commits(), store.playbooks.slugs(), len(store.held.decisions))
    for user, phrase in (("UOTHERBOT1", "is a bot or an app"), ("UGONE00001", "is deactivated in Slack")):
        reply = said(services, f"adopt support-replies <#CNEWTEAM01|new-team> owner <@{user}>", CURATOR)
        shown = json.dumps(reply, ensure_ascii=False)
        assert reply["response_type"] == "ephemeral" and ":warning:" in shown and "Something went wrong" not in shown
        assert phrase in shown and "its owner" in shown and "/rollout adopt" in shown, shown
    assert (store.commits(), store.playbooks.slugs(), len(store.held.decisions)) == before
    reply = json.dumps(said(services, f"adopt support-replies <#CNEWTEAM01|new-team> owner <@{MEMBER}>", CURATOR))
    assert "now runs in <#CNEWTEAM01>" in reply, reply
    assert store.playbooks.state("support-replies-new-team").playbook.owner_id == MEMBER
