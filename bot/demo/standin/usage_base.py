"""What every usage stand-in shares (usage_copilot.py, usage_openai.py,
usage_claude_code.py, usage_http.py): a loopback HTTP server (stdlib ThreadingHTTPServer,
as server.py's Slack), every request kept for the test to read, a bearer token checked
where one is set, and answers the test queues for the next requests instead of their own
(a `Fault`: a 429 with or without Retry-After, a 5xx, a redirect, or a body of the
test's own), so that the sources' retries are tried over real HTTP."""

from __future__ import annotations

import contextlib
import json
import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit

Reply = tuple[int, dict[str, str], Any]  # status, headers, the body: bytes as they are, else sent as JSON


@dataclass(frozen=True)
class Request:
    """A request as the stand-in got it: its path, query (each name's values) and headers
    (names in lower case)."""

    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]

    @property
    def params(self) -> dict[str, str]:
        """The query with one value a name (the last), as an API reads a plain parameter."""
        return {name: values[-1] for name, values in self.query.items()}

    @property
    def token(self) -> str | None:
        auth = self.headers.get("authorization", "")
        return auth.split(" ", 1)[1] if " " in auth else None


@dataclass
class Fault:
    """The answer the next request matching `prefix` gets instead of its own."""

    status: int
    retry_after: str | None = None
    location: str | None = None  # a redirect's
    prefix: str = "/"
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None  # None: the stand-in's `error_body`


class StandIn:
    """An API on loopback: `start()` it and give the source its `url` (`origin`, the
    scheme, host and port). A subclass answers `answer(request)`; this class keeps the
    requests and the queued faults."""

    name = "usage-standin"

    def __init__(self, token: str | None = None):
        self.token = token
        self.requests: list[Request] = []
        self._faults: deque[Fault] = deque()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self.origin = f"http://127.0.0.1:{self._server.server_port}"
        self.url = self.origin  # what the source is given; a test may point the links elsewhere
        self._thread = threading.Thread(target=self._serve, name=self.name, daemon=True)

    # ---- lifecycle ----

    def start(self) -> Self:
        self._thread.start()
        return self

    def _serve(self) -> None:
        self._server.serve_forever(poll_interval=0.05)  # stopped in 50 ms, not the default 0.5 s: tests stop many

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    # ---- switches: the next requests' answers ----

    def fail_next(self, fault: Fault, times: int = 1) -> None:
        with self._lock:
            self._faults.extend([fault] * times)

    def rate_limit(self, retry_after: str | None = "0", times: int = 1, prefix: str = "/") -> None:
        """The next `times` requests answer 429, with this Retry-After (None: without one)."""
        self.fail_next(Fault(429, retry_after=retry_after, prefix=prefix), times)

    def fail(self, status: int = 500, times: int = 1, prefix: str = "/") -> None:
        """The next `times` requests answer `status` (a 5xx)."""
        self.fail_next(Fault(status, prefix=prefix), times)

    def redirect(self, location: str, times: int = 1, status: int = 307) -> None:
        """The next `times` requests answer a redirect to `location`."""
        self.fail_next(Fault(status, location=location), times)

    def answer_as(self, body: Any, times: int = 1) -> None:
        """The next `times` requests answer 200 with `body` as given: an answer the API
        should never give (a page with more and no cursor)."""
        self.fail_next(Fault(200, body=body), times)

    def requests_to(self, prefix: str) -> list[Request]:
        with self._lock:
            return [r for r in self.requests if r.path.startswith(prefix)]

    # ---- for the subclasses ----

    def answer(self, request: Request) -> Reply:
        raise NotImplementedError

    def authorized(self, request: Request) -> bool:
        return request.token == self.token

    def error_body(self, status: int, message: str) -> Any:
        """An error's body, as the API gives it (a vendor's stand-in says it its way)."""
        return {"error": {"message": message}}

    def _reply(self, request: Request) -> Reply:
        with self._lock:
            self.requests.append(request)
            fault = self._faults.popleft() if self._faults and request.path.startswith(self._faults[0].prefix) else None
        if fault is None:
            return self.answer(request)
        headers = dict(fault.headers)
        if fault.retry_after is not None:
            headers["Retry-After"] = fault.retry_after
        if fault.location is not None:
            headers["Location"] = fault.location
        body = fault.body if fault.body is not None else self.error_body(fault.status, _words(fault.status))
        return fault.status, headers, body

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                headers = {k.lower(): v for k, v in self.headers.items()}
                request = Request(parts.path, parse_qs(parts.query, keep_blank_values=True), headers)
                status, reply_headers, body = standin._reply(request)
                data = body if isinstance(body, bytes) else as_json(body)
                self.send_response(status)
                reply_headers.setdefault("Content-Type", "application/json")
                for name, value in reply_headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(data)

            def log_message(self, *_args: Any) -> None:
                pass

        return Handler


def _words(status: int) -> str:
    """A fault's message, as a server would put it."""
    if status == 429:
        return "rate limited"
    if status >= 500:
        return "internal error"
    return "moved" if 300 <= status < 400 else f"stand-in fault {status}"


def as_json(body: Any) -> bytes:
    return json.dumps(body).encode()
