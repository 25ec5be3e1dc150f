"""`rollout demo --serve`: the web view over the demo's database, on 127.0.0.1 only, with
sign-in skipped (everyone is the demo's curator). The only way the view runs without a
session; it never listens on another address."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.responses import RedirectResponse
from starlette.routing import Mount, Route

from bot.web import asgi_as_wsgi
from handlers.web_view import PREFIX, make_web_view
from slack_api.members import TeamDirectory
from storage.db import make_engine
from storage.store import Store
from usecases.shared.services import Services

LOOPBACK = "127.0.0.1"


def view_app(database: Path, at: datetime, viewer: str) -> Callable[..., Any]:
    """The web view of the demo's database as it stood at `at` (the story's last hour),
    as WSGI for waitress (temporary: until the demo is served by uvicorn)."""
    return asgi_as_wsgi(view_asgi(database, at, viewer))


def view_asgi(database: Path, at: datetime, viewer: str) -> Starlette:
    """The web view of the demo's database at `at`, mounted at /web; `/` leads to it."""
    store = Store(make_engine(f"sqlite:///{database}"))
    services = Services(
        store=store,
        clock=lambda: at,
        admins=frozenset(),
        org_timezone="UTC",
        directory=TeamDirectory(ttl_seconds=0),
    )
    view = make_web_view(services, secrets.token_hex(16), secure=False, signed_in_as=viewer)
    return Starlette(routes=[Route("/", lambda request: RedirectResponse(PREFIX + "/", 303)), Mount(PREFIX, app=view)])


def serve(database: Path, at: datetime, viewer: str, port: int, echo: Callable[[str], None]) -> None:
    import waitress

    echo(f"The web view of the demo: http://{LOOPBACK}:{port}/web/ (Ctrl-C stops it)")
    waitress.serve(view_app(database, at, viewer), host=LOOPBACK, port=port, threads=4, _quiet=True)
