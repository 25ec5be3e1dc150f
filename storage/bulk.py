"""Writing many rows at once: all of them, or only those whose key is new."""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import Connection, Table, insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.dml import Insert
from sqlmodel import Session


def insert_all(session: Session | Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert many rows (each with the same columns) in the caller's transaction: one
    statement run over all of them (SQLAlchemy batches it)."""
    if rows:
        session.execute(insert(table), rows)


def insert_new(session: Session | Connection, table: Table, rows: list[dict[str, Any]], key: str = "key") -> set[str]:
    """Insert the rows whose `key` is not taken yet; return the keys actually inserted.

    The database's unique index decides, so two transactions racing to insert the same
    key cannot both succeed: the loser's insert becomes a no-op and it learns that from
    the returned keys (PostgreSQL waits for the winner to commit before deciding)."""
    if not rows:
        return set()
    bind = session.get_bind() if isinstance(session, Session) else session
    statement = _statement(bind.dialect.name, table, key)
    # One single-row statement run over all rows: SQLAlchemy batches it ("insertmanyvalues").
    return set(session.execute(statement, rows[0] if len(rows) == 1 else rows).scalars())


@functools.cache
def _statement(dialect_name: str, table: Table, key: str) -> Insert:
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    return dialect.insert(table).on_conflict_do_nothing(index_elements=[key]).returning(table.c[key])
