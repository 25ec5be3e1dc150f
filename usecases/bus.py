"""The message bus: the one table from a command's type (usecases/shared/messages.py) to
the use case that carries it out. An edge parses or validates what it was sent into a
command, hands it to `handle`, and renders what comes back; it does not choose the use
case.

The table is read from the use cases themselves: each public function of the entry
modules below that takes `(caller, cmd)`, `cmd` annotated with a command type, is that
command's use case. A new use case is found by writing it; two for one command fail at
import; tests/usecases/test_bus.py fails until every command has one.

Two commands have none: `Help` reads nothing but the grammar's usage lines, and
`OpenForm` opens a Slack form: both are answered at the edge (handlers/commands.py).
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable
from types import ModuleType
from typing import Any

from storage.db import use_cases_in_turn
from usecases import commands, learnings, learnings_search, status, versions
from usecases.shared import messages
from usecases.shared.caller import Caller

ANSWERED_AT_THE_EDGE: tuple[type, ...] = (messages.Help, messages.OpenForm)


def use_cases(*modules: ModuleType) -> dict[type, Callable[[Caller, Any], Any]]:
    """Each command type and the one public function of `modules` that takes it."""
    command_types = set(typing.get_args(messages.Command))
    found: dict[type, Callable[[Caller, Any], Any]] = {}
    for module in modules:
        for name, function in vars(module).items():
            if name.startswith("_") or not inspect.isfunction(function) or function.__module__ != module.__name__:
                continue
            parameters = list(inspect.signature(function).parameters)
            command_type = typing.get_type_hints(function).get(parameters[-1]) if len(parameters) == 2 else None
            if not isinstance(command_type, type) or command_type not in command_types:
                continue
            if command_type in found:
                raise TypeError(
                    f"{command_type.__name__} has two use cases: {found[command_type].__qualname__}, {name}"
                )
            found[command_type] = function
    return found


HANDLERS = use_cases(commands, learnings, learnings_search, status, versions)


def handle(caller: Caller, command: messages.Command) -> Any:
    """Carry out `command` for `caller`: what its use case returns, for the edge to render.
    A refusal raises templates.refusals.Refusal before anything is written. It runs in
    its turn with the process's other use cases (storage.db.use_cases_in_turn)."""
    with use_cases_in_turn(caller.store.engine):
        return HANDLERS[type(command)](caller, command)
