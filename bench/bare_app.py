"""The baseline for the acknowledgement benchmark: a Bolt app that only calls ack(), on the
bot's server stack (bench/floor_app.py's `served`, under uvicorn as bot/http_server.py
sets it; signature verification on): the issue's reference, kept on the same stack as the
bot from run to run."""

import sys

from slack_bolt import App
from slack_sdk import WebClient

from bench.floor_app import served
from bot import http_server

# argv: port, signing secret, Web API URL
app = App(
    signing_secret=sys.argv[2],
    client=WebClient(token="xoxb-bench", base_url=sys.argv[3]),
    process_before_response=True,
    token_verification_enabled=False,
)


@app.command("/rollout")
def rollout(ack):
    ack()


http_server.serve(served(app), "127.0.0.1", int(sys.argv[1]))
