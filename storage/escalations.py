"""Exception items escalated (cadence/escalation.py): the items whose SLA ran out unanswered,
escalations written in the use case's unit of work with their messages (its Change), and
the current ones as the queue, status and the web view show them. One row per item and
state, keyed: two clocks, or a clock and a person, write one (storage/bulk.py's
insert_new), and only the writer enqueues the message, under the same key."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, exists, select, union_all, update
from sqlmodel import Session, col

from cadence import keys
from cadence.escalation import Escalated, Escalation
from cadence.exception_queue import ACKNOWLEDGED, CLOSED, Item
from storage import step_modes
from storage.bulk import insert_new
from storage.db import Bind, ReadSession, engine_of, joined, reading
from storage.exception_items import _SOURCES, ExceptionItems, _item, _items, _kept, _table
from storage.models import table_of
from storage.models.playbooks import Playbook
from storage.models.reports import ExceptionEscalation, ExceptionItemEvent
from storage.types import one_of

_ROW = ExceptionEscalation
_EVENT = ExceptionItemEvent
ESCALATIONS = table_of(ExceptionEscalation)
MOVES = table_of(ExceptionItemEvent)


def _never_moved(source: str) -> Any:
    report = col(_table(source).id)
    return ~exists().where(col(_EVENT.source) == source, col(_EVENT.report_id) == report)


def _not_escalated(source: str) -> Any:
    report = col(_table(source).id)
    return ~exists().where(col(_ROW.source) == source, col(_ROW.report_id) == report, col(_ROW.after_move) == 0)


def _before_handoff(source: str) -> Any:
    """An item logged before its playbook's handoff terms began (playbook.handoff_since):
    told in the summary of the items older than them, never escalated by the clock."""
    table = _table(source)
    return exists().where(
        col(Playbook.id) == col(table.playbook_id), col(Playbook.handoff_since) > col(table.reported_at)
    )


def _due(source: str) -> Any:
    table = _table(source)
    return _items(
        source,
        *_kept(source),
        col(table.reported_at) <= bindparam("cutoff"),
        _never_moved(source),
        _not_escalated(source),
        ~_before_handoff(source),
    )


def _backlog(source: str) -> Any:
    """The playbook's items (bound as `playbook`) logged before `since`, never moved (open
    and unanswered) nor escalated: the summary's."""
    table = _table(source)
    return _items(
        source,
        *_kept(source, bindparam("playbook")),
        col(table.reported_at) < bindparam("since"),
        _never_moved(source),
        _not_escalated(source),
    )


def _unresolved(source: str) -> Any:
    """The items acknowledged (their one move) at or before `cutoff`, still open after it
    (no second move) and not escalated in that state, with when they were acknowledged:
    not those acknowledged before their playbook's handoff terms began (no clock ran then)."""
    table = _table(source)
    report = col(table.id)
    first, second = MOVES.alias("first_move"), MOVES.alias("second_move")
    return (
        _items(
            source,
            *_kept(source),
            first.c.seq == 1,
            first.c.state == "acknowledged",
            first.c.at <= bindparam("cutoff"),
            ~exists().where(second.c.source == source, second.c.report_id == report, second.c.seq == 2),
            ~exists().where(col(_ROW.source) == source, col(_ROW.report_id) == report, col(_ROW.after_move) == 1),
            ~exists().where(col(Playbook.id) == col(table.playbook_id), col(Playbook.handoff_since) > first.c.at),
        )
        .add_columns(first.c.at.label("acknowledged_at"))
        .join(first, (first.c.source == source) & (first.c.report_id == report))
    )


_DUE = union_all(*(_due(source) for source in _SOURCES))
_UNRESOLVED = union_all(*(_unresolved(source) for source in _SOURCES))
_BACKLOG = union_all(*(_backlog(source) for source in _SOURCES))


def _escalation(row: Any) -> Escalation:
    return Escalation(
        source=row.source,
        report_id=row.report_id,
        playbook_id=row.playbook_id,
        after_move=row.after_move,
        at=row.at,
        reason=row.reason,
        by=row.by,
        cleared_at=row.cleared_at,
        cleared_by=row.cleared_by,
    )


class Escalations:
    def __init__(self, bind: Bind):
        self.bind, self.engine = bind, engine_of(bind)

    def due(self, sla_hours: dict[int, float], now: datetime, limit: int) -> list[Item]:
        """The items of these playbooks (id → its `sla_hours`) whose SLA ran out by `now`,
        never moved nor escalated, oldest first, at most `limit`."""
        if not sla_hours:
            return []
        cutoff = now - timedelta(hours=min(sla_hours.values()))
        with reading(self.bind) as s:
            rows = s.execute(_DUE, {"playbooks": list(sla_hours), "cutoff": cutoff}).all()
        items = [_item(row, None) for row in rows]
        due = [i for i in items if i.logged_at <= now - timedelta(hours=sla_hours[i.playbook_id])]
        return sorted(due, key=lambda i: (i.logged_at, i.source, i.report_id))[:limit]

    def unresolved(self, resolve_hours: dict[int, float], now: datetime, limit: int) -> list[tuple[Item, datetime]]:
        """The items of these playbooks (id → its `resolve_hours`) acknowledged at least
        that long before `now` and still open, not escalated since: each with when it was
        acknowledged, oldest acknowledgement first, at most `limit`."""
        if not resolve_hours:
            return []
        cutoff = now - timedelta(hours=min(resolve_hours.values()))
        with reading(self.bind) as s:
            rows = s.execute(_UNRESOLVED, {"playbooks": list(resolve_hours), "cutoff": cutoff}).all()
        found = [
            (_item(row, (ACKNOWLEDGED, 1)), row.acknowledged_at)
            for row in rows
            if row.acknowledged_at <= now - timedelta(hours=resolve_hours[row.playbook_id])
        ]
        return sorted(found, key=lambda f: (f[1], f[0].source, f[0].report_id))[:limit]

    def backlog(self, playbook_id: int, since: datetime) -> list[Item]:
        """The playbook's items logged before `since` (its handoff terms began then) that
        are open, never moved nor escalated, oldest first: what its summary tells."""
        with reading(self.bind) as s:
            rows = s.execute(_BACKLOG, {"playbook": playbook_id, "since": since}).all()
        return sorted((_item(row, None) for row in rows), key=lambda i: (i.logged_at, i.source, i.report_id))

    def backlog_told(self, playbook_id: int, since: datetime, at: datetime) -> bool:
        """Mark the summary of the items logged before the playbook's handoff terms began
        (at `since`) written, at `at`; False, and nothing written, if it was (another clock,
        a moment ago) or the terms began again since. In the use case's unit of work only
        (no transaction of its own): its message goes in the same one, so it is sent once
        and never lost."""
        if not isinstance(self.bind, Session) or isinstance(self.bind, ReadSession):
            raise TypeError("the summary's mark goes with its message: write it in the use case's unit of work")
        done = self.bind.exec(
            update(Playbook)
            .where(
                col(Playbook.id) == playbook_id,
                col(Playbook.handoff_since) == since,
                col(Playbook.handoff_backlog_at).is_(None),
            )
            .values(handoff_backlog_at=at)
            .execution_options(synchronize_session=False)
        ).rowcount
        return bool(done)

    def escalated(self, playbook_ids: list[int]) -> list[Escalated]:
        """The open items of these playbooks that were ever escalated and belong to a step,
        in the figures a step's fallback needs (cadence/escalation.py, fallback_mode): when
        each was logged and, if it was, acknowledged."""
        if not playbook_ids:
            return []
        open_items = ExceptionItems(self.bind).open_of(playbook_ids)
        with reading(self.bind) as s:
            ever = {
                (source, report_id)
                for source, report_id in s.execute(
                    select(col(_ROW.source), col(_ROW.report_id)).where(one_of(col(_ROW.playbook_id), "playbooks")),
                    {"playbooks": playbook_ids},
                )
            }
            acknowledged = dict(
                ((source, report_id), at)
                for source, report_id, at in s.execute(
                    select(col(_EVENT.source), col(_EVENT.report_id), col(_EVENT.at)).where(
                        one_of(col(_EVENT.playbook_id), "playbooks"), col(_EVENT.seq) == 1
                    ),
                    {"playbooks": playbook_ids},
                )
            )
        return [
            Escalated(i.step_id, i.logged_at, acknowledged.get((i.source, i.report_id)) if i.moves else None)
            for i in open_items
            if i.step_id is not None and (i.source, i.report_id) in ever
        ]

    def fall_back(self, step_id: int, mode: str, at: datetime) -> bool:
        """Mark the step running in its fallback `mode` since `at`; False, and nothing
        written, if it was already (another clock, a moment ago). In the use case's unit of
        work only: the team channel's notice goes in the same one, so it is told once."""
        return self._mark_step(step_id, None, mode, at)

    def fallback_ended(self, step_id: int, since: datetime) -> bool:
        """End the step's fallback that began at `since`; False, and nothing written, if it
        ended already. In the use case's unit of work only, as `fall_back`."""
        return self._mark_step(step_id, since, None, None)

    def _mark_step(self, step_id: int, since: datetime | None, mode: str | None, at: datetime | None) -> bool:
        if not isinstance(self.bind, Session) or isinstance(self.bind, ReadSession):
            raise TypeError("a step's fallback goes with its notice: write it in the use case's unit of work")
        return step_modes.run_in(self.bind, step_id, since, mode, at)

    def record(self, escalations: list[Escalation]) -> set[str]:
        """Write these escalations, each only if its item still stands as it was escalated
        (not moved since, not withdrawn) and none was written for it in that state. Returns
        the keys of those this call wrote (keys.escalation, their messages' keys too): the
        unique key decides, by a conditional insert, so of two clocks (or a clock and a
        person) one writes it and learns so, and the use case enqueues the message of only
        those, in the same unit of work."""
        if not escalations:
            return set()
        with joined(self.bind) as s:
            connection = s.connection()
            rows = [
                dict(
                    key=keys.escalation(e.source, e.report_id, e.after_move),
                    playbook_id=e.playbook_id,
                    source=e.source,
                    report_id=e.report_id,
                    after_move=e.after_move,
                    reason=e.reason,
                    by=e.by,
                    at=e.at,
                )
                for e in escalations
                if _stands(connection, e.source, e.report_id, e.after_move)
            ]
            # the key is the item and its move, which ux_exception_escalation_item holds unique too
            return insert_new(s, ESCALATIONS, rows, any_unique=True) if rows else set()

    def current_of(self, playbook_ids: list[int]) -> dict[tuple[str, int], Escalation]:
        """(source, report id) → the item's latest escalation not acknowledged itself, for
        these playbooks' items; whether it is still current is the item's (Escalation.current)."""
        if not playbook_ids:
            return {}
        with reading(self.bind) as s:
            rows = s.execute(
                select(_ROW)
                .where(one_of(col(_ROW.playbook_id), "playbooks"), col(_ROW.cleared_at).is_(None))
                .order_by(col(_ROW.after_move)),
                {"playbooks": playbook_ids},
            ).scalars()
            return {(r.source, r.report_id): _escalation(r) for r in rows}

    def latest(self, source: str, report_id: int) -> Escalation | None:
        """The item's latest escalation, acknowledged or not; None if it was never escalated."""
        with reading(self.bind) as s:
            row = (
                s.execute(
                    select(_ROW)
                    .where(col(_ROW.source) == source, col(_ROW.report_id) == report_id)
                    .order_by(col(_ROW.after_move).desc())
                )
                .scalars()
                .first()
            )
            return _escalation(row) if row is not None else None

    def clear(self, escalation: Escalation, by: str, at: datetime) -> bool:
        """Acknowledge the escalation itself (its item acknowledged before it); False, and
        nothing written, if someone did a moment ago (a compare-and-set: its rowcount)."""
        key = keys.escalation(escalation.source, escalation.report_id, escalation.after_move)
        with joined(self.bind) as s:
            done = s.exec(
                update(_ROW)
                .where(col(_ROW.key) == key, col(_ROW.cleared_at).is_(None))
                .values(cleared_by=by, cleared_at=at)
                .execution_options(synchronize_session=False)
            ).rowcount
        return bool(done)


def _stands(connection: Any, source: str, report_id: int, after_move: int) -> bool:
    """Whether the item is kept, open and has had exactly `after_move` moves now."""
    table = _table(source)
    withdrawn = connection.execute(select(col(table.withdrawn_at)).where(col(table.id) == report_id)).first()
    if withdrawn is None or withdrawn[0] is not None:
        return False
    states = connection.execute(
        select(col(_EVENT.state)).where(col(_EVENT.source) == source, col(_EVENT.report_id) == report_id)
    ).scalars()
    states = list(states)
    return len(states) == after_move and not any(state in CLOSED for state in states)


__all__ = ["Escalations"]
