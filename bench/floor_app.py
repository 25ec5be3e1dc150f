"""The durable floor for the acknowledgement benchmark: a Bolt app that, for each /rollout,
makes one INSERT and COMMIT and only then answers, behind the same server stacks as the
bot (gunicorn's gthread worker, as `rollout serve` and the Procfile's web process;
waitress, the server `rollout serve` ran on before), signature verification on. Any server that says "Recorded" only after the
commit can at best do this. bench/profile.py drives the same app in-process.

    python bench/floor_app.py PORT THREADS          # waitress
    gunicorn 'bench.floor_app:create()' ...         # gunicorn

Both read FLOOR_SECRET, FLOOR_SLACK_URL and FLOOR_DATABASE_URL from the environment.
"""

import os
import sys
from datetime import UTC, datetime

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient
from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, insert

from storage.db import make_engine


def floor_app(database_url: str, secret: str, slack_url: str) -> SlackRequestHandler:
    """The floor's WSGI application on `database_url`."""
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

    return SlackRequestHandler(app)


def create() -> SlackRequestHandler:
    """The floor configured from the environment (gunicorn's application factory)."""
    return floor_app(os.environ["FLOOR_DATABASE_URL"], os.environ["FLOOR_SECRET"], os.environ["FLOOR_SLACK_URL"])


if __name__ == "__main__":
    import waitress

    waitress.serve(create(), host="127.0.0.1", port=int(sys.argv[1]), threads=int(sys.argv[2]), ident="floor")
