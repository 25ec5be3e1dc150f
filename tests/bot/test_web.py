"""The HTTP surface as Slack and a load balancer see it."""

import http.client
import io
import json
import logging
import socket
import time
import urllib.error
import urllib.request
from datetime import timedelta
from urllib.parse import quote, urlencode, urlsplit

import pytest
from slack_bolt import BoltRequest

from bot.app import create_app
from bot.web import make_asgi
from tests.committed import enqueue
from tests.conftest import SlackRequests, settings_for


def _command_body(text="help"):
    return urlencode(
        {
            "command": "/rollout",
            "text": text,
            "user_id": "UMEMBER001",
            "channel_id": "CTEAM00001",
            "team_id": "T0ROLLOUT",
            "api_app_id": "A0ROLLOUT",
            "trigger_id": "1.2.3",
            "response_url": "https://hooks.slack.com/x",
        }
    )


def test_signed_request_is_answered(bot):
    body = _command_body()
    assert bot.post("/slack/events", body, bot.signed_headers(body)).status == 200


def test_unsigned_request_is_401(bot):
    reply = bot.post("/slack/events", _command_body(), {"Content-Type": "application/x-www-form-urlencoded"})
    assert reply.status == 401


def test_the_signature_is_verified_once_at_the_edge_and_bolt_does_not_verify_it_again(
    store, slack, clock, database_url
):
    # What reaches Bolt was verified by bot/web.py; a second check, moments later, could
    # refuse a request signed just under 5 minutes before it came.
    app = create_app(settings_for(database_url, slack), store, clock=clock)
    body = _command_body()
    answer = app.dispatch(BoltRequest(body=body, headers={"content-type": "application/x-www-form-urlencoded"}))
    assert answer.status == 200 and "/rollout" in answer.body


def test_tampered_body_is_401(bot):
    headers = bot.signed_headers(_command_body("help"))
    assert bot.post("/slack/events", _command_body("status"), headers).status == 401


def test_wrong_secret_is_401(bot):
    impostor = SlackRequests(bot.base_url, secret="not-the-secret")
    body = _command_body()
    assert bot.post("/slack/events", body, impostor.signed_headers(body)).status == 401


def test_request_older_than_five_minutes_is_401(bot):
    body = _command_body()
    stale = bot.signed_headers(body, timestamp=int(time.time()) - 6 * 60)
    assert bot.post("/slack/events", body, stale).status == 401
    recent = bot.signed_headers(body, timestamp=int(time.time()) - 4 * 60)
    assert bot.post("/slack/events", body, recent).status == 200


def test_url_verification_challenge(bot):
    import json

    body = json.dumps({"type": "url_verification", "challenge": "c-123", "token": "x"})
    headers = bot.signed_headers(body)
    headers["Content-Type"] = "application/json"
    reply = bot.post("/slack/events", body, headers)
    assert reply.status == 200 and reply.body == {"challenge": "c-123"}


def test_healthz_and_unknown_paths(bot):
    health = bot.get("/healthz")
    assert health.status == 200
    assert health.body == {"ok": True, "database": "ok", "clock": "never ticked", "slack": "ok"}
    assert bot.get("/nope").status == 404
    assert bot.get("/slack/events").status == 405


def test_the_bots_address_leads_a_browser_to_the_web_view(bot):
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(bot.base_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    connection.request("GET", "/")
    answer = connection.getresponse()
    assert answer.status == 303 and answer.getheader("Location") == "/web/"
    connection.close()


def test_healthz_reports_the_clock_from_its_heartbeat(bot, store, clock):
    from bot.metrics import CLOCK

    store.health.beat(CLOCK, clock() - timedelta(seconds=30))
    assert bot.get("/healthz").body["clock"] == "ok"
    store.health.beat(CLOCK, clock() - timedelta(minutes=20))
    assert bot.get("/healthz").body["clock"] == "silent for 1200 s"


# ---- hostile and broken requests ------------------------------------------------------


def _raw(bot, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
    """A request with exactly these bytes and headers (urllib would fix some of them)."""
    url = urlsplit(bot.base_url)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    try:
        connection.putrequest("POST", "/slack/events")
        for key, value in headers.items():
            connection.putheader(key, value)
        connection.endheaders()
        connection.send(body)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def test_a_body_over_one_mebibyte_is_refused_unread_and_unlogged(bot, caplog):
    caplog.set_level(logging.DEBUG)
    declared = 20 * 1024 * 1024
    url = urlsplit(bot.base_url)
    with socket.create_connection((url.hostname, url.port), timeout=10) as connection:
        connection.sendall(
            b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded"
            b"\r\nContent-Length: " + str(declared).encode() + b"\r\n\r\n" + b"text=" + b"A" * 65536
        )
        answer = connection.recv(4096)  # answered before the other 20 MB were sent
    assert answer.startswith(b"HTTP/1.1 413")
    assert "AAAA" not in caplog.text


JSON = {"Content-Type": "application/json"}
MALFORMED = [
    (b"text=help", {"Content-Type": "text/plain"}, "application/x-www-form-urlencoded"),
    (b"payload=not-json", {}, "payload is not a JSON object"),
    (b"payload=%5B1%5D", {}, "payload is not a JSON object"),
    (b"{not json", JSON, "not valid JSON"),
    (b'{"type":"event_callback","event":"x"}', JSON, "event is not an object"),
    (b'{"type":"event_callback","event":["x"]}', JSON, "event is not an object"),
    (b'{"type":"event_callback","event":7}', JSON, "event is not an object"),
    (b"command=%2Frollout&text=help&user_id=U%00X1&channel_id=CTEAM00001", {}, "user_id is not a Slack id"),
    (b"command=%2Frollout&text=help&user_id=UMEMBER001&channel_id=C%00", {}, "channel_id is not a Slack id"),
    (b'payload={"type":"block_actions","user":{"id":"U\\u0000"}}', {}, "user is not a Slack id"),
    (b'payload={"type":"view_submission","view":{"callback_id":"checkin_kpi"}}', {}, "view has no type"),
]


def _sent(body: bytes, headers: dict[str, str], signature: str) -> dict[str, str]:
    timestamp = str(int(time.time()))
    return {
        "Content-Type": "application/x-www-form-urlencoded",
        "Content-Length": str(len(body)),
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": signature,
        **headers,
    }


@pytest.mark.parametrize(("body", "headers", "why"), MALFORMED)
def test_signed_malformed_requests_get_400_with_one_log_line(bot, caplog, body, headers, why):
    caplog.set_level(logging.DEBUG)
    sent = _sent(body, headers, "")
    sent["X-Slack-Signature"] = bot.verifier.generate_signature(timestamp=sent["X-Slack-Request-Timestamp"], body=body)
    status, answer = _raw(bot, body, sent)
    assert status == 400 and why in answer.decode()
    assert "Traceback" not in caplog.text
    assert len([r for r in caplog.records if r.name == "bot.web"]) == 1


@pytest.mark.parametrize(
    ("body", "headers", "why"),
    [
        *MALFORMED,
        (b"text=\xff\xfe", {}, "not UTF-8"),
        (b"text=help", {"X-Slack-Request-Timestamp": "yesterday"}, "timestamp"),
        (b"text=help", {"X-Slack-Request-Timestamp": "1e9"}, "timestamp"),
    ],
)
def test_unsigned_requests_get_401_before_anything_reads_them(bot, caplog, body, headers, why):
    """Nothing runs before the signature is verified: not Bolt's parsing, not ours."""
    caplog.set_level(logging.DEBUG)
    status, answer = _raw(bot, body, _sent(body, headers, "v0=00"))
    assert status == 401 and b"invalid request signature" in answer
    assert "Traceback" not in caplog.text
    # uvicorn's access log is off (bot/http_server.py), which leaves its logger without a
    # handler; pytest captures it all the same.
    said = [r.getMessage() for r in caplog.records if r.levelno >= logging.INFO and r.name != "uvicorn.access"]
    assert said == ["refused a request to /slack/events: invalid request signature, or older than 5 minutes"]


def test_unsigned_requests_are_logged_without_their_body_on_one_line(bot, caplog):
    from bot.logs import configure

    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    stream = io.StringIO()
    configure("DEBUG")
    root.handlers[0].stream = stream
    # Bolt copies the root's level into its loggers when the app is built, which in
    # production comes after the logging is configured; here the app is older.
    verification = logging.getLogger("slack_bolt.RequestVerification")
    verification_level, verification.level = verification.level, logging.NOTSET
    try:
        body = "text=" + quote("SECRET\n2026-11-22 ERROR forged entry")
        bot.post(
            "/slack/events",
            body,
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "X-Slack-Request-Timestamp": str(int(time.time())),
                "X-Slack-Signature": "v0=forged",
            },
        )
    finally:
        root.handlers[:], root.level = saved
        verification.level = verification_level
    log = stream.getvalue()
    assert "invalid request signature" in log and "SECRET" not in log and "forged entry" not in log
    assert len(log.strip().splitlines()) == 1


def test_a_nul_in_any_argument_is_refused_and_nothing_stored(bot, playbook, engine):
    from tests.handlers.test_commands import assert_refused, row_counts

    assert_refused(bot.command("attest support-replies yes all\x00good"), "U+0000 (control)")
    assert_refused(bot.command("exception support-replies send bad\x07bell", user="UOWNER0001"), "U+0007 (control)")
    assert row_counts(engine)["checkin"] == 0 and row_counts(engine)["exception_report"] == 0


def test_metrics_in_the_prometheus_format(bot, playbook, store, clock, engine):
    from bot.metrics import CLOCK
    from cadence.change import Message

    store.health.beat(CLOCK, clock())
    enqueue(engine, [Message("k1", "chat.postMessage", "C1", {"text": "x"})], clock() - timedelta(minutes=3))
    assert "Recorded" in bot.command("kpi support-replies 20").text
    bot.command("kpi support-replies 14,5")
    page = bot.get("/metrics")
    assert page.status == 200
    figures = _samples(page.body)
    assert figures[("rollout_outbox_pending", ())] == 1 and figures[("rollout_outbox_failed", ())] == 0
    assert figures[("rollout_outbox_oldest_pending_age_seconds", ())] == 180
    assert figures[("rollout_last_tick_timestamp_seconds", ())] == clock().timestamp()
    assert figures[("rollout_requests_total", (("outcome", "ok"), ("subcommand", "kpi")))] >= 1
    assert figures[("rollout_requests_total", (("outcome", "refused"), ("subcommand", "kpi")))] >= 1
    assert figures[("rollout_ack_seconds_count", ())] >= 2


def _samples(page: str) -> dict:
    from prometheus_client.parser import text_string_to_metric_families

    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(page)
        for sample in family.samples
    }


def test_metrics_are_not_every_interfaces_to_read(http_server, database_url, store, slack, clock):
    """Issue 96, item 7: /metrics answered anyone on any interface. Unset, ROLLOUT_METRICS_TOKEN
    leaves it to this machine's own requests, not one a proxy forwarded; set, to its bearer."""
    mount, url = http_server

    def scrape(**headers: str) -> tuple[int, str]:
        request = urllib.request.Request(f"{url}/metrics", headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as err:
            return err.code, err.read().decode()

    for token in (None, "m3trics"):
        settings = settings_for(database_url, slack, rollout_metrics_token=token)
        mount.app = make_asgi(create_app(settings, store, clock=clock), store, clock)
        try:
            local, forwarded = scrape(), scrape(**{"X-Forwarded-For": "203.0.113.9"})
            bearer = scrape(Authorization="Bearer m3trics")
        finally:
            mount.app = None
        if token is None:
            assert local[0] == 200 and "rollout_outbox_pending" in local[1]
            assert forwarded[0] == 403 and "set ROLLOUT_METRICS_TOKEN" in forwarded[1]
        else:
            assert local[0] == 401 and forwarded[0] == 401 and "ROLLOUT_METRICS_TOKEN" in local[1]
            assert bearer[0] == 200 and "rollout_outbox_pending" in bearer[1]


def test_metrics_count_slack_errors_by_method_and_error(bot, playbook, slack):
    from bot.demo.standin.faults import Fault

    slack.fail_next("conversations.members", Fault(status=429, retry_after=10))
    bot.command("kpi support-replies 20")
    figures = _samples(bot.get("/metrics").body)
    assert (
        figures[("rollout_slack_api_errors_total", (("error", "ratelimited"), ("method", "conversations.members")))]
        >= 1
    )


@pytest.mark.parametrize(
    "value",
    ['{"playbook": 1e400, "week": "2026-11-16"}', '{"playbook": 99999999999999999999, "week": "2026-11-16"}'],
)
def test_a_signed_click_with_an_impossible_value_is_400_with_one_log_line(bot, playbook, slack, caplog, value):
    caplog.set_level(logging.INFO)
    reply = bot.click("UMEMBER001", "checkin_kpi", value)
    assert reply.status == 400
    assert slack.calls_to("views.open") == []
    assert "Traceback" not in caplog.text
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.INFO and r.name.startswith("bot")] == [
        "refused a malformed request: a check-in button with a value the bot never wrote"
    ]


TYPED = {"type": "plain_text_input", "value": "fine"}
FORMS = {  # each form the bot opens, with fields filled in as Slack sends them
    "checkin_kpi": {"value": {"type": "plain_text_input", "value": "18.5"}},
    "checkin_attest": {"note": TYPED},
    "checkin_deviation": {"step": {"type": "static_select", "selected_option": {"value": "draft"}}, "reason": TYPED},
    "learning_add": {"text": TYPED},
    "stall_refine": {"reason": TYPED},
    "request_decline": {"reason": TYPED},
    "request_form": {"version": {"type": "plain_text_input", "value": "support-replies"}, "similar": TYPED},
    "item_note": {"note": TYPED},
    "item_escalate": {"why": TYPED},
}
IMPOSSIBLE_METADATA = [
    "{not json",
    "[1, 2]",
    '"text"',
    "null",
    '{"playbook": 99999999999999999999, "week": "2026-11-16"}',
    '{"playbook": 1, "week": "not a date"}',
    "stall:x:1",
    "|||",
    "\u0000",
]


@pytest.mark.parametrize("metadata", IMPOSSIBLE_METADATA)
@pytest.mark.parametrize("callback", list(FORMS))
def test_a_signed_form_with_metadata_the_bot_never_wrote_is_400_with_one_log_line(
    bot, playbook, engine, caplog, callback, metadata
):
    """Issue 54, item 3: the request form answered "Something went wrong" with a traceback."""
    from tests.handlers.test_commands import row_counts

    caplog.set_level(logging.INFO)
    before = row_counts(engine)
    view = {"type": "modal", "callback_id": callback, "private_metadata": metadata}
    reply = bot.submit("UMEMBER001", view, FORMS[callback])
    assert reply.status == 400, reply.body
    assert "Something went wrong" not in json.dumps(reply.body)
    assert row_counts(engine) == before
    assert "Traceback" not in caplog.text
    said = [r.getMessage() for r in caplog.records if r.levelno >= logging.INFO and r.name.startswith(("bot", "handl"))]
    assert len(said) == 1 and said[0].startswith("refused a malformed request"), said


@pytest.mark.parametrize(
    "view",
    [
        {"type": "modal", "callback_id": "checkin_kpi", "private_metadata": 7},
        {"type": "modal", "callback_id": "checkin_kpi", "state": {"values": []}},
        {"type": "modal", "callback_id": "checkin_kpi", "state": {"values": {"value": "18.5"}}},
        {"type": "modal", "callback_id": "checkin_kpi", "state": {"values": {"value": {"value": "18.5"}}}},
        {"type": "modal", "callback_id": 7},
    ],
)
def test_a_signed_form_of_a_shape_slack_never_sends_is_400_with_one_log_line(bot, playbook, caplog, view):
    caplog.set_level(logging.INFO)
    reply = bot.interaction({"type": "view_submission", "user": {"id": "UMEMBER001"}, "view": view})
    assert reply.status == 400, reply.body
    assert "Traceback" not in caplog.text
    said = [r.getMessage() for r in caplog.records if r.levelno >= logging.INFO and r.name.startswith("bot")]
    assert len(said) == 1 and said[0].startswith("refused a malformed request"), said


def test_a_signed_click_with_a_user_that_is_not_an_object_is_400(bot, playbook, caplog):
    caplog.set_level(logging.INFO)
    reply = bot.interaction({"type": "block_actions", "user": "UMEMBER001", "actions": []})
    assert reply.status == 400 and "Traceback" not in caplog.text


def test_adopting_a_version_number_no_playbook_could_reach_is_refused(bot, playbook, engine, caplog):
    from tests.handlers.test_commands import row_counts

    before = row_counts(engine)
    reply = bot.command("adopt support-replies@v99999999999999999999 <#CADOPT0002|adopters>", user="UADMIN0001")
    assert reply.status == 200 and "name a version as playbook@v2" in reply.text
    assert row_counts(engine) == before
    assert "Traceback" not in caplog.text


def test_each_address_answers_its_own_methods(bot):
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(bot.base_url)
    answers = {}
    for method, path in (("POST", "/healthz"), ("POST", "/"), ("GET", "/slack/events"), ("HEAD", "/healthz")):
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        connection.request(method, path)
        answer = connection.getresponse()
        answers[method, path] = answer.status, answer.getheader("Allow")
        connection.close()
    assert answers == {
        ("POST", "/healthz"): (405, "GET"),
        ("POST", "/"): (405, "GET"),
        ("GET", "/slack/events"): (405, "POST"),
        ("HEAD", "/healthz"): (200, None),
    }
    assert bot.get("/api").status == 404 and bot.get("/webx").status == 404


def test_every_app_answers_a_path_or_a_method_it_has_not_from_one_definition(bot, http_server):
    """Issue 66, item 21: the root app, the API (FastAPI) and the web view answer 404 and
    405 from one definition (handlers/http_errors.py): its status, `Allow` and words, as
    JSON `{"error": ...}`, the web view's as text."""
    from starlette.exceptions import HTTPException

    from handlers import http_errors

    root = http_server[0].app
    apps = {route.path: route.app for route in root.routes if hasattr(route, "app")}
    assert root.exception_handlers[HTTPException] is http_errors.as_json
    assert apps["/api"].exception_handlers[HTTPException] is http_errors.as_json
    assert apps["/web"].exception_handlers[HTTPException] is http_errors.as_text
    parts = urlsplit(bot.base_url)
    for method, path, allow in (
        ("GET", "/nothing", None),
        ("POST", "/healthz", "GET, HEAD"),
        ("GET", "/slack/events", "POST"),
        ("GET", "/api/v1/nothing", None),
        ("GET", "/api/v1/reports", "POST"),
        ("POST", "/api/v1/registry", "GET"),
        ("GET", "/web/nothing", None),
        ("GET", "/web/logout", "POST"),
        ("POST", "/web/registry", "GET, HEAD"),
    ):
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        connection.request(method, path)
        answer = connection.getresponse()
        body = answer.read().decode()
        connection.close()
        words = body if path.startswith("/web/") else json.loads(body)["error"]
        expected = http_errors.http_error(
            HTTPException(405 if allow else 404, headers={"Allow": allow} if allow else None)
        )
        assert (answer.status, answer.getheader("Allow"), words) == (
            expected.status,
            expected.headers.get("Allow"),
            expected.error,
        ), (method, path)
        assert expected.error == ("not found" if allow is None else allow.removesuffix(", HEAD") + " only")


def test_the_suites_server_starts_as_productions_with_its_thread_pool(http_server):
    """Issue 66, item 23: the suite's HTTP server runs the startup every app of bot/web.py
    has (its lifespan), so a request in an ordinary test sees the thread pool production's
    requests see: THREADS threads, not anyio's default 40."""
    import urllib.request

    import anyio.to_thread
    from starlette.applications import Starlette
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route

    from bot.http_server import InThread
    from bot.web import THREADS, application

    async def threads(request):
        return PlainTextResponse(str(anyio.to_thread.current_default_thread_limiter().total_tokens))

    production = InThread(application(Route("/threads", threads))).start()  # uvicorn as bot/http_server.py runs it
    try:
        with urllib.request.urlopen(production.url + "/threads", timeout=10) as answer:
            in_production = int(answer.read())
    finally:
        production.stop()
    mount, url = http_server
    mount.app = Starlette(routes=[Route("/threads", threads)])
    try:
        with urllib.request.urlopen(url + "/threads", timeout=10) as answer:
            in_tests = int(answer.read())
    finally:
        mount.app = None
    assert in_tests == in_production == THREADS
