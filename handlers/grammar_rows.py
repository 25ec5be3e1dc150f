"""A row of the `/rollout` grammar: a subcommand's name, its usage lines (help, and every
refusal's hint), its parser, its use case (usecases/) and its reply (handlers/replies.py),
or the form it opens. Each capability declares its rows with its parsers
(handlers/grammar_<capability>.py, `ROWS`); handlers/grammar.py registers them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from handlers.words import Words
from usecases.shared import messages
from usecases.shared.caller import Caller

C = TypeVar("C")
R = TypeVar("R")
Reply = dict[str, Any]


@dataclass(frozen=True)
class Subcommand(Generic[C, R]):
    """A subcommand a use case carries out: `parse` makes its command, `use_case` carries it
    out (in its turn: usecases/bus.py) and `reply` says what it did; where the word alone
    opens a form, `parse` returns an OpenForm and `form` opens it. mypy holds the parser,
    the use case and the reply to one command type and one result, row by row, as long
    as each capability's ROWS stays unannotated (each row's types inferred on its own)."""

    name: str
    usage: tuple[str, ...]
    parse: Callable[[Words], C | messages.OpenForm]
    use_case: Callable[[Caller, C], R] | None  # None: answered at the edge (help reads the grammar)
    reply: Callable[[Caller, C, R], Reply]
    form: Callable[[Caller, messages.OpenForm, str], Reply | None] | None = None


@dataclass(frozen=True)
class Form(Generic[C]):
    """A subcommand that opens a form: `opens` shows it (None) or answers why it could not."""

    name: str
    usage: tuple[str, ...]
    parse: Callable[[Words], C]
    opens: Callable[[Caller, C, str], Reply | None]


Row = Subcommand[Any, Any] | Form[Any]
