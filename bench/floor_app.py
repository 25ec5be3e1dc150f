"""The durable floor for the acknowledgement benchmark: a Bolt app that, for each /rollout,
makes one INSERT and COMMIT and only then answers, behind the same server stack
(waitress, same threads, signature verification on). Any server that says "Recorded"
only after the commit can at best do this."""

import sys
from datetime import UTC, datetime

import waitress
from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient
from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, insert

from storage.db import make_engine

# argv: port, signing secret, threads, Web API URL, database URL
engine = make_engine(sys.argv[5])
floor = Table(
    "bench_floor",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("text", String(200)),
    Column("at", DateTime(timezone=True)),
)
floor.create(engine, checkfirst=True)
app = App(
    signing_secret=sys.argv[2],
    client=WebClient(token="xoxb-bench", base_url=sys.argv[4]),
    process_before_response=True,
    token_verification_enabled=False,
)


@app.command("/rollout")
def rollout(ack, command):
    with engine.begin() as connection:  # one INSERT and COMMIT: the durable floor
        connection.execute(insert(floor).values(text=command.get("text", "")[:200], at=datetime.now(UTC)))
    ack(text="Recorded")


waitress.serve(
    SlackRequestHandler(app), host="127.0.0.1", port=int(sys.argv[1]), threads=int(sys.argv[3]), ident="floor"
)
