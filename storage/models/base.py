"""What every table module shares: the constraints' names and the column helpers."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Index, Text
from sqlalchemy.sql.elements import TextClause
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime

# Named constraints, so later migrations (batch mode on SQLite included) can refer to them.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# The column helpers name a type, not a Column: SQLModel makes each table its own Column
# from them, so a column declared once in a mixin (a non-table SQLModel base, as in
# storage/models/reports.py) serves every table that inherits it. A Field's sa_column is
# one Column object, which a second table refuses.


def instant(nullable: bool = False) -> Any:
    return Field(sa_type=UTCDateTime, nullable=nullable)


def json_value() -> Any:
    return Field(sa_type=JSON, nullable=False)


def long_text(nullable: bool = False) -> Any:
    return Field(sa_type=Text, nullable=nullable)


def partial(name: str, *columns: str, where: TextClause, unique: bool = False) -> Index:
    """An index over the rows `where` holds, partial on PostgreSQL and SQLite alike."""
    return Index(name, *columns, unique=unique, sqlite_where=where, postgresql_where=where)
