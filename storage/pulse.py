"""The pulse's answers (storage/models/pulse.py): an answer kept once per person per
cycle while the cycle is open, how many answered, and the close that seals a cycle.

Why an answer and the close cannot race: `answer` writes only while the cycle's last week
is open, reading that under the lock a report takes (storage/report_writes.py,
open_week): an answer that took it first is committed before the close seals the cycle,
so the close reads and relabels it; one that comes after finds the week closed and writes
nothing. Two answers of one person racing land on one row: the keyed hash is the
row's key and the write an upsert."""

from __future__ import annotations

import hashlib
import hmac
import random
import secrets
from collections.abc import Iterable
from datetime import date

from sqlalchemy import ColumnElement, Table, delete, exists, select, tuple_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql import func

from cadence.pulse import Answer
from storage.bulk import upsert
from storage.db import Bind, engine_of, in_unit_of_work, reading
from storage.models import table_of
from storage.models.pulse import PulseAnswer, PulseKey
from storage.report_writes import open_week

KEYS, ANSWERS = table_of(PulseKey), table_of(PulseAnswer)
Cycle = tuple[int, int]  # (playbook id, cycle number)


def voter(secret: str, person: str) -> str:
    """The keyed hash that keeps one answer a person: HMAC-SHA256 under the cycle's key."""
    return hmac.new(bytes.fromhex(secret), person.encode(), hashlib.sha256).hexdigest()


def _which(cycles: Iterable[Cycle], table: Table = ANSWERS) -> ColumnElement[bool]:
    """The rows of these (playbook, cycle) pairs: one IN of row values, not an OR a pair,
    which SQLite refuses past 1,000 terms (a close of 500 playbooks' cycles)."""
    return tuple_(table.c.playbook_id, table.c.cycle).in_(sorted(set(cycles)))


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
        values = {"trust": answer.trust, "around": answer.around, "safety": answer.safety, "freed": answer.freed}
        upsert(s, ANSWERS, {**where, "voter": voter(secret, person), **values}, values)
        return True

    def counts(self, cycles: list[Cycle]) -> dict[Cycle, int]:
        """How many answered each cycle (cycles without an answer are left out)."""
        if not cycles:
            return {}
        with reading(self.bind) as s:
            rows = s.execute(
                select(ANSWERS.c.playbook_id, ANSWERS.c.cycle, func.count())
                .where(_which(cycles))
                .group_by(ANSWERS.c.playbook_id, ANSWERS.c.cycle)
            ).all()
        return {(pid, cycle): n for pid, cycle, n in rows}

    def answers(self, cycles: list[Cycle]) -> dict[Cycle, list[Answer]]:
        """Each cycle's answers, never who gave them (cycles without any are left out)."""
        if not cycles:
            return {}
        with reading(self.bind) as s:
            rows = s.execute(
                select(ANSWERS.c.playbook_id, ANSWERS.c.cycle, ANSWERS.c.trust, ANSWERS.c.around)
                .add_columns(ANSWERS.c.safety, ANSWERS.c.freed)
                .where(_which(cycles))
                .order_by(ANSWERS.c.playbook_id, ANSWERS.c.cycle, ANSWERS.c.voter)
            ).all()
        found: dict[Cycle, list[Answer]] = {}
        for pid, cycle, trust, around, safety, freed in rows:
            found.setdefault((pid, cycle), []).append(Answer(trust, around, safety, freed))
        return found

    def seal(self, cycles: list[Cycle]) -> None:
        """The close of these cycles' pulses: their keys deleted and their answers written
        again under random labels, in a random order, so no one can tie one to a person
        or to when it came. In the close's unit of work only."""
        s = in_unit_of_work(self.bind, "a pulse is sealed in the close's unit of work")
        if not cycles:
            return
        s.execute(delete(KEYS).where(_which(cycles, KEYS)))
        rows = [dict(r._mapping) for r in s.execute(select(ANSWERS).where(_which(cycles))).all()]
        if not rows:
            return
        s.execute(delete(ANSWERS).where(_which(cycles)))
        random.SystemRandom().shuffle(rows)
        s.execute(ANSWERS.insert(), [{**row, "voter": secrets.token_hex(16)} for row in rows])
