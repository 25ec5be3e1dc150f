"""The durable floor for the acknowledgement benchmark: a Bolt app that, for each /rollout,
makes one INSERT and COMMIT and only then answers, on the same server stack as the bot
(uvicorn as bot/http_server.py sets it; the body read in the event loop, Bolt's dispatch
in the thread pool, as bot/web.py does), signature verification on. Any server that says
"Recorded" only after the commit can at best do this. bench/profile.py drives the same
Bolt app in-process.

    uvicorn bench.floor_app:create --factory ...

It reads FLOOR_SECRET, FLOOR_SLACK_URL and FLOOR_DATABASE_URL from the environment.
"""

import os
from datetime import UTC, datetime

from slack_bolt import App
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from slack_sdk import WebClient
from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, insert
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from storage.db import make_engine


def served(app: App) -> Starlette:
    """A Bolt app at POST /slack/events as bot/web.py serves the bot's: the body read in the
    event loop, the dispatch in the thread pool."""

    async def events(request: Request) -> Response:
        body = await request.body()
        return to_starlette_response(await run_in_threadpool(app.dispatch, to_bolt_request(request, body)))

    return Starlette(routes=[Route("/slack/events", events, methods=["POST"])])


def floor_app(database_url: str, secret: str, slack_url: str) -> App:
    """The floor's Bolt app on `database_url`."""
    engine = make_engine(database_url)
    floor = Table(
        "bench_floor",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("text", String(200)),
        Column("at", DateTime(timezone=True)),
    )
    floor.create(engine, checkfirst=True)
    app = App(
        signing_secret=secret,
        client=WebClient(token="xoxb-bench", base_url=slack_url),
        process_before_response=True,
        token_verification_enabled=False,
    )

    @app.command("/rollout")
    def rollout(ack, command):  # type: ignore[no-untyped-def]
        with engine.begin() as connection:  # one INSERT and COMMIT: the durable floor
            connection.execute(insert(floor).values(text=command.get("text", "")[:200], at=datetime.now(UTC)))
        ack(text="Recorded")

    return app


def create() -> Starlette:
    """The floor configured from the environment (uvicorn's application factory)."""
    return served(
        floor_app(os.environ["FLOOR_DATABASE_URL"], os.environ["FLOOR_SECRET"], os.environ["FLOOR_SLACK_URL"])
    )
