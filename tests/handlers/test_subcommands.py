"""Each `/rollout` subcommand is one row of grammar.SUBCOMMANDS: its name, usage, parser,
use case and reply, or the form it opens. mypy holds a row's parser, use case and reply to
one command type; these tests hold what it cannot: the names and usage lines and the forms."""

import ast
import typing
from pathlib import Path

from handlers import grammar
from usecases.shared import messages


def returns(sub: grammar.Row) -> set[type]:
    """The command types a subcommand's parser is annotated to return."""
    hints = typing.get_type_hints(sub.parse)
    assert "return" in hints, f"/rollout {sub.name}: annotate its parser's return type"
    return set(typing.get_args(hints["return"])) or {hints["return"]}


def test_a_subcommand_whose_parser_may_open_a_form_has_one_to_open():
    for sub in grammar.SUBCOMMANDS:
        if messages.OpenForm in returns(sub) and isinstance(sub, grammar.Subcommand):
            assert sub.form is not None, f"/rollout {sub.name} parses into an OpenForm but opens no form"


def test_each_subcommand_is_declared_once_under_the_word_its_usage_shows():
    names = [sub.name for sub in grammar.SUBCOMMANDS]
    assert len(names) == len(set(names))
    for sub in grammar.SUBCOMMANDS:
        assert sub.usage, sub.name
        for line in sub.usage:
            assert line.startswith(f"/rollout {sub.name} ") or line == f"/rollout {sub.name}", line


def test_each_capability_registers_its_own_rows_once_and_help_lists_each():
    """A capability's rows live in its module (handlers/grammar_<capability>.py, ROWS), which
    the grammar registers once (its capability's entry names it: tests/test_capabilities.py);
    help's order names every registered subcommand once."""
    modules = sorted(Path(grammar.__file__).parent.glob("grammar_*.py"))
    with_rows = [p.stem for p in modules if any(
        isinstance(n, ast.Assign) and any(getattr(t, "id", "") == "ROWS" for t in n.targets)
        for n in ast.parse(p.read_text()).body
    )]  # fmt: skip
    assert len(with_rows) >= 10
    for stem in with_rows:
        registered = {name for name, owner in grammar._ROWS.owners.items() if owner == stem}
        assert registered == {row.name for row in __import__(f"handlers.{stem}").__dict__[stem].ROWS}
    assert sorted(grammar.HELP_ORDER) == sorted(grammar.USAGE) and len(set(grammar.HELP_ORDER)) == len(
        grammar.HELP_ORDER
    )
    assert list(grammar.USAGE) == list(grammar.HELP_ORDER)
