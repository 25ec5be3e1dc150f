"""The pulse's answers in the database (storage/pulse.py): one a person a cycle, kept by a
keyed hash while open; after the close, nothing that ties an answer to a person."""

from __future__ import annotations

import threading
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import inspect, select, text

from cadence.pulse import Answer
from storage.models import table_of
from storage.models.pulse import PulseAnswer, PulseKey, PulseVoter
from storage.pulse import voter

LAST_WEEK = date(2026, 12, 7)  # week 4 of cycle 1, begun 2026-11-16
PEOPLE = [f"U{n:02d}" for n in range(6)]


def _answer(store, pid, person, answer):
    with store.unit_of_work() as uow:
        kept = uow.pulses.answer(pid, 1, LAST_WEEK, person, answer)
        uow.commit()
    return kept


def _rows(engine, model):
    with engine.connect() as c:
        return [dict(r._mapping) for r in c.execute(select(table_of(model))).all()]


def test_a_second_answer_replaces_the_first(store, playbook):
    pid = playbook.playbook.id
    assert _answer(store, pid, "U01", Answer(trust=2))
    assert _answer(store, pid, "U01", Answer(trust=4, around="often"))
    assert _answer(store, pid, "U02", Answer(safety=5))
    shown = store.pulses.shown({(pid, 1): 5})[(pid, 1)]
    assert shown.answers == 2 and shown.asked == {} and not shown.shown  # open: the count alone
    assert sorted(r["trust"] or 0 for r in _rows(store.engine, PulseAnswer)) == [0, 4]
    (key,) = _rows(store.engine, PulseKey)
    # the keyed hashes live apart from the answers, which name only a random label
    voters = _rows(store.engine, PulseVoter)
    assert {r["voter"] for r in voters} == {voter(key["secret"], p) for p in ("U01", "U02")}
    assert {r["label"] for r in voters} == {r["label"] for r in _rows(store.engine, PulseAnswer)}
    assert "voter" not in _rows(store.engine, PulseAnswer)[0]


def test_after_the_close_no_table_ties_an_answer_to_a_person(store, playbook):
    pid = playbook.playbook.id
    for n, person in enumerate(PEOPLE):
        _answer(store, pid, person, Answer(trust=1 + n % 5, around="never", freed="new"))
    (key,) = _rows(store.engine, PulseKey)
    with store.unit_of_work() as uow:
        uow.governance.close_weeks([(pid, LAST_WEEK)])
        uow.pulses.seal([(pid, 1)])
        uow.commit()
    assert _rows(store.engine, PulseKey) == []
    hashes = {voter(key["secret"], p) for p in PEOPLE}
    names = inspect(store.engine).get_table_names()
    found = []
    with store.engine.connect() as c:
        for name in [n for n in names if n.startswith("pulse")]:
            for row in c.execute(text(f"SELECT * FROM {name}")).mappings():  # every column of every row
                found += [v for v in row.values() if isinstance(v, str) and (v in PEOPLE or v in hashes)]
                assert not set(row) & {"created_at", "answered_at", "recorded_at", "user_id", "person"}
    assert found == [] and len(_rows(store.engine, PulseAnswer)) == len(PEOPLE)
    # a late answer is refused: the cycle's results are fixed at the close
    assert not _answer(store, pid, "U09", Answer(trust=5))
    assert store.pulses.shown({(pid, 1): 5})[(pid, 1)].answers == len(PEOPLE)
    assert _rows(store.engine, PulseVoter) == []


def test_two_answers_of_one_person_racing_keep_one(store, playbook):
    pid = playbook.playbook.id
    start = threading.Barrier(2)
    done = []

    def answer(trust: int) -> None:
        start.wait()
        done.append(_answer(store, pid, "U01", Answer(trust=trust)))

    threads = [threading.Thread(target=answer, args=(t,)) for t in (2, 5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert done == [True, True]
    assert store.pulses.shown({(pid, 1): 5})[(pid, 1)].answers == 1 and len(_rows(store.engine, PulseKey)) == 1
    assert len(_rows(store.engine, PulseVoter)) == 1


def test_a_close_of_many_cycles_seals_them_all_in_one_statement_each(store, playbook):
    """A thousand cycles closing in one round (the bench's close): SQLite refused the
    pairs as an OR of a thousand terms ("Expression tree is too large")."""
    pid = playbook.playbook.id
    _answer(store, pid, "U01", Answer(trust=3))
    many = [(pid, 1), *((10_000 + n, 1) for n in range(1_000))]  # the others have no pulse
    with store.unit_of_work() as uow:
        uow.governance.close_weeks([(pid, LAST_WEEK)])
        uow.pulses.seal(many)
        uow.commit()
    assert _rows(store.engine, PulseKey) == [] and len(_rows(store.engine, PulseAnswer)) == 1
    assert store.pulses.shown(dict.fromkeys(many, 5))[(pid, 1)].answers == 1


def test_a_close_of_ten_thousand_cycles_seals_them_and_keeps_the_open_ones(store, playbook):
    """Ten thousand playbooks' last weeks closing in one round (bench/scale.py): PostgreSQL
    refused the open cycles' read, a NOT IN of every sealed pair ("stack depth limit
    exceeded"), and so the whole close. The open cycle's key stays; the sealed ones go."""
    pid = playbook.playbook.id
    _answer(store, pid, "U01", Answer(trust=3))  # cycle 1: sealed below
    with store.unit_of_work() as uow:  # cycle 2: still open
        assert uow.pulses.answer(pid, 2, LAST_WEEK + timedelta(days=28), "U02", Answer(trust=4))
        uow.commit()
    many = [(pid, 1), *((10_000 + n, 1) for n in range(10_000))]
    with store.unit_of_work() as uow:
        uow.governance.close_weeks([(pid, LAST_WEEK)])
        uow.pulses.seal(many)
        uow.commit()
    assert {(r["playbook_id"], r["cycle"]) for r in _rows(store.engine, PulseKey)} == {(pid, 2)}
    assert len(_rows(store.engine, PulseAnswer)) == 2


def test_the_gate_shows_each_figure_from_enough_answers_to_its_own_question(store, playbook):
    """Issue 92: five answered only where the time went, one answered the rest."""
    pid = playbook.playbook.id
    for person in PEOPLE[:5]:
        _answer(store, pid, person, Answer(freed="new"))
    _answer(store, pid, PEOPLE[5], Answer(trust=1, around="often", safety=2))
    with store.unit_of_work() as uow:
        uow.governance.close_weeks([(pid, LAST_WEEK)])
        uow.pulses.seal([(pid, 1)])
        uow.commit()
    shown = store.pulses.shown({(pid, 1): 5, (pid, 2): 5})
    assert shown[(pid, 2)].answers == 0  # a cycle nobody answered is in the answer too
    figures = shown[(pid, 1)].figures()
    assert figures["answers"] == 6 and figures["trust"] is None and figures["safety"] is None
    assert figures["worked_around"] is None and figures["freed"] == {"new": 1.0}
    assert figures["hidden"] == {"trust": 1, "safety": 1, "around": 1}


def _file_bytes(store) -> bytes:
    """What an administrator with the database's files could read: SQLite's file and its
    write-ahead log; PostgreSQL's pulse relations' files (tables and indexes), read raw."""
    engine = store.engine
    if engine.dialect.name == "sqlite":
        path = Path(engine.url.database)
        wal = path.with_name(path.name + "-wal")
        return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")
    found = b""
    with engine.connect() as c:
        c.execute(text("CHECKPOINT"))  # what the buffers hold, written to the files
        for relation in ("pulse_key", "pulse_voter", "pulse_answer", "pk_pulse_key", "pk_pulse_voter"):
            path = c.execute(text("SELECT pg_relation_filepath(:r)"), {"r": relation}).scalar()
            found += c.execute(text("SELECT pg_read_binary_file(:p)"), {"p": path}).scalar() or b""
    return found


def _relation_files(store) -> list[str]:
    if store.engine.dialect.name == "sqlite":
        return []
    with store.engine.connect() as c:
        return [
            c.execute(text("SELECT pg_relation_filepath(:r)"), {"r": r}).scalar()
            for r in ("pulse_key", "pulse_voter", "pk_pulse_key", "pk_pulse_voter")
        ]


def _old_files_left(store, paths: list[str]) -> list[str]:
    """The files among `paths` that still hold anything (after a checkpoint)."""
    if not paths:
        return []
    with store.engine.connect() as c:
        c.execute(text("CHECKPOINT"))
        sizes = [c.execute(text("SELECT (pg_stat_file(:p, true)).size"), {"p": p}).scalar() for p in paths]
    return [p for p, size in zip(paths, sizes, strict=True) if size]


def test_after_the_close_the_database_files_hold_neither_the_key_nor_a_hash(store, playbook):
    """Issue 92, "Nothing left to tie": before the close the key and the keyed hashes are in
    the files; after it, none of them is, in any page or the write-ahead log (SQLite: the
    deleted rows overwritten and the log truncated; PostgreSQL: TRUNCATE, no dead row)."""

    pid = playbook.playbook.id
    for n, person in enumerate(PEOPLE):
        _answer(store, pid, person, Answer(trust=1 + n % 5, around="never", freed="new"))
    _answer(store, pid, PEOPLE[0], Answer(trust=5))  # answering again: one row replaced
    (key,) = _rows(store.engine, PulseKey)
    secrets_before = [key["secret"], *(r["voter"] for r in _rows(store.engine, PulseVoter))]
    assert len(secrets_before) == 1 + len(PEOPLE)
    before = _file_bytes(store)
    assert all(s.encode() in before for s in secrets_before)  # the test can fail: they were there
    files_before = _relation_files(store)
    with store.unit_of_work() as uow:
        uow.governance.close_weeks([(pid, LAST_WEEK)])
        uow.pulses.seal([(pid, 1)])
        uow.commit()
    after = _file_bytes(store)
    assert _old_files_left(store, files_before) == []  # PostgreSQL: TRUNCATE's old files emptied
    assert [s for s in secrets_before if s.encode() in after] == []
    assert store.pulses.shown({(pid, 1): 5})[(pid, 1)].answers == len(PEOPLE)  # the answers stay


def test_a_close_keeps_the_key_and_the_voters_of_a_cycle_still_open(store, playbook):
    """PostgreSQL empties the tables by TRUNCATE at a close: the cycles not closing are
    written back, so their people answering again still replace their answers."""
    from datetime import timedelta

    pid = playbook.playbook.id
    _answer(store, pid, "U01", Answer(trust=2))
    with store.unit_of_work() as uow:
        assert uow.pulses.answer(pid, 2, LAST_WEEK + timedelta(weeks=4), "U01", Answer(trust=3))
        uow.commit()
    (open_key,) = [r for r in _rows(store.engine, PulseKey) if r["cycle"] == 2]
    with store.unit_of_work() as uow:
        uow.governance.close_weeks([(pid, LAST_WEEK)])
        uow.pulses.seal([(pid, 1)])
        uow.commit()
    assert _rows(store.engine, PulseKey) == [open_key]
    assert [r["voter"] for r in _rows(store.engine, PulseVoter)] == [voter(open_key["secret"], "U01")]
    with store.unit_of_work() as uow:
        assert uow.pulses.answer(pid, 2, LAST_WEEK + timedelta(weeks=4), "U01", Answer(trust=5))
        uow.commit()
    assert store.pulses.shown({(pid, 2): 5})[(pid, 2)].answers == 1
