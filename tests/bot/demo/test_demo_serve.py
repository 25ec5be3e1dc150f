"""`rollout demo --serve --from DIR` serves a run of the demo as the bot serves its own: the
web view, the reporting API's reads and an assistant's tools at /mcp, for a read token it
prints with the configuration to paste; `rollout mcp --demo DIR` answers over stdio. Every
read answers as of the demo's last day (2027), not today's date."""

import json
import os
import sqlite3
import subprocess
import sys
import urllib.request
from datetime import timedelta

import anyio
import pytest
from click.testing import CliRunner
from mcp import Client, StdioServerParameters

from bot.cli import cli
from bot.demo import view
from tests.bot.test_processes import ROOT
from tests.ports import serve_on_a_free_port

pytestmark = pytest.mark.slow  # the demo's run (shared), and real processes


@pytest.fixture
def run_dir(demo_result, tmp_path):
    """A copy of the demo's run (its database, which keeps when its story ended), as `--out` leaves it."""
    folder = tmp_path / "demo-output"
    folder.mkdir()
    source, copy = sqlite3.connect(demo_result.database), sqlite3.connect(folder / view.DATABASE)
    source.backup(copy)
    source.close(), copy.close()
    return folder


def _get(url: str, token: str):
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def _mcp(url: str, token: str, name: str) -> dict:
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": name, "arguments": {}}})
    request = urllib.request.Request(
        url,
        data=body.encode(),
        method="POST",
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            "Accept": "application/json, text/event-stream",
        },
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(json.loads(response.read())["result"]["content"][0]["text"])


def _last_closed_week(demo_result) -> str:
    """The Monday of the last week closed when the story ended (a week closes on the Monday after)."""
    day = demo_result.ended_at.date()
    return str(day - timedelta(days=day.weekday() + 7))


def test_serve_from_a_run_answers_the_web_view_the_api_and_mcp_as_of_its_last_day(demo_result, run_dir):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL", "ROLLOUT_"))}

    def start(port: int) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "-m", "bot", "demo", "--serve", "--from", str(run_dir), "--port", str(port)],
            env={**env, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"},
            cwd=run_dir.parent,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )

    def answers(port: int) -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/web/", timeout=5) as response:
                return response.status == 200
        except OSError:
            return False

    process, port = serve_on_a_free_port(start, answers)
    try:
        assert process.stdout is not None
        said = [process.stdout.readline().rstrip("\n") for _ in range(9)]
        assert "Running the demo" not in "\n".join(said)  # the run served, not run again
        token = said[2].strip()
        assert token.startswith("rcb_")
        base = f"http://127.0.0.1:{port}"
        stdio = json.loads(said[5])["mcpServers"]["rollout-demo"]
        assert os.path.isabs(stdio["command"]) and stdio["args"][-3:] == ["mcp", "--demo", str(run_dir)]
        http = json.loads(said[7])["mcpServers"]["rollout-demo"]
        assert http == {"type": "http", "url": f"{base}/mcp", "headers": {"Authorization": f"Bearer {token}"}}
        assert f"{demo_result.ended_at:%-d %b %Y}" in said[8]

        # the API's reads: every playbook in a cycle, as on the demo's last day (today, none would be)
        playbooks = _get(f"{base}/api/v1/playbooks", token)["playbooks"]
        assert len(playbooks) == 5 and all(p["cycle"] is not None for p in playbooks)
        # the digest over MCP: the demo's last closed week, its 2 stalled playbooks as the web view says
        digest = _mcp(f"{base}/mcp", token, "digest")
        assert digest["week_of"] == _last_closed_week(demo_result)
        assert digest["org"]["stalled"] == 2
    finally:
        process.terminate()
        process.wait(timeout=30)
    assert process.returncode == 0  # SIGTERM stops it cleanly (.ci/container no longer runs the demo in the image)


def test_rollout_mcp_demo_answers_over_stdio_as_of_the_demos_last_day(demo_result, run_dir):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL", "ROLLOUT_"))}
    server = StdioServerParameters(
        command=sys.executable,
        args=["-m", "bot", "mcp", "--demo", str(run_dir)],
        env={**env, "PYTHONPATH": str(ROOT)},
        cwd=str(run_dir.parent),
    )

    async def session():
        async with Client(server) as client:
            return await client.call_tool("digest", {}), await client.call_tool("list_playbooks", {})

    digest, listed = anyio.run(session)
    digest = json.loads(digest.content[0].text)
    assert digest["week_of"] == _last_closed_week(demo_result) and digest["org"]["stalled"] == 2
    assert all(p["cycle"] is not None for p in json.loads(listed.content[0].text)["playbooks"])


def test_serve_from_a_folder_without_a_run_is_one_sentence(tmp_path):
    def run(*args: str):
        return CliRunner().invoke(cli, list(args))

    result = run("demo", "--serve", "--from", str(tmp_path))
    assert result.exit_code == 1
    assert f"{tmp_path} holds no run of the demo" in result.output and "rollout demo --out" in result.output
    assert "give --serve too" in run("demo", "--from", str(tmp_path)).output


def _said_once(stderr: str, demo_result) -> None:
    said = (
        f"This database was made by `rollout demo`: reading it as of {demo_result.ended_at:%a %Y-%m-%d %H:%M} UTC, "
        "the demo's last day, not today."
    )
    assert stderr.splitlines().count(said) == 1, stderr


def test_every_command_reads_the_demos_database_as_of_its_last_day(demo_result, run_dir, monkeypatch):
    """Issue 108, item 3: on the demo's database, `playbook list` said "starts on
    2027-01-04" of playbooks 13 weeks in and `digest --dry-run` that no playbook had
    closed a week: they read it on today's date. The database keeps the demo's clock."""
    monkeypatch.chdir(run_dir)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{run_dir / view.DATABASE}")
    listed = CliRunner().invoke(cli, ["playbook", "list"])
    assert listed.exit_code == 0, listed.output
    rows = listed.stdout.splitlines()[1:]
    assert len(rows) == 5 and all(" cycle " in row for row in rows) and "starts on" not in listed.stdout
    _said_once(listed.stderr, demo_result)
    digest = CliRunner().invoke(cli, ["digest", "--dry-run"])
    assert digest.exit_code == 0, digest.output
    assert "No digest" not in digest.stdout and "ROLLOUT DIGEST · WEEK OF" in digest.stdout
    _said_once(digest.stderr, demo_result)


def test_rollout_mcp_on_the_demos_database_answers_as_of_its_last_day(demo_result, run_dir):
    """Issue 108, item 3: plain `rollout mcp` over the demo's database gave cycle None and
    "stalled 0"; it answers as `mcp --demo` does."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL", "ROLLOUT_"))}
    server = StdioServerParameters(
        command=sys.executable,
        args=["-m", "bot", "mcp"],
        env={**env, "PYTHONPATH": str(ROOT), "DATABASE_URL": f"sqlite:///{run_dir / view.DATABASE}"},
        cwd=str(run_dir.parent),
    )

    async def session():
        async with Client(server) as client:
            return await client.call_tool("digest", {}), await client.call_tool("list_playbooks", {})

    digest, listed = anyio.run(session)
    digest = json.loads(digest.content[0].text)
    assert digest["week_of"] == _last_closed_week(demo_result) and digest["org"]["stalled"] == 2
    assert all(p["cycle"] is not None for p in json.loads(listed.content[0].text)["playbooks"])


def test_rollout_mcp_demo_names_its_database_and_clock_on_stderr(demo_result, run_dir):
    """Issue 108, item 16: `mcp --demo` named no database, where every other command does."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL", "ROLLOUT_"))}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "mcp", "--demo", str(run_dir)],
        env={**env, "PYTHONPATH": str(ROOT)},
        cwd=run_dir.parent,
        input="",  # no assistant: stdin ends, and the server with it
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines()[0] == f"Database: {run_dir / view.DATABASE} (SQLite, made by the demo)"
    _said_once(result.stderr, demo_result)
    assert result.stdout == ""  # stdout is the protocol's
