"""`rollout socket`'s tokens, checked before anything is asked of Slack (issue 108, item 6):
the missing-token message pointed to manifest.yml, the HTTP app's manifest with its
request URLs, and a bot token given as SLACK_APP_TOKEN failed later, at Slack."""

import pytest
from click.testing import CliRunner

from bot.cli import cli
from tests.conftest import BOT_TOKEN


@pytest.fixture
def environment(monkeypatch, tmp_path, slack):
    monkeypatch.chdir(tmp_path)  # no stray .env
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SLACK_API_URL", slack.url)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'rollout.db'}")
    return monkeypatch


def test_a_missing_app_token_points_to_socket_modes_own_manifest(environment, slack):
    environment.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    result = CliRunner().invoke(cli, ["socket", "--no-http"])
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("Missing SLACK_APP_TOKEN.\n")
    assert "paste what `rollout manifest --socket-mode` prints" in result.stderr
    assert "manifest.yml" not in result.stderr  # the HTTP app's, with request URLs Socket Mode has none of
    assert "connections:write" in result.stderr
    assert slack.calls == []


@pytest.mark.parametrize(
    ("token", "said"),
    [
        ("xoxb-1234-5678-abcdef", "SLACK_APP_TOKEN holds a bot token (xoxb-…), not an app-level token (xapp-…)"),
        ("xoxp-1234-5678-abcdef", "SLACK_APP_TOKEN holds a user token (xoxp-…), not an app-level token (xapp-…)"),
        ("1-A0123-abcdef", "SLACK_APP_TOKEN does not start as an app-level token (xapp-…)"),
    ],
    ids=["bot token", "user token", "no prefix"],
)
def test_a_token_that_is_not_an_app_token_is_refused_by_its_prefix_before_slack_is_asked(
    environment, slack, tmp_path, token, said
):
    environment.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    environment.setenv("SLACK_APP_TOKEN", token)
    result = CliRunner().invoke(cli, ["socket", "--no-http"])
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines() == [
        f"{said}, which Socket Mode connects with: Basic Information → App-Level Tokens → generate one with "
        "the connections:write scope. See docs/setup.md."
    ]
    assert token[5:] not in result.stderr  # the token is never repeated
    assert slack.calls == []  # no network: neither auth.test nor apps.connections.open
    assert list(tmp_path.iterdir()) == []  # nor the database
