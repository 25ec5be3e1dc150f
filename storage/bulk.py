"""INSERT ... ON CONFLICT DO NOTHING RETURNING, on PostgreSQL and SQLite alike."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import JSON, Connection, Dialect, Table
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
    if len(rows) > 1 and bind.dialect.name == "postgresql":
        return _insert_new_zipped(session, table, rows, key)
    statement = _statement(bind.dialect.name, table, key)
    # One single-row statement run over all rows: SQLAlchemy batches it ("insertmanyvalues")
    # and compiles it once, where a multi-row VALUES statement is compiled anew each time.
    return set(session.execute(statement, rows[0] if len(rows) == 1 else rows).scalars())


def _insert_new_zipped(session: Session | Connection, table: Table, rows: list[dict[str, Any]], key: str) -> set[str]:
    """PostgreSQL, many rows: one statement whatever their number. Each column is bound
    as one JSON array (the driver sends one text; an array parameter it builds element by
    element, and escapes long texts slowly), and the rows are zipped back from the
    columns with ROWS FROM. A close's thousand jobs and its outbox cost a few
    milliseconds where SQLAlchemy's batched VALUES spent a tenth of a second building
    and parsing parameters (the same reason insert_all uses COPY)."""
    connection, driver = _driver_side(session)
    dialect = connection.dialect
    columns = tuple(rows[0])
    plain = tuple(c for c in columns if not isinstance(table.c[c].type, JSON))
    processed = dict(zip(plain, zip(*_values(dialect, table, plain, rows), strict=True), strict=True))
    documents = [
        json.dumps(processed[c], default=_iso) if c in processed else json.dumps([row[c] for row in rows])
        for c in columns
    ]
    with driver.cursor() as cursor:
        cursor.execute(_zipped(dialect, table, columns, key), documents)
        return {row[0] for row in cursor.fetchall()}


def _iso(value: Any) -> str:
    """Dates and instants in JSON, as PostgreSQL reads them back (the offset kept)."""
    if isinstance(value, date):  # datetime included
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} has no JSON form for a bulk insert")


def insert_all(session: Session | Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert many rows (each with the same columns) in the caller's transaction.

    Straight to the driver, around SQLAlchemy's per-row parameter handling, which cost
    more than the database's own work for a close's thousands of rows:
    - PostgreSQL: COPY, one statement a table, so the revision triggers (migration 0013)
      run once, and no SQL text is built or parsed for thousands of rows (an executemany
      sends an INSERT per row; a multi-row INSERT spends its time parsing parameters);
    - SQLite: the driver's executemany of one prepared INSERT (no round trips to save).
    Values go through the columns' own bind processing, as in any INSERT, and a value
    repeated down a column (the close's instant, its week) is processed once.
    """
    if not rows:
        return
    connection, driver = _driver_side(session)
    dialect = connection.dialect
    columns = tuple(rows[0])
    values = _values(dialect, table, columns, rows)
    if dialect.name == "postgresql":
        with driver.cursor() as cursor:
            types = _column_types(cursor, table, columns)
            with cursor.copy(_copy(dialect, table, columns)) as copy:
                copy.set_types(types)
                for row in values:
                    copy.write_row(row)
        return
    cursor = driver.cursor()
    try:
        cursor.executemany(_insert(dialect, table, columns), values)
    finally:
        cursor.close()


def _driver_side(session: Session | Connection) -> tuple[Connection, Any]:
    """The connection a bulk write uses, in the caller's transaction, and its driver's."""
    if isinstance(session, Session):
        session.flush()  # pending ORM rows first: the driver is used around the session
        session = session.connection()
    driver = session.connection.driver_connection
    assert driver is not None, "a connection in a transaction has its driver connection"
    return session, driver


def _values(dialect: Dialect, table: Table, columns: tuple[str, ...], rows: list[dict[str, Any]]) -> list[list[Any]]:
    """Each row's values in column order, bind-processed; each distinct hashable value of
    a column processed once (keyed by its type too, so 1 and True stay apart)."""
    processed: list[list[Any]] = [[row[c] for c in columns] for row in rows]
    for i, process in enumerate(_processors(dialect, table, columns)):
        if process is None:
            continue
        seen: dict[tuple[type, Any], Any] = {}
        for row in processed:
            value = row[i]
            try:
                key = (type(value), value)
                row[i] = seen[key]
            except KeyError:
                row[i] = seen[key] = process(value)
            except TypeError:  # unhashable (JSON): processed each time
                row[i] = process(value)
    return processed


@functools.cache
def _processors(dialect: Dialect, table: Table, columns: tuple[str, ...]) -> list[Callable[[Any], Any] | None]:
    return [table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in columns]


@functools.cache
def _copy(dialect: Dialect, table: Table, columns: tuple[str, ...]) -> str:
    # Binary: values go as they are stored, where text had each one formatted and escaped
    # (a fifth of the client's time for the close's 6,500 decisions).
    return f"COPY {_target(dialect, table, columns)} FROM STDIN (FORMAT BINARY)"


_TYPES: dict[tuple[Table, tuple[str, ...]], list[int]] = {}


def _column_types(cursor: Any, table: Table, columns: tuple[str, ...]) -> list[int]:
    """The columns' type oids, as the server has them (a binary COPY must name them):
    asked once per table and columns in a process."""
    key = (table, columns)
    if key not in _TYPES:
        cursor.execute(
            "SELECT attname, atttypid::int FROM pg_attribute WHERE attrelid = %s::regclass AND attname = ANY(%s)",
            [table.name, list(columns)],
        )
        oids = dict(cursor.fetchall())
        _TYPES[key] = [oids[c] for c in columns]
    return _TYPES[key]


@functools.cache
def _insert(dialect: Dialect, table: Table, columns: tuple[str, ...]) -> str:
    return f"INSERT INTO {_target(dialect, table, columns)} VALUES ({', '.join('?' for _ in columns)})"


@functools.cache
def _zipped(dialect: Dialect, table: Table, columns: tuple[str, ...], key: str) -> str:
    """INSERT ... SELECT from the columns' JSON arrays zipped into rows, new keys only."""
    sources, values = [], []
    for i, name in enumerate(columns):
        kind = table.c[name].type
        if isinstance(kind, JSON):
            sources.append("json_array_elements(%s::json)")
            values.append(f"c{i}")
        else:
            sources.append("json_array_elements_text(%s::json)")
            values.append(f"c{i}::{kind.compile(dialect=dialect)}")
    quote = dialect.identifier_preparer.quote
    return (
        f"INSERT INTO {_target(dialect, table, columns)} SELECT {', '.join(values)} "
        f"FROM ROWS FROM ({', '.join(sources)}) AS zipped({', '.join(f'c{i}' for i in range(len(columns)))}) "
        f"ON CONFLICT ({quote(key)}) DO NOTHING RETURNING {quote(key)}"
    )


def _target(dialect: Dialect, table: Table, columns: tuple[str, ...]) -> str:
    """`table (column, ...)`, quoted as the dialect quotes them."""
    quote = dialect.identifier_preparer.quote
    return f"{quote(table.name)} ({', '.join(quote(c) for c in columns)})"


@functools.cache
def _statement(dialect_name: str, table: Table, key: str) -> Insert:
    """Built once per table: every request records its keys with it (storage/replay.py)."""
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    return dialect.insert(table).on_conflict_do_nothing(index_elements=[key]).returning(table.c[key])
