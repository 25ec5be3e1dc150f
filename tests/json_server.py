"""A small JSON server of the tests' own, on a free loopback port: the HTTP source kind's
other side, and a Prometheus that never answers. Each path answers as `answers` says;
every request is kept (path, query, headers) for the test to read."""

import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HANG = "hang"  # an answer that never comes (until the server stops)


class JsonServer:
    def __init__(self):
        self.answers: dict[str, object] = {}  # path -> (status, body) or HANG
        self.requests: list[dict] = []
        self.stopping = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                parts = urllib.parse.urlsplit(self.path)
                server.requests.append(
                    {"path": parts.path, "query": urllib.parse.parse_qs(parts.query), "headers": dict(self.headers)}
                )
                answer = server.answers.get(parts.path, (404, {"error": "no such path"}))
                if answer == HANG:
                    server.stopping.wait(60)
                    return
                status, body = answer
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True, name="json-server")

    def start(self) -> "JsonServer":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        time.sleep(0)
