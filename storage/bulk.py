"""INSERT ... ON CONFLICT DO NOTHING RETURNING, on PostgreSQL and SQLite alike."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

CHUNK = 500  # rows per statement: stays under SQLite's bound-parameter limit


def insert_new(session: Session, table: Table, rows: list[dict[str, Any]], key: str = "key") -> set[str]:
    """Insert the rows whose `key` is not taken yet; return the keys actually inserted.

    The database's unique index decides, so two transactions racing to insert the same
    key cannot both succeed: the loser's insert becomes a no-op and it learns that from
    the returned keys (PostgreSQL waits for the winner to commit before deciding).
    """
    if not rows:
        return set()
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    inserted: set[str] = set()
    for start in range(0, len(rows), CHUNK):
        statement = (
            dialect.insert(table)
            .values(rows[start:start + CHUNK])
            .on_conflict_do_nothing(index_elements=[key])
            .returning(table.c[key])
        )
        inserted.update(session.execute(statement).scalars())
    return inserted
