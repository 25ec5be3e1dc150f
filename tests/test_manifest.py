"""manifest.yml against the code: every event a listener waits for is subscribed, every
Web API method the bot calls has its scope, and the URLs and the command match the routes.
A workspace admin creates the app from this file in one step; a gap here is a bot that
silently never hears an event or gets `missing_scope` in production."""

import ast
import re
from pathlib import Path

import yaml
from click.testing import CliRunner

from bot.cli import cli
from bot.web import EVENTS_PATH
from tests.test_layers import OURS

ROOT = Path(__file__).resolve().parents[1]
MANIFEST = yaml.safe_load((ROOT / "manifest.yml").read_text())
CODE = [
    p for folder in OURS for p in (ROOT / folder).rglob("*.py") if "standin" not in p.parts
]  # the stand-in (bot/demo/standin/) plays Slack; it calls nothing

# The bot scopes each Web API method needs (Slack's method reference). A method the code
# calls that is missing here fails the test: add it with its scope, and the scope to the manifest.
SCOPES = {
    "auth.test": set(),
    "apps.connections.open": set(),  # the app-level token's connections:write, not a bot scope
    "chat.postMessage": {"chat:write"},
    "chat.update": {"chat:write"},
    "chat.postEphemeral": {"chat:write"},
    "conversations.members": {"channels:read", "groups:read"},
    "conversations.info": {"channels:read", "groups:read"},
    "conversations.history": set(),  # OPTIONAL's: the bot works without them
    "conversations.open": {"im:write"},
    "users.info": {"users:read"},
    "users.list": {"users:read"},
    "views.open": set(),
    "views.push": set(),  # a form over a form (*Adopt it* on a close match): no scope, as views.open
    "views.publish": set(),
    "files.uploadV2": {"files:write"},  # the outbox's name for getUploadURLExternal + completeUploadExternal
    "files.getUploadURLExternal": {"files:write"},
    "files.completeUploadExternal": {"files:write"},
}


# Scopes the code can use but the manifest does not ask for (issue 96, item 6): reading every
# message in the bot's channels only to find, after a send whose answer was lost, whether it
# arrived. Without them the dispatcher sends it again (tests/slack_api/test_dispatch.py);
# docs/setup.md, "Scopes", says what adding them buys.
OPTIONAL = {"conversations.history": {"channels:history", "groups:history", "im:history"}}


def _calls() -> set[str]:
    """Web API methods named in the code: `client.chat_postMessage(...)` and "chat.postMessage"."""
    methods = set()
    for path in CODE:
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                name = node.func.attr
                head, _, tail = name.partition("_")
                if head in {"chat", "conversations", "users", "views", "files", "apps", "auth"} and tail:
                    methods.add(_method_name(head, tail))
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and re.fullmatch(r"(chat|conversations|users|views|files)\.[a-z][A-Za-z0-9]+", node.value)
            ):
                methods.add(node.value)
    return methods


def _method_name(head: str, tail: str) -> str:
    """slack_sdk's Python name to Slack's: chat_postMessage -> chat.postMessage,
    apps_connections_open -> apps.connections.open, auth_test -> auth.test."""
    if head == "apps":
        return "apps." + tail.replace("_", ".")
    camel = re.sub(r"_(\w)", lambda m: m.group(1).upper(), tail)
    return f"{head}.{camel}"


def _listened_events() -> set[str]:
    events = set()
    for path in (ROOT / "handlers").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "event"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                events.add(node.args[0].value)
    return events


def test_every_called_method_has_its_scope():
    granted = set(MANIFEST["oauth_config"]["scopes"]["bot"])
    called = _calls()
    assert {"chat.postMessage", "conversations.members", "views.open"} <= called  # the scan finds calls
    unknown = called - set(SCOPES)
    assert not unknown, f"add these methods and their scopes to SCOPES: {sorted(unknown)}"
    for method in called:
        assert SCOPES[method] <= granted, f"{method} needs {sorted(SCOPES[method] - granted)} in manifest.yml"


def test_every_scope_is_used():
    needed = set().union(*(SCOPES[m] for m in _calls())) | {"commands"}
    assert set(MANIFEST["oauth_config"]["scopes"]["bot"]) == needed


def test_the_manifest_asks_for_no_scope_that_reads_peoples_messages():
    granted = set(MANIFEST["oauth_config"]["scopes"]["bot"])
    assert not granted & set().union(*OPTIONAL.values())
    assert not any(scope.endswith(":history") for scope in granted)
    setup = (ROOT / "docs" / "setup.md").read_text()
    assert all(scope in setup for scope in set().union(*OPTIONAL.values()))  # what adding them buys, and costs


def test_the_socket_mode_manifest_is_the_same_app_with_socket_mode_on_and_no_urls(monkeypatch, tmp_path):
    # a database with usage sources would add users:read.email (tests/bot/test_manifest_email_scope.py): none here
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'none.db'}")
    monkeypatch.chdir(tmp_path)
    printed = CliRunner().invoke(cli, ["manifest", "--socket-mode"])
    assert printed.exit_code == 0, printed.output
    socket = yaml.safe_load(printed.stdout)
    assert socket["settings"]["socket_mode_enabled"] is True
    assert "rollout.example.com/slack" not in printed.stdout
    expected = yaml.safe_load((ROOT / "manifest.yml").read_text())
    expected["settings"]["socket_mode_enabled"] = True
    del expected["features"]["slash_commands"][0]["url"]
    del expected["settings"]["event_subscriptions"]["request_url"]
    del expected["settings"]["interactivity"]["request_url"]
    assert socket == expected
    assert CliRunner().invoke(cli, ["manifest"]).stdout == (ROOT / "manifest.yml").read_text()


def test_every_listened_event_is_subscribed_and_every_subscription_listened_to():
    assert set(MANIFEST["settings"]["event_subscriptions"]["bot_events"]) == _listened_events()


def test_the_command_and_urls_match_the_routes():
    features, settings = MANIFEST["features"], MANIFEST["settings"]
    (command,) = features["slash_commands"]
    assert command["command"] == "/rollout" and command["should_escape"] is True
    handlers = (ROOT / "handlers" / "commands.py").read_text()
    assert '@app.command("/rollout")' in handlers
    for url in (
        command["url"],
        settings["event_subscriptions"]["request_url"],
        settings["interactivity"]["request_url"],
    ):
        assert url.endswith(EVENTS_PATH)
    assert settings["interactivity"]["is_enabled"] is True


def test_nobody_can_write_to_the_bot_that_nothing_answers():
    app_home = MANIFEST["features"]["app_home"]
    assert app_home["home_tab_enabled"] is True
    assert app_home["messages_tab_read_only_enabled"] is True or "message.im" in _listened_events()
