"""one_of: `column IN (a list bound at execution)`, the same rows on both databases, and
on PostgreSQL one array parameter however long the list."""

from sqlalchemy import event, select

from storage.lists import one_of
from storage.models import Step

STEP = Step.__table__
FIND = select(STEP.c.id).where(one_of(STEP.c.id, "ids")).order_by(STEP.c.id)


def test_one_of_finds_exactly_the_listed_values(engine, playbook):
    every = sorted(step.id for step in playbook.steps)
    assert len(every) >= 3
    with engine.connect() as c:

        def found(ids):
            return [row.id for row in c.execute(FIND, {"ids": ids})]

        assert found(every) == every
        assert found([every[1]]) == [every[1]]
        assert found([]) == []  # an empty list matches nothing, and is not an error
        assert found([every[2], every[0], every[0]]) == [every[0], every[2]]
        assert found([*range(100_000, 105_000), every[-1]]) == [every[-1]]


def test_a_long_list_is_one_parameter_on_postgresql(engine):
    sent = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        sent.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        with engine.connect() as c:
            c.execute(FIND, {"ids": list(range(5000))})
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    ((statement, parameters),) = sent
    if engine.dialect.name == "postgresql":
        assert "= ANY (" in statement and len(parameters) == 1
        # ids go as the text of the array, which the driver sends as it is
        assert list(parameters.values()) == ["{" + ",".join(map(str, range(5000))) + "}"]
    else:
        assert statement.count("?") == 5000  # SQLite has no arrays: one parameter per value
