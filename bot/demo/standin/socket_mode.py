"""Socket Mode's side of Slack: a loopback WebSocket server."""

from __future__ import annotations

import json
import threading
import uuid
from typing import Any

from bot.demo.standin.slack_requests import command_payload


class SocketMode:
    """Slack's Socket Mode server on loopback: hands each connecting app a `hello`, sends
    envelopes (slash commands, interactions, events) and collects the app's acks, which
    carry the reply. slack_sdk's built-in client speaks plain ws:// to any port but 443."""

    def __init__(self) -> None:
        from websockets.sync.server import serve

        self._connections: list[Any] = []
        self._acks: dict[str, dict[str, Any]] = {}
        self._changed = threading.Condition()
        self._server = serve(self._session, "127.0.0.1", 0)
        self._thread = threading.Thread(target=self._server.serve_forever, name="socket-mode", daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        host, port = self._server.socket.getsockname()[:2]
        return f"ws://{host}:{port}/link/?ticket={uuid.uuid4().hex}"

    def _session(self, connection: Any) -> None:
        with self._changed:
            self._connections.append(connection)
            self._changed.notify_all()
        try:
            connection.send(
                json.dumps(
                    {
                        "type": "hello",
                        "num_connections": len(self._connections),
                        "connection_info": {"app_id": "A0ROLLOUT"},
                    }
                )
            )
            for raw in connection:
                message = json.loads(raw)
                if "envelope_id" in message:
                    with self._changed:
                        self._acks[message["envelope_id"]] = message
                        self._changed.notify_all()
        except Exception:  # noqa: BLE001 - the app went away: that is how sessions end
            pass
        finally:
            with self._changed:
                self._connections.remove(connection)
                self._changed.notify_all()

    def wait_for_connection(self, timeout: float) -> bool:
        with self._changed:
            return self._changed.wait_for(lambda: bool(self._connections), timeout)

    @property
    def connected(self) -> int:
        with self._changed:
            return len(self._connections)

    def send(self, kind: str, payload: dict[str, Any], timeout: float = 10) -> dict[str, Any] | None:
        """Send one envelope (`slash_commands`, `interactive` or `events_api`) and return the
        app's ack: {"envelope_id": ..., "payload": reply}; None if none came in time."""
        envelope_id = uuid.uuid4().hex
        with self._changed:
            if not self._connections:
                raise RuntimeError("no app is connected")
            connection = self._connections[-1]
        connection.send(
            json.dumps(
                {
                    "envelope_id": envelope_id,
                    "type": kind,
                    "payload": payload,
                    "accepts_response_payload": kind != "events_api",
                    "retry_attempt": 0,
                    "retry_reason": "",
                }
            )
        )
        with self._changed:
            self._changed.wait_for(lambda: envelope_id in self._acks, timeout)
            return self._acks.pop(envelope_id, None)

    def command(self, text: str, user: str, channel: str, timeout: float = 10) -> dict[str, Any] | None:
        ack = self.send("slash_commands", command_payload(text, user, channel), timeout)
        return None if ack is None else ack.get("payload") or {}

    def stop(self) -> None:
        self._server.shutdown()
