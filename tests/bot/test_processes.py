"""`rollout tick`, `rollout clock` and `rollout serve` as processes, against the Slack stand-in."""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.http_server import WORKER_HEALTHCHECK_SECONDS
from storage.cadence_log import CadenceLog
from tests.committed import enqueue, loaded
from tests.conftest import BOT_TOKEN, CHANNEL, MEMBER, OWNER
from tests.health import children as _children
from tests.health import health_until
from usecases.shared.life import begin_cycle

pytestmark = pytest.mark.slow  # real processes: `bash tests/run -m "not slow"` leaves them out

ROOT = Path(__file__).resolve().parents[2]
UTC = UTC


@pytest.fixture
def env(database_url, slack, tmp_path):
    slack.add_user(OWNER, tz="Europe/Berlin")
    slack.add_user(MEMBER, tz="America/New_York")
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL", "ROLLOUT_"))}
    environment.update(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_API_URL=slack.url,
        DATABASE_URL=database_url,
        ROLLOUT_TIMEZONE="UTC",
        PYTHONPATH=str(ROOT),
    )
    return environment


def rollout(env, *args, timeout=60):
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], env=env, capture_output=True, text=True, timeout=timeout, cwd=ROOT
    )


def test_tick_at_an_instant_delivers_and_a_second_run_sends_nothing(env, playbook, slack):
    first = rollout(env, "tick", "--at", "2026-11-19T16:00:00+01:00")  # Thursday 15:00 UTC
    assert first.returncode == 0, first.stderr
    assert "1 checkin done" in first.stdout and "all messages delivered" in first.stdout
    assert [m["text"] for m in slack.posted(OWNER)] == ["check in for support-replies, week 1 of cycle 1"]
    assert slack.posted(MEMBER) == []  # 15:00 in New York is five hours later
    second = rollout(env, "tick", "--at", "2026-11-19T15:00:00Z")
    assert second.returncode == 0 and "nothing due" in second.stdout
    assert len(slack.calls_to("chat.postMessage")) == 1


@pytest.mark.one_database  # refused by the argument's parser, before any database
def test_tick_rejects_a_bad_instant(env):
    result = rollout(env, "tick", "--at", "next thursday")
    assert result.returncode == 2 and "not an ISO-8601 instant" in result.stderr


def test_the_clock_process_ticks_and_stops_cleanly(env, store, engine, slack):
    from cadence.calendar import week_closes_at
    from cadence.definition_load import parse_playbook
    from tests.conftest import SUPPORT_REPLIES

    now = datetime.now(UTC)
    loaded(store, [parse_playbook(SUPPORT_REPLIES)], "UTC", actor="test", at=now)
    state = store.playbooks.state("support-replies")
    monday = now.date() - timedelta(days=now.weekday() + 7)  # last week's Monday
    if now < week_closes_at(monday, state.playbook.timezone, state.settings.grace_hours):
        monday -= timedelta(days=7)  # Monday morning: last week is in its grace, so the week before
    started = datetime.combine(monday, datetime.min.time(), UTC)  # when it began: its weeks took reports
    begin_cycle(store, state.playbook.id, 1, monday, OWNER, started)
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "clock"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.time() + 30
        while time.time() < deadline and not any(j.kind == "close" for j in CadenceLog(engine).jobs()):
            time.sleep(0.2)
        while time.time() < deadline and not slack.posted(CHANNEL):
            time.sleep(0.2)
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
    assert any(j.key == f"close:{state.playbook.id}:{monday}" for j in CadenceLog(engine).jobs()), output
    assert "week 1 of cycle 1 closed" in [m["text"] for m in slack.posted(CHANNEL)][-1]
    assert process.returncode == 0, output


def test_a_clock_killed_mid_dispatch_and_restarted_sends_everything_once(env, engine, slack):
    from bot.demo.standin.faults import Fault
    from cadence.change import Message
    from storage.outbox import Outbox

    channels = [f"CCLOCK{i:04d}" for i in range(8)]
    for channel in channels:
        slack.add_channel(channel, [OWNER])
    enqueue(
        engine,
        [Message(f"m{i}", "chat.postMessage", c, {"text": f"hello {i}"}) for i, c in enumerate(channels)],
        datetime.now(UTC),
    )
    for _ in range(2):
        slack.fail_next("chat.postMessage", Fault())
    slack.fail_next("chat.postMessage", Fault(accept_then_delay=60))  # Slack takes the third, then hangs
    first = subprocess.Popen(
        [sys.executable, "-m", "bot", "clock"], env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.time() + 30
        while len(slack.posted()) < 3 and time.time() < deadline:
            time.sleep(0.05)
        assert len(slack.posted()) >= 3
    finally:
        first.kill()  # SIGKILL: no chance to clean up
        first.wait(timeout=10)
    second = subprocess.Popen(
        [sys.executable, "-m", "bot", "clock"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.time() + 40
        while time.time() < deadline and any(m.status != "sent" for m in Outbox(engine).all()):
            time.sleep(0.2)
    finally:
        second.send_signal(signal.SIGTERM)
        output, _ = second.communicate(timeout=30)
    assert all(m.status == "sent" for m in Outbox(engine).all()), output
    for channel in channels:
        assert len(slack.posted(channel)) == 1, (channel, output)
    assert "recovered" in output


def test_serve_runs_one_worker_with_the_clock_in_it_and_stops_cleanly(env, playbook, slack):
    """The default `rollout serve`: one process answers Slack and runs the clock and the
    dispatcher beside the requests (no `rollout clock` process, no worker process), and a
    SIGTERM stops both cleanly."""
    server, slack_side = _serving(env)
    try:
        assert "Recorded" in slack_side.command("kpi support-replies 20", MEMBER, CHANNEL).text
        signed = {**slack_side.signed_headers("not a form"), "Content-Type": "text/plain"}
        assert slack_side.post("/slack/events", "not a form", signed).status == 400
        deadline = time.time() + 30
        health = slack_side.get("/healthz").body
        while time.time() < deadline and health.get("clock") != "ok":  # the first tick runs at once
            time.sleep(0.2)
            health = slack_side.get("/healthz").body
        assert health["clock"] == "ok", health
        assert _children(server.pid) == []  # no worker, and no clock process beside it
    finally:
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=30)
    assert server.returncode == 0, output
    assert "cadence clock and dispatcher running in this process" in output
    assert "Traceback" not in output


@pytest.mark.one_database  # uvicorn's supervisor; `help` reads no row
def test_serve_with_two_workers_answers_and_stops_cleanly(env, playbook, slack, tmp_path):
    server, slack_side = _serving(env, "--workers", "2", "--no-scheduler")
    try:
        replies = [slack_side.command("help", MEMBER, CHANNEL) for _ in range(20)]
        assert all(r.status == 200 and "/rollout kpi" in r.text for r in replies)
        workers = _children(server.pid)
        assert len(workers) == 2
        os.kill(workers[0], signal.SIGKILL)  # a worker dies: uvicorn's supervisor starts another
        # When the supervisor: at once if it finds the worker dead, but a worker still dying as
        # the supervisor looks is pinged, and the ping can only time out (the supervisor holds
        # the pipe's other end open): WORKER_HEALTHCHECK_SECONDS later. On a loaded machine
        # that was now and then the case, and a 30 s wait failed. The wait covers the ping's
        # timeout and the new worker's start; a supervisor that never replaces it still fails.
        deadline = time.monotonic() + WORKER_HEALTHCHECK_SECONDS + 90
        children = _children(server.pid)
        while time.monotonic() < deadline and (len(children) != 2 or workers[0] in children):
            time.sleep(0.1)
            children = _children(server.pid)  # one snapshot per look: a reaped worker vanishes between two
        assert len(children) == 2 and workers[0] not in children
        replies = [slack_side.command("help", MEMBER, CHANNEL) for _ in range(10)]
        assert all(r.status == 200 and "/rollout kpi" in r.text for r in replies)
    finally:
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=30)
    assert server.returncode == 0, output
    assert "(2 processes)" in output
    assert "Traceback" not in output


def _serving(env, *args):
    """`rollout serve` with `args` on a free loopback port, signed requests on: the process,
    and Slack's side of it once it answers /healthz."""
    from bot.demo.standin.slack_requests import SlackRequests
    from tests.conftest import SIGNING_SECRET

    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve", "--port", str(port), "--host", "127.0.0.1", *args],
        env={**env, "SLACK_SIGNING_SECRET": SIGNING_SECRET},
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    slack_side = SlackRequests(f"http://127.0.0.1:{port}", SIGNING_SECRET)
    health_until(slack_side)
    return server, slack_side


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Stopped:
    output = ""  # what the server printed, once it has stopped


@contextmanager
def _stopped_cleanly(server) -> Iterator[Stopped]:
    """Around a test's use of a server: then stop it as a platform does (SIGTERM), and,
    if the test got that far, check it went cleanly: exit 0, no traceback. What it printed
    is the yielded object's `output` after the block."""
    stopped = Stopped()
    try:
        yield stopped
    finally:
        server.send_signal(signal.SIGTERM)
        # against a hang, not a speed: a clock mid-tick on a loaded machine once took > 30 s
        stopped.output, _ = server.communicate(timeout=120)
    assert server.returncode == 0, stopped.output
    assert "Traceback" not in stopped.output


def _procfile_web(env, healthy: bool = True):
    """The Procfile's `web` line, run as a platform runs it (a shell, $PORT set): the
    process, and Slack's side of it once it answers /healthz (`healthy`: with 200)."""
    from bot.demo.standin.slack_requests import SlackRequests
    from tests.conftest import SIGNING_SECRET

    web = next(
        line.split(":", 1)[1] for line in (ROOT / "Procfile").read_text().splitlines() if line.startswith("web:")
    )
    port = _free_port()
    bin_dir = str(Path(sys.executable).parent)  # uvicorn is installed beside this Python
    env = {
        **env,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "PORT": str(port),
        "WEB_CONCURRENCY": "2",
        "PATH": bin_dir + os.pathsep + env.get("PATH", ""),
    }
    server = subprocess.Popen(
        ["bash", "-c", f"exec {web}"], env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    slack_side = SlackRequests(f"http://127.0.0.1:{port}", SIGNING_SECRET)
    health_until(slack_side, status=200 if healthy else 503)
    return server, slack_side


@pytest.mark.one_database  # the Procfile's line; a kpi reported on both: tests/handlers/test_commands.py
def test_the_procfile_web_process_serves_under_uvicorn(env, playbook, slack):
    server, slack_side = _procfile_web(env)
    with _stopped_cleanly(server):
        assert "Recorded" in slack_side.command("kpi support-replies 20", MEMBER, CHANNEL).text
        assert "rollout_requests_total" in slack_side.get("/metrics").body


@pytest.mark.one_database  # two workers: several processes on one database are PostgreSQL's (README)
def test_the_procfile_web_process_stays_up_when_slack_refuses_the_token(env, playbook, slack, store):
    """Issue 54, item 4: against a Slack answering invalid_auth its workers exited and
    were started again every 2 s, /healthz unanswered. Now each worker serves:
    /healthz 503 with the reason, the API and /metrics as ever, the refusal logged once,
    and no worker started twice."""
    from usecases import tokens

    slack.revoke("invalid_auth")
    server, slack_side = _procfile_web(env, healthy=False)
    with _stopped_cleanly(server) as stopped:
        workers = _children(server.pid)
        assert len(workers) == 2, workers
        health = slack_side.get("/healthz")
        assert health.status == 503 and health.body["slack"].startswith("token refused (invalid_auth)"), health.body
        assert store.health.slack_access_lost()[0] == "invalid_auth"
        assert "rollout_requests_total" in slack_side.get("/metrics").body
        made = tokens.create(store, "helpdesk", ["support-replies"], ["kpi"], False, "test", datetime.now(UTC))
        answer = _api_report(slack_side.base_url, made.token)
        assert answer == 201  # the reporting API refuses nothing a refused Slack token has to do with
        assert slack_side.get("/web/signin").status == 200
        assert _children(server.pid) == workers and slack_side.get("/healthz").status == 503
    assert stopped.output.count("Started server process") == 2, stopped.output  # each once: none started again
    assert stopped.output.count("Slack says invalid_auth: delivery is held") == 1, stopped.output
    assert "Slack refused SLACK_BOT_TOKEN" not in stopped.output


def _api_report(base_url: str, token: str) -> int:
    import json
    import urllib.request

    body = json.dumps({"playbook": "support-replies", "kind": "kpi", "value": 14.5}).encode()
    request = urllib.request.Request(
        base_url + "/api/v1/reports",
        data=body,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status


STALLED_REQUEST = (  # headers, and 3 bytes of a 1000-byte body
    b"POST /slack/events HTTP/1.1\r\nHost: bot\r\nContent-Type: application/x-www-form-urlencoded\r\n"
    b"Content-Length: 1000\r\n\r\nx=1"
)


def _stall(port: int, count: int, request: bytes = STALLED_REQUEST) -> list:
    """`count` clients that send the start of `request` (by default, its headers and a little
    of its body), then nothing."""
    import socket

    stalled = []
    for _ in range(count):
        client = socket.create_connection(("127.0.0.1", port), timeout=10)
        client.sendall(request)
        stalled.append(client)
    return stalled


# How long these tests wait for what can only be a hang: none of them asserts a duration.
# How fast the server answers beside stalled clients (Slack waits 3 s) and how soon it
# cuts them off is measured in bench/stalled.py, against its budgets (bench/README.md).
HANG_SECONDS = 60


def _answers(slack_side) -> None:
    """/healthz and a signed command are answered, and rightly."""
    assert slack_side.get("/healthz").status == 200
    assert "Recorded" in slack_side.command("kpi support-replies 20", MEMBER, CHANNEL).text


def _cut_off(stalled: list, refused: tuple[bytes, ...] = (b"408",)) -> None:
    """Every stalled client is refused (408 by default: its body did not come in time) and
    disconnected by the server (then a read gives b"")."""
    for client in stalled:
        client.settimeout(HANG_SECONDS)
        answer = b""
        while data := client.recv(65536):
            answer += data
        assert answer[9:12] in refused and b"connection: close" in answer.lower(), answer
        client.close()


@pytest.mark.one_database  # the server's HTTP; a kpi reported on both: tests/handlers/test_commands.py
@pytest.mark.parametrize("start", [_serving, _procfile_web], ids=["serve", "procfile-web"])
def test_fifty_stalled_clients_neither_hold_the_server_nor_stay_connected(env, playbook, slack, start):
    """Clients that send headers and then stop cost a socket and a waiting coroutine, never
    a thread: with fifty of them connected, /healthz and a signed command are answered,
    and each of them is answered 408 and cut off (how soon: bench/stalled.py)."""
    server, slack_side = start(env)
    port = int(slack_side.base_url.rsplit(":", 1)[1])
    with _stopped_cleanly(server):
        stalled = _stall(port, 50)
        time.sleep(0.5)  # they are all in, each as far as it will go
        _answers(slack_side)
        _cut_off(stalled)
        _answers(slack_side)


# A 16-byte chunk of which only 5 bytes came: the 5 that end a whole chunked body.
UNFINISHED_CHUNKED = b"Transfer-Encoding: chunked\r\n\r\n10\r\n0\r\n\r\n"


@pytest.mark.one_database  # the server's HTTP; a kpi reported on both: tests/handlers/test_commands.py
def test_fifty_unfinished_chunked_bodies_on_each_path_neither_hold_the_server_nor_stay_connected(env, playbook, slack):
    """Issue 39, item 4: bytes that end as a chunked body ends, but inside a chunk's data,
    are not a whole request. With fifty such clients on /slack/events and fifty on
    /api/v1/reports (with a token, so that the API would read their bodies), /healthz and
    a signed command are answered all along, and each client is cut off."""
    from bot.body_limits import READ_SECONDS

    made = rollout(env, "token", "create", "--name", "stalled", "--playbook", "support-replies")
    assert made.returncode == 0, made.stderr
    token = made.stdout.splitlines()[0].encode()
    server, slack_side = _serving(env)
    port = int(slack_side.base_url.rsplit(":", 1)[1])
    with _stopped_cleanly(server):
        started = time.monotonic()
        stalled = _stall(
            port, 50, b"POST /slack/events HTTP/1.1\r\nHost: bot\r\nContent-Type: text/plain\r\n" + UNFINISHED_CHUNKED
        ) + _stall(
            port,
            50,
            b"POST /api/v1/reports HTTP/1.1\r\nHost: bot\r\nAuthorization: Bearer " + token + b"\r\n"
            b"Content-Type: application/json\r\n" + UNFINISHED_CHUNKED,
        )
        time.sleep(0.5)  # they are all in, each as far as it will go
        while time.monotonic() < started + READ_SECONDS + 1:  # while they are connected, and as they are cut off
            _answers(slack_side)
            time.sleep(0.2)
        # The API refuses past its rate (429) before it reads a body; the others wait for theirs (408).
        _cut_off(stalled, refused=(b"408", b"429"))
        _answers(slack_side)


SILENT_REQUESTS = (  # whole requests, after which their clients neither read nor close
    b"GET /healthz HTTP/1.1\r\nHost: bot\r\n\r\n",
    b"POST /slack/events HTTP/1.1\r\nHost: bot\r\nContent-Type: application/x-www-form-urlencoded\r\n"
    b"Content-Length: 3\r\n\r\nx=1",  # unsigned: refused, but answered
)


def _answered_then_let_go(clients: list) -> None:
    """Every client finds a whole answer and then the end of it, and the server lets go of
    its socket (not only half-closes it): a byte sent then is refused (the kernel answers
    a socket its process has closed with a reset)."""
    deadline = time.monotonic() + HANG_SECONDS
    for client in clients:
        answer = b""
        client.settimeout(HANG_SECONDS)
        while data := client.recv(65536):
            answer += data
        assert answer.startswith(b"HTTP/1.1 ") and b"\r\n\r\n" in answer, answer
        let_go = False
        while not let_go and time.monotonic() < deadline:
            try:
                client.send(b"x")
                time.sleep(0.05)
            except OSError:  # reset, or a broken pipe once it has been
                let_go = True
        assert let_go, "the server still held a client's socket open"
        client.close()


@pytest.mark.one_database  # the server's HTTP; a kpi reported on both: tests/handlers/test_commands.py
@pytest.mark.parametrize("start", [_serving, _procfile_web], ids=["serve", "procfile-web"])
def test_twenty_clients_that_never_read_their_answers_neither_hold_the_server_nor_stay_connected(
    env, playbook, slack, start
):
    """Twenty clients that send a whole request and then neither read nor close: each is
    answered, and its kept-alive connection closed once idle for uvicorn's keep-alive
    timeout (5 s, bot/http_server.py); /healthz and a signed command are answered all
    along, and each client gets its whole answer and is let go."""
    server, slack_side = start(env)
    port = int(slack_side.base_url.rsplit(":", 1)[1])
    with _stopped_cleanly(server):
        started = time.monotonic()
        silent = [client for request in SILENT_REQUESTS for client in _stall(port, 10, request)]
        time.sleep(0.5)  # they are all answered, and idle
        while time.monotonic() < started + 6:  # while they are kept alive, and as they are let go
            _answers(slack_side)
            time.sleep(0.2)
        _answered_then_let_go(silent)
        _answers(slack_side)


def _answer(port: int, request: bytes) -> bytes:
    """`request`, sent on a connection of its own: all that the server answers before it closes."""
    import socket

    answer = b""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as client:
        client.sendall(request)
        while data := client.recv(65536):
            answer += data
    return answer


@pytest.mark.one_database  # h11's framing; the API's report on both: tests/bot/test_api.py
def test_chunked_bodies_are_answered_once_whole_and_refused_when_too_long(env, playbook, slack):
    """A whole chunked report is taken; a chunked body over 1 MiB is refused (413) once
    1 MiB of it has come, whole or not. One in tiny chunks, whose framing outweighs its
    data many times, is counted by its data as h11 reads the framing (about 14 µs a chunk
    here): it is refused when READ_SECONDS have passed (408), or cut off while sending."""
    import contextlib
    import socket

    from bot.body_limits import MAX_BODY_BYTES

    made = rollout(env, "token", "create", "--name", "chunked", "--playbook", "support-replies")
    assert made.returncode == 0, made.stderr
    token = made.stdout.splitlines()[0].encode()
    server, slack_side = _serving(env)
    port = int(slack_side.base_url.rsplit(":", 1)[1])
    chunked = b"Host: bot\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
    api = b"POST /api/v1/reports HTTP/1.1\r\nAuthorization: Bearer " + token + b"\r\n" + chunked + b"\r\n"
    with _stopped_cleanly(server):
        report = b'{"playbook": "support-replies", "kind": "kpi", "value": 14.5, "key": "chunked-1"}'
        body = b"".join(b"%x;part=%d\r\n%s\r\n" % (len(p), i, p) for i, p in enumerate([report[:10], report[10:]]))
        answer = _answer(port, api + body + b"0\r\nChecksum: none\r\n\r\n")
        assert answer.startswith(b"HTTP/1.1 201 "), answer

        piece = b"%x\r\n%s\r\n" % (64 * 1024, b"x" * 64 * 1024)
        too_big = piece * (MAX_BODY_BYTES // (64 * 1024) + 1) + b"0\r\n\r\n"
        answer = _answer(port, b"POST /slack/events HTTP/1.1\r\n" + chunked + b"\r\n" + too_big)
        assert answer.startswith(b"HTTP/1.1 413 "), answer[:200]

        client = socket.create_connection(("127.0.0.1", port), timeout=HANG_SECONDS)
        answer = b""
        with contextlib.suppress(ConnectionResetError, BrokenPipeError):  # cut off while it was still sending
            client.sendall(api + b"1\r\nx\r\n" * (MAX_BODY_BYTES + 1))
            while data := client.recv(65536):
                answer += data
        assert answer == b"" or answer.startswith((b"HTTP/1.1 408 ", b"HTTP/1.1 413 ")), answer[:200]
        client.close()
        _answers(slack_side)


def test_tick_with_the_database_gone_says_so_in_one_sentence(env, database_url):
    pg = database_url.startswith("postgresql")
    gone = "postgresql+psycopg://postgres@127.0.0.1:1/gone" if pg else "sqlite:////nonexistent-folder/rollout.db"
    result = rollout({**env, "DATABASE_URL": gone}, "tick")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    said = result.stderr.strip().splitlines()[-1]  # a SQLite file not there is not made (issue 96, item 3)
    assert said.startswith("Error: could not connect" if pg else "Error: there is no database at /nonexistent-"), said


@pytest.mark.one_database  # Slack unreachable, before any database
def test_socket_mode_with_slack_unreachable_says_so_in_one_sentence(env):
    unreachable = f"http://127.0.0.1:{_free_port()}/api/"
    result = rollout({**env, "SLACK_API_URL": unreachable, "SLACK_APP_TOKEN": "xapp-test"}, "socket")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    assert result.stderr.strip().splitlines()[-1].startswith("Error: could not open the Socket Mode connection")


@pytest.mark.one_database  # two workers: several processes on one database are PostgreSQL's (README)
def test_a_token_made_as_the_docs_say_reports_and_once_revoked_is_refused_by_every_worker(env, playbook, slack):
    """docs/api.md, followed: `rollout token create`, its curl example's body, then
    `rollout token revoke`; two workers, each asked many times on fresh connections."""
    import json
    import re
    import urllib.error
    import urllib.request

    made = rollout(env, "token", "create", "--name", "helpdesk", "--playbook", "support-replies")
    assert made.returncode == 0, made.stderr
    token = made.stdout.splitlines()[0]
    example = re.search(
        r"-d '(\{\"playbook\": \"support-replies\", \"kind\": \"kpi\".*?\})'", (ROOT / "docs" / "api.md").read_text()
    )
    assert example is not None, "docs/api.md shows a report's body"
    body = json.loads(example.group(1))
    server, slack_side = _serving(env, "--workers", "2", "--no-scheduler")

    def post(report) -> tuple[int, dict]:
        request = urllib.request.Request(
            slack_side.base_url + "/api/v1/reports",
            data=json.dumps(report).encode(),
            method="POST",
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as err:
            return err.code, json.loads(err.read())

    try:
        status, answer = post(body)
        assert status == 201 and answer["accepted"][0]["counts_for"].startswith("support-replies, week ")
        assert post(body) == (201, {"accepted": [], "duplicates": [{**answer["accepted"][0], "key": body["key"]}]})
        assert all(post({**body, "key": f"k{i}"})[0] == 201 for i in range(10))
        assert rollout(env, "token", "revoke", "helpdesk").returncode == 0
        assert [post({**body, "key": f"after{i}"})[0] for i in range(20)] == [401] * 20
    finally:
        server.send_signal(signal.SIGTERM)
        server.communicate(timeout=30)
