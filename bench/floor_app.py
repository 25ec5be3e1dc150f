"""The durable floor for the acknowledgement benchmark: a Bolt app that, for each /rollout,
makes one INSERT and COMMIT and only then answers, behind the same server stacks as the
bot (waitress, as `rollout serve`; gunicorn's gthread worker, as the Procfile's web
process), signature verification on. Any server that says "Recorded" only after the
commit can at best do this.

    python bench/floor_app.py PORT THREADS          # waitress
    gunicorn bench.floor_app:application ...        # gunicorn

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

engine = make_engine(os.environ["FLOOR_DATABASE_URL"])
floor = Table(
    "bench_floor",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("text", String(200)),
    Column("at", DateTime(timezone=True)),
)
floor.create(engine, checkfirst=True)
app = App(
    signing_secret=os.environ["FLOOR_SECRET"],
    client=WebClient(token="xoxb-bench", base_url=os.environ["FLOOR_SLACK_URL"]),
    process_before_response=True,
    token_verification_enabled=False,
)


@app.command("/rollout")
def rollout(ack, command):
    with engine.begin() as connection:  # one INSERT and COMMIT: the durable floor
        connection.execute(insert(floor).values(text=command.get("text", "")[:200], at=datetime.now(UTC)))
    ack(text="Recorded")


application = SlackRequestHandler(app)

if __name__ == "__main__":
    import waitress

    waitress.serve(application, host="127.0.0.1", port=int(sys.argv[1]), threads=int(sys.argv[2]), ident="floor")
