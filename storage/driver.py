"""The request path's most frequent statements on SQLite, run on the driver's cursor.

SQLAlchemy's execution of a compiled statement costs about 70 µs of Python (an
execution context, parameter processing, a result object), where SQLite runs one of
these statements in 7 to 10. A `/rollout kpi` makes three: its playbook's revision,
its report and its request key, a fifth of the request's time in the process. Here a
statement is compiled once for the dialect, its parameters are converted by its
columns' own types (so the rows are exactly what SQLAlchemy would write), and it runs
on the driver cursor of the caller's SQLAlchemy connection: the pool, the request's
held connection, the writers' turn and the commit (storage/db.py) are unchanged.
Listeners of `before_cursor_execute` see these statements as they see any other.

SQLite only: on PostgreSQL a request makes one statement already, and
SQLAlchemy's execution is what tells a cut connection from a failed statement and
renews the pool.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Dialect


@dataclass(frozen=True)
class _Prepared:
    sql: str
    binds: tuple[tuple[str, Callable[[Any], Any] | None], ...]  # in the statement's order


def execute(connection: Connection, statement: Any, parameters: dict[str, Any]) -> Any:
    """Execute `statement` (a Core statement built once, with named bind parameters or, for
    an INSERT, the columns `parameters` names) and return what has `fetchone()` and
    `close()`: on SQLite the driver's cursor, elsewhere SQLAlchemy's result. The
    SQLAlchemy connection must already be in the transaction the statement belongs to,
    if any (db.transaction is): its commit is what commits it."""
    if connection.dialect.name != "sqlite":
        return connection.execute(statement, parameters)
    prepared = _prepare(statement, connection.dialect, tuple(parameters))
    values = tuple(
        parameters[name] if convert is None else convert(parameters[name]) for name, convert in prepared.binds
    )
    cursor = connection.connection.driver_connection.cursor()
    for listener in connection.dispatch.before_cursor_execute:
        listener(connection, cursor, prepared.sql, values, None, False)
    cursor.execute(prepared.sql, values)
    return cursor


@functools.lru_cache(maxsize=64)
def _prepare(statement: Any, dialect: Dialect, names: tuple[str, ...]) -> _Prepared:
    compiled = statement.compile(dialect=dialect, column_keys=list(names))
    if compiled.positiontup is None:
        raise ValueError(f"{dialect.name} does not take positional parameters")
    binds = []
    for name in compiled.positiontup:
        bind = compiled.binds[name]
        binds.append((bind.key, bind.type.dialect_impl(dialect).bind_processor(dialect)))
    return _Prepared(str(compiled), tuple(binds))
