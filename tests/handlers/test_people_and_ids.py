"""Who can be named owner (issue 24, item 5): only an active person of the workspace, as
Slack's users.info says now, end to end: adopt's owner, and Slack not answering. Owner's
refusals of each kind of non-person are tests/usecases/fast/test_owner_is_a_person.py's;
the same rule for curators, reviewers and champions is tested on the fakes
(tests/usecases/fast/), and an id that is not of Slack's shape is refused by the grammar
before anything is asked (tests/handlers/test_grammar.py)."""

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
