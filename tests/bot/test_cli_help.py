"""Every `rollout` command's --help reads whole at any terminal width: click wraps it
between words, never inside one (issue 67, item 9: `webhook add --help` wrapped
"publi shed"); and `rollout --version` and `--help` import none of the bot (issue 108,
item 16), which lists its commands by their summaries."""

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from bot.cli import COMMANDS, cli

ROOT = Path(__file__).resolve().parents[2]


def _commands(group: click.Group, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = [path]
    context = click.Context(group)
    for name in group.list_commands(context):
        command = group.get_command(context, name)
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


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_rollout_help_lists_each_command_as_its_own_help_says_it(name):
    """`rollout --help` shows a command not yet imported by its summary in COMMANDS: the
    same words, shortened at any width as click shortens the command's own help."""
    command = cli.get_command(click.Context(cli), name)
    assert command is not None
    summary = click.Command(name, help=COMMANDS[name][2])
    for limit in (30, 45, 74, 1000):
        assert summary.get_short_help_str(limit) == command.get_short_help_str(limit), limit


# What `rollout` imports only once a command needs it: the settings, the database, Slack,
# the web and the bot's own layers below bot/.
HEAVY = (
    "sqlalchemy",
    "sqlmodel",
    "pydantic",
    "pydantic_settings",
    "slack_sdk",
    "slack_bolt",
    "starlette",
    "httpx",
    "jinja2",
    "yaml",
    "cadence",
    "storage",
    "usecases",
    "handlers",
    "templates",
    "slack_api",
    "sources",
    "outbound",
    "bot.startup",
    "bot.settings",
    "bot.cli_admin",
)


@pytest.mark.slow  # a new Python process, to see what it imported
@pytest.mark.parametrize("argument", ["--version", "--help"])
def test_version_and_help_import_none_of_the_bot(argument):
    """Issue 108, item 16: `rollout --version` and `--help` imported the whole bot (a
    second and a half of CPU) before they said anything."""
    looked = (
        "import json, sys\n"
        f"sys.argv = ['rollout', {argument!r}]\n"
        "from bot.cli import main\n"
        "try:\n    main()\nexcept SystemExit as done:\n    code = done.code\n"
        f"heavy = sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r} or m in {HEAVY!r})\n"
        "print(json.dumps({'code': code, 'heavy': heavy}), file=sys.stderr)\n"
    )
    result = subprocess.run([sys.executable, "-c", looked], cwd=ROOT, capture_output=True, text=True, timeout=120)
    said = json.loads(result.stderr.strip().splitlines()[-1])
    assert said == {"code": 0, "heavy": []}
    assert ("rollout " if argument == "--version" else "Commands:") in result.stdout
