"""`users:read.email` asked for only when usage sources are loaded: `rollout manifest` (and
`--socket-mode`) prints manifest.yml as it is for a database without them, or none it can
read, and with the scope once `rollout usage load` has kept a source; the load says to add
the scope unless Slack's answer shows the bot token holds it (its x-oauth-scopes header)."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from bot import guide

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = (ROOT / "manifest.yml").read_text()
SCOPES = ["commands", "chat:write", "im:write", "channels:read", "groups:read", "users:read", "files:write"]
WITH_EMAIL = [*SCOPES[:6], "users:read.email", *SCOPES[6:]]


def load_a_source(run, tmp_path):
    path = tmp_path / "usage.yaml"
    path.write_text(yaml.safe_dump({"usage": {"gemini": {"kind": "csv", "file": str(tmp_path / "g.csv")}}}))
    return run("usage", "load", str(path))


def scopes(printed: str) -> list[str]:
    return yaml.safe_load(printed)["oauth_config"]["scopes"]["bot"]


def test_without_usage_sources_the_manifest_is_as_it_was(run):
    assert yaml.safe_load(MANIFEST)["oauth_config"]["scopes"]["bot"] == SCOPES
    http, socket = run("manifest"), run("manifest", "--socket-mode")
    assert http.exit_code == 0 and socket.exit_code == 0, http.output + socket.output
    assert http.stdout == MANIFEST
    assert socket.stdout == guide.socket_mode_manifest(MANIFEST)
    assert http.stderr == socket.stderr == ""


@pytest.mark.parametrize(
    "url",
    [
        "sqlite:///{tmp}/nowhere.db",  # no such file: none is made
        "sqlite:///:memory:",
        "postgresql://postgres@127.0.0.1:1/rollout",  # nothing answers there
        "mysql://nobody@127.0.0.1/rollout",  # settings that do not validate
    ],
)
def test_without_a_database_it_can_read_the_manifest_is_as_it_was(run, tmp_path, monkeypatch, url):
    monkeypatch.setenv("DATABASE_URL", url.format(tmp=tmp_path))
    printed = run("manifest")
    assert printed.exit_code == 0, printed.output
    assert printed.stdout == MANIFEST
    assert run("manifest", "--socket-mode").stdout == guide.socket_mode_manifest(MANIFEST)
    assert not (tmp_path / "nowhere.db").exists()


def test_with_a_usage_source_loaded_the_manifest_asks_for_members_emails(run, tmp_path, monkeypatch):
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    socket_before = yaml.safe_load(run("manifest", "--socket-mode").stdout)
    assert load_a_source(run, tmp_path).exit_code == 0

    http = run("manifest")
    assert http.exit_code == 0, http.output
    assert scopes(http.stdout) == WITH_EMAIL
    expected = yaml.safe_load(MANIFEST)
    expected["oauth_config"]["scopes"]["bot"] = WITH_EMAIL
    assert yaml.safe_load(http.stdout) == expected  # nothing else changed
    assert "users:read.email" in http.stderr and "usage sources are loaded" in http.stderr

    socket = run("manifest", "--socket-mode")
    assert socket.exit_code == 0, socket.output
    socket_before["oauth_config"]["scopes"]["bot"] = WITH_EMAIL
    assert yaml.safe_load(socket.stdout) == socket_before
    assert "rollout.example.com/slack" not in socket.stdout


class _Slack:
    """auth.test answered ok, with the bot token's scopes in its x-oauth-scopes header,
    as Slack answers any Web API call."""

    def __init__(self, granted: str):
        granted_scopes = granted

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                body = json.dumps({"ok": True, "team_id": "T1", "user_id": "U1", "bot_id": "B1"}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("x-oauth-scopes", granted_scopes)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/api/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def slack_with_scopes(monkeypatch):
    started = []

    def start(granted: str) -> None:
        started.append(_Slack(granted))
        monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test-token")
        monkeypatch.setenv("SLACK_API_URL", started[-1].url)

    yield start
    for slack in started:
        slack.close()


def test_load_says_to_add_the_scope_when_the_token_lacks_it(run, tmp_path, slack_with_scopes):
    slack_with_scopes(", ".join(SCOPES))
    loaded = load_a_source(run, tmp_path)
    assert loaded.exit_code == 0, loaded.output
    assert loaded.stdout == "loaded 1 usage source: gemini (csv)\n"
    (hint,) = [line for line in loaded.stderr.splitlines() if "users:read.email" in line]
    assert "the bot token lacks users:read.email" in hint
    assert "`rollout manifest`" in hint and "reinstall the app" in hint
    assert "xoxb-test-token" not in loaded.output


def test_load_says_nothing_of_the_scope_when_the_token_holds_it(run, tmp_path, slack_with_scopes):
    slack_with_scopes(",".join(WITH_EMAIL))
    loaded = load_a_source(run, tmp_path)
    assert loaded.exit_code == 0, loaded.output
    assert "users:read.email" not in loaded.output


def test_load_says_to_add_the_scope_when_it_cannot_tell(run, tmp_path, monkeypatch, slack):
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)  # no token to ask Slack with
    loaded = load_a_source(run, tmp_path)
    assert loaded.exit_code == 0, loaded.output
    assert "people are matched by their Slack emails: the app needs users:read.email" in loaded.stderr

    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test-token")  # the stand-in sends no x-oauth-scopes
    monkeypatch.setenv("SLACK_API_URL", slack.url)
    again = load_a_source(run, tmp_path)
    assert again.exit_code == 0, again.output
    assert "the app needs users:read.email" in again.stderr
