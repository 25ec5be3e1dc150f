"""The baseline for the acknowledgement benchmark: a Bolt app that only calls ack(),
behind waitress (the server `rollout serve` ran on before; same threads, signature
verification on): the issue's reference, kept on the same stack from run to run."""

import sys

import waitress
from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient

# argv: port, signing secret, threads, Web API URL
app = App(
    signing_secret=sys.argv[2],
    client=WebClient(token="xoxb-bench", base_url=sys.argv[4]),
    process_before_response=True,
    token_verification_enabled=False,
)


@app.command("/rollout")
def rollout(ack):
    ack()


waitress.serve(
    SlackRequestHandler(app), host="127.0.0.1", port=int(sys.argv[1]), threads=int(sys.argv[3]), ident="bare"
)
