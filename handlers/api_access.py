"""What a route of the reporting API (handlers/api.py) depends on: the use cases' services,
the request's token (401, 429; asked before a byte of the body is read) and the body read
as JSON (415, 400). FastAPI runs `_token` in its thread pool, as the routes that touch the
database."""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic_core import from_json

from handlers.api_refusals import NO_TOKEN, NOT_JSON, NOT_UTF8, TOO_MANY, _error
from usecases import api_reports
from usecases.shared.services import Services

log = logging.getLogger("handlers.api")  # the API's log, whichever of its modules says it


async def _services(request: Request) -> Services:  # async: not worth a trip to the thread pool
    services: Services = request.app.state.services
    return services


Served = Annotated[Services, Depends(_services)]  # a route's use cases' services

BEARER = HTTPBearer(scheme_name="token", description="rollout token create", auto_error=False)


def _token(
    services: Served,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER)],
) -> Any:
    """The request's token, known and not revoked (401), within its rate (429): asked
    before anything of the body is read."""
    token = api_reports.authenticate(services, credentials.credentials) if credentials is not None else None
    if token is None:
        log.info("api: refused a request without a valid token")
        raise _error(401, NO_TOKEN, **{"WWW-Authenticate": "Bearer"})
    if not api_reports.within_rate(services, token):
        raise _error(429, TOO_MANY, **{"Retry-After": "1"})
    return token


Token = Annotated[Any, Depends(_token)]


async def _json_body(request: Request, _: Token) -> tuple[bytes, Any]:
    """The body, sent as JSON (415 before a byte is read), parsed by pydantic's own parser
    as the models read it: no NaN, no lone surrogates (400 otherwise). The bytes and the
    JSON parsed. Its size and deadline are bot/web.py's BodyLimits', as for every route:
    a body over 1 MiB is refused (413) as it is read, the refusal answered by handlers/http_errors.py."""
    refused = _not_json(request.headers.get("content-type"))
    if refused is not None:
        raise _error(415, refused)
    body = await request.body()
    try:
        return body, from_json(body, allow_inf_nan=False)
    except ValueError:  # not UTF-8, not JSON, or nested past its limit
        raise _error(400, "the body is not JSON") from None


def _not_json(content_type: str | None) -> str | None:
    """Why a body sent as `content_type` is not taken (415), or None: it is JSON,
    `application/json` (any case), with no charset or UTF-8's (JSON's own, RFC 8259)."""
    media, *parameters = (content_type or "").split(";")
    if media.strip().lower() != "application/json":
        return NOT_JSON
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip('"').lower() not in ("utf-8", "utf8"):
            return NOT_UTF8
    return None
