"""Each `/rollout` subcommand is declared in two halves: its name, usage and parser in
grammar.SUBCOMMANDS, its route in commands._ROUTES. These tests keep the halves together,
so a subcommand with no route fails here rather than at run time."""

import typing

from handlers import commands, grammar
from templates import template_names
from usecases.shared import messages


def returns(sub: grammar.Subcommand) -> set[type]:
    """The command types a subcommand's parser is annotated to return (mypy holds the
    parser to its annotation, and the annotation to messages.Command)."""
    hints = typing.get_type_hints(sub.parse)
    assert "return" in hints, f"/rollout {sub.name}: annotate its parser's return type"
    return set(typing.get_args(hints["return"])) or {hints["return"]}


def test_every_command_type_has_a_route_or_a_template_and_every_route_a_subcommand():
    routed = set(commands._ROUTES)
    templates = set(template_names())
    returned = {t for sub in grammar.SUBCOMMANDS for t in returns(sub)} - {messages.OpenForm}  # forms open apart
    missing = {
        f"/rollout {sub.name} returns {t.__name__}"
        for sub in grammar.SUBCOMMANDS
        for t in returns(sub) - {messages.OpenForm}
        if t not in routed and commands.template_of(t) not in templates
    }
    assert not missing, f"no route in handlers/commands.py _ROUTES, nor a template named for it: {sorted(missing)}"
    stray = sorted(t.__name__ for t in routed - returned)
    assert not stray, f"routes for types no parser in grammar.SUBCOMMANDS returns: {stray}"


def test_a_command_without_a_route_is_answered_by_the_template_named_for_it():
    assert commands.template_of(messages.CuratorsChannel) == "curators_channel"
    assert messages.CuratorsChannel not in commands._ROUTES
    reply = commands.reply(None, messages.CuratorsChannel("C0CURATORS"), None)  # type: ignore[arg-type]
    assert "<#C0CURATORS>" in reply["blocks"][0]["text"]["text"]


def test_every_command_type_is_returned_by_a_subcommand():
    returned = {t for sub in grammar.SUBCOMMANDS for t in returns(sub)}
    unreturned = sorted(t.__name__ for t in set(typing.get_args(messages.Command)) - returned)
    assert not unreturned, f"in messages.Command, but no parser in grammar.SUBCOMMANDS returns them: {unreturned}"


def test_each_subcommand_is_declared_once_under_the_word_its_usage_shows():
    names = [sub.name for sub in grammar.SUBCOMMANDS]
    assert len(names) == len(set(names))
    for sub in grammar.SUBCOMMANDS:
        assert sub.usage, sub.name
        for line in sub.usage:
            assert line.startswith(f"/rollout {sub.name} ") or line == f"/rollout {sub.name}", line
