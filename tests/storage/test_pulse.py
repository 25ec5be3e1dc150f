"""The pulse's answers in the database (storage/pulse.py): one a person a cycle, kept by a
keyed hash while open; after the close, nothing that ties an answer to a person."""

from __future__ import annotations

import threading
from datetime import date

from sqlalchemy import inspect, select, text

from cadence.pulse import Answer
from storage.models import table_of
from storage.models.pulse import PulseAnswer, PulseKey
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
    assert store.pulses.counts([(pid, 1)]) == {(pid, 1): 2}
    answers = store.pulses.answers([(pid, 1)])[(pid, 1)]
    assert sorted(a.trust or 0 for a in answers) == [0, 4]
    (key,) = _rows(store.engine, PulseKey)
    assert {r["voter"] for r in _rows(store.engine, PulseAnswer)} == {voter(key["secret"], p) for p in ("U01", "U02")}


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
    assert store.pulses.counts([(pid, 1)]) == {(pid, 1): len(PEOPLE)}


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
    assert store.pulses.counts([(pid, 1)]) == {(pid, 1): 1} and len(_rows(store.engine, PulseKey)) == 1


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
    assert store.pulses.counts(many)[(pid, 1)] == 1
