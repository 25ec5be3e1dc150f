"""A webhook receiver for bench/webhooks.py, run as a process of its own so that its
time is its own: it verifies every POST with the Standard Webhooks library, keeps each
`webhook-id` once and counts repeats. GET /stats says what it received; POST /reset
forgets it.

    python -m bench.webhook_receiver SECRET     # prints the port it listens on
"""

from __future__ import annotations

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


def serve(secret: str) -> None:
    verifier = Webhook(secret)
    lock = threading.Lock()
    state: dict[str, Any] = {"ids": set(), "received": 0, "repeats": 0, "unverified": 0, "order": {}}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _answer(self, status: int, body: bytes = b"") -> None:
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length") or 0))
            if self.path == "/reset":
                with lock:
                    state.update(ids=set(), received=0, repeats=0, unverified=0, order={}, out_of_order=0)
                self._answer(204)
                return
            try:
                event = verifier.verify(body, dict(self.headers.items()))
            except WebhookVerificationError:
                with lock:
                    state["unverified"] += 1
                self._answer(401)
                return
            event_id = self.headers["webhook-id"]
            with lock:
                state["received"] += 1
                if event_id in state["ids"]:
                    state["repeats"] += 1
                else:
                    state["ids"].add(event_id)
                    # out of order: an event of a playbook that is not the next one of its sequence
                    seq = (event.get("data") or {}).get("figures", {}).get("seq")
                    last = state["order"].get(event.get("playbook"), -1)
                    if seq is not None:
                        state.setdefault("out_of_order", 0)
                        state["out_of_order"] += int(seq != last + 1)
                        state["order"][event.get("playbook")] = seq
            self._answer(204)

        def do_GET(self) -> None:
            with lock:
                stats = {k: v for k, v in state.items() if k not in ("ids", "order")}
                stats["unique"] = len(state["ids"])
            self._answer(200, json.dumps(stats).encode())

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    serve(sys.argv[1])
