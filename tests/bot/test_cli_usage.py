"""`rollout usage load | list | test | map`, run as an operator would, on both databases:
the usage file kept or refused whole, the sources listed with their pulls, a pull tried now
against a CSV file of the test's own and the Slack stand-in's team (team figures only,
never a login or an email, nothing stored), and the mapping file."""

from datetime import UTC, date, datetime, timedelta

import pytest
import yaml

from tests.conftest import CHANNEL, MEMBER, OWNER
from usecases import usage

EMAILS = {OWNER: "owner@example.com", MEMBER: "member@example.com"} | {
    f"UZQ00{n:02d}": f"zq{n}@example.com" for n in range(1, 4)
}


def write(tmp_path, name: str, content: str) -> str:
    path = tmp_path / name
    path.write_text(content)
    return str(path)


def usage_file(tmp_path, sources: dict) -> str:
    return write(tmp_path, "usage.yaml", yaml.safe_dump({"usage": sources}))


@pytest.fixture
def slack_team(slack, monkeypatch):
    """The team's channel with five people, each with a Slack email (as users:read.email gives)."""
    slack.add_channel(CHANNEL, [*EMAILS, "UROLLOUTBOT"])
    for user, email in EMAILS.items():
        slack.add_user(user, email=email)
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test-token")
    monkeypatch.setenv("SLACK_API_URL", slack.url)
    return slack


def test_load_keeps_a_good_file_and_refuses_a_bad_one_whole(run, tmp_path, store, monkeypatch):
    monkeypatch.delenv("COPILOT_TOKEN", raising=False)
    bad = usage_file(tmp_path, {"copilot": {"kind": "copilot", "org": "acme", "token_env": "COPILOT_TOKEN"}})
    refused = run("usage", "load", bad)
    assert refused.exit_code == 1
    assert "usage.copilot: the variable COPILOT_TOKEN is not set" in refused.stderr
    assert f"nothing of {bad} was loaded" in refused.stderr
    assert usage.sources_of(store) == {}

    monkeypatch.setenv("COPILOT_TOKEN", "ghp-s3cret-value")
    good = usage_file(
        tmp_path,
        {
            "copilot": {"kind": "copilot", "org": "acme", "token_env": "COPILOT_TOKEN"},
            "gemini": {"kind": "csv", "file": str(tmp_path / "g.csv")},
        },
    )
    loaded = run("usage", "load", good)
    assert loaded.exit_code == 0, loaded.output
    assert loaded.stdout == "loaded 2 usage sources: copilot (copilot), gemini (csv)\n"
    assert "s3cret" not in str(store.org.setting(usage.SETTING))


def test_list_shows_each_source_and_its_pulls(run, tmp_path, store):
    assert run("usage", "list").stdout == "No usage sources: load them with `rollout usage load FILE`.\n"
    missing = tmp_path / "gone.csv"
    assert run("usage", "load", usage_file(tmp_path, {"gemini": {"kind": "csv", "file": str(missing)}})).exit_code == 0
    header, row = run("usage", "list").stdout.splitlines()
    assert header.split() == ["TOOL", "KIND", "PULLED", "THROUGH", "STATE"]
    assert row.split() == ["gemini", "csv", "never", "not", "pulled", "yet"]
    at = datetime(2026, 11, 21, 6, 0, tzinfo=UTC)
    usage.run(store, {}, {}, at)
    _, row = run("usage", "list").stdout.splitlines()
    assert f"failing since 2026-11-21 06:00 UTC: no file at {missing}" in row


def test_test_prints_team_figures_and_stores_nothing(run, tmp_path, store, playbook, slack_team):
    yesterday = datetime.now(UTC).date() - timedelta(days=1)
    rows = [
        f"zq-login-1,{yesterday},ZQ1@example.com",
        f"zq-login-2,{yesterday},zq2@example.com",
        f"zq-stranger,{yesterday},stranger@example.com",
    ]
    csv = write(tmp_path, "g.csv", "user,day,email\n" + "\n".join(rows) + "\n")
    sources = {"gemini": {"kind": "csv", "file": csv}, "gone": {"kind": "csv", "file": str(tmp_path / "gone.csv")}}
    assert run("usage", "load", usage_file(tmp_path, sources)).exit_code == 0

    result = run("usage", "test")

    assert result.exit_code == 1, result.output  # a source failed
    said = result.stdout
    monday = yesterday - timedelta(days=yesterday.weekday())
    assert f"  {CHANNEL}  week of {monday}: 2 of 5 people active, 2 active days, 0 seats" in said
    assert "unmatched: 1 user of the tool no team's person matched" in said
    assert f"gone: failed: no file at {tmp_path / 'gone.csv'}" in said
    for secret in ("zq-login", "example.com", "stranger", "UZQ00", OWNER):
        assert secret not in said
    assert store.usage.pulls() == {} and store.usage.weeks([CHANNEL], date(2000, 1, 3)) == []

    only = run("usage", "test", "--only", "gemini")
    assert only.exit_code == 0, only.output
    assert "gone" not in only.stdout
    assert run("usage", "test", "--only", "cursor").exit_code == 1


def test_a_team_under_the_pulse_s_floor_is_not_shown(run, tmp_path, playbook, slack, monkeypatch):
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test-token")
    monkeypatch.setenv("SLACK_API_URL", slack.url)
    csv = write(
        tmp_path, "g.csv", f"user,day,email\nzq,{datetime.now(UTC).date() - timedelta(days=1)},zq@example.com\n"
    )
    assert run("usage", "load", usage_file(tmp_path, {"gemini": {"kind": "csv", "file": csv}})).exit_code == 0
    result = run("usage", "test")
    assert result.exit_code == 0, result.output
    assert f"  {CHANNEL}  too few people to show (fewer than 5)" in result.stdout
    assert "people active" not in result.stdout


def test_map_keeps_a_good_file_and_names_a_bad_one_s_lines(run, tmp_path, store):
    good = write(tmp_path, "map.csv", "tool,login,slack_user\ncopilot,octo-1,UZM0001\n")
    assert run("usage", "map", good).stdout == "mapped 1 login\n"
    bad = write(tmp_path, "bad.csv", "tool,login,slack_user\ncopilot,octo-2,alice\n")
    refused = run("usage", "map", bad)
    assert refused.exit_code == 1
    assert "line 2: 'alice' is not a Slack user's id (U… or W…)" in refused.stderr
    assert store.usage.logins("copilot") == {"octo-1": "UZM0001"}


def test_a_team_is_shown_only_at_its_playbooks_own_floor(run, tmp_path, store, playbook, slack_team, clock):
    """A playbook may ask more people than the pulse's 5 before its team's figures show:
    the command's dry run hides them as its pages do."""
    from cadence.definition_load import parse_playbook
    from tests.committed import loaded
    from tests.conftest import SUPPORT_REPLIES

    loaded(
        store, [parse_playbook(SUPPORT_REPLIES | {"rules": {"pulse_min_answers": 6}})], "UTC", actor="test", at=clock()
    )
    yesterday = datetime.now(UTC).date() - timedelta(days=1)
    csv = write(tmp_path, "g.csv", f"user,day,email\nzq-login-1,{yesterday},zq1@example.com\n")
    assert run("usage", "load", usage_file(tmp_path, {"gemini": {"kind": "csv", "file": csv}})).exit_code == 0
    result = run("usage", "test")
    assert result.exit_code == 0, result.output
    assert f"  {CHANNEL}  too few people to show (fewer than 6)" in result.stdout
    assert "people active" not in result.stdout
