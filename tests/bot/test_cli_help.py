"""Every `rollout` command's --help reads whole at any terminal width: click wraps it
between words, never inside one (issue 67, item 9: `webhook add --help` wrapped
"publi shed")."""

import click
import pytest
from click.testing import CliRunner

from bot.cli import cli


def _commands(group: click.Group, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = [path]
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            found += _commands(command, (*path, name))
        else:
            found.append((*path, name))
    return found


@pytest.mark.parametrize("path", _commands(cli), ids=lambda p: " ".join(p) or "rollout")
def test_help_wraps_between_words(path):
    def words(width: int) -> list[str]:
        result = CliRunner().invoke(
            cli, [*path, "--help"], terminal_width=width, max_content_width=width, catch_exceptions=False
        )
        assert result.exit_code == 0, result.output
        said = result.output.split("\nCommands:")[0].split()  # a group's list shortens to fit, on purpose
        joined: list[str] = []  # a line may end at a word's own hyphen (in-|process)
        for word in said:
            if joined and joined[-1].endswith("-") and joined[-1] != "-":
                joined[-1] += word
            else:
                joined.append(word)
        return joined

    unwrapped = words(1000)
    for width in (60, 80):
        assert words(width) == unwrapped, width
