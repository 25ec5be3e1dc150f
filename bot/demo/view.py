"""`rollout demo --serve`: the web view over the demo's database, on 127.0.0.1 only, with
sign-in skipped (everyone is the demo's curator). The only way the view runs without a
session; it never listens on another address."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from starlette.types import ASGIApp

from handlers.web_view import make_web_view
from slack_api.members import TeamDirectory
from storage.db import make_engine
from storage.store import Store
from usecases.shared.services import Services

LOOPBACK = "127.0.0.1"


def view_app(database: Path, at: datetime, viewer: str) -> ASGIApp:
    """The web view of the demo's database as it stood at `at` (the story's last hour)."""
    from bot.web import application, web_view_routes

    store = Store(make_engine(f"sqlite:///{database}"))
    services = Services(
        store=store,
        clock=lambda: at,
        admins=frozenset(),
        org_timezone="UTC",
        directory=TeamDirectory(ttl_seconds=0),
    )
    view = make_web_view(services, secrets.token_hex(16), secure=False, signed_in_as=viewer)
    return application(*web_view_routes(view))


def serve(database: Path, at: datetime, viewer: str, port: int, echo: Callable[[str], None]) -> None:
    from bot import http_server

    echo(f"The web view of the demo: http://{LOOPBACK}:{port}/web/ (Ctrl-C stops it)")
    http_server.serve(view_app(database, at, viewer), LOOPBACK, port)
