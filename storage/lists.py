"""`column IN (a list bound at execution)`, written once for both databases.

A week's close asks about thousands of steps at once. Bound the usual way (an
expanding IN), every id becomes its own parameter: SQLAlchemy renders thousands of
placeholders into the statement and PostgreSQL's driver parses them all again, which
cost more than running the query. On PostgreSQL the list goes as one array parameter
instead, `column = ANY(:ids)`, which the planner treats as IN: the same index scans.
SQLite has no arrays and keeps the expanding IN.

A list of integers (every id) is bound as the text of the array, `{1,2,3}`, cast by the
server: psycopg builds an array parameter element by element in Python, 10 ms for the
5,000 step ids of a close, where the text is joined in a fraction of that.
"""

from __future__ import annotations

from typing import Any, ClassVar

from sqlalchemy import Boolean, Integer, String, TypeDecorator, any_, bindparam, cast
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal


class OneOf(ColumnElement[bool]):
    """True where `column` is one of the values bound under `name` (a list)."""

    inherit_cache = True
    type = Boolean()
    _is_implicitly_boolean = True  # a condition in itself: no `= 1` after it where booleans are integers
    _traverse_internals: ClassVar[list[tuple[str, Any]]] = [
        ("column", InternalTraversal.dp_clauseelement),
        ("name", InternalTraversal.dp_string),
    ]

    def __init__(self, column: Any, name: str):
        self.column = column
        self.name = name


def one_of(column: Any, name: str) -> OneOf:
    return OneOf(column, name)


@compiles(OneOf)
def _expanding_in(element: OneOf, compiler: Any, **kw: Any) -> str:
    return str(compiler.process(element.column.in_(bindparam(element.name, expanding=True)), **kw))


@compiles(OneOf, "postgresql")
def _any_of_array(element: OneOf, compiler: Any, **kw: Any) -> str:
    array: Any = bindparam(element.name, type_=ARRAY(element.column.type))
    if isinstance(element.column.type, Integer):
        array = cast(bindparam(element.name, type_=_IntegersAsText()), ARRAY(element.column.type))
    return str(compiler.process(element.column == any_(array), **kw))


class _IntegersAsText(TypeDecorator[list[int]]):
    """A list of integers bound as the text of a PostgreSQL array."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value: list[int] | None, dialect: Any) -> str | None:
        if value is None:
            return None
        return "{" + ",".join(str(int(v)) for v in value) + "}"
