"""The HTTP surface: Slack's requests at POST /slack/events, health at GET /healthz.

A plain WSGI callable, served by waitress (a production, multi-threaded server).
Signature checks (401 when unsigned, tampered or older than 5 minutes) are Bolt's
request verification, which runs before any listener.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

EVENTS_PATH = "/slack/events"


def make_wsgi(app: App, healthy: Callable[[], bool]) -> Callable:
    slack = SlackRequestHandler(app, path=EVENTS_PATH)

    def wsgi(environ: dict, start_response: Callable) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "")
        if path == EVENTS_PATH:
            if method != "POST":
                return _reply(start_response, "405 Method Not Allowed", {"error": "POST only"}, [("Allow", "POST")])
            return slack(environ, start_response)
        if path == "/healthz" and method in ("GET", "HEAD"):
            ok = _safely(healthy)
            return _reply(start_response, "200 OK" if ok else "503 Service Unavailable",
                          {"ok": ok, "database": "ok" if ok else "unreachable"})
        return _reply(start_response, "404 Not Found", {"error": "not found"})

    return wsgi


def _safely(check: Callable[[], bool]) -> bool:
    try:
        return bool(check())
    except Exception:  # noqa: BLE001 - any failure means unhealthy
        return False


def _reply(start_response: Callable, status: str, body: dict, headers: list | None = None) -> list[bytes]:
    data = json.dumps(body).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(data))), *(headers or [])])
    return [data]
