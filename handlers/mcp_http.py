"""`/mcp`: an assistant's tools (handlers/mcp_tools.py) over Streamable HTTP, on every
process that serves (`serve`, `socket`, `web`), for a token of the reporting API with the
read scope (`Authorization: Bearer <token>`), as the API's reads take it.

In order, before the SDK reads a byte of the body: 401 without a token, or with one
unknown or revoked; 429 past the API's rate, counted with the API's requests of the
same token (usecases/api_reports.py, within_rate); 403 for a token that may not read.
The body is held to bot/web.py's BodyLimits as every route's (413 over 1 MiB, the SDK's
own limit set to the same), and the SDK checks the Host and Origin headers against the
bot's own addresses (DNS rebinding protection, as the SDK recommends): the loopback
addresses and ROLLOUT_WEB_URL's. The token rides the request's scope to the tools, which
read its scope; it is never logged.

Stateless and answered in JSON: each POST is one exchange, so any worker of `rollout web`
answers any request, and nothing is kept between them. So there is nothing to stream and
no session to end: bot/web.py routes POST only, and GET or DELETE is 405 with `Allow: POST`
(the transport's spec for a server that offers no SSE stream; the SDK's own answer to
them on the 2026-07-28 protocol), never a stream held open with nothing to say. The SDK's session manager runs
for the app's life, started by its lifespan (bot/web.py); an app built after its
process's lifespan ran (a `web` worker that waited for its database, the tests' server)
runs one for each request instead."""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit

from mcp.server import ServerRequestContext
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from mcp.server.transport_security import TransportSecurityMiddleware, TransportSecuritySettings
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from handlers.api_refusals import NO_TOKEN, TOO_MANY
from handlers.mcp_tools import make_server
from usecases import api_reports
from usecases.api_reads import Reader
from usecases.shared.services import Services

log = logging.getLogger(__name__)

PATH = "/mcp"
READER = "rollout_reader"  # the request's token, in its scope's state, for the tools
LOOPBACK = ("127.0.0.1", "localhost", "[::1]")
# The SDK's own answer to a Host that is not the bot's is a bare "Invalid Host header": behind
# a proxy, the cause is nearly always ROLLOUT_WEB_URL, unset or another address.
WRONG_HOST = (
    "this server answers /mcp only at its own addresses, and {host} is not one: set ROLLOUT_WEB_URL "
    "to the address clients reach it at ({now})"
)


class McpHttp:
    """The ASGI app at PATH, and the lifespan that runs its session manager."""

    def __init__(self, services: Services, max_body_bytes: int):
        self.services, self.max_body_bytes = services, max_body_bytes
        self.server = make_server(services, reader_of_request)
        self.security = security(services.web_url)
        self.manager = self._manager()
        self.running = False

    def _manager(self) -> StreamableHTTPSessionManager:
        return StreamableHTTPSessionManager(
            app=self.server,
            json_response=True,
            stateless=True,
            security_settings=self.security,
            max_request_body_size=self.max_body_bytes,
        )

    @contextlib.asynccontextmanager
    async def lifespan(self) -> AsyncIterator[None]:
        """The session manager, for as long as the server serves (the app's lifespan)."""
        async with self.manager.run():
            self.running = True
            try:
                yield
            finally:
                self.running = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        checked = await TransportSecurityMiddleware(self.security).validate_request(Request(scope))
        if checked is not None and checked.status_code == 421:
            host = Headers(scope=scope).get("host") or "no Host header"
            now = f"now {self.services.web_url}" if self.services.web_url else "it is not set"
            await _error(421, WRONG_HOST.format(host=host[:100], now=now))(scope, receive, send)
            return
        token, refusal = await run_in_threadpool(self._admitted, Headers(scope=scope).get("authorization", ""))
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        scope.setdefault("state", {})[READER] = token
        if self.running:
            await self.manager.handle_request(scope, receive, send)
            return
        manager = self._manager()  # no lifespan ran for this app: a manager for this request
        async with manager.run():
            await manager.handle_request(scope, receive, send)

    def _admitted(self, authorization: str) -> tuple[Any, Response | None]:
        """The request's token, or the refusal to answer: as the API's (handlers/api_access.py, _token)."""
        scheme, _, bearer = authorization.partition(" ")
        token = api_reports.authenticate(self.services, bearer.strip()) if scheme.lower() == "bearer" else None
        if token is None:
            log.info("mcp: refused a request without a valid token")
            return None, _error(401, NO_TOKEN, {"WWW-Authenticate": "Bearer"})
        if not api_reports.within_rate(self.services, token):
            return None, _error(429, TOO_MANY, {"Retry-After": "1"})
        if not token.can_read:
            return None, _error(403, f"token {token.name} may not read")
        return token, None


def reader_of_request(ctx: ServerRequestContext[Any, Any]) -> Reader:
    """Who calls over HTTP: the token McpHttp admitted, in the request's scope."""
    state = ctx.request.scope.get("state", {}) if ctx.request is not None else {}
    reader: Reader | None = state.get(READER)
    if reader is None:  # never served without its token: refused rather than read as anyone
        raise PermissionError("an MCP call over HTTP without its token")
    return reader


def security(web_url: str | None) -> TransportSecuritySettings:
    """The SDK's DNS rebinding protection: the Host (and any Origin) one of the bot's own
    addresses, loopback's on any port and ROLLOUT_WEB_URL's."""
    hosts = [f"{host}:*" for host in LOOPBACK] + list(LOOPBACK)
    origins = [f"{scheme}://{host}{port}" for scheme in ("http", "https") for host in LOOPBACK for port in ("", ":*")]
    if web_url:
        address = urlsplit(web_url)
        hosts.append(address.netloc)
        origins.append(f"{address.scheme}://{address.netloc}")
    return TransportSecuritySettings(enable_dns_rebinding_protection=True, allowed_hosts=hosts, allowed_origins=origins)


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return Response(json.dumps({"error": message}), status, headers, media_type="application/json")
