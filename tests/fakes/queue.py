"""The exception queue in memory: storage/exception_items.py's items (each a logged
exception or a deviated check-in of the fake reports, tests/fakes/reports.py) with their
moves, and storage/escalations.py's reads of the items escalated."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from cadence import keys
from cadence.escalation import Escalated, Escalation
from cadence.exception_queue import ACKNOWLEDGED, OPEN, Item
from storage.exception_items import ItemEvent, Moved
from storage.models.reports import ExceptionItemEvent
from tests.fakes.playbooks import clone, next_id

if TYPE_CHECKING:
    from tests.fakes.reports import Row
    from tests.fakes.store import Held


def _source(row: Row) -> str | None:
    """The item a report is, if it is one: an exception, or a check-in that deviated."""
    if row.kind == "exception":
        return "exception"
    if row.kind == "checkin" and row.values.get("attestation") == "deviated":
        return "deviation"
    return None


class FakeExceptionItems:
    def __init__(self, held: Held):
        self.held = held

    def _all(self, playbook_ids: list[int] | None = None) -> list[Item]:
        """Every item (withdrawn and closed ones too) with its moves, oldest first."""
        moves: dict[tuple[str, int], tuple[str, int]] = {}
        for event in sorted(self.held.item_events, key=lambda e: e.seq):
            moves[(event.source, event.report_id)] = (event.state, event.seq)
        items = []
        for row in self.held.reports.rows:
            source = _source(row)
            if source is None or (playbook_ids is not None and row.values["playbook_id"] not in playbook_ids):
                continue
            state, count = moves.get((source, row.id), (OPEN, 0))
            v = row.values
            items.append(
                Item(
                    source=source,
                    report_id=row.id,
                    playbook_id=v["playbook_id"],
                    step_id=v.get("step_id"),
                    reason=v.get("reason") if source == "exception" else v.get("note"),
                    logged_by=row.by,
                    logged_at=v["reported_at"],
                    state=state,
                    moves=count,
                    withdrawn=row.withdrawn,
                )
            )
        return sorted(items, key=lambda i: (i.logged_at, i.source, i.report_id))

    def open_of(self, playbook_ids: list[int]) -> list[Item]:
        return [i for i in self._all(playbook_ids) if i.is_open]

    def open_heads(self, playbook_ids: list[int], limit: int) -> tuple[dict[int, list[Item]], dict[int, int]]:
        found = self.open_of(playbook_ids)
        heads = {pid: [i for i in found if i.playbook_id == pid][:limit] for pid in playbook_ids}
        return heads, {pid: sum(1 for i in found if i.playbook_id == pid) for pid in playbook_ids}

    def open_by_step(self, playbook_id: int, limit: int) -> dict[int, tuple[list[Item], int, int]]:
        """By step: the `limit` oldest open items (a moved one shown acknowledged, with one
        move, as the real one reads it), how many are open and how many acknowledged."""
        found: dict[int, tuple[list[Item], int, int]] = {}
        for item in self.open_of([playbook_id]):
            if item.step_id is None:
                continue
            heads, count, acknowledged = found.get(item.step_id, ([], 0, 0))
            if len(heads) < limit:
                heads.append(item if item.moves == 0 else _acknowledged(item))
            found[item.step_id] = (heads, count + 1, acknowledged + (item.moves > 0))
        return found

    def item(self, source: str, report_id: int) -> Item | None:
        return next((i for i in self._all() if (i.source, i.report_id) == (source, report_id)), None)

    def move(self, item: Item, to: str, note: str | None, by: str, at: datetime) -> None:
        """Moved (writing nothing) if the item was withdrawn or moved since it was read."""
        now = self.item(item.source, item.report_id)
        if now is None or now.withdrawn:
            raise Moved("withdrawn")
        if now.moves != item.moves:
            raise Moved("moved")
        self.held.item_events.append(
            ExceptionItemEvent(
                id=next_id(),
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

    def events_of(self, playbook_id: int) -> list[ItemEvent]:
        items = {(i.source, i.report_id): i for i in self._all([playbook_id])}
        return [
            ItemEvent(_unmoved(items[(e.source, e.report_id)]), e.seq, e.state, e.note, e.by, e.at)
            for e in sorted(self.held.item_events, key=lambda e: e.id)
            if e.playbook_id == playbook_id and (e.source, e.report_id) in items
        ]


def _acknowledged(item: Item) -> Item:
    return replace(item, state=ACKNOWLEDGED, moves=1)


def _unmoved(item: Item) -> Item:
    return replace(item, state=OPEN, moves=0)


class FakeEscalations:
    """The items escalated (`held.escalations`), one an item and its moves at the time.
    `in_unit`: bound in a unit of work (backlog_told is refused outside one)."""

    def __init__(self, held: Held, in_unit: bool = False):
        self.held = held
        self.in_unit = in_unit

    def _unanswered(self, playbook_ids: list[int]) -> list[Item]:
        """Open items never moved nor escalated, oldest first."""
        escalated = {(e.source, e.report_id) for e in self.held.escalations if e.after_move == 0}
        return [
            i
            for i in FakeExceptionItems(self.held).open_of(playbook_ids)
            if i.moves == 0 and (i.source, i.report_id) not in escalated
        ]

    def _handoff_since(self, playbook_id: int) -> datetime | None:
        state = next((s for s in self.held.states.values() if s.playbook.id == playbook_id), None)
        return state.playbook.handoff_since if state is not None else None

    def due(self, sla_hours: dict[int, float], now: datetime, limit: int) -> list[Item]:
        """Those whose SLA ran out by `now`, but for the items logged before their
        playbook's handoff terms began (the backlog's summary tells those)."""
        found = []
        for i in self._unanswered(list(sla_hours)):
            since = self._handoff_since(i.playbook_id)
            if i.logged_at <= now - timedelta(hours=sla_hours[i.playbook_id]) and not (since and since > i.logged_at):
                found.append(i)
        return found[:limit]

    def backlog(self, playbook_id: int, since: datetime) -> list[Item]:
        return [i for i in self._unanswered([playbook_id]) if i.logged_at < since]

    def unresolved(self, resolve_hours: dict[int, float], now: datetime, limit: int) -> list[tuple[Item, datetime]]:
        """The items acknowledged `resolve_hours` before `now` or earlier (not before their
        playbook's handoff terms began), still open and not escalated since, with when they
        were acknowledged, oldest acknowledgement first."""
        escalated = {(e.source, e.report_id) for e in self.held.escalations if e.after_move == 1}
        acknowledged = {(e.source, e.report_id): e.at for e in self.held.item_events if e.seq == 1}
        found = [
            (i, acknowledged[(i.source, i.report_id)])
            for i in FakeExceptionItems(self.held).open_of(list(resolve_hours))
            if i.moves == 1
            and (i.source, i.report_id) not in escalated
            and acknowledged[(i.source, i.report_id)] <= now - timedelta(hours=resolve_hours[i.playbook_id])
            and not ((since := self._handoff_since(i.playbook_id)) and since > acknowledged[(i.source, i.report_id)])
        ]
        return sorted(found, key=lambda f: (f[1], f[0].source, f[0].report_id))[:limit]

    def backlog_told(self, playbook_id: int, since: datetime, at: datetime) -> bool:
        """The summary's mark, in a unit of work only: False if it was written, or the terms began again since."""
        if not self.in_unit:
            raise TypeError("the summary's mark goes with its message: write it in the use case's unit of work")
        state = next((s for s in self.held.states.values() if s.playbook.id == playbook_id), None)
        if state is None or state.playbook.handoff_since != since or state.playbook.handoff_backlog_at is not None:
            return False
        self.held.put(replace(state, playbook=clone(state.playbook, handoff_backlog_at=at)))
        return True

    def escalated(self, playbook_ids: list[int]) -> list[Escalated]:
        """The open items of a step ever escalated, with when logged and acknowledged."""
        ever = {(e.source, e.report_id) for e in self.held.escalations}
        acknowledged = {(e.source, e.report_id): e.at for e in self.held.item_events if e.seq == 1}
        return [
            Escalated(i.step_id, i.logged_at, acknowledged.get((i.source, i.report_id)) if i.moves else None)
            for i in FakeExceptionItems(self.held).open_of(playbook_ids)
            if i.step_id is not None and (i.source, i.report_id) in ever
        ]

    def fall_back(self, step_id: int, mode: str, at: datetime) -> bool:
        return self._mark_step(step_id, None, mode, at)

    def fallback_ended(self, step_id: int, since: datetime) -> bool:
        return self._mark_step(step_id, since, None, None)

    def _mark_step(self, step_id: int, since: datetime | None, mode: str | None, at: datetime | None) -> bool:
        """A step's fallback, in a unit of work only: False if it does not stand as `since` says."""
        if not self.in_unit:
            raise TypeError("a step's fallback goes with its notice: write it in the use case's unit of work")
        for state in list(self.held.states.values()):
            for index, step in enumerate(state.steps):
                if step.id == step_id and step.fallback_since == since:
                    steps = list(state.steps)
                    steps[index] = clone(step, fallback_mode=mode, fallback_since=at)
                    self.held.put(replace(state, steps=steps))
                    return True
        return False

    def record(self, escalations: list[Escalation]) -> set[str]:
        """Those whose item still stands as escalated (kept, open, as many moves) and were
        not written in that state: their keys (their messages are the use case's)."""
        items = FakeExceptionItems(self.held)
        written = {keys.escalation(e.source, e.report_id, e.after_move) for e in self.held.escalations}
        recorded = set()
        for escalation in escalations:
            key = keys.escalation(escalation.source, escalation.report_id, escalation.after_move)
            item = items.item(escalation.source, escalation.report_id)
            stands = item is not None and item.is_open and item.moves == escalation.after_move
            if stands and key not in written:
                self.held.escalations.append(escalation)
                written.add(key)
                recorded.add(key)
        return recorded

    def clear(self, escalation: Escalation, by: str, at: datetime) -> bool:
        key = (escalation.source, escalation.report_id, escalation.after_move)
        for index, held in enumerate(self.held.escalations):
            if (held.source, held.report_id, held.after_move) == key and held.cleared_at is None:
                self.held.escalations[index] = replace(held, cleared_at=at, cleared_by=by)
                return True
        return False

    def current_of(self, playbook_ids: list[int]) -> dict[tuple[str, int], Escalation]:
        found: dict[tuple[str, int], Escalation] = {}
        for e in sorted(self.held.escalations, key=lambda e: e.after_move):
            if e.playbook_id in playbook_ids and e.cleared_at is None:
                found[(e.source, e.report_id)] = e
        return found

    def latest(self, source: str, report_id: int) -> Escalation | None:
        found = [e for e in self.held.escalations if (e.source, e.report_id) == (source, report_id)]
        return max(found, key=lambda e: e.after_move, default=None)
