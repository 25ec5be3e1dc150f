"""Which database a command opens, said on stderr as it starts, and a SQLite file that is
not there refused rather than made (issue 96, item 3): `rollout mcp` and `rollout token
create` with no DATABASE_URL made an empty ./rollout.db wherever they ran and answered
from it, naming no database."""

from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy.engine import make_url

from bot.cli import cli

CREDENTIALS = {
    "SLACK_BOT_TOKEN": "xoxb-1",
    "SLACK_SIGNING_SECRET": "s",
    "SLACK_APP_TOKEN": "xapp-1",
    "SLACK_API_URL": "http://127.0.0.1:1/api/",  # nothing listens: Slack is never reached
}


def _clean(monkeypatch, tmp_path: Path, **env: str) -> None:
    """A folder of its own (no .env) and no DATABASE_URL unless `env` sets one."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)


def test_a_command_names_its_database_on_stderr_as_it_starts(run, database_url):
    result = run("playbook", "list")
    assert result.exit_code == 0, result.output
    named = result.stderr.splitlines()[0]
    if database_url.startswith("sqlite"):
        assert named == f"Database: {make_url(database_url).database} (SQLite)"
    else:
        url = make_url(database_url)
        assert named == f"Database: postgresql://{url.username}@{url.host}:{url.port}/{url.database} (PostgreSQL)"
    assert "Database:" not in result.stdout  # what the command answers stays on stdout, for a pipe


def test_a_server_databases_password_is_masked_where_it_is_named(monkeypatch, tmp_path):
    _clean(monkeypatch, tmp_path, DATABASE_URL="postgresql://bot:s3cret@127.0.0.1:1/rollout?sslpassword=k3y")
    result = CliRunner().invoke(cli, ["playbook", "list"])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == "Database: postgresql://bot:***@127.0.0.1:1/rollout (PostgreSQL)"
    assert "s3cret" not in result.output and "k3y" not in result.output


@pytest.mark.parametrize(
    "command",
    [
        ["mcp"],
        ["token", "create", "--name", "helpdesk", "--all", "--read"],
        ["token", "list"],
        ["playbook", "list"],
        ["playbook", "show", "support-replies"],
        ["digest", "--dry-run"],
        ["tick", "--dry-run"],
        ["webhook", "list"],
        ["source", "list"],
        ["export", "csv", "out"],
        ["serve", "--port", "0"],
        ["socket", "--no-http"],
        ["web", "--port", "0"],
        ["clock"],
    ],
    ids=" ".join,
)
def test_a_sqlite_file_that_is_not_there_is_refused_not_made(monkeypatch, tmp_path, command):
    """With no DATABASE_URL the default is ./rollout.db: a command other than `rollout db
    upgrade` (or the demo, with a database of its own) says it is not there, in one
    sentence, and makes nothing."""
    _clean(monkeypatch, tmp_path, **CREDENTIALS)
    result = CliRunner().invoke(cli, command)
    where = tmp_path / "rollout.db"
    assert result.exit_code == 1, result.output
    assert result.stderr.splitlines() == [
        f"Database: {where} (SQLite)",
        f"Error: there is no database at {where}: set DATABASE_URL to the bot's database "
        "(sqlite:////absolute/path/rollout.db or postgresql://…), or create one there with `rollout db upgrade`",
    ]
    assert list(tmp_path.iterdir()) == []


def test_db_upgrade_makes_the_sqlite_file_it_names_then_others_open_it(monkeypatch, tmp_path):
    _clean(monkeypatch, tmp_path, DATABASE_URL="sqlite:///made/here.db")
    (tmp_path / "made").mkdir()
    made = CliRunner().invoke(cli, ["db", "upgrade"])
    assert made.exit_code == 0, made.output
    assert made.stderr == f"Database: {tmp_path / 'made' / 'here.db'} (SQLite)\n"
    assert "(was empty)" in made.stdout
    listed = CliRunner().invoke(cli, ["playbook", "list"])
    assert listed.exit_code == 0 and "No playbooks yet" in listed.stdout


OPENING_THE_DATABASE = [
    ["db", "upgrade"],
    ["mcp"],
    ["token", "create", "--name", "helpdesk", "--all", "--read"],
    ["token", "list"],
    ["token", "revoke", "helpdesk"],
    ["playbook", "list"],
    ["playbook", "show", "support-replies"],
    ["playbook", "export", "--all"],
    ["cycle", "start", "support-replies"],
    ["arm", "support-replies", "T-1"],
    ["digest", "--dry-run"],
    ["tick", "--dry-run"],
    ["webhook", "list"],
    ["source", "list"],
    ["export", "csv", "out"],
    ["serve", "--port", "0"],
    ["socket", "--no-http"],
    ["web", "--port", "0"],
    ["clock"],
]


@pytest.mark.parametrize("command", OPENING_THE_DATABASE, ids=" ".join)
@pytest.mark.parametrize(
    ("url", "file"), [("sqlite://rollout.db", "rollout.db"), ("sqlite://data/rollout.db", "data/rollout.db")]
)
def test_a_sqlite_url_a_slash_short_is_one_sentence_with_its_fix(monkeypatch, tmp_path, command, url, file):
    """Issue 108, item 2: `sqlite://rollout.db` (two slashes) was read as SQLite's in-memory
    database ("Database: SQLite in memory"), then a 51-line traceback. Every command that
    opens the database now says what to write instead, exits non-zero and makes nothing."""
    _clean(monkeypatch, tmp_path, **CREDENTIALS, DATABASE_URL=url)
    result = CliRunner().invoke(cli, command)
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"Error: DATABASE_URL names '{file}' as a host, which a SQLite URL has none of: a file needs three "
        f"slashes, sqlite:///{file} (four before an absolute path)"
    ]
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:"])
def test_sqlites_in_memory_database_is_refused_in_one_sentence(monkeypatch, tmp_path, url):
    """A database that keeps nothing once the command ends was a traceback from SQLAlchemy's pool."""
    _clean(monkeypatch, tmp_path, **CREDENTIALS, DATABASE_URL=url)
    result = CliRunner().invoke(cli, ["playbook", "list"])
    assert result.exit_code == 1, result.output
    assert result.stderr.splitlines() == [
        "Error: DATABASE_URL names SQLite's in-memory database, which keeps nothing once a command ends: name a "
        "file, e.g. sqlite:///rollout.db (three slashes: a file here)"
    ]
