"""Writing many rows at once: all of them, or only those whose key is new."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import JSON, Connection, Dialect, Table, insert, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.dml import Insert
from sqlalchemy.types import TypeEngine
from sqlmodel import Session


def insert_all(session: Session | Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert many rows (each with the same columns) in the caller's transaction: one
    statement run over all of them (SQLAlchemy batches it); on PostgreSQL, COPY."""
    if not rows:
        return
    if isinstance(session, Session):
        session.flush()  # pending ORM rows first: COPY goes around the session
        session = session.connection()
    if session.dialect.name == "postgresql":
        _copy(session, table, rows)
    else:
        session.execute(insert(table), rows)


def _copy(connection: Connection, table: Table, rows: list[dict[str, Any]], into: str | None = None) -> None:
    """PostgreSQL: the rows with COPY (into `table`, or the table named `into` with the same
    columns), in the connection's transaction, each value through its column's own bind
    processing as in an INSERT. Kept for speed, measured: a close of
    1,000 playbooks writes 12,000 rows, and psycopg's executemany sends an INSERT a row,
    which cost the close ~1 s over its budget of 3 s (measured when it was kept; docs/architecture.md, kept for speed)."""
    columns = list(rows[0])
    processors = [_processor(connection.dialect, table.c[c].type) for c in columns]
    names = ", ".join(connection.dialect.identifier_preparer.quote(c) for c in columns)
    driver = connection.connection.driver_connection
    assert driver is not None, "a connection in a transaction has its driver connection"
    target = into or connection.dialect.identifier_preparer.format_table(table)
    with driver.cursor() as cursor, cursor.copy(f"COPY {target} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([row[c] if p is None else p(row[c]) for c, p in zip(columns, processors, strict=True)])


def insert_new(
    session: Session | Connection, table: Table, rows: list[dict[str, Any]], key: str = "key", any_unique: bool = False
) -> set[str]:
    """Insert the rows whose `key` is not taken yet; return the keys actually inserted.

    The database's unique index decides, so two transactions racing to insert the same
    key cannot both succeed: the loser's insert becomes a no-op and it learns that from
    the returned keys (PostgreSQL waits for the winner to commit before deciding). Where the
    table has another unique index over the same facts as `key` (`any_unique`), a row taken
    on any of them is a no-op too: PostgreSQL's ON CONFLICT handles only the index it names,
    and a racing loser that reached the other index first failed on it."""
    if not rows:
        return set()
    if isinstance(session, Session):
        session.flush()  # what the session holds goes first, as session.execute would do
        session = session.connection()  # a Core statement costs less on the connection
    if session.dialect.name == "postgresql" and len(rows) > 1:
        return _copy_new(session, table, rows, key, any_unique)
    statement = _statement(session.dialect.name, table, key, any_unique)
    # One single-row statement run over all rows: SQLAlchemy batches it ("insertmanyvalues").
    return set(session.execute(statement, rows[0] if len(rows) == 1 else rows).scalars())


def _copy_new(
    connection: Connection, table: Table, rows: list[dict[str, Any]], key: str, any_unique: bool = False
) -> set[str]:
    """PostgreSQL: insert_new through COPY into a table of this transaction's own, then one
    INSERT ... SELECT of the rows whose key is new. Kept for speed, measured: a close of
    1,000 playbooks inserts 6,600 rows this way, and the batched INSERT's text is long
    enough that psycopg parses each batch anew, which cost the close 0.3 s of its 3 s
    budget (measured when it was kept; docs/architecture.md, kept for speed)."""
    quote = connection.dialect.identifier_preparer.quote
    target = connection.dialect.identifier_preparer.format_table(table)
    staging = quote(f"incoming_{table.name}")
    names = ", ".join(quote(c) for c in rows[0])
    connection.execute(
        text(f"CREATE TEMPORARY TABLE {staging} ON COMMIT DROP AS SELECT {names} FROM {target} WITH NO DATA")
    )
    _copy(connection, table, rows, into=staging)
    inserted = connection.execute(
        text(
            f"INSERT INTO {target} ({names}) SELECT {names} FROM {staging} "
            f"ON CONFLICT {'' if any_unique else f'({quote(key)}) '}DO NOTHING RETURNING {quote(key)}"
        )
    )
    keys = set(inserted.scalars())
    connection.execute(text(f"DROP TABLE {staging}"))  # another call in this transaction makes its own
    return keys


def _processor(dialect: Dialect, column_type: TypeEngine[Any]) -> Callable[[Any], Any] | None:
    """How a value of `column_type` is bound: the type's own processing, and JSON as its
    text (an INSERT hands a JSON value to the driver's adapter, which COPY does not use)."""
    if isinstance(column_type, JSON):  # None is JSON's null, unless the column says SQL NULL
        null = column_type.none_as_null
        return lambda value: None if value is None and null else json.dumps(value)
    return column_type.bind_processor(dialect)


@functools.cache
def _statement(dialect_name: str, table: Table, key: str, any_unique: bool = False) -> Insert:
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    arbiter = None if any_unique else [key]
    return dialect.insert(table).on_conflict_do_nothing(index_elements=arbiter).returning(table.c[key])


def upsert(
    session: Session | Connection, table: Table, row: dict[str, Any], changes: dict[str, Any], where: Any = None
) -> bool:
    """Insert `row`, or, if its primary key is taken, set `changes` on the row there (only
    where `where` holds, if given): one statement, so two writers racing on a new key both
    land. True if a row was inserted or changed."""
    bind = session.get_bind() if isinstance(session, Session) else session
    dialect = postgresql if bind.dialect.name == "postgresql" else sqlite
    keys = [column.name for column in table.primary_key.columns]
    statement = (
        dialect.insert(table)
        .values(row)
        .on_conflict_do_update(index_elements=keys, set_=changes, where=where)
        .returning(*table.primary_key.columns)
    )
    return session.execute(statement).first() is not None
