"""The HTTP surface as Slack and a load balancer see it."""

import time
from urllib.parse import urlencode

from tests.conftest import SlackRequests


def _command_body(text="help"):
    return urlencode({"command": "/rollout", "text": text, "user_id": "UMEMBER001", "channel_id": "CTEAM00001",
                      "team_id": "T0ROLLOUT", "trigger_id": "1.2.3", "response_url": "https://hooks.slack.com/x"})


def test_signed_request_is_answered(bot):
    body = _command_body()
    assert bot.post("/slack/events", body, bot.signed_headers(body)).status == 200


def test_unsigned_request_is_401(bot):
    reply = bot.post("/slack/events", _command_body(), {"Content-Type": "application/x-www-form-urlencoded"})
    assert reply.status == 401


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
    assert health.status == 200 and health.body == {"ok": True, "database": "ok"}
    assert bot.get("/nope").status == 404
    assert bot.get("/slack/events").status == 405
