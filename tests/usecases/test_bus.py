"""The bus's table is the one place a command finds its use case: every command type
has one (but those answered at the edge), and each use case takes its command."""

import inspect
import types
import typing

import pytest

from usecases import bus
from usecases.shared import messages


def test_every_command_type_has_a_use_case_and_every_use_case_a_command_type():
    commands = set(typing.get_args(messages.Command))
    missing = sorted(t.__name__ for t in commands - set(bus.HANDLERS) - set(bus.ANSWERED_AT_THE_EDGE))
    assert not missing, f"no use case in usecases/bus.py HANDLERS for: {missing}"
    stray = sorted(t.__name__ for t in set(bus.HANDLERS) - commands)
    assert not stray, f"in usecases/bus.py HANDLERS, but not in messages.Command: {stray}"
    assert not set(bus.HANDLERS) & set(bus.ANSWERED_AT_THE_EDGE)


def test_each_use_case_takes_the_caller_and_its_command():
    for command_type, use_case in bus.HANDLERS.items():
        hints = typing.get_type_hints(use_case)
        parameters = list(inspect.signature(use_case).parameters)
        assert len(parameters) == 2, use_case.__qualname__
        assert hints[parameters[1]] is command_type, f"{use_case.__qualname__} takes {hints[parameters[1]]}"


def test_two_use_cases_for_one_command_are_refused_at_import():
    module = types.ModuleType("twice")
    source = (
        "from usecases.shared import messages\n"
        "def undo(caller, cmd: messages.Undo): ...\n"
        "def undo_again(caller, cmd: messages.Undo): ...\n"
        "def _private(caller, cmd: messages.Pause): ...\n"
    )
    exec(compile(source, "twice", "exec"), module.__dict__)
    for function in (module.undo, module.undo_again, module._private):
        function.__module__ = "twice"
    with pytest.raises(TypeError, match="Undo has two use cases"):
        bus.use_cases(module)
    del module.undo_again
    assert bus.use_cases(module) == {messages.Undo: module.undo}  # a private function is no use case


def test_on_sqlite_a_use_case_waits_its_turn_and_on_postgresql_runs_at_once(bot, playbook, store):
    """storage.db.use_cases_in_turn, as the bus takes it: with every turn held, a command
    sent over HTTP is answered only once one is given back; PostgreSQL takes no turns."""
    import threading

    from storage.db import USE_CASES_AT_ONCE, use_cases_in_turn
    from tests.conftest import OWNER

    turns = use_cases_in_turn(store.engine)
    held = [turns.__enter__() for _ in range(USE_CASES_AT_ONCE)]
    answered = threading.Event()
    sender = threading.Thread(target=lambda: (bot.command("status support-replies", user=OWNER), answered.set()))
    try:
        sender.start()
        if store.engine.dialect.name == "sqlite":
            assert not answered.wait(0.5)  # every turn is held
        else:
            assert answered.wait(10)
    finally:
        for _ in held:
            turns.__exit__(None, None, None)
    assert answered.wait(10)
    sender.join()


def test_sqlite_runs_two_use_cases_at_once_and_postgresql_all(engine):
    """Each use case, once in, waits for as many as may be in at once to be in with it (a
    barrier, not a sleep: however slow the machine, they meet), so the most seen inside is
    that number; a turn too few would break the barrier, a turn too many let a third in."""
    import threading

    from storage.db import USE_CASES_AT_ONCE, use_cases_in_turn

    at_once = USE_CASES_AT_ONCE if engine.dialect.name == "sqlite" else 4
    inside, most, lock = [0], [0], threading.Lock()
    start, together = threading.Barrier(4), threading.Barrier(at_once, timeout=60)

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
