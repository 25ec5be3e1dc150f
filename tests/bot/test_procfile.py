"""The Procfile's processes under bad settings, run as a platform runs them (a shell, the
Procfile's line, the environment), and `rollout serve` and `socket` beside them: issue 66,
items 1 to 7. Each runs once (`one_database`) but the database's own: what it checks is a
process's behaviour, and the SQL under it (the token's hold) runs on both databases in
tests/storage/test_store.py."""

import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.bot import test_processes
from tests.bot.test_processes import ROOT, _children, _free_port, rollout
from tests.committed import enqueue
from tests.conftest import CHANNEL, MEMBER, SIGNING_SECRET
from tests.health import health_until

pytestmark = pytest.mark.slow  # real processes

DEADLINE = 90  # seconds: generous, for a machine shared with others; nothing waits for it when all is well


@pytest.fixture
def env(database_url, slack, tmp_path):
    return test_processes.env.__wrapped__(database_url, slack, tmp_path)


def _line(name: str) -> str:
    return next(
        line.split(":", 1)[1] for line in (ROOT / "Procfile").read_text().splitlines() if line.startswith(f"{name}:")
    )


class Output:
    """A process's lines (stdout and stderr together) as they come, read by a thread."""

    def __init__(self, process: subprocess.Popen):
        self.lines: list[str] = []
        self.said = threading.Condition()  # notified at each line
        self.thread = threading.Thread(target=self._read, args=(process,), daemon=True)
        self.thread.start()

    def _read(self, process: subprocess.Popen) -> None:
        assert process.stdout is not None
        for line in process.stdout:
            with self.said:
                self.lines.append(line.rstrip("\n"))
                self.said.notify_all()

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    def wait_for(self, words: str, times: int = 1, seconds: float = DEADLINE) -> str:
        """The first line that says `words`, once `times` lines have."""

        def found() -> list[str]:
            return [line for line in self.lines if words in line]

        with self.said:
            if self.said.wait_for(lambda: len(found()) >= times, timeout=seconds):
                return found()[0]
        raise AssertionError(f"never said {words!r} {times} times:\n{self.text}")


def _serving_on_port_0(env) -> tuple[subprocess.Popen, Output]:
    """`rollout serve --port 0` on loopback, its output read as it comes."""
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve", "--port", "0", "--host", "127.0.0.1"],
        env={**env, "SLACK_SIGNING_SECRET": SIGNING_SECRET},
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    return process, Output(process)


def _platform(env, name: str, **variables: str) -> tuple[subprocess.Popen, Output, int]:
    """The Procfile's line `name`, as a platform runs it: a shell, $PORT set, WEB_CONCURRENCY 2."""
    port = _free_port()
    environment = {
        **env,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "PORT": str(port),
        "WEB_CONCURRENCY": "2",
        "PATH": str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", ""),  # `rollout` is installed there
        **variables,
    }
    process = subprocess.Popen(
        ["sh", "-c", f"exec {_line(name)}"],
        env=environment,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    return process, Output(process), port


@contextmanager
def _stopped_cleanly(process: subprocess.Popen, output: Output) -> Iterator[None]:
    """Around a test's use of a process: then stop it as a platform does (SIGTERM) and, if
    the test got that far, check it went cleanly: exit 0, no traceback."""
    try:
        yield
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=60)
        finally:
            process.kill()
            output.thread.join(timeout=10)
    assert process.returncode == 0, output.text
    assert "Traceback" not in output.text, output.text


def _requests(port: int):
    from tests.conftest import SlackRequests

    return SlackRequests(f"http://127.0.0.1:{port}", SIGNING_SECRET)


@pytest.mark.one_database
@pytest.mark.parametrize(
    ("variables", "said"),
    [
        ({"ROLLOUT_ADMINS": "bob"}, "Error: ROLLOUT_ADMINS holds 'bob', which is not a Slack member id"),
        ({"SLACK_BOT_TOKEN": ""}, "Missing SLACK_BOT_TOKEN."),
        ({"DATABASE_URL": "mysql://nope"}, "Error: DATABASE_URL"),
        ({"DATABASE_URL": "sqlite:////nowhere/rollout.db"}, "Error: there is no database at /nowhere/rollout.db:"),
        ({"LOG_LEVEL": "loud"}, "LOG_LEVEL 'loud' is not a log level"),
    ],
    ids=["admins", "no-token", "database-url", "no-sqlite-file", "log-level"],
)
def test_the_procfile_web_refuses_a_bad_setting_once_before_any_worker_starts(env, variables, said):
    """Issue 66, item 1: uvicorn's workers each checked the settings, died with a traceback
    and were started again, 7 times in 20 s. Now they are checked once, before any worker
    starts: one sentence, one non-zero exit."""
    process, output, _ = _platform(env, "web", **variables)
    try:
        returncode = process.wait(timeout=DEADLINE)
    finally:
        process.kill()
    output.thread.join(timeout=10)
    assert returncode != 0, output.text
    assert "Traceback" not in output.text and "Started server process" not in output.text, output.text
    assert output.text.count(said) == 1, output.text


def _unavailable_database(database_url: str) -> tuple[str, object]:
    """A server's database URL that does not answer yet, and what makes it answer (the
    database created where it points)."""
    name = f"rollout_later_{uuid.uuid4().hex[:10]}"
    url = make_url(database_url).set(database=name).render_as_string(hide_password=False)

    def create() -> None:
        admin = create_engine(make_url(database_url).set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()

    return url, create


def _drop(url: str) -> None:
    if url.startswith("postgresql"):
        admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
        admin.dispose()


@pytest.mark.one_database
def test_the_procfile_web_waits_for_a_database_that_does_not_answer_and_recovers(env, playbook, slack, database_url):
    """Issue 66, item 1: with a database that did not answer, each worker died with a
    traceback and was started again, /healthz unanswered. Now each serves /healthz 503
    naming the cause, and serves everything once the database answers, started once.
    (A server's database: a SQLite file that is not there is refused at the start, above.)"""
    url, arrive = _unavailable_database(database_url)
    process, output, port = _platform(env, "web", DATABASE_URL=url)
    slack_side = _requests(port)
    try:
        with _stopped_cleanly(process, output):
            output.wait_for("could not connect to the database", times=2)  # each worker, once
            waiting = health_until(slack_side, 503)
            # The cause in full is the log's; these paths face the internet, so they say
            # nothing of the driver's words (the database's name, host, port or user).
            assert waiting == {"ok": False, "database": "unreachable"}, waiting
            refused = slack_side.command("help", MEMBER, CHANNEL)
            assert refused.status == 503 and make_url(url).database not in str(refused.body), refused.body
            workers = _children(process.pid)
            assert len(workers) == 2, workers
            arrive()
            upgraded = rollout({**env, "DATABASE_URL": url}, "db", "upgrade")  # the release process's part
            assert upgraded.returncode == 0, upgraded.stderr
            output.wait_for("the database answers: serving", times=2)
            health_until(slack_side, 200)
            assert "/rollout kpi" in slack_side.command("help", MEMBER, CHANNEL).text
            assert _children(process.pid) == workers, output.text  # none died, none was started again
    finally:
        _drop(url)
    assert output.text.count("Started server process") == 2, output.text
    assert output.text.count("the database answers: serving") == 2, output.text


@pytest.mark.one_database
def test_the_procfile_web_stays_up_when_its_app_cannot_be_built_for_another_reason(env, playbook, slack, tmp_path):
    """Any failure to build the app, not only a database that does not answer, keeps `web`
    up at 503 rather than a traceback, an exit and a restart in a loop: here a SQLite file
    whose schema is at a revision this code does not know (the code rolled back)."""
    rolled_back = tmp_path / "rolled-back.db"
    engine = create_engine(f"sqlite:///{rolled_back}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)"))
        connection.execute(text("INSERT INTO alembic_version VALUES ('ffffffffffff')"))
    engine.dispose()
    process, output, port = _platform(env, "web", DATABASE_URL=f"sqlite:///{rolled_back}")
    slack_side = _requests(port)
    with _stopped_cleanly(process, output):
        output.wait_for("could not build the app", times=2)  # each worker, once
        waiting = health_until(slack_side, 503)
        assert waiting == {"ok": False, "database": "not checked: the app could not be built (see the log)"}, waiting
        workers = _children(process.pid)
        assert len(workers) == 2, workers
        assert "ffffffffffff" in output.text  # the cause, in the log
        assert _children(process.pid) == workers, output.text  # none died, none was started again
    assert output.text.count("Started server process") == 2, output.text


@pytest.mark.one_database
def test_the_procfile_web_with_a_refused_token_recovers_by_itself(env, playbook, slack):
    """Issue 66, item 1: a `web` process started with a token Slack refuses says so on
    /healthz (503), and once Slack accepts the token again, says ok without a restart,
    though no clock runs beside it to notice."""
    slack.revoke("invalid_auth")
    process, output, port = _platform(env, "web")
    slack_side = _requests(port)
    with _stopped_cleanly(process, output):
        refused = health_until(slack_side, 503)
        assert refused["slack"].startswith("token refused (invalid_auth)"), refused
        slack.restore()
        healthy = health_until(slack_side, 200)
        assert healthy["slack"] == "ok", healthy
        assert "/rollout kpi" in slack_side.command("help", MEMBER, CHANNEL).text
    assert output.text.count("Started server process") == 2, output.text


@pytest.mark.one_database
def test_every_line_of_the_procfile_web_is_json_under_log_format_json(env, playbook, slack):
    """Issue 66, item 4: uvicorn's own lines were plain text among the JSON ones."""
    process, output, port = _platform(env, "web", LOG_FORMAT="json")
    slack_side = _requests(port)
    with _stopped_cleanly(process, output):
        health_until(slack_side, 200)
        assert slack_side.command("help", MEMBER, CHANNEL).status == 200
    lines = [json.loads(line) for line in output.lines if line.strip()]  # each one JSON, or this fails
    loggers = {line["logger"] for line in lines}
    assert {"uvicorn.error", "rollout"} <= loggers, lines
    assert sum("Started server process" in line["message"] for line in lines) == 2, lines


@pytest.mark.one_database
def test_an_empty_rollout_admins_is_warned_of_once_at_start(env, playbook, slack):
    """Issue 66, item 5: with ROLLOUT_ADMINS empty (as .env.example has it), nobody can
    appoint a curator, and nothing said so."""
    process, output, port = _platform(env, "web", ROLLOUT_ADMINS="")
    with _stopped_cleanly(process, output):
        health_until(_requests(port), 200)
    warning = "ROLLOUT_ADMINS is empty: nobody can appoint a curator"
    assert output.text.count(warning) == 1, output.text
    assert "ROLLOUT_ADMINS=U0123456789" in output.wait_for(warning)


@pytest.mark.one_database
def test_serve_on_port_0_listens_on_a_free_port_and_says_which(env, playbook, slack):
    """Issue 66, item 6: `--port 0` listened on 3000 (`port or settings.port`)."""
    import re

    process, output = _serving_on_port_0({**env, "PORT": "3000"})
    with _stopped_cleanly(process, output):
        said = output.wait_for("serving Slack requests on http://127.0.0.1:")
        port = int(re.search(r"127\.0\.0\.1:(\d+)/", said).group(1))
        assert port not in (0, 3000), said
        assert health_until(_requests(port), 200)["database"] == "ok"


@pytest.mark.one_database
def test_a_changed_token_is_not_held_by_the_refusal_of_the_old_one(env, playbook, slack):
    """Issue 66, item 3: after Slack refused a token, the token changed and the process
    restarted while Slack could not be reached, /healthz still said "token refused
    (invalid_auth) since 11:35": the refusal is the old token's, not the new one's."""
    from tests.ports import refusing_port

    slack.revoke("invalid_auth")
    process, output, port = _platform(env, "web")
    with _stopped_cleanly(process, output):
        assert health_until(_requests(port), 503)["slack"].startswith("token refused (invalid_auth)")
    with refusing_port() as nowhere:
        changed = {"SLACK_BOT_TOKEN": "xoxb-the-new-one", "SLACK_API_URL": f"http://127.0.0.1:{nowhere}/api/"}
        process, output, port = _platform(env, "web", **changed)
        with _stopped_cleanly(process, output):
            health = health_until(_requests(port), 200)
            assert health["slack"].startswith("not verified (unreachable since "), health


@pytest.mark.one_database
def test_the_procfile_clock_stays_up_when_slack_refuses_the_token_and_web_says_so(env, playbook, slack, engine):
    """Issue 66, item 2: `clock` exited 2 when Slack refused the token, and a platform
    started it again, and again. It stays up, says so once, holds the outbox while its
    dispatcher asks Slack again on a backoff, and the `web` process's /healthz shows
    the clock's state; once Slack accepts the token, the held message goes."""
    from cadence.change import Message

    enqueue(engine, [Message("held", "chat.postMessage", CHANNEL, {"text": "held"})], datetime.now(UTC))
    slack.revoke("invalid_auth")
    clock, clock_output, _ = _platform(env, "clock")
    web, web_output, port = _platform(env, "web")
    slack_side = _requests(port)
    with _stopped_cleanly(clock, clock_output), _stopped_cleanly(web, web_output):
        held = health_until(slack_side, 503, check=lambda body: body.get("clock", "").startswith("ok"))
        assert held["clock"] == "ok, holding delivery until Slack accepts the token", held
        assert held["slack"].startswith("token refused (invalid_auth)"), held
        assert clock.poll() is None, clock_output.text  # still up
        assert slack.posted(CHANNEL) == []
        slack.restore()
        deadline = time.monotonic() + DEADLINE
        while time.monotonic() < deadline and not slack.posted(CHANNEL):
            slack_side.get("/healthz")  # web asks Slack again too, lifting the hold sooner than the clock's backoff
            time.sleep(0.2)
        assert [m["text"] for m in slack.posted(CHANNEL)] == ["held"], clock_output.text
        assert health_until(slack_side, 200)["clock"] == "ok"
    assert clock_output.text.count("Slack refused SLACK_BOT_TOKEN (invalid_auth): the clock stays up") == 1


@pytest.fixture
def proxy_sign_in():
    """An HTTP server that answers every request with an HTML page, as a proxy's sign-in
    page or a wrong SLACK_API_URL does: its Web API address."""
    import http.server

    class Page(http.server.BaseHTTPRequestHandler):
        def answer(self) -> None:
            body = b"<!DOCTYPE HTML>\n<html><head><title>Proxy login</title></head><body>Sign in</body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = answer  # noqa: N815 (http.server's names)

        def log_message(self, *args) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/api/"
    server.shutdown()
    server.server_close()


@pytest.mark.one_database
def test_a_slack_api_url_answering_html_is_named_with_what_came_back(env, proxy_sign_in):
    """Issue 66, item 7: "Slack answered Received a response in a non-JSON format:
    <!DOCTYPE HTML>…", and then `rollout socket` blamed SLACK_APP_TOKEN. Now one sentence
    names the URL asked and what came back, and no token is blamed."""
    said = f"{proxy_sign_in}auth.test answered HTTP 200 with an HTML page titled 'Proxy login', not Slack's JSON"
    result = rollout({**env, "SLACK_API_URL": proxy_sign_in, "SLACK_APP_TOKEN": "xapp-test"}, "socket", "--no-http")
    assert result.returncode == 1, result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith(f"Error: {said}: check SLACK_API_URL"), result.stderr
    assert "SLACK_APP_TOKEN" not in result.stderr and "non-JSON" not in result.stderr, result.stderr

    process, output = _serving_on_port_0({**env, "SLACK_API_URL": proxy_sign_in})
    with _stopped_cleanly(process, output):
        serving = output.wait_for("serving Slack requests on http://127.0.0.1:")
        health_until(_requests(int(serving.rsplit(":", 1)[1].split("/")[0])), 200)
        assert said in output.wait_for("not Slack's JSON")
    assert output.text.count(said) == 1 and "non-JSON" not in output.text, output.text
