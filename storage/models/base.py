"""What every table module shares: the constraints' names and the column helpers."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Column, Text
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


def instant(nullable: bool = False) -> Any:
    return Field(sa_column=Column(UTCDateTime(), nullable=nullable))


def json_value() -> Any:
    return Field(sa_column=Column(JSON, nullable=False))


def long_text(nullable: bool = False) -> Any:
    return Field(sa_column=Column(Text, nullable=nullable))
