"""Column types, and a list's membership test, that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ARRAY, Boolean, DateTime, any_, bindparam
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal
from sqlalchemy.types import TypeDecorator, TypeEngine


class UTCDateTime(TypeDecorator[datetime]):
    """An instant, always handed back as a UTC-aware datetime.

    PostgreSQL keeps the offset (timestamptz). SQLite has no time zones and returns
    naive values, so instants are stored there as naive UTC and re-tagged on the way
    out. Naive datetimes are refused on the way in: a naive value is a bug upstream.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("refusing a naive datetime: pass an aware UTC instant")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class OneOf(ColumnElement[bool]):
    """`column` is one of the values of a list bound as `name` (`one_of`)."""

    inherit_cache = True
    type = Boolean()
    _is_implicitly_boolean = True  # a condition of its own, not a column SQLite compares with 1
    # SQLAlchemy declares it per instance and reads it per class: its own type, no ClassVar.
    _traverse_internals = [  # noqa: RUF012
        ("column", InternalTraversal.dp_clauseelement),
        ("name", InternalTraversal.dp_string),
        ("item_type", InternalTraversal.dp_type),
    ]

    def __init__(self, column: ColumnElement[Any], name: str, item_type: TypeEngine[Any]):
        self.column, self.name, self.item_type = column, name, item_type


def one_of(column: Any, name: str, item_type: TypeEngine[Any] | None = None) -> OneOf:
    """`column IN (...)` over a list given at execution as the parameter `name`. On SQLite
    the list expands to a placeholder per value, as in_() does; on PostgreSQL it is one
    array (`column = ANY(...)`), so a thousand ids make the statement no longer: neither
    SQLAlchemy nor psycopg renders or parses a placeholder per id at each run, which cost
    the digest of 1,000 playbooks 0.25 s of its 1 s budget (measured when it was kept; docs/architecture.md, kept for speed)."""
    return OneOf(column, name, item_type if item_type is not None else column.type)


@compiles(OneOf)
def _expanded(element: OneOf, compiler: Any, **kw: Any) -> str:
    values = bindparam(element.name, expanding=True, type_=element.item_type)
    return str(compiler.process(element.column.in_(values), **kw))


@compiles(OneOf, "postgresql")
def _array(element: OneOf, compiler: Any, **kw: Any) -> str:
    values = bindparam(element.name, type_=ARRAY(element.item_type))
    return str(compiler.process(element.column == any_(values), **kw))
