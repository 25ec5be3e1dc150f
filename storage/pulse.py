"""The pulse's answers (storage/models/pulse.py): an answer kept once per person per
cycle while the cycle is open, the one gate every surface reads the pulse through, and
the close that seals a cycle and leaves nothing that ties an answer to a person.

`shown` is the only read of these tables (tests/test_layers.py holds every other module
to it): it gives aggregates only (cadence.pulse.summarize, figure by figure from
`pulse_min_answers` answers to each question), and of a cycle still open only how many
answered. No answer leaves this module.

Why an answer and the close cannot race: `answer` writes only while the cycle's last week
is open, reading that under the lock a report takes (storage/report_writes.py,
open_week): an answer that took it first is committed before the close seals the cycle,
so the close reads and relabels it; one that comes after finds the week closed and writes
nothing. Two answers of one person racing land on one row: the keyed hash is the voter
row's key (inserted once), and the answer's write an upsert on the label it names."""

from __future__ import annotations

import hashlib
import hmac
import random
import secrets
from collections.abc import Iterable, Mapping
from datetime import date

from sqlalchemy import ColumnElement, Table, delete, event, exists, select, text, tuple_
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from cadence.pulse import Answer, Pulse, needed, summarize
from storage.bulk import upsert
from storage.db import Bind, engine_of, in_unit_of_work, reading
from storage.models import table_of
from storage.models.pulse import PulseAnswer, PulseKey, PulseVoter
from storage.report_writes import open_week

KEYS, VOTERS, ANSWERS = table_of(PulseKey), table_of(PulseVoter), table_of(PulseAnswer)
Cycle = tuple[int, int]  # (playbook id, cycle number)


def voter(secret: str, person: str) -> str:
    """The keyed hash that keeps one answer a person: HMAC-SHA256 under the cycle's key."""
    return hmac.new(bytes.fromhex(secret), person.encode(), hashlib.sha256).hexdigest()


def _which(cycles: Iterable[Cycle], table: Table = ANSWERS) -> ColumnElement[bool]:
    """The rows of these (playbook, cycle) pairs: one IN of row values, not an OR a pair,
    which SQLite refuses past 1,000 terms (a close of 500 playbooks' cycles)."""
    return tuple_(table.c.playbook_id, table.c.cycle).in_(sorted(set(cycles)))


SEALED_AT_ONCE = 500  # (playbook, cycle) pairs a statement names: PostgreSQL's parser recursed
# past its stack on 10,000 row values (a close of 10,000 playbooks' last weeks at once)


def _batches(cycles: Iterable[Cycle]) -> list[list[Cycle]]:
    pairs = sorted(set(cycles))
    return [pairs[i : i + SEALED_AT_ONCE] for i in range(0, len(pairs), SEALED_AT_ONCE)]


def _overwrite_deleted(s: Session) -> None:
    """SQLite: from now on this connection overwrites what it deletes or moves with zeros,
    so no deleted key or hash stays in a free part of a page (PostgreSQL: see seal)."""
    if engine_of(s).dialect.name == "sqlite":
        s.execute(text("PRAGMA secure_delete = ON"))


class Pulses:
    def __init__(self, bind: Bind):
        self.bind, self.engine = bind, engine_of(bind)

    def answer(self, playbook_id: int, cycle: int, last_week: date, person: str, answer: Answer) -> bool:
        """Keep `person`'s answer to the cycle's pulse, in place of any they gave before;
        False (nothing written) if the cycle's last week (`last_week`, its Monday) is closed.
        In the use case's unit of work only."""
        s = in_unit_of_work(self.bind, "an answer is written in the use case's unit of work")
        still_open = exists(open_week().with_for_update(read=True))
        if not s.execute(select(still_open), {"playbook_id": playbook_id, "week_start": last_week}).scalar():
            return False
        _overwrite_deleted(s)
        where = {"playbook_id": playbook_id, "cycle": cycle}
        dialect = postgresql if self.engine.dialect.name == "postgresql" else sqlite
        s.execute(  # the cycle's key, made by its first answer (two first answers: one key)
            dialect.insert(KEYS)
            .values(**where, secret=secrets.token_hex(32))
            .on_conflict_do_nothing(index_elements=["playbook_id", "cycle"])
        )
        secret = s.execute(
            select(KEYS.c.secret).where(KEYS.c.playbook_id == playbook_id, KEYS.c.cycle == cycle)
        ).scalar_one()
        hashed = voter(secret, person)
        s.execute(  # the person's voter row, made by their first answer: the label of their answer
            dialect.insert(VOTERS)
            .values(**where, voter=hashed, label=secrets.token_hex(16))
            .on_conflict_do_nothing(index_elements=["playbook_id", "cycle", "voter"])
        )
        label = s.execute(
            select(VOTERS.c.label).where(
                VOTERS.c.playbook_id == playbook_id, VOTERS.c.cycle == cycle, VOTERS.c.voter == hashed
            )
        ).scalar_one()
        values = {"trust": answer.trust, "around": answer.around, "safety": answer.safety, "freed": answer.freed}
        upsert(s, ANSWERS, {**where, "label": label, **values}, values)
        return True

    def shown(self, cycles: Mapping[Cycle, int | None]) -> dict[Cycle, Pulse]:
        """The gate: each cycle's pulse as it may be shown (`cycles`: each one's
        pulse_min_answers), aggregates only, figure by figure (cadence.pulse.summarize); of
        a cycle still open (its key not yet destroyed) only how many answered. Every cycle
        asked for is in the answer (nobody answered: 0)."""
        if not cycles:
            return {}
        with reading(self.bind) as s:
            rows = s.execute(
                select(ANSWERS.c.playbook_id, ANSWERS.c.cycle, ANSWERS.c.trust, ANSWERS.c.around)
                .add_columns(ANSWERS.c.safety, ANSWERS.c.freed)
                .where(_which(cycles))
            ).all()
            still_open = {
                (pid, cycle)
                for pid, cycle in s.execute(select(KEYS.c.playbook_id, KEYS.c.cycle).where(_which(cycles, KEYS)))
            }
        found: dict[Cycle, list[Answer]] = {}
        for pid, cycle, trust, around, safety, freed in rows:
            found.setdefault((pid, cycle), []).append(Answer(trust, around, safety, freed))
        shown = {}
        for (pid, cycle), floor in cycles.items():
            answers = found.get((pid, cycle), [])
            if (pid, cycle) in still_open:  # before the close: the count, never a figure
                shown[(pid, cycle)] = Pulse(cycle, sum(1 for a in answers if not a.empty), needed(floor))
            else:
                shown[(pid, cycle)] = summarize(cycle, answers, floor)
        return shown

    def seal(self, cycles: list[Cycle]) -> None:
        """The close of these cycles' pulses: their keys and voters' keyed hashes destroyed,
        and their answers written again under random labels, in a random order, so no one
        can tie one to a person or to when it came. On SQLite the deleted rows are
        overwritten with zeros (secure_delete), and once the close commits `settle`
        empties the write-ahead log;
        on PostgreSQL the keys' and voters' tables are emptied by TRUNCATE, which leaves
        no dead row behind, and the other cycles' rows written back. In the close's unit
        of work only."""
        s = in_unit_of_work(self.bind, "a pulse is sealed in the close's unit of work")
        if not cycles:
            return
        _overwrite_deleted(s)
        event.listen(s, "after_commit", lambda _: self.settle(), once=True)
        if self.engine.dialect.name == "postgresql":
            # locked before the other cycles' rows are read, so no answer lands between the read and TRUNCATE
            s.execute(text(f"LOCK TABLE {KEYS.name}, {VOTERS.name} IN ACCESS EXCLUSIVE MODE"))
            # the open cycles' rows, kept by what they are not: a NOT IN of every sealed pair
            # is one expression as deep as the pairs are many
            sealed = set(cycles)
            kept = {
                table: [
                    dict(r._mapping)
                    for r in s.execute(select(table)).all()
                    if (r._mapping["playbook_id"], r._mapping["cycle"]) not in sealed
                ]
                for table in (KEYS, VOTERS)
            }
            s.execute(text(f"TRUNCATE {KEYS.name}, {VOTERS.name}"))
            for table, rows in kept.items():
                if rows:
                    s.execute(table.insert(), rows)
        else:
            for batch in _batches(cycles):
                s.execute(delete(VOTERS).where(_which(batch, VOTERS)))
                s.execute(delete(KEYS).where(_which(batch, KEYS)))
        rows = [dict(r._mapping) for b in _batches(cycles) for r in s.execute(select(ANSWERS).where(_which(b))).all()]
        if not rows:
            return
        for batch in _batches(cycles):
            s.execute(delete(ANSWERS).where(_which(batch)))
        random.SystemRandom().shuffle(rows)
        s.execute(ANSWERS.insert(), [{**row, "label": secrets.token_hex(16)} for row in rows])

    def settle(self) -> bool:
        """After a close that sealed a pulse commits (seal asks for it): on SQLite, the
        write-ahead log copied into the database file and truncated to nothing, so the
        pages from before the seal are gone from it too (False: a reader kept it from
        finishing, the next close tries again). PostgreSQL: nothing to do."""
        if self.engine.dialect.name != "sqlite":
            return True
        with self.engine.connect() as connection:
            busy, _, _ = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()
        return not busy
