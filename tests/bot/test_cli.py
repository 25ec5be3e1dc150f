"""The `rollout` command line, run as a person would run it."""

import json
import os
import shutil
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlmodel import Session, select

from bot.cli import cli
from bot.demo.standin.faults import Fault
from storage.models.governance import Decision
from storage.models.playbooks import Step
from tests import reported
from tests.committed import committed, loaded
from tests.conftest import CHANNEL, OWNER, SUPPORT_REPLIES, past_the_database
from tests.yaml_rows import count_rows, write_yaml
from usecases.shared.life import begin_cycle

ROOT = Path(__file__).resolve().parents[2]


def test_load_creates_then_changes_nothing(run, tmp_path, engine):
    second = {**SUPPORT_REPLIES, "playbook": "sales-outreach", "function": "Sales"}
    path = write_yaml(tmp_path, "playbooks.yaml", SUPPORT_REPLIES, second)
    first = run("playbook", "load", path)
    assert first.exit_code == 0, first.output
    assert first.stdout.splitlines() == ["support-replies: created", "sales-outreach: created"]
    decisions = count_rows(engine, Decision)
    again = run("playbook", "load", path)
    assert again.stdout.splitlines() == ["support-replies: unchanged", "sales-outreach: unchanged"]
    assert count_rows(engine, Decision) == decisions
    assert count_rows(engine, Step) == 6


def test_a_changed_file_updates_and_says_what_changed(run, tmp_path):
    run("playbook", "load", write_yaml(tmp_path, "a.yaml", SUPPORT_REPLIES))
    changed = {**SUPPORT_REPLIES, "exception_cap": 0.05}
    result = run("playbook", "load", write_yaml(tmp_path, "b.yaml", changed))
    assert result.stdout.strip() == "support-replies: updated (exception_cap)"


def test_a_changed_file_queues_its_post_to_the_team_channel(run, tmp_path, engine):
    """Issue 69, item 6: a revision loaded at the server is told to the team channel."""
    from storage.models.bookkeeping import OutboxMessage

    run("playbook", "load", write_yaml(tmp_path, "a.yaml", SUPPORT_REPLIES))
    run("playbook", "load", write_yaml(tmp_path, "a.yaml", {**SUPPORT_REPLIES, "rubric_threshold": 0.95}))
    with Session(engine) as s:
        queued = [m for m in s.exec(select(OutboxMessage)).all() if m.key.startswith("revised:")]
    assert len(queued) == 1 and queued[0].channel == CHANNEL
    assert "rubric threshold 90% → 95%" in json.dumps(queued[0].payload, ensure_ascii=False)


def test_a_loosened_bar_in_a_file_says_from_which_week_it_applies(run, tmp_path, playbook):
    """Issues 69 and 109: a loosening loaded at the server waits for a curator, then for the
    next cycle (tests/handlers/test_bar_loaded.py follows it to the curators and the clock)."""
    loosened = {**SUPPORT_REPLIES, "exception_cap": 0.15, "title": "Support replies, December"}
    path = write_yaml(tmp_path, "support.yaml", loosened)
    refused = run("playbook", "load", path)  # issue 80: a loosening needs --why, nothing loaded without
    assert refused.exit_code == 1 and 'load it again with --why "…"' in refused.output, refused.output
    result = run("playbook", "load", path, "--why", "December's refund tickets are noisier")
    assert result.exit_code == 0, result.output
    updated, waits = result.stdout.splitlines()
    assert updated == "support-replies: updated (title)"
    assert waits.startswith("support-replies: the bar's loosening waits for a curator (its card is in the curators")
    assert "approved, it applies from week 1 of cycle " in waits
    assert waits.endswith(": exception cap 10% → 15%")


def test_missing_file(run):
    result = run("playbook", "load", "nowhere.yaml")
    assert result.exit_code == 2 and "does not exist" in result.output


def test_db_upgrade_on_a_fresh_sqlite_file(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'fresh.db'}")
    result = CliRunner().invoke(cli, ["db", "upgrade"])
    assert result.exit_code == 0 and "(was empty)" in result.output
    assert "(unchanged)" in CliRunner().invoke(cli, ["db", "upgrade"]).output


def _clean_env(tmp_path, **extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL", "ROLLOUT_"))}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'rollout.db'}"
    env.update(extra)
    return env


@pytest.mark.slow  # starts `rollout` as a process (about 1.3 s of CPU each)
@pytest.mark.parametrize(
    ("command", "missing"),
    [("serve", "SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET"), ("socket", "SLACK_BOT_TOKEN, SLACK_APP_TOKEN")],
)
def test_running_without_credentials_names_what_is_missing(tmp_path, command, missing):
    result = subprocess.run(
        [sys.executable, "-m", "bot", command],
        cwd=tmp_path,
        env=_clean_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert f"Missing {missing}." in result.stderr
    assert ("manifest.yml" in result.stderr and "Signing Secret" in result.stderr) or "App-Level" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.slow  # starts `rollout` as a process (about 1.3 s of CPU each)
def test_a_bad_org_time_zone_is_reported(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "bot", "db", "upgrade"],
        cwd=tmp_path,
        env=_clean_env(tmp_path, ROLLOUT_TIMEZONE="Mars/Olympus"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "ROLLOUT_TIMEZONE" in result.stderr and "not an IANA time zone" in result.stderr


def test_digest_dry_run_prints_it_readably(run, store):
    from datetime import datetime, timedelta

    from cadence.calendar import monday_of
    from cadence.definition_load import parse_playbook

    now = datetime.now(UTC)  # the command reads the real clock: a cycle that began a month ago
    loaded(store, [parse_playbook(SUPPORT_REPLIES)], "UTC", actor="test", at=now)
    state = store.playbooks.state("support-replies")
    nothing = run("digest", "--dry-run")  # no cycle yet, so no closed week: nothing to report
    assert nothing.exit_code == 0 and "No digest: no playbook has closed a week yet" in nothing.output
    last_week = monday_of(now.date()) - timedelta(days=7)
    begin_cycle(store, state.playbook.id, 1, last_week - timedelta(days=21), OWNER, now)
    reported.add_kpi_reading(store, state.playbook.id, last_week, 30.0, OWNER, now)
    result = run("digest", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "ROLLOUT DIGEST · WEEK OF" in result.output
    assert "↳ in the thread:" in result.output and "support-replies · Support reply drafting" in result.output
    assert "&lt;" not in result.output and "<@" not in result.output


# ---- credentials ------------------------------------------------------------------------


@pytest.mark.slow  # starts `rollout` as a process (about 1.3 s of CPU each)
def test_a_wrong_bot_token_is_named_without_a_traceback(tmp_path, slack, sqlite_template):
    env = _clean_env(tmp_path, SLACK_BOT_TOKEN="xoxb-revoked", SLACK_SIGNING_SECRET="s", SLACK_API_URL=slack.url)
    shutil.copy(sqlite_template, tmp_path / "rollout.db")  # a database there: the token is what is wrong
    # (`rollout clock` stays up instead, as a platform's process: tests/bot/test_procfile.py)
    for command in (["serve", "--port", "0"],):
        result = subprocess.run(
            [sys.executable, "-m", "bot", *command], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
        )
        assert result.returncode == 2, result.stderr
        assert "Slack refused SLACK_BOT_TOKEN (invalid_auth)" in result.stderr
        assert "Bot User OAuth Token" in result.stderr and "docs/setup.md" in result.stderr
        assert "Traceback" not in result.stderr + result.stdout


@pytest.mark.slow  # starts `rollout` as a process (about 1.3 s of CPU each)
def test_the_example_env_file_does_not_pass_for_credentials(tmp_path):
    (tmp_path / ".env").write_text((ROOT / ".env.example").read_text())
    result = subprocess.run(
        [sys.executable, "-m", "bot", "serve"],
        cwd=tmp_path,
        env=_clean_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "Missing SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET." in result.stderr


@pytest.mark.slow  # starts `rollout` as a process (about 1.3 s of CPU each)
def test_migrations_say_nothing_on_an_ordinary_command(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "bot", "db", "upgrade"],
        cwd=tmp_path,
        env=_clean_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0 and "database at" in result.stdout
    assert "alembic" not in result.stderr and "Running upgrade" not in result.stderr


# ---- tick -----------------------------------------------------------------------------------


def test_a_tick_in_the_future_is_refused_and_consumes_nothing(run, monkeypatch, slack, playbook, engine):
    from storage.cadence_log import CadenceLog

    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test-token")
    monkeypatch.setenv("SLACK_API_URL", slack.url)
    result = CliRunner().invoke(cli, ["tick", "--at", "2099-11-23T13:00:00Z"])
    assert result.exit_code == 1 and "is in the future" in result.output and "--dry-run" in result.output
    assert CadenceLog(engine).jobs() == [] and slack.calls == []


def test_a_dry_run_tick_prints_the_work_and_records_nothing(run, monkeypatch, slack, store, engine):
    from cadence.definition_load import parse_playbook
    from storage.cadence_log import CadenceLog
    from storage.outbox import Outbox

    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)  # a rehearsal needs no token
    monkeypatch.setenv("SLACK_API_URL", slack.url)
    loaded(store, [parse_playbook(SUPPORT_REPLIES)], "UTC", actor="test", at=datetime.now(UTC))
    state = store.playbooks.state("support-replies")
    begin_cycle(store, state.playbook.id, 1, date(2099, 11, 16), OWNER, datetime.now(UTC))
    result = run("tick", "--dry-run", "--at", "2099-11-23T13:00:00Z")  # Monday after week 1: its close is due
    assert result.exit_code == 0, result.output
    assert "nothing was recorded or sent" in result.output
    assert "close done week of 2099-11-16" in result.output and f"→ {CHANNEL}:" in result.output
    assert CadenceLog(engine).jobs() == [] and Outbox(engine).all() == []
    assert slack.calls_to("chat.postMessage") == []
    again = run("tick", "--dry-run", "--at", "2099-11-23T13:00:00Z")
    assert "close done week of 2099-11-16" in again.output  # still due: the rehearsal kept nothing


# ---- what a self-hoster asks of the command line -------------------------------------


def test_list_and_show_say_where_each_playbook_stands(run, monkeypatch, slack, playbook):
    result = run("playbook", "list")
    assert result.exit_code == 0, result.output
    header, row = result.stdout.splitlines()
    assert header.split()[:3] == ["PLAYBOOK", "STATUS", "FUNCTION"]
    assert row.split()[:3] == ["support-replies", "active", "Support"] and "cycle 1, week" in row
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test-token")
    monkeypatch.setenv("SLACK_API_URL", slack.url)
    shown = run("playbook", "show", "support-replies")
    assert shown.exit_code == 0, shown.output
    assert "owner     UOWNER0001" in shown.output and "  owners  " not in shown.output  # none named
    assert "team      2 people" in shown.output  # the owner and the member; not the bot
    assert "refunds  human-led (pinned)" in shown.output
    assert "exception_cap: 0.1" in shown.output  # the definition as loaded
    # for a person to read: whole numbers whole, nothing unset (issue 67, item 9)
    definition = shown.output[shown.output.index("  definition\n") :]
    assert "    baseline: 42\n" in definition and "42.0" not in definition
    assert ": null" not in definition and ": ''" not in definition and ": []" not in definition
    slack.fail_next("conversations.members", Fault(status=500), times=5)
    assert "team      unknown (Slack did not answer)" in run("playbook", "show", "support-replies").output


def test_list_and_show_give_the_names_the_clock_kept_beside_the_ids(run, store, clock, playbook):
    committed(store).people.keep_names([("UOWNER0001", "Olivia", "Olivia Owens")], clock())
    committed(store).people.keep_channel_names([("CTEAM00001", "support-berlin")], clock())
    assert "Olivia (UOWNER0001)" in run("playbook", "list").output
    shown = run("playbook", "show", "support-replies").output
    assert "owner     Olivia (UOWNER0001)" in shown and "channel   #support-berlin (CTEAM00001)" in shown


def test_show_names_the_exception_owner_and_the_operational_owners(run, tmp_path, store, clock):
    """docs/playbooks.md, `owners`: shown beside the owner, by name where the clock kept one."""
    raw = {**SUPPORT_REPLIES, "exception_owner": "UQUEUE0001", "owners": {"model_updates": "<@UMODELS001>"}}
    assert run("playbook", "load", write_yaml(tmp_path, "p.yaml", raw)).exit_code == 0
    committed(store).people.keep_names([("UMODELS001", "Mo", "Mo Dell")], clock())
    shown = run("playbook", "show", "support-replies").output
    assert "owners    exception owner UQUEUE0001, model updates owner Mo (UMODELS001)" in shown


def test_show_of_an_unknown_playbook_names_the_close_ones(run, playbook):
    result = run("playbook", "show", "support-reply")
    assert result.exit_code == 1 and "There is no playbook “support-reply”" in result.output


def test_an_empty_installation_says_how_to_begin(run, engine):
    assert "rollout playbook load FILE" in run("playbook", "list").output


def test_cycle_start_keeps_the_slash_commands_rules_and_is_recorded_as_the_command_lines(run, tmp_path, store, engine):
    run("playbook", "load", write_yaml(tmp_path, "p.yaml", SUPPORT_REPLIES))
    past = run("cycle", "start", "support-replies", "2020-01-06")
    assert past.exit_code == 1 and "is in the past" in past.output
    monday = date.today() + timedelta(days=7 - date.today().weekday())
    not_monday = run("cycle", "start", "support-replies", (monday + timedelta(days=2)).isoformat())
    assert not_monday.exit_code != 0 and "Monday" in not_monday.output
    started = run("cycle", "start", "support-replies", monday.isoformat())
    assert started.exit_code == 0, started.output
    assert started.stdout.strip() == f"support-replies: cycle 1 starts on {monday.isoformat()}."
    assert store.playbooks.state("support-replies").anchor.starts_on == monday
    with Session(engine) as s:
        actors = s.exec(select(Decision.actor).where(Decision.kind == "cycle-started")).all()
    assert actors == ["cli:rollout"]


def test_version_and_the_way_in(run):
    from importlib.metadata import version

    assert run("--version").stdout.strip() == f"rollout {version('rollout-cadence-bot')}"
    helped = run("--help").output
    assert "rollout demo" in helped and "docs/setup.md" in helped


def test_the_manifest_and_the_guides_are_printed_from_their_one_copy(run):
    """Issue 66, item 8: what the messages cite (manifest.yml, the guides) is printed by a
    command, so an install without the source has it too (tests/test_wheel.py)."""
    from bot import guide

    assert run("manifest").output == (ROOT / "manifest.yml").read_text()
    for page in guide.GUIDES:
        assert run("docs", page.removesuffix(".md")).output == (ROOT / "docs" / page).read_text()
    assert run("docs").stdout.splitlines()[1] == "playbooks  the playbook reference"
    assert run("docs", "nonsense").exit_code == 2


def test_the_demo_without_its_extra_says_how_to_install_it(run, monkeypatch):
    monkeypatch.setitem(sys.modules, "websockets", None)  # as if not installed
    result = run("demo")
    assert result.exit_code == 1
    assert "the demo needs websockets" in result.output and "'.[demo]'" in result.output


def test_every_import_of_the_product_is_a_dependency_where_it_ships():
    """pyproject.toml declares what the code imports: the product's imports in
    `dependencies`, the demo's in the `demo` extra, and constraints.txt pins them all."""
    import ast
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = {_name(d) for d in project["dependencies"]}
    demo = {_name(d) for d in project["optional-dependencies"]["demo"]}
    mcp = {_name(d) for d in project["optional-dependencies"]["mcp"]}  # an assistant's server, an extra of its own
    pinned = {_name(line) for line in (ROOT / "constraints.txt").read_text().splitlines() if line and line[0] != "#"}
    from tests.test_layers import OURS

    ours = set(OURS)
    distribution = {
        "yaml": "pyyaml",
        "slack_bolt": "slack-bolt",
        "slack_sdk": "slack-sdk",
        "psycopg": "psycopg",
        "apscheduler": "apscheduler",
        "prometheus_client": "prometheus-client",
        "pydantic_settings": "pydantic-settings",
    }
    for package in sorted(ours):
        for path in (ROOT / package).rglob("*.py"):
            needs = declared | demo if "demo" in path.parts else declared
            if path.name in ("assistant.py", "mcp_tools.py", "mcp_http.py"):  # imported only with the mcp extra
                needs = needs | mcp
            for node in ast.walk(ast.parse(path.read_text())):
                names = (
                    [a.name for a in node.names]
                    if isinstance(node, ast.Import)
                    else ([node.module] if isinstance(node, ast.ImportFrom) and node.module and node.level == 0 else [])
                )
                for name in names:
                    top = name.split(".")[0]
                    if top in ours or top in sys.stdlib_module_names or top == "__future__":
                        continue
                    wanted = _name(distribution.get(top, top))
                    assert wanted in needs, f"{path.relative_to(ROOT)} imports {top}, not declared where it ships"
                    assert wanted in pinned, f"{top} is not pinned in constraints.txt"
    assert "websockets" not in declared  # the demo's, not production's


def _name(requirement: str) -> str:
    import re

    return re.split(r"[<>=!~\[;\s]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def test_a_token_is_shown_once_listed_without_it_and_revoked(run, engine, store, clock):
    from cadence.definition_load import parse_playbook

    loaded(store, [parse_playbook(SUPPORT_REPLIES)], "UTC", actor="test", at=clock())
    made = run("token", "create", "--name", "helpdesk", "--playbook", "support-replies", "--kinds", "kpi,cases")
    assert made.exit_code == 0, made.output
    token = made.stdout.splitlines()[0]
    assert token.startswith("rcb_") and len(token) > 40
    listed = run("token", "list").output
    assert "helpdesk  in use  kpi, cases on support-replies" in listed and token not in listed
    assert listed.rstrip().endswith("last used: never")
    with Session(engine) as s:
        assert token not in json.dumps([r.model_dump(mode="json") for r in s.exec(select(Decision))])
    assert "give --playbook SLUG" in run("token", "create", "--name", "x").output
    assert (
        "no playbook 'support-replie'" in run("token", "create", "--name", "x", "--playbook", "support-replie").output
    )
    assert "exists" in run("token", "create", "--name", "helpdesk", "--all").output
    assert run("token", "revoke", "helpdesk").stdout == "Token helpdesk is revoked.\n"
    assert (
        "revoked" in run("token", "list").output
        and "no token 'helpdesk' in use" in run("token", "revoke", "helpdesk").output
    )


def _rollout(tmp_path, *args, **env):
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=tmp_path,
        env={**_clean_env(tmp_path), "PYTHONPATH": str(ROOT), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def _said_here(monkeypatch, tmp_path, *args, **env) -> subprocess.CompletedProcess[str]:
    """`rollout *args` as `_rollout` runs it, asked in this process (click's CliRunner over
    the same `cli`): for what a setting makes the command say before it does anything, which
    no process changes; a process costs a second and more of CPU to import the bot. How a
    process ends on such a setting is `serve`'s, below."""
    wanted = _clean_env(tmp_path, **env)
    for name in set(os.environ) - set(wanted):
        monkeypatch.delenv(name)
    for name, value in wanted.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)  # no stray .env
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return subprocess.CompletedProcess(list(args), result.exit_code, result.stdout, result.stderr)


def _one_sentence(result, opening: str, named: bool = False) -> None:
    """Exit 1 and one sentence on stderr, after the database's name if `named` (the
    command got as far as opening it)."""
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    lines = (past_the_database(result.stderr) if named else result.stderr).strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Error: {opening}"), result.stderr


@pytest.mark.parametrize(
    ("url", "opening"),
    [
        ("", "DATABASE_URL is empty: set it to sqlite:///"),
        ("not a url", "DATABASE_URL is not a database URL"),
        (
            "mysql://bot:s3cret@db.example.com/rollout",
            "DATABASE_URL names a mysql database: the bot runs on SQLite and PostgreSQL",
        ),
    ],
    ids=["empty", "unparsable", "unsupported"],
)
def test_a_database_url_the_bot_cannot_use_is_one_sentence(monkeypatch, tmp_path, url, opening):
    result = _said_here(monkeypatch, tmp_path, "playbook", "list", DATABASE_URL=url)
    _one_sentence(result, opening)
    assert "s3cret" not in result.stderr  # a URL may hold a password: it is never repeated


CREDENTIALS = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"}


@pytest.mark.parametrize(
    ("variable", "value", "opening"),
    [
        ("SLACK_API_URL", "notaurl", "SLACK_API_URL is not an http:// or https:// address: set it to Slack's"),
        ("SLACK_API_URL", "ftp://user:s3cret@slack.example.com/api/", "SLACK_API_URL is not an http:// or https://"),
        ("ROLLOUT_ADMINS", "bob", "ROLLOUT_ADMINS holds 'bob', which is not a Slack member id"),
        ("ROLLOUT_ADMINS", "U0123456789, bob", "ROLLOUT_ADMINS holds 'bob', which is not a Slack member id"),
        ("ROLLOUT_WEB_URL", "foo", "ROLLOUT_WEB_URL is not an http:// or https:// address: set it to the web view's"),
        ("ROLLOUT_WEB_URL", "https://[::1", "ROLLOUT_WEB_URL is not an http:// or https:// address"),
        ("PORT", "abc", "PORT must be a whole number, got 'abc'"),  # issue 66, item 12: was pydantic's words
    ],
)
@pytest.mark.parametrize(
    "command", [pytest.param("serve", marks=pytest.mark.slow), "playbook list"]
)  # serve as a process: were a setting let through, it would serve
def test_a_setting_the_bot_cannot_use_is_one_sentence_naming_it(
    monkeypatch, tmp_path, variable, value, opening, command
):
    """Issue 54, item 5: before, SLACK_API_URL=notaurl ended `serve` in a traceback
    (unknown url type), ftp:// in SlackRequestError, and the others passed unnoticed."""
    settings = {**CREDENTIALS, variable: value}
    if command == "serve":
        result = _rollout(tmp_path, "serve", **settings)
    else:
        result = _said_here(monkeypatch, tmp_path, *command.split(), **settings)
    _one_sentence(result, opening)
    assert "s3cret" not in result.stderr  # an address may hold a password: it is never repeated


@pytest.mark.slow  # starts `rollout` as a process (about 1.3 s of CPU each)
def test_a_database_that_never_answers_is_said_so(tmp_path):
    result = _rollout(tmp_path, "db", "upgrade", DATABASE_URL="postgresql://postgres@127.0.0.1:1/gone")
    _one_sentence(result, "could not connect to the database (", named=True)
    assert result.stderr.startswith("Database: postgresql://postgres@127.0.0.1:1/gone (PostgreSQL)\n")


def test_an_unknown_log_level_is_one_sentence(monkeypatch, tmp_path):
    said = _said_here(monkeypatch, tmp_path, "playbook", "list", LOG_LEVEL="LOUD")
    _one_sentence(said, "LOG_LEVEL 'LOUD' is not a log level")


@pytest.mark.slow  # starts `rollout` as a process (about 1.3 s of CPU each)
def test_a_server_database_not_yet_migrated_says_it_is_empty(postgres_url, tmp_path):
    from sqlalchemy import create_engine, text

    server = postgres_url.rsplit("/", 1)[0]
    admin = create_engine(server + "/postgres", isolation_level="AUTOCOMMIT")
    name = f"rollout_empty_{os.getpid()}"
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {name}"))
        connection.execute(text(f"CREATE DATABASE {name}"))
    try:
        result = _rollout(tmp_path, "playbook", "list", DATABASE_URL=f"{server}/{name}")
        _one_sentence(result, "the database is empty, the code needs ", named=True)
        assert "run `rollout db upgrade` first" in result.stderr
    finally:
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


@pytest.mark.slow  # starts `rollout` as a process (about 1.3 s of CPU each)
@pytest.mark.parametrize(
    "args",
    [("serve",), ("socket",), ("demo", "--serve", "--port", "{port}")],
    ids=["serve", "socket", "demo-serve"],
)
def test_a_port_already_in_use_is_one_sentence(tmp_path, slack, args):
    import socket

    from tests.conftest import BOT_TOKEN, SIGNING_SECRET

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = _rollout(
            tmp_path,
            *[a.format(port=port) for a in args],
            *(("--host", "127.0.0.1", "--port", str(port)) if args[0] != "demo" else ()),
            SLACK_BOT_TOKEN=BOT_TOKEN,
            SLACK_SIGNING_SECRET=SIGNING_SECRET,
            SLACK_APP_TOKEN=slack.app_token,
            SLACK_API_URL=slack.url,
        )
    _one_sentence(result, f"cannot listen on 127.0.0.1:{port}")
    assert "Running the demo" not in result.stdout  # the demo checks before it simulates


def test_the_demo_is_described_as_what_it_runs(run):
    """The command's help and the README say what the story runs (bot/demo/story.py)."""
    from bot.demo.story import SUMMARY

    def words(text: str) -> str:
        return " ".join(text.split())

    assert SUMMARY in words(run("demo", "--help").output)
    assert SUMMARY in words((ROOT / "README.md").read_text())
