"""An assistant's way in (docs/mcp.md): the Model Context Protocol server of the reporting
API's reads (handlers/mcp_tools.py), over stdio for the operator's own assistant
(`rollout mcp`) and over Streamable HTTP at /mcp for a token (handlers/mcp_http.py).
Built on the official `mcp` SDK, an optional extra: without it /mcp is no route (404)
and `rollout mcp` says how to install it."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from handlers.mcp_http import McpHttp
    from usecases.shared.services import Services

INSTALL = "the assistant's server needs the mcp extra: pip install 'rollout-cadence-bot[mcp]'"
SDK = ("mcp", "mcp_types")  # the SDK's packages: a missing one means the extra is not installed


def installed() -> bool:
    """Whether the `mcp` extra is installed (the SDK imports)."""
    try:
        for package in SDK:
            importlib.import_module(package)
    except ImportError as err:
        if (err.name or "").split(".")[0] in SDK:
            return False
        raise
    return True


def http_edge(services: Services, max_body_bytes: int) -> McpHttp | None:
    """The app at /mcp, or None without the extra."""
    if not installed():
        return None
    from handlers.mcp_http import McpHttp

    return McpHttp(services, max_body_bytes)


def serve_stdio(services: Services) -> None:
    """The tools over this process's standard input and output, for the operator (every
    playbook), until the assistant closes them. Nothing but the protocol is written to
    standard output: the log goes to standard error (bot/logs.py)."""
    import anyio
    from mcp.server.stdio import stdio_server

    from handlers.mcp_tools import make_server
    from usecases.api_reads import OPERATOR

    server = make_server(services, lambda ctx: OPERATOR)

    async def run() -> None:
        async with stdio_server() as (read, write):
            await server.run(read, write, server.create_initialization_options())

    anyio.run(run)
