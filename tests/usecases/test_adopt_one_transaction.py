"""`adopt` with a start date is one action and one transaction (issue 79): the playbook,
its decisions, its messages and its first cycle are written together or not at all. The
database itself fails the cycle's insert (a trigger), as a full disk or a lost connection
would, between the adoption and its cycle. Signed commands over HTTP, on SQLite and
PostgreSQL."""

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from cadence.definition_load import parse_playbook
from storage.models.governance import Decision
from storage.models.playbooks import Playbook
from tests.committed import loaded
from tests.conftest import ADMIN, OWNER, SUPPORT_REPLIES
from tests.usecases.test_governance import CURATOR, CURATORS, publish_over, wednesday

SALES, SALES_OWNER = "CSALES0001", "USALESOWN1"
ADOPT = f"adopt support-replies <#{SALES}|sales> owner <@{SALES_OWNER}> start:2026-11-23"

NO_CYCLES = {
    "sqlite": [
        "CREATE TRIGGER no_cycles BEFORE INSERT ON cycle BEGIN SELECT RAISE(ABORT, 'the disk is full'); END",
    ],
    "postgresql": [
        "CREATE FUNCTION no_cycles() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'the disk is full'; END $$ "
        "LANGUAGE plpgsql",
        "CREATE TRIGGER no_cycles BEFORE INSERT ON cycle FOR EACH ROW EXECUTE FUNCTION no_cycles()",
    ],
}
CYCLES_AGAIN = {
    "sqlite": ["DROP TRIGGER no_cycles"],
    "postgresql": ["DROP TRIGGER no_cycles ON cycle", "DROP FUNCTION no_cycles()"],
}


def _run(engine, statements):
    with engine.begin() as connection:
        for statement in statements:
            connection.execute(text(statement))


def _adopters(engine):
    with Session(engine) as s:
        playbooks = s.exec(select(Playbook.slug).where(Playbook.adopted_from_id.is_not(None))).all()
        decided = s.exec(select(Decision.kind).where(Decision.kind.in_(["adopted", "adopted-by"]))).all()
        queued = s.connection().execute(text("SELECT count(*) FROM outbox WHERE key LIKE '%adopt%'")).scalar()
    return list(playbooks), sorted(decided), queued


@pytest.fixture
def published(bot, engine, slack, clock, store):
    loaded(store, [parse_playbook(SUPPORT_REPLIES)], "UTC", actor="test", at=clock())
    slack.add_channel(CURATORS, [CURATOR, ADMIN])
    slack.add_channel(SALES, [SALES_OWNER, "UROLLOUTBOT"])
    for user in (OWNER, CURATOR, SALES_OWNER):
        slack.add_user(user, tz="Europe/Berlin")
    bot.command(f"curator add <@{CURATOR}>", user=ADMIN)
    bot.command(f"curators-channel <#{CURATORS}|curators>", user=ADMIN)
    clock.set(wednesday(1))
    assert "support-replies v1" in publish_over(bot, store, "publish support-replies override sharing it early")


def test_an_adoption_whose_first_cycle_fails_leaves_nothing(bot, published, engine):
    dialect = engine.dialect.name
    _run(engine, NO_CYCLES[dialect])
    failed = bot.command(ADOPT, user=CURATOR)
    assert "now runs in" not in failed.text
    assert _adopters(engine) == ([], [], 0)  # no playbook without its cycle, no decision, no message
    _run(engine, CYCLES_AGAIN[dialect])
    assert "now runs in" in bot.command(ADOPT, user=CURATOR).text  # the same action, whole this time
    playbooks, decided, queued = _adopters(engine)
    assert playbooks == ["support-replies-sales"] and decided == ["adopted", "adopted-by"] and queued > 0
