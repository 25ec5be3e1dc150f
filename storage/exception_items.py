"""The exception queue's items: the logged exceptions and the deviations, each with the
moves made on it (exception_item_event). An item is its report: a withdrawn report is a
withdrawn item, and nothing has to be written when an exception is logged, whichever way
it came (a command, the API, a value event, a source)."""

from __future__ import annotations

import functools
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, case, exists, func, literal, literal_column, select, union_all
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.sql.dml import Insert
from sqlmodel import col

from cadence.exception_queue import ACKNOWLEDGED, CLOSED, OPEN, Item
from storage.db import Bind, engine_of, joined, reading
from storage.models import table_of
from storage.models.reports import CheckIn, ExceptionItemEvent, ExceptionReport
from storage.types import one_of

_EVENT = ExceptionItemEvent
_EVENT_TABLE = table_of(ExceptionItemEvent)


def _closed(source: str, report_id: Any) -> Any:
    return exists().where(
        col(_EVENT.source) == source, col(_EVENT.report_id) == report_id, col(_EVENT.state).in_(CLOSED)
    )


# An item's source: its table, and the columns that give its reason and who logged it.
_SOURCES: dict[str, tuple[Any, Any, Any]] = {
    "exception": (ExceptionReport, ExceptionReport.reason, ExceptionReport.reported_by),
    "deviation": (CheckIn, CheckIn.note, CheckIn.user_id),  # a check-in that deviated
}


def _table(source: str) -> Any:
    return _SOURCES[source][0]


def _items(source: str, *where: Any) -> Any:
    """One source's items, in the columns every item is read in."""
    table, reason, logged_by = _SOURCES[source]
    return select(
        literal(source).label("source"),
        col(table.id).label("report_id"),
        col(table.playbook_id),
        col(table.step_id),
        col(reason).label("reason"),
        col(logged_by).label("logged_by"),
        col(table.reported_at).label("logged_at"),
        col(table.withdrawn_at),
    ).where(*_of(source), *where)


def _of(source: str) -> tuple[Any, ...]:
    """What makes a row of the source's table an item: a check-in only if it deviated."""
    if source == "deviation":
        # a literal, not a parameter, so the planner may read ix_checkin_deviated
        return (col(CheckIn.attestation) == literal_column("'deviated'"),)
    return ()


def _kept(source: str, of: Any = None) -> tuple[Any, ...]:
    """An item not withdrawn, of the playbooks bound as `playbooks`, or of the one
    playbook `of` says."""
    table = _table(source)
    playbook = one_of(col(table.playbook_id), "playbooks") if of is None else col(table.playbook_id) == of
    return (playbook, col(table.withdrawn_at).is_(None))


def _still_open(source: str, of: Any = None) -> tuple[Any, ...]:
    """An item that is open: kept (`_kept`) and not closed."""
    return (*_kept(source, of), ~_closed(source, col(_table(source).id)))


_OPEN_ITEMS = union_all(*(_items(source, *_still_open(source)) for source in _SOURCES))


def _step_totals() -> Any:
    """How many items each step of the playbook bound as `playbook` has that were not
    withdrawn, closed ones too: the steps alone, counted in their index (migration 0038)
    without reading a row or a move."""
    playbook: Any = bindparam("playbook")
    steps = union_all(
        *(select(col(_table(source).step_id)).where(*_of(source), *_kept(source, playbook)) for source in _SOURCES)
    ).subquery()
    return select(steps.c.step_id, func.count()).group_by(steps.c.step_id)


def _moved_items() -> Any:
    """The items of the playbook bound as `playbook` that have moved, each with whether it
    is closed: read from the playbook's moves alone (few: most items never move)."""
    closed = func.max(case((col(_EVENT.state).in_(CLOSED), 1), else_=0))
    return (
        select(col(_EVENT.source), col(_EVENT.report_id), closed.label("closed"))
        .where(col(_EVENT.playbook_id) == bindparam("playbook"))
        .group_by(col(_EVENT.source), col(_EVENT.report_id))
    )


_STEP_TOTALS, _MOVED_ITEMS = _step_totals(), _moved_items()


def _oldest() -> Any:
    """The `limit` oldest open items of each source in the step bound as `step` of the
    playbook bound as `playbook`, each read in its index's order and cut there: a few
    rows, whatever the step has open (and a walk past the closed ones older than them)."""
    reads = []
    for source in _SOURCES:
        table = _table(source)
        oldest = (
            _items(source, *_still_open(source, bindparam("playbook")), col(table.step_id) == bindparam("step"))
            .order_by(col(table.reported_at), col(table.id))
            .limit(bindparam("limit"))
        )
        reads.append(select(oldest.subquery()))
    return union_all(*reads)


_OLDEST = _oldest()


@dataclass(frozen=True)
class ItemEvent:
    """A move, with the item it moved (for the export)."""

    item: Item
    seq: int
    state: str
    note: str | None
    by: str
    at: datetime


class Moved(Exception):
    """Someone else moved the item a moment ago: nothing was written."""


class ExceptionItems:
    def __init__(self, bind: Bind):
        self.bind, self.engine = bind, engine_of(bind)

    def open_of(self, playbook_ids: list[int]) -> list[Item]:
        """The open items of these playbooks (acknowledged ones too), oldest first."""
        if not playbook_ids:
            return []
        with reading(self.bind) as s:
            return self._open(s.connection(), playbook_ids)

    def _open(self, connection: Connection, playbook_ids: list[int]) -> list[Item]:
        rows = connection.execute(_OPEN_ITEMS, {"playbooks": playbook_ids}).all()
        moves = _moves(connection, [(r.source, r.report_id) for r in rows], playbook_ids)
        items = [_item(row, moves.get((row.source, row.report_id))) for row in rows]
        return sorted(items, key=lambda i: (i.logged_at, i.source, i.report_id))

    def open_heads(self, playbook_ids: list[int], limit: int) -> tuple[dict[int, list[Item]], dict[int, int]]:
        """The `limit` oldest open items of each of these playbooks, and how many each has
        open: counted and cut in SQL, so a playbook with years of open items costs its
        count, not a row each (the Monday DMs and the App Home show ten)."""
        if not playbook_ids:
            return {}, {}
        items = _OPEN_ITEMS.subquery()
        ranked = select(
            items,
            func.row_number()
            .over(
                partition_by=items.c.playbook_id,
                order_by=(items.c.logged_at, items.c.source, items.c.report_id),
            )
            .label("place"),
        ).subquery()
        with reading(self.bind) as s:
            counts = dict(
                s.execute(
                    select(items.c.playbook_id, func.count()).group_by(items.c.playbook_id),
                    {"playbooks": playbook_ids},
                ).all()
            )
            rows = s.execute(select(ranked).where(ranked.c.place <= limit), {"playbooks": playbook_ids}).all()
            moves = _moves(s.connection(), [(r.source, r.report_id) for r in rows], playbook_ids)
        heads: dict[int, list[Item]] = {pid: [] for pid in playbook_ids}
        for row in rows:
            heads[row.playbook_id].append(_item(row, moves.get((row.source, row.report_id))))
        for found in heads.values():
            found.sort(key=lambda i: (i.logged_at, i.source, i.report_id))
        return heads, {pid: counts.get(pid, 0) for pid in playbook_ids}

    def open_by_step(self, playbook_id: int, limit: int) -> dict[int, tuple[list[Item], int, int]]:
        """A playbook's open items by step: the `limit` oldest of each, how many it has open
        and how many of those are acknowledged. A step's count is its items counted in
        their index less the closed ones among the playbook's moved items; an open item
        that has moved is acknowledged, its only move that leaves it open
        (cadence/exception_queue.py). So a step with years of open items costs an index
        walk, not a row each (status shows five)."""
        bound = {"playbook": playbook_id}
        with reading(self.bind) as s:
            connection = s.connection()
            totals: dict[int, int] = {step_id: n for step_id, n in connection.execute(_STEP_TOTALS, bound)}
            moved = {(r.source, r.report_id): bool(r.closed) for r in connection.execute(_MOVED_ITEMS, bound)}
            acknowledged: Counter[int] = Counter()
            for key, step_id in _steps_kept(connection, list(moved)):
                if moved[key]:  # closed: no longer open
                    totals[step_id] -= 1
                else:
                    acknowledged[step_id] += 1
            open_steps = [step_id for step_id, n in totals.items() if n > 0]
            rows = [
                row
                for step_id in open_steps  # a playbook's few steps
                for row in connection.execute(_OLDEST, {**bound, "step": step_id, "limit": limit})
            ]
        found: dict[int, tuple[list[Item], int, int]] = {
            step_id: ([], totals[step_id], acknowledged[step_id]) for step_id in open_steps
        }
        for row in sorted(rows, key=lambda r: (r.logged_at, r.source, r.report_id)):
            heads = found[row.step_id][0]
            if len(heads) < limit:
                has_moved = (row.source, row.report_id) in moved  # and is open: acknowledged
                heads.append(_item(row, (ACKNOWLEDGED, 1) if has_moved else None))
        return found

    def item(self, source: str, report_id: int) -> Item | None:
        """One item as it stands now, withdrawn or closed ones too; None if there is no
        such report (or the check-in did not deviate)."""
        with reading(self.bind) as s:
            row = s.execute(_items(source, col(_table(source).id) == report_id)).one_or_none()
            if row is None:
                return None
            moves = _moves(s.connection(), [(source, report_id)], [row.playbook_id])
        return _item(row, moves.get((source, report_id)))

    def move(self, item: Item, to: str, note: str | None, by: str, at: datetime) -> None:
        """The item's next move, in the use case's unit of work (its messages go in the
        same one, as its Change). Raises Moved, and writes nothing, if another move was
        written since `item` was read (the unique sequence number decides, by a conditional
        insert: of two concurrent moves one writes), or its report was withdrawn; the use
        case catches it outside its unit of work, which is then rolled back."""
        with joined(self.bind) as s:
            table = _table(item.source)
            withdrawn = s.execute(select(col(table.withdrawn_at)).where(col(table.id) == item.report_id)).scalar()
            if withdrawn is not None:
                raise Moved("withdrawn")
            row = dict(
                playbook_id=item.playbook_id,
                source=item.source,
                report_id=item.report_id,
                seq=item.moves + 1,
                state=to,
                note=note,
                by=by,
                at=at,
            )
            if s.execute(_move_statement(self.engine.dialect.name), row).first() is None:
                raise Moved("moved")

    def events_of(self, playbook_id: int) -> list[ItemEvent]:
        """Every move of the playbook's items, in order, with the item it moved."""
        with reading(self.bind) as s:
            events = list(
                s.execute(
                    select(_EVENT).where(col(_EVENT.playbook_id) == playbook_id).order_by(col(_EVENT.id))
                ).scalars()
            )
            wanted = {(e.source, e.report_id) for e in events}
            rows: list[Any] = []
            for source in _SOURCES:
                ids = [r for s_, r in wanted if s_ == source]
                if ids:
                    rows += s.execute(_items(source, col(_table(source).id).in_(ids))).all()
        items = {(r.source, r.report_id): _item(r, None) for r in rows}
        return [
            ItemEvent(items[(e.source, e.report_id)], e.seq, e.state, e.note, e.by, e.at)
            for e in events
            if (e.source, e.report_id) in items
        ]


@functools.cache
def _move_statement(dialect_name: str) -> Insert:
    """A move, written unless its item has that move already (its unique sequence number):
    RETURNING says whether this one wrote it, with no error to spoil the transaction."""
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    return (
        dialect.insert(_EVENT_TABLE)
        .on_conflict_do_nothing(index_elements=["source", "report_id", "seq"])
        .returning(_EVENT_TABLE.c.id)
    )


def _moves(
    connection: Connection, wanted: list[tuple[str, int]], playbook_ids: list[int]
) -> dict[tuple[str, int], tuple[str, int]]:
    """(source, report id) → (its latest state, how many moves) for the items wanted that
    have moved."""
    if not wanted:
        return {}
    keep = set(wanted)
    return {key: moved for key, moved in _latest_states(connection, playbook_ids).items() if key in keep}


def _latest_states(connection: Connection, playbook_ids: list[int]) -> dict[tuple[str, int], tuple[str, int]]:
    """(source, report id) → (its latest state, how many moves) for every item of these
    playbooks that has moved: one read of their moves (few: most items never move)."""
    rows = connection.execute(
        select(col(_EVENT.source), col(_EVENT.report_id), col(_EVENT.seq), col(_EVENT.state))
        .where(one_of(col(_EVENT.playbook_id), "playbooks"))
        .order_by(col(_EVENT.seq)),
        {"playbooks": playbook_ids},
    ).all()
    return {(source, report_id): (state, seq) for source, report_id, seq, state in rows}


def _steps_kept(connection: Connection, keys: list[tuple[str, int]]) -> list[tuple[tuple[str, int], int]]:
    """Each of these items that was not withdrawn, with its step."""
    found: list[tuple[tuple[str, int], int]] = []
    for source, (table, _reason, _logged_by) in _SOURCES.items():
        ids = [report_id for kind, report_id in keys if kind == source]
        if ids:
            read = _items(source, one_of(col(table.id), "ids"), col(table.withdrawn_at).is_(None))
            found += [((source, row.report_id), row.step_id) for row in connection.execute(read, {"ids": ids})]
    return found


def _item(row: Any, moved: tuple[str, int] | None) -> Item:
    state, moves = moved or (OPEN, 0)
    return Item(
        source=row.source,
        report_id=row.report_id,
        playbook_id=row.playbook_id,
        step_id=row.step_id,
        reason=row.reason,
        logged_by=row.logged_by,
        logged_at=row.logged_at,
        state=state,
        moves=moves,
        withdrawn=row.withdrawn_at is not None,
    )


__all__ = ["ExceptionItems", "ItemEvent", "Moved"]
