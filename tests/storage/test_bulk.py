"""Many rows at once: what insert_all and insert_new write reads back exactly as an ORM insert would."""

from datetime import UTC, date, datetime, timedelta, timezone

from sqlalchemy import event, func, select
from sqlmodel import Session

from storage.bulk import insert_all, insert_new
from storage.db import unit_of_work
from storage.models.bookkeeping import OutboxMessage
from storage.models.governance import Decision


def test_insert_all_writes_every_column_as_an_insert_would(engine, playbook):
    pid = playbook.playbook.id
    step = playbook.steps[0].id
    berlin = timezone(timedelta(hours=1))
    rows = [
        dict(
            decided_at=datetime(2026, 11, 23, 13, 0, tzinfo=berlin),  # stored as the same instant in UTC
            kind="verdict",
            actor="rule:verdict",
            rule="pass",
            playbook_id=pid,
            step_id=step if n % 2 else None,
            week_start=date(2026, 11, 16),
            from_mode=None,
            to_mode="ai-led",
            summary=f"it's \\ a \t tab, a\nnewline and 'quotes' #{n}",
            figures={"cases": n, "ratio": 0.25, "names": ["a", "b\tc"], "none": None, "text": "é ✓"},
        )
        for n in range(3)
    ]
    with unit_of_work(engine) as s:
        insert_all(s, Decision.__table__, rows)
    with Session(engine) as s:
        written = s.execute(select(Decision).where(Decision.kind == "verdict").order_by(Decision.id)).scalars().all()
    assert [d.summary for d in written] == [r["summary"] for r in rows]
    assert [d.figures for d in written] == [r["figures"] for r in rows]
    assert [d.step_id for d in written] == [None, step, None]
    assert all(d.decided_at == datetime(2026, 11, 23, 12, 0, tzinfo=UTC) for d in written)
    assert all(d.week_start == date(2026, 11, 16) and d.from_mode is None for d in written)


def test_insert_all_of_nothing_writes_nothing(engine):
    """No rows: no statement reaches the database (not even an empty INSERT or COPY)."""
    sent: list[str] = []

    def note(conn, cursor, statement, *args):
        sent.append(statement)

    with unit_of_work(engine) as s:
        s.connection()  # the transaction's own statements (BEGIN) come before the listener
        event.listen(engine, "before_cursor_execute", note)
        try:
            insert_all(s, Decision.__table__, [])
        finally:
            event.remove(engine, "before_cursor_execute", note)
    assert sent == []
    with Session(engine) as s:
        assert s.execute(select(func.count()).select_from(Decision)).scalar_one() == 0


def test_a_value_repeated_down_a_column_is_written_as_itself(engine, playbook):
    """Values repeated down a column are converted once; values equal in Python but not
    of one type (1 and True) each keep their own form. (Not 1.0: SQLite's affinity for a
    JSON column stores the text 1.0 as the integer 1, whoever writes it.)"""
    pid = playbook.playbook.id
    at = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    kinds = [1, True, 1, True, "1", None, [1], True]
    rows = [
        dict(decided_at=at, kind="verdict", actor="rule:verdict", playbook_id=pid, summary=f"#{n}", figures=value)
        for n, value in enumerate(kinds)
    ]
    with unit_of_work(engine) as s:
        insert_all(s, Decision.__table__, rows)
    with engine.connect() as c:
        written = c.execute(
            select(Decision.__table__.c.figures, Decision.__table__.c.decided_at)
            .where(Decision.__table__.c.kind == "verdict")
            .order_by(Decision.__table__.c.id)
        ).all()
    assert [type(f) for f, _ in written] == [type(v) for v in kinds]
    assert [f for f, _ in written] == kinds
    assert {d for _, d in written} == {at}


def test_insert_new_of_many_rows_writes_the_new_keys_only_and_every_value_as_given(engine):
    """Many rows at once (on PostgreSQL, through COPY into a table of the transaction's
    own): the keys already taken keep their rows, the others are written as given, and
    exactly the new keys come back."""
    outbox = OutboxMessage.__table__
    at = datetime(2026, 11, 23, 13, 0, tzinfo=timezone(timedelta(hours=1)))

    def row(key: str, payload: object) -> dict:
        return dict(
            key=key,
            method="chat.postMessage",
            channel="C1",
            payload=payload,
            status="pending",
            attempts=0,
            created_at=at,
            available_at=at,
        )

    with unit_of_work(engine) as s:
        assert insert_new(s, outbox, [row("taken", {"text": "first"})]) == {"taken"}
    payloads = [
        {"text": 'it\'s \\ a \t tab, a\nnewline, "quotes", {braces}, é ✓', "blocks": [{"n": 1.5}, None]},
        {"text": "second", "none": None},
        ["a", "list", 2],
        None,
    ]
    rows = [row("taken", {"text": "again"})] + [row(f"new-{n}", p) for n, p in enumerate(payloads)]
    with unit_of_work(engine) as s:
        added = insert_new(s, outbox, rows)
    assert added == {f"new-{n}" for n in range(len(payloads))}
    with engine.connect() as c:
        written = dict(c.execute(select(outbox.c.key, outbox.c.payload)).all())
        instants = set(c.execute(select(outbox.c.created_at)).scalars())
    assert written == {"taken": {"text": "first"}, **{f"new-{n}": p for n, p in enumerate(payloads)}}
    assert instants == {datetime(2026, 11, 23, 12, 0, tzinfo=UTC)}
    with unit_of_work(engine) as s:
        assert insert_new(s, outbox, rows) == set()  # all taken now: nothing written twice


def test_insert_new_twice_in_one_transaction_decides_each_batch_on_its_own(engine):
    """The second batch of the same transaction is not mixed with the first (on
    PostgreSQL, each call's own table of incoming rows is gone when it returns), and a
    key the first batch took is taken for the second."""
    outbox = OutboxMessage.__table__
    at = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)

    def rows(*keys: str) -> list[dict]:
        common = dict(method="chat.postMessage", channel="C1", payload={}, status="pending", attempts=0)
        return [dict(key=key, created_at=at, available_at=at, **common) for key in keys]

    with unit_of_work(engine) as s:
        assert insert_new(s, outbox, rows("a", "b")) == {"a", "b"}
        assert insert_new(s, outbox, rows("b", "c", "d")) == {"c", "d"}
    with engine.connect() as c:
        assert sorted(c.execute(select(outbox.c.key)).scalars()) == ["a", "b", "c", "d"]
