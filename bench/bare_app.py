"""The baseline for the acknowledgement benchmark: a Bolt app that only calls ack(), on the
bot's server stack (bench/floor_app.py's `served`, under uvicorn as bot/http_server.py
sets it; signature verification on): the issue's reference, kept on the same stack as the
bot from run to run.

    python -m bench.bare_app PORT SIGNING_SECRET WEB_API_URL     # bench/ack.py starts it
"""

import argparse

from slack_bolt import App
from slack_sdk import WebClient

from bench.floor_app import served
from bot import http_server


def main() -> None:
    parser = argparse.ArgumentParser(description="A Bolt app that only calls ack(), for bench/ack.py.")
    parser.add_argument("port", type=int)
    parser.add_argument("signing_secret")
    parser.add_argument("web_api_url")
    args = parser.parse_args()
    app = App(
        signing_secret=args.signing_secret,
        client=WebClient(token="xoxb-bench", base_url=args.web_api_url),
        process_before_response=True,
        token_verification_enabled=False,
    )

    @app.command("/rollout")
    def rollout(ack):
        ack()

    http_server.serve(served(app), "127.0.0.1", args.port)


if __name__ == "__main__":
    main()
