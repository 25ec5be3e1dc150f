"""Who can be named owner (issue 24, item 5), on the fakes: only an active person of the
workspace, as Slack's users.info says (the FakeDirectory's people); a refusal stores
nothing and tells no one. Adopt's owner and Slack not answering are
tests/handlers/test_people_and_ids.py's, through signed requests."""

from __future__ import annotations

import json

import pytest

from slack_api.members import Person
from tests import fakes
from tests.fakes import CHANNEL, MEMBER, OWNER, FakeDirectory
from tests.usecases.fast.test_rollout_replies import said, world

NEW_OWNER = "UNEWOWNER1"
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
