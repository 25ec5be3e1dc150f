"""A real webhook receiver on a loopback port, as a system told of decisions would run
one: it verifies each POST with the Standard Webhooks library, drops repeats by
`webhook-id` (counting them) and answers as the test scripts it (500, a hang, 200...)."""

from __future__ import annotations

import contextlib
import ipaddress
import json
import ssl
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from standardwebhooks.webhooks import Webhook, WebhookVerificationError


class Receiver:
    def __init__(self, secret: str | None = None, hang_seconds: float = 2.0, tls: ssl.SSLContext | None = None):
        self.secret = secret
        self.hang_seconds = hang_seconds
        self.script: list[
            str
        ] = []  # the next answers: "500", "hang" (no answer in time), "trickle" (a byte a second), "endless" (a 200 whose body does not end), "200"...
        self.events: list[dict[str, Any]] = []  # each event once, in the order first received
        self.ids: list[str] = []
        self.repeats: Counter[str] = Counter()  # ids received again after a 2xx answer
        self.attempts = 0
        self.connections = 0  # accepted, each for as many posts as the sender keeps it
        self.paths: list[str] = []  # each POST's request target, as it came
        self.unverified = 0
        self.trickled = 0  # bytes of trickled answers sent
        self.released = threading.Event()  # set by `release`: a "hang" answers at once
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self) -> None:
                super().setup()
                with receiver.lock:
                    receiver.connections += 1

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length)
                if len(body) < length:  # the sender was cut off mid-request (killed): nothing arrived
                    self.close_connection = True
                    return
                with receiver.lock:
                    receiver.paths.append(self.path)
                receiver.answer(self, body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.handle_error = lambda *_: None  # type: ignore[method-assign]  # a sender killed mid-request
        if tls is not None:  # https: the handshake is made as each connection is accepted
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        scheme = "https" if tls is not None else "http"
        self.url = f"{scheme}://127.0.0.1:{self.server.server_address[1]}/hooks/rollout"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True, name="receiver")

    def start(self) -> Receiver:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def release(self) -> None:
        """End every hang now, and answer the next ones at once."""
        self.released.set()

    def answer(self, handler: BaseHTTPRequestHandler, body: bytes) -> None:
        with self.lock:
            self.attempts += 1
            action = self.script.pop(0) if self.script else "200"
        trickle = action == "trickle"  # a 200, one byte of the answer a second
        endless = action == "endless"  # a 200 that says a gigabyte follows, sends 1 MiB, then hangs
        if trickle or endless:
            action = "200"
        if action == "hang":
            self.released.wait(self.hang_seconds)  # past the sender's timeout: it has given up
            action = "200"
        status = int(action)
        if 200 <= status < 300:
            headers = {k: v for k, v in handler.headers.items()}
            try:
                event = Webhook(self.secret).verify(body, headers) if self.secret else json.loads(body)
            except WebhookVerificationError:
                with self.lock:
                    self.unverified += 1
                status = 401
            else:
                with self.lock:
                    event_id = headers["webhook-id"]
                    if event_id in self.ids:
                        self.repeats[event_id] += 1
                    else:
                        self.ids.append(event_id)
                        self.events.append(event)
        if trickle:
            self._trickle(handler, f"HTTP/1.1 {status} OK\r\nContent-Length: 0\r\n\r\n".encode())
            return
        if endless:
            self._endless(handler, status)
            return
        try:
            handler.send_response(status)
            handler.send_header("Content-Length", "0")
            handler.end_headers()
        except OSError:
            pass  # the sender gave up waiting

    def _trickle(self, handler: BaseHTTPRequestHandler, answer: bytes) -> None:
        handler.close_connection = True
        try:
            for i in range(len(answer)):
                handler.wfile.write(answer[i : i + 1])
                handler.wfile.flush()
                with self.lock:
                    self.trickled += 1
                time.sleep(1.0)
        except OSError:
            pass  # the sender gave up

    def _endless(self, handler: BaseHTTPRequestHandler, status: int) -> None:
        handler.close_connection = True
        try:
            handler.wfile.write(f"HTTP/1.1 {status} OK\r\nContent-Length: {2**30}\r\n\r\n".encode())
            handler.wfile.write(b"x" * 2**20)
            handler.wfile.flush()
        except OSError:
            return  # the sender read what it wanted and closed
        # Hold the connection until the sender closes it (recv answers b""), at most hang_seconds.
        handler.connection.settimeout(self.hang_seconds)
        with contextlib.suppress(OSError):
            handler.connection.recv(1)

    def wait_for(self, count: int, seconds: float = 30.0) -> bool:
        deadline = time.time() + seconds
        while time.time() < deadline:
            with self.lock:
                if len(self.ids) >= count:
                    return True
            time.sleep(0.02)
        return False


def self_signed(folder: Path) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """A certificate for 127.0.0.1 that no authority signed: the receiver's TLS context
    serving it, and a sender's context that trusts it alone."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test receiver")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=1))
        .not_valid_after(now + timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    pem = certificate.public_bytes(serialization.Encoding.PEM)
    (folder / "cert.pem").write_bytes(pem)
    (folder / "key.pem").write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    serving = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    serving.load_cert_chain(folder / "cert.pem", folder / "key.pem")
    return serving, ssl.create_default_context(cadata=pem.decode())
