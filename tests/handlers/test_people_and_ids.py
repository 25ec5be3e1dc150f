"""Who can be named owner (issue 24, item 5): only an active person of the workspace, as
Slack's users.info says now, end to end: Slack not answering stores nothing. Owner's and
adopt's refusals of each kind of non-person are tests/usecases/fast/test_owner_is_a_person.py's;
the same rule for curators, reviewers and champions is tested on the fakes
(tests/usecases/fast/), and an id that is not of Slack's shape is refused by the grammar
before anything is asked (tests/handlers/test_grammar.py)."""

from sqlalchemy import func
from sqlmodel import Session, select

from bot.demo.standin.faults import Fault
from storage.models.governance import Decision
from storage.models.org import RoleGrant, Setting
from storage.models.playbooks import Playbook
from tests.conftest import ADMIN, OWNER

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


def test_slack_not_answering_who_someone_is_stores_nothing(bot, playbook, slack, store, engine):
    slack.add_user(NEW_OWNER)
    before = rows(engine)
    slack.fail_next("users.info", Fault(status=503))
    refused(bot.command(f"owner support-replies <@{NEW_OWNER}>", user=OWNER), "Slack is busy", "nothing was stored")
    slack.fail_next("users.info", Fault(status=429, retry_after=30))
    refused(bot.command(f"curator add <@{NEW_OWNER}>", user=ADMIN), "Slack is busy")
    assert owner_of(store) == OWNER and not store.org.is_curator(NEW_OWNER) and rows(engine) == before
