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
