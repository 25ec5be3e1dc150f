"""The one way into a use case from an edge that takes commands (`/rollout`, the request
form): `handle` carries out a command with the use case the edge names, in its turn.

Which use case carries out which `/rollout` subcommand is written out, row by row, in
handlers/grammar.py `SUBCOMMANDS` (with its parser and its reply, mypy holding the three
to one command type); handlers/views.py names `commands.request` for the request form.
Nothing here looks use cases up: a reader follows the names.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from storage.db import use_cases_in_turn
from usecases.shared.caller import Caller

C = TypeVar("C")
R = TypeVar("R")


def handle(caller: Caller, use_case: Callable[[Caller, C], R], command: C) -> R:
    """Carry out `command` for `caller` with `use_case`: what it returns, for the edge to
    render. A refusal raises templates.refusals.Refusal before anything is written. It
    runs in its turn with the process's other use cases (storage.db.use_cases_in_turn)."""
    with use_cases_in_turn(caller.store.engine):
        return use_case(caller, command)
