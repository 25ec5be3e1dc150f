"""A tick that finds nothing due, the clock's usual minute, asks the database only what
tells it so (usecases/tick_reads.py): its statements and connections are counted here,
not timed, on both databases."""

from datetime import UTC, datetime

from sqlalchemy import event

from tests.conftest import MEMBER, OWNER, Clock, Engine


def test_a_quiet_tick_reads_a_few_statements_on_a_few_connections(engine, slack, playbook):
    slack.add_user(OWNER, tz="Europe/Berlin")
    slack.add_user(MEMBER, tz="Europe/Berlin")
    world = Engine(engine, slack, Clock(datetime(2026, 11, 16, 8, 0, tzinfo=UTC)))
    assert world.run(datetime(2026, 11, 16, 8, 0, tzinfo=UTC)).counts  # Monday 09:00 Berlin: the nudge
    statements: list[str] = []
    checkouts: list[object] = []
    event.listen(engine, "before_cursor_execute", lambda _c, _cur, sql, *_: statements.append(sql))
    event.listen(engine.pool, "checkout", lambda *_: checkouts.append(None))

    quiet = world.cadence.tick(datetime(2026, 11, 17, 3, 7, tzinfo=UTC))  # Tuesday night: nothing is due
    assert quiet.summary() == "nothing due" and not quiet.work
    # the tick's reads (settings, the watched playbooks in three, cursors, holidays,
    # adopters, the readiness notices owed) on one connection, and the two reads of the names to ask Slack on another
    assert len(statements) == 10 and all(sql.lstrip().upper().startswith("SELECT") for sql in statements)
    assert len(checkouts) == 2

    statements.clear()
    checkouts.clear()
    on_the_hour = world.cadence.tick(datetime(2026, 11, 17, 4, 0, tzinfo=UTC))
    assert not on_the_hour.work
    assert len(statements) == 11 and statements[-1].lstrip().upper().startswith("DELETE")  # old request keys
    assert len(checkouts) == 3
