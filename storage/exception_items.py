"""The exception queue's items: the logged exceptions and the deviations, each with the
moves made on it (exception_item_event). An item is its report: a withdrawn report is a
withdrawn item, and nothing has to be written when an exception is logged, whichever way
it came (a command, the API, a value event, a source)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, exists, func, literal, literal_column, select, union_all
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from cadence.exception_queue import ACKNOWLEDGED, CLOSED, OPEN, Item
from storage.db import reading, unit_of_work
from storage.models.reports import CheckIn, ExceptionItemEvent, ExceptionReport
from storage.outbox import Message, enqueue_in
from storage.types import one_of

_EVENT = ExceptionItemEvent


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
    if source == "deviation":
        # a literal, not a parameter, so the planner may read ix_checkin_deviated
        where = (col(CheckIn.attestation) == literal_column("'deviated'"), *where)
    return select(
        literal(source).label("source"),
        col(table.id).label("report_id"),
        col(table.playbook_id),
        col(table.step_id),
        col(reason).label("reason"),
        col(logged_by).label("logged_by"),
        col(table.reported_at).label("logged_at"),
        col(table.withdrawn_at),
    ).where(*where)


def _open_items() -> Any:
    """The open items of the playbooks bound as `playbooks`: not withdrawn, not closed."""
    reads = []
    for source, (table, _reason, _logged_by) in _SOURCES.items():
        playbooks, kept = one_of(col(table.playbook_id), "playbooks"), col(table.withdrawn_at).is_(None)
        reads.append(_items(source, playbooks, kept, ~_closed(source, col(table.id))))
    return union_all(*reads)


_OPEN_ITEMS = _open_items()


def _heads_by_step() -> Any:
    """The open items of the playbooks bound as `playbooks`, the `limit` oldest of each
    step, each with its step's count of open items (a window over one walk of them)."""
    items = _OPEN_ITEMS.subquery()
    step = (items.c.playbook_id, items.c.step_id)
    ranked = select(
        items,
        func.row_number()
        .over(partition_by=step, order_by=(items.c.logged_at, items.c.source, items.c.report_id))
        .label("place"),
        func.count().over(partition_by=step).label("open_count"),
    ).subquery()
    return (
        select(ranked)
        .where(ranked.c.place <= bindparam("limit"))
        .order_by(ranked.c.step_id, ranked.c.logged_at, ranked.c.source, ranked.c.report_id)
    )


_HEADS_BY_STEP = _heads_by_step()


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
    def __init__(self, engine: Engine):
        self.engine = engine

    def open_of(self, playbook_ids: list[int], connection: Connection | None = None) -> list[Item]:
        """The open items of these playbooks (acknowledged ones too), oldest first."""
        if not playbook_ids:
            return []
        if connection is not None:
            return self._open(connection, playbook_ids)
        with reading(self.engine) as s:
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
        with reading(self.engine) as s:
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
        and how many of those are acknowledged. Counted and cut in SQL, so a step with
        years of open items costs a walk of them, not a row each (status shows five); the
        acknowledged ones are found from the playbook's moves, which are few."""
        with reading(self.engine) as s:
            connection = s.connection()
            rows = connection.execute(_HEADS_BY_STEP, {"playbooks": [playbook_id], "limit": limit}).all()
            latest = _latest_states(connection, [playbook_id])
            acknowledged = [key for key, (state, _) in latest.items() if state == ACKNOWLEDGED]
            steps = _open_steps(connection, acknowledged)
        found: dict[int, tuple[list[Item], int, int]] = {}
        for row in rows:  # oldest first within each step
            heads, _, _ = found.setdefault(row.step_id, ([], int(row.open_count), steps.count(row.step_id)))
            heads.append(_item(row, latest.get((row.source, row.report_id))))
        return found

    def item(self, source: str, report_id: int) -> Item | None:
        """One item as it stands now, withdrawn or closed ones too; None if there is no
        such report (or the check-in did not deviate)."""
        with reading(self.engine) as s:
            row = s.execute(_items(source, col(_table(source).id) == report_id)).one_or_none()
            if row is None:
                return None
            moves = _moves(s.connection(), [(source, report_id)], [row.playbook_id])
        return _item(row, moves.get((source, report_id)))

    def move(
        self, item: Item, to: str, note: str | None, by: str, at: datetime, messages: list[Message] | None = None
    ) -> None:
        """The item's next move, with its messages, in one unit of work. Raises Moved, and
        writes nothing, if another move was written since `item` was read (the unique
        sequence number: of two concurrent moves one wins), or its report was withdrawn."""
        try:
            with unit_of_work(self.engine) as s:
                table = _table(item.source)
                withdrawn = s.execute(select(col(table.withdrawn_at)).where(col(table.id) == item.report_id)).scalar()
                if withdrawn is not None:
                    raise Moved("withdrawn")
                s.add(
                    ExceptionItemEvent(
                        playbook_id=item.playbook_id,
                        source=item.source,
                        report_id=item.report_id,
                        seq=item.moves + 1,
                        state=to,
                        note=note,
                        by=by,
                        at=at,
                    )
                )
                s.flush()
                enqueue_in(s, messages or [], at)
        except IntegrityError as err:
            raise Moved("moved") from err

    def events_of(self, playbook_id: int) -> list[ItemEvent]:
        """Every move of the playbook's items, in order, with the item it moved."""
        with reading(self.engine) as s:
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


def _open_steps(connection: Connection, keys: list[tuple[str, int]]) -> list[int]:
    """The step of each of these items that is still open (not withdrawn; the caller
    passes items whose latest move leaves them open)."""
    steps: list[int] = []
    for source, (table, _reason, _logged_by) in _SOURCES.items():
        ids = [report_id for kind, report_id in keys if kind == source]
        if ids:
            read = _items(source, one_of(col(table.id), "ids"), col(table.withdrawn_at).is_(None))
            steps += [row.step_id for row in connection.execute(read, {"ids": ids})]
    return steps


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
