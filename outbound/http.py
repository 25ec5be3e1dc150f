"""What the bot's own HTTP clients share (httpx): the webhooks' lane (outbound/webhooks.py)
and the sources numbers are pulled from (sources/)."""

from __future__ import annotations

import functools
import logging
import ssl

import httpx

# httpx says every request's URL at INFO, httpcore its host at DEBUG: a webhook's or a
# source's URL may carry its key, so only their warnings are said, at every level and
# whoever configured logging (these two clients are the product's only users of httpx).
for _carries_urls in ("httpx", "httpcore"):
    logging.getLogger(_carries_urls).setLevel(logging.WARNING)


@functools.cache
def system_tls() -> ssl.SSLContext:
    """The context https addresses are checked with: the system's trusted authorities,
    loaded once for the process (httpx would load certifi's for every client)."""
    return ssl.create_default_context()


def innermost(err: BaseException) -> BaseException:
    """The error under httpx's that says what went wrong (the refused connection, the name
    not found, a certificate refused); of a group, its first (one address of a name's)."""
    while (under := err.__cause__ or err.__context__) is not None:
        err = under.exceptions[0] if isinstance(under, BaseExceptionGroup) else under
    return err


async def read_raw(answer: httpx.Response, limit: int) -> bytes:
    """A streamed answer's body as it came (never decompressed), read to `limit` + 1 bytes
    at most: a longer one is not waited for."""
    body = bytearray()
    async for chunk in answer.aiter_raw():
        body += chunk
        if len(body) > limit:
            break
    return bytes(body)
