"""INSERT ... ON CONFLICT DO NOTHING RETURNING, on PostgreSQL and SQLite alike."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, Dialect, Table, insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.dml import Insert
from sqlmodel import Session


def insert_new(session: Session | Connection, table: Table, rows: list[dict[str, Any]], key: str = "key") -> set[str]:
    """Insert the rows whose `key` is not taken yet; return the keys actually inserted.

    The database's unique index decides, so two transactions racing to insert the same
    key cannot both succeed: the loser's insert becomes a no-op and it learns that from
    the returned keys (PostgreSQL waits for the winner to commit before deciding).
    """
    if not rows:
        return set()
    bind = session.get_bind() if isinstance(session, Session) else session
    statement = _statement(bind.dialect.name, table, key)
    # One single-row statement run over all rows: SQLAlchemy batches it ("insertmanyvalues")
    # and compiles it once, where a multi-row VALUES statement is compiled anew each time.
    return set(session.execute(statement, rows[0] if len(rows) == 1 else rows).scalars())


def insert_all(session: Session | Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert many rows (each with the same columns) in the caller's transaction.

    On PostgreSQL with COPY: one statement a table, so the revision triggers (migration
    0013) run once, and no SQL text is built or parsed for thousands of rows; a plain
    executemany sends an INSERT per row, and a multi-row INSERT spends its time in the
    driver parsing its parameters. Values go through the columns' own bind processing,
    as they would in an INSERT. On SQLite, an executemany: no round trips to save there.
    """
    if not rows:
        return
    if isinstance(session, Session):
        session.flush()  # pending ORM rows first: COPY goes around the session
        connection = session.connection()
    else:
        connection = session
    if connection.dialect.name != "postgresql":
        connection.execute(insert(table), rows)
        return
    columns = tuple(rows[0])
    processors = _processors(connection.dialect, table, columns)
    driver = connection.connection.driver_connection
    assert driver is not None, "a connection in a transaction has its driver connection"
    with driver.cursor() as cursor, cursor.copy(_copy(connection.dialect, table, columns)) as copy:
        for row in rows:
            copy.write_row(
                [process(row[c]) if process else row[c] for c, process in zip(columns, processors, strict=True)]
            )


@functools.cache
def _processors(dialect: Dialect, table: Table, columns: tuple[str, ...]) -> list[Callable[[Any], Any] | None]:
    return [table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in columns]


@functools.cache
def _copy(dialect: Dialect, table: Table, columns: tuple[str, ...]) -> str:
    quote = dialect.identifier_preparer.quote
    return f"COPY {quote(table.name)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"


@functools.cache
def _statement(dialect_name: str, table: Table, key: str) -> Insert:
    """Built once per table: every request records its keys with it (storage/replay.py)."""
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    return dialect.insert(table).on_conflict_do_nothing(index_elements=[key]).returning(table.c[key])
