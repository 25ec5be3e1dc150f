"""`rollout demo --serve`: the demo's database served on 127.0.0.1 only, as the bot serves
its own: the web view with sign-in skipped (everyone is the demo's curator; the only way
the view runs without a session; it never listens on another address), the reporting
API's reads at /api/v1 and an assistant's tools at /mcp for a read token made for the
serve; `rollout mcp --demo DIR`, the same tools over stdio.

Every read takes "now" from its Services' clock (usecases/shared/services.py): here the
demo's own, which starts at the story's last hour (kept in its database, `keep_run`) and
runs on in real time from there (bot/startup.py's `reading_clock`, as for every command
that reads a database the demo made). Run on, not stopped: the API's rate is counted per
second of that clock (usecases/api_reports.py, within_rate), so a clock that never moved
would refuse every request past the first second's 20."""

from __future__ import annotations

import json
import secrets
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.exc import DBAPIError
from starlette.routing import BaseRoute, Mount, Route
from starlette.types import ASGIApp

from bot import assistant
from bot.startup import reading_clock, running_from
from handlers.web_view import make_web_view
from slack_api.members import TeamDirectory
from storage import migrate
from storage.db import make_engine
from storage.roles import DEMO_CLOCK
from storage.store import Store
from usecases import operator, tokens
from usecases.shared.services import Services

LOOPBACK = "127.0.0.1"
DATABASE = "rollout-demo.db"


def named(database: Path) -> str:
    """The demo's database as `Database:` names it on stderr, as every command names its own."""
    return f"Database: {database.absolute()} (SQLite, made by the demo)"


class NoRun(Exception):
    """The folder holds no run of the demo to serve: one sentence why."""


def keep_run(store: Store, ended_at: datetime) -> None:
    """Mark the run's database as the demo's, with when its story ended: every command that
    reads it, `--from` and `mcp --demo` among them, reads it as of then (reading_clock)."""
    with store.unit_of_work() as uow:
        uow.org.set_setting(DEMO_CLOCK, ended_at.isoformat(), "rollout demo", ended_at)
        uow.commit()


def run_in(directory: Path) -> tuple[Path, datetime]:
    """The database of the demo's run in `directory` and the story's last hour."""
    database = directory / DATABASE
    ended_at = None
    if database.is_file():
        engine = make_engine(f"sqlite:///{database.absolute()}")
        try:
            if not migrate.is_current(engine):
                migrate.upgrade(
                    engine
                )  # a run of an earlier release: SQLite is upgraded on the spot, as open_store does
            ended_at = Store(engine).org.demo_clock()
        except DBAPIError:  # not a database, or not the bot's
            ended_at = None
        finally:
            engine.dispose()
    if ended_at is None:
        raise NoRun(
            f"{directory} holds no run of the demo (no {DATABASE} that a whole run of it made): "
            f"run `rollout demo --out {directory}` first"
        )
    return database.absolute(), ended_at


def services(database: Path, clock: Callable[[], datetime] | None = None) -> Services:
    """The demo's database as the bot's use cases read it, at the demo's clock (the one it
    keeps, reading_clock's, unless `clock`)."""
    store = Store(make_engine(f"sqlite:///{database}"))
    return Services(
        store=store,
        clock=clock or reading_clock(store),
        admins=frozenset(),
        org_timezone="UTC",
        directory=TeamDirectory(ttl_seconds=0),  # no Slack here: the names are the database's
    )


def view_app(database: Path, at: datetime, viewer: str) -> ASGIApp:
    """The web view, the API's reads and /mcp over the demo's database as it stood at `at`
    (the story's last hour), the clock running on from there."""
    return served_app(services(database, running_from(at)), viewer)


def served_app(demo: Services, viewer: str) -> ASGIApp:
    from bot.assistant import http_edge
    from bot.body_limits import MAX_BODY_BYTES
    from bot.web import API_PREFIX, MCP_PATH, application, web_view_routes
    from handlers.api import make_api

    view = make_web_view(demo, secrets.token_hex(16), secure=False, signed_in_as=viewer)
    assistant = http_edge(demo, MAX_BODY_BYTES)
    routes: list[BaseRoute] = [Mount(API_PREFIX, make_api(demo)), *web_view_routes(view)]
    if assistant is not None:
        routes.append(Route(MCP_PATH, assistant, methods=["GET", "POST", "DELETE"]))
    return application(*routes, running=[] if assistant is None else [assistant.lifespan])


def rollout_command() -> list[str]:
    """How an assistant starts this `rollout`, by absolute path: an assistant's PATH is
    not this shell's."""
    invoked = Path(sys.argv[0])
    if invoked.name == "rollout" and invoked.is_file():
        return [str(invoked.absolute())]
    found = shutil.which("rollout")
    if found:
        return [str(Path(found).absolute())]
    return [sys.executable, "-m", "bot"]


@dataclass(frozen=True)
class Serving:
    app: ASGIApp
    token: str  # a read token of every playbook, made for this serve
    said: list[str]  # what the terminal is told: the addresses, the token, the config to paste


def prepare(directory: Path, viewer: str, port: int) -> Serving:
    """The app over the run in `directory`, a read token for its API and /mcp, and what to
    tell the person who started it."""
    database, ended_at = run_in(directory)
    demo = services(database)
    name = f"demo-assistant-{secrets.token_hex(3)}"
    made = tokens.create(demo.store, name, None, [], True, operator.COMMAND_LINE, demo.clock())
    base = f"http://{LOOPBACK}:{port}"
    command, *args = rollout_command()
    stdio = {
        "mcpServers": {
            "rollout-demo": {"command": command, "args": [*args, "mcp", "--demo", str(directory.absolute())]}
        }
    }
    http = {
        "mcpServers": {
            "rollout-demo": {"type": "http", "url": f"{base}/mcp", "headers": {"Authorization": f"Bearer {made.token}"}}
        }
    }
    said = [
        f"The web view of the demo: {base}/web/ (Ctrl-C stops it)",
        f"Its reporting API, {base}/api/v1, and an assistant's tools, {base}/mcp, read it with this read token"
        f" (token {name}, made now):",
        f"  {made.token}",
        f"  curl -H 'Authorization: Bearer {made.token}' {base}/api/v1/playbooks",
        *(
            [
                "An assistant's configuration of MCP servers, over stdio (works without this serve):",
                f"  {json.dumps(stdio, ensure_ascii=False)}",
                "or over HTTP, while this serves:",
                f"  {json.dumps(http)}",
            ]
            if assistant.installed()
            else [f"No /mcp here: {assistant.INSTALL}."]
        ),
        f"Every read answers as of the demo's last day, {ended_at:%a %-d %b %Y %H:%M} UTC, not today.",
    ]
    return Serving(served_app(demo, viewer), made.token, said)


def serve(directory: Path, viewer: str, port: int, echo: Callable[[str], None]) -> None:
    from bot import http_server

    serving = prepare(directory, viewer, port)
    for line in serving.said:
        echo(line)
    http_server.serve(serving.app, LOOPBACK, port)
