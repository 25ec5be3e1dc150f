"""A small JSON server of the tests' own, on a free loopback port: the HTTP source kind's
other side, a Prometheus that never answers, and one that answers a byte a second. Each path answers as `answers` says
((status, body), or (status, body, headers) for a redirect's Location); every request is kept (path, query,
headers) for the test to read. `host`: any loopback address (127.0.0.2 is another host to a client)."""

import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HANG = "hang"  # an answer that never comes (until the server stops)
TRICKLE = "trickle"  # the headers at once, then the body one byte a second
TRICKLE_HEAD = "trickle-head"  # the status line and headers themselves one byte a second


class JsonServer:
    def __init__(self, host: str = "127.0.0.1"):
        self.answers: dict[str, object] = {}  # path -> (status, body) or HANG
        self.requests: list[dict] = []
        self.finished: list[str] = []  # paths whose answers were sent whole (a hang: ran out its 60 s)
        self.on_request = lambda: None  # called as each request arrives (a test's hook)
        self.stopping = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                parts = urllib.parse.urlsplit(self.path)
                server.requests.append(
                    {"path": parts.path, "query": urllib.parse.parse_qs(parts.query), "headers": dict(self.headers)}
                )
                server.on_request()
                answer = server.answers.get(parts.path, (404, {"error": "no such path"}))
                if answer == HANG:
                    if not server.stopping.wait(60):
                        server.finished.append(parts.path)
                    return
                if answer in (TRICKLE, TRICKLE_HEAD):
                    body = json.dumps({"status": "success", "data": {"resultType": "scalar", "result": [0, "1"]}})
                    head = f"HTTP/1.0 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
                    if answer == TRICKLE:
                        self.wfile.write(head.encode())
                    for byte in (head if answer == TRICKLE_HEAD else "") + body:
                        if server.stopping.wait(1):
                            return
                        try:
                            self.wfile.write(byte.encode())
                            self.wfile.flush()
                        except OSError:  # the client gave up
                            return
                    server.finished.append(parts.path)
                    return
                status, body, *more = answer
                data = json.dumps(body).encode()
                self.send_response(status)
                for name, value in (more[0] if more else {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                server.finished.append(parts.path)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer((host, 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://{host}:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True, name="json-server")

    def start(self) -> "JsonServer":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        time.sleep(0)
