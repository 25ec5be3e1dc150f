"""The bus runs a use case in its turn (storage.db.use_cases_in_turn): on SQLite two of a
process's use cases at once, the rest waiting; on PostgreSQL all at once. Which use case
carries out which command is each subcommand's row (handlers/grammar.py), which mypy
checks: nothing here holds a table together. No test here measures a duration: a thread
is seen waiting by the turn it asks for, and use cases meet at a barrier."""

import threading

from storage import db
from storage.db import USE_CASES_AT_ONCE, use_cases_in_turn
from tests.conftest import OWNER

HANG = 60  # s: only a hang waits this long; no answer is expected to take it


class _Watched:
    """The engine's turns, telling `asked` each time a use case asks for one."""

    def __init__(self, turns: threading.BoundedSemaphore) -> None:
        self.turns, self.asked = turns, threading.Event()

    def __enter__(self) -> object:
        self.asked.set()
        return self.turns.__enter__()

    def __exit__(self, *exc: object) -> None:
        self.turns.__exit__(*exc)


def test_on_sqlite_a_use_case_waits_its_turn_and_on_postgresql_runs_at_once(bot, playbook, store, monkeypatch):
    """storage.db.use_cases_in_turn, as the bus takes it: with every turn held, a command
    sent over HTTP asks for one and is answered only once one is given back; PostgreSQL
    takes no turns. Deterministic: the command is seen asking (not given time to), and
    while every turn is held no use case can be inside."""
    answered = threading.Event()
    sender = threading.Thread(target=lambda: (bot.command("status support-replies", user=OWNER), answered.set()))
    if store.engine.dialect.name != "sqlite":
        assert use_cases_in_turn(store.engine).__enter__() is None  # a nullcontext: no turn to hold
        sender.start()
        assert answered.wait(HANG)
        sender.join()
        return
    turns = use_cases_in_turn(store.engine)
    assert isinstance(turns, threading.BoundedSemaphore)
    watched = _Watched(turns)
    monkeypatch.setitem(db._TURNS, store.engine, watched)
    held = [turns.acquire(blocking=False) for _ in range(USE_CASES_AT_ONCE)]
    try:
        assert all(held) and not turns.acquire(blocking=False)  # every turn is held: none is left
        sender.start()
        assert watched.asked.wait(HANG)  # the command asks for a turn ...
        assert not answered.is_set()  # ... and cannot have one: it has not answered
    finally:
        for _ in held:
            turns.release()
    assert answered.wait(HANG)
    sender.join()


def test_sqlite_runs_two_use_cases_at_once_and_postgresql_all(engine):
    """Each use case, once in, waits for as many as may be in at once to be in with it (a
    barrier, not a sleep: however slow the machine, they meet), so the most seen inside is
    that number; a turn too few would break the barrier, a turn too many let a third in."""
    at_once = USE_CASES_AT_ONCE if engine.dialect.name == "sqlite" else 4
    inside, most, lock = [0], [0], threading.Lock()
    start, together = threading.Barrier(4), threading.Barrier(at_once, timeout=HANG)

    def use_case() -> None:
        start.wait()
        with use_cases_in_turn(engine):
            with lock:
                inside[0] += 1
                most[0] = max(most[0], inside[0])
            together.wait()
            with lock:
                inside[0] -= 1

    threads = [threading.Thread(target=use_case) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert most[0] == at_once and not together.broken
