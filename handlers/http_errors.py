"""The HTTP errors an application answers itself (Starlette's HTTPException: its router's,
and bot/web.py's BodyLimits'), once for every application of the process: the root app
(bot/web.py), the reporting API (handlers/api.py, FastAPI) and the web view
(handlers/web_view.py) each install one of these handlers for HTTPException.

- a path no route has: 404, `not found`;
- a method the path does not take: 405, the methods it takes in `Allow` and in words
  (`GET only`, `GET or POST only`; a GET route's HEAD goes unsaid);
- any other (BodyLimits' 408 and 413): its status, its detail, its headers.

The API and the root app say it as JSON, `{"error": ...}`; the web view as text."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response


@dataclass(frozen=True)
class HttpError:
    status: int
    error: str  # in words
    headers: dict[str, str] = field(default_factory=dict)


def http_error(exc: HTTPException) -> HttpError:
    """What an application answers to `exc`."""
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        allowed = sorted(set(re.split(r",\s*", headers.get("Allow", ""))) - {"HEAD", ""})
        return HttpError(405, " or ".join(allowed) + " only", {**headers, "Allow": ", ".join(allowed)})
    if exc.status_code == 404:
        return HttpError(404, "not found", headers)
    return HttpError(exc.status_code, str(exc.detail), headers)


async def as_json(request: Request, exc: Exception) -> Response:
    """The handler of the root app and the API: `{"error": ...}`."""
    assert isinstance(exc, HTTPException)
    error = http_error(exc)
    return JSONResponse({"error": error.error}, error.status, error.headers)


async def as_text(request: Request, exc: Exception) -> Response:
    """The web view's handler: the words as text."""
    assert isinstance(exc, HTTPException)
    error = http_error(exc)
    return PlainTextResponse(error.error, error.status, error.headers)
