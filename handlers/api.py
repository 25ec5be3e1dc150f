"""The reporting API over HTTP (docs/api.md): `POST /api/v1/reports` and its OpenAPI
document at `GET /api/v1/openapi.json`.

The request's types are checked by pydantic models, and the same models write the
document's schemas (pydantic's JSON Schema is the 2020-12 dialect OpenAPI 3.1 uses), so
the document says what the server checks. What a report means is the use case's
(bot/usecases/api_reports.py), under the rules of `/rollout`.

In order: 404/405 for other paths and methods; 413 for a body over 1 MiB, unread; 401
without a valid token; 429 past 20 requests a second per token (in this process); 400
for a body that is not JSON; 422 for reports of the wrong types or that the rules
refuse (every problem, by index and field); 403 for a playbook or kind outside the
token's scope; 201 with what was accepted and what were duplicates. No token and no
body is ever logged.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from datetime import date
from typing import Annotated, Any, Literal

import pydantic
from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator

from bot.usecases import api_reads, api_reports
from bot.usecases.services import Services

log = logging.getLogger(__name__)

REPORTS_PATH = "/api/v1/reports"
OPENAPI_PATH = "/api/v1/openapi.json"
PLAYBOOKS_PATH = "/api/v1/playbooks"
REGISTRY_PATH = "/api/v1/registry"
MAX_BATCH = 1000
MAX_EVENT_COUNT = 10_000  # in one event report (exceptions: at most 10,000 in one request, api_reports)
RATE_PER_SECOND = 20  # per token, in each serving process
NO_TOKEN = "a valid token is needed: Authorization: Bearer <token>"
TOO_MANY = f"at most {RATE_PER_SECOND} requests a second per token"

StartResponse = Callable[..., Any]


def _week(value: Any) -> Any:
    """`week` as JSON gives it: a day as YYYY-MM-DD, or a whole number (not `true`)."""
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return value
    raise ValueError("a day of the week (YYYY-MM-DD) or its number in the cycle, 1 to 4")


class Report(BaseModel):
    """One report: what `/rollout kpi|guardrail|cases|rubric|exception` says, as JSON."""

    model_config = ConfigDict(extra="forbid", title="Report")

    playbook: str = Field(min_length=1, max_length=64, description="The playbook's slug.")
    kind: Literal["kpi", "guardrail", "cases", "rubric", "exception", "event"]
    value: float | None = Field(
        default=None,
        allow_inf_nan=False,
        description="The number: the KPI or guardrail value, a case count, a rubric score from 0 to 1.",
    )
    step: str | None = Field(default=None, min_length=1, max_length=40, description="For cases, rubric, exception.")
    reason: str | None = Field(default=None, max_length=500, description="For an exception: what happened.")
    week: Annotated[date | Annotated[int, Field(ge=1, le=4)] | None, BeforeValidator(_week)] = Field(
        default=None,
        description="A day of the week it is for (YYYY-MM-DD, e.g. its Monday), or 1-4 as `week:N` in Slack. "
        "Default: the week of `at`.",
    )
    at: AwareDatetime | None = Field(
        default=None, description="When it was measured (ISO 8601 with its offset). Default: now."
    )
    event: str | None = Field(default=None, max_length=40, description="For kind event: a value event of the playbook.")
    count: int | None = Field(
        default=None, ge=1, le=MAX_EVENT_COUNT, description="For kind event: how many (default 1)."
    )
    key: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description="Idempotency key: a key this token used before is a duplicate.",
    )

    @field_validator("playbook", "step", "reason", "event", "key")
    @classmethod
    def _storable(cls, text: str | None, info: pydantic.ValidationInfo) -> str | None:
        """What the bot stores or looks up holds no character it never stores (cadence/text.py)."""
        problem = api_reports.unstorable_text(info.field_name or "", text)
        if problem is not None:
            raise ValueError(problem)
        return text


class Batch(BaseModel):
    model_config = ConfigDict(extra="forbid", title="Batch")

    reports: list[Report] = Field(min_length=1, max_length=MAX_BATCH)


class Accepted(BaseModel):
    index: int
    week: date
    counts_for: str


class Duplicate(BaseModel):
    index: int
    key: str
    week: date
    counts_for: str


class Stored(BaseModel):
    model_config = ConfigDict(title="Stored")

    accepted: list[Accepted]
    duplicates: list[Duplicate]


class ProblemOut(BaseModel):
    index: int | None = Field(description="Which report of the request (None: the request itself).")
    field: str
    message: str


class Problems(BaseModel):
    model_config = ConfigDict(title="Problems")

    errors: list[ProblemOut]


class Error(BaseModel):
    model_config = ConfigDict(title="Error")

    error: str


class Api:
    """The API's WSGI part, mounted by bot/web.py under /api/v1/."""

    def __init__(self, services: Services, read_body: Callable[[dict[str, Any]], bytes]):
        self.services = services
        self.read_body = read_body  # bot/web.py's: 1 MiB at most, unread beyond
        self._calls: dict[int, deque[float]] = {}
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "")
        if path == OPENAPI_PATH:
            if method not in ("GET", "HEAD"):
                return _reply(start_response, 405, Error(error="GET only"), [("Allow", "GET")])
            return _reply(start_response, 200, openapi())
        if path in (PLAYBOOKS_PATH, REGISTRY_PATH) or path.startswith(PLAYBOOKS_PATH + "/"):
            if method not in ("GET", "HEAD"):
                return _reply(start_response, 405, Error(error="GET only"), [("Allow", "GET")])
            return self._read(path, environ, start_response)
        if path != REPORTS_PATH:
            return _reply(start_response, 404, Error(error="not found"))
        if method != "POST":
            return _reply(start_response, 405, Error(error="POST only"), [("Allow", "POST")])
        return self._post(environ, start_response)

    def _read(self, path: str, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        token = self._token(environ)
        if token is None:
            return _reply(start_response, 401, Error(error=NO_TOKEN), [("WWW-Authenticate", "Bearer")])
        if not self._within_rate(token.id):
            return _reply(start_response, 429, Error(error=TOO_MANY), [("Retry-After", "1")])
        try:
            if path == PLAYBOOKS_PATH:
                return _reply(start_response, 200, {"playbooks": api_reads.playbooks(self.services, token)})
            if path == REGISTRY_PATH:
                return _reply(start_response, 200, {"versions": api_reads.registry_entries(self.services, token)})
            slug = path[len(PLAYBOOKS_PATH) + 1 :]
            return _reply(start_response, 200, api_reads.playbook(self.services, token, slug))
        except api_reads.NotReadable as err:
            return _reply(start_response, 403, Error(error=str(err)))
        except api_reads.NotFound as err:
            return _reply(start_response, 404, Error(error=str(err)))

    def _post(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        token = self._token(environ)  # before the body is read: without a token, nothing of it is
        if token is None:
            log.info("api: refused a request without a valid token")
            return _reply(start_response, 401, Error(error=NO_TOKEN), [("WWW-Authenticate", "Bearer")])
        if not self._within_rate(token.id):
            return _reply(start_response, 429, Error(error=TOO_MANY), [("Retry-After", "1")])
        try:
            body = self.read_body(environ)
        except ValueError as err:  # too large, or a broken Content-Length
            if str(err) == "too large":
                return _reply(
                    start_response, 413, Error(error="request bodies are limited to 1 MiB"), [("Connection", "close")]
                )
            return _reply(start_response, 400, Error(error=str(err)))
        try:
            document = json.loads(body)
        except (UnicodeDecodeError, ValueError, RecursionError):
            return _reply(start_response, 400, Error(error="the body is not JSON"))
        try:
            reports = _reports(document)
        except ValidationError as err:
            return _reply(start_response, 422, Problems(errors=_problems(err, document)))
        try:
            posted = api_reports.post(self.services, token, reports)
        except api_reports.Forbidden as err:
            return _reply(start_response, 403, Error(error=f"reports[{err.index}]: {err.message}"))
        except api_reports.Invalid as err:
            problems = [ProblemOut(index=p.index, field=p.field, message=p.message) for p in err.problems]
            return _reply(start_response, 422, Problems(errors=problems))
        stored = Stored(
            accepted=[Accepted(**a) for a in posted.accepted], duplicates=[Duplicate(**d) for d in posted.duplicates]
        )
        return _reply(start_response, 201, stored)

    def _token(self, environ: dict[str, Any]) -> Any:
        scheme, _, value = (environ.get("HTTP_AUTHORIZATION") or "").partition(" ")
        return api_reports.authenticate(self.services, value.strip()) if scheme.lower() == "bearer" else None

    def _within_rate(self, token_id: int) -> bool:
        """At most RATE_PER_SECOND requests in the last second, per token, in this process."""
        now = time.monotonic()
        with self._lock:
            calls = self._calls.setdefault(token_id, deque())
            while calls and calls[0] <= now - 1:
                calls.popleft()
            if len(calls) >= RATE_PER_SECOND:
                return False
            calls.append(now)
            return True


def _reports(document: Any) -> list[api_reports.ReportIn]:
    """One report, or {"reports": [...]}: checked for their types (raises ValidationError)."""
    if isinstance(document, dict) and "reports" in document:
        items = Batch.model_validate(document).reports
    else:
        items = [Report.model_validate(document)]
    return [api_reports.ReportIn(**item.model_dump()) for item in items]


def _problems(err: ValidationError, document: Any) -> list[ProblemOut]:
    """pydantic's errors as the API's: the report's index and the field."""
    batch = isinstance(document, dict) and "reports" in document
    problems = []
    for e in err.errors():
        loc = list(e["loc"])
        index: int | None = 0 if not batch else None
        if batch and len(loc) >= 2 and loc[0] == "reports" and isinstance(loc[1], int):
            index, loc = loc[1], loc[2:]
        names = [str(part) for part in loc if isinstance(part, str)]
        problems.append(ProblemOut(index=index, field=names[0] if names else "body", message=e["msg"]))
    return problems


_STATUS = {
    200: "200 OK",
    201: "201 Created",
    400: "400 Bad Request",
    401: "401 Unauthorized",
    403: "403 Forbidden",
    404: "404 Not Found",
    405: "405 Method Not Allowed",
    413: "413 Content Too Large",
    422: "422 Unprocessable Content",
    429: "429 Too Many Requests",
}


def _reply(
    start_response: StartResponse,
    status: int,
    body: BaseModel | dict[str, Any],
    headers: list[tuple[str, str]] | None = None,
) -> list[bytes]:
    data = body.model_dump_json().encode() if isinstance(body, BaseModel) else json.dumps(body).encode()
    start_response(
        _STATUS[status],
        [("Content-Type", "application/json"), ("Content-Length", str(len(data))), *(headers or [])],
    )
    return [data]


def _read_operation(operation: str, summary: str) -> dict[str, Any]:
    error = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    return {
        "operationId": operation,
        "summary": summary,
        "security": [{"token": []}],
        "responses": {
            "200": {"description": summary, "content": {"application/json": {"schema": {"type": "object"}}}},
            "401": {"description": "No valid token", **error},
            "403": {"description": "The token may not read", **error},
            "404": {"description": "No such playbook in the token's scope", **error},
            "429": {"description": "Over 20 requests a second for this token", **error},
        },
    }


def openapi() -> dict[str, Any]:
    """The OpenAPI 3.1 document of what this module serves."""
    schemas: dict[str, Any] = {}
    for model in (Report, Batch, Stored, Problems, Error):
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(schema.pop("$defs", {}))
        schemas[model.model_config.get("title") or model.__name__] = schema

    def answer(description: str, schema: str) -> dict[str, Any]:
        return {
            "description": description,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
        }

    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Rollout Cadence Bot reporting API",
            "version": "1",
            "description": "Numbers from the systems that hold them, under the rules of /rollout (docs/api.md).",
        },
        "paths": {
            REPORTS_PATH: {
                "post": {
                    "operationId": "postReports",
                    "summary": "Report one number, or up to 1,000: all or nothing.",
                    "security": [{"token": []}],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "oneOf": [
                                        {"$ref": "#/components/schemas/Report"},
                                        {"$ref": "#/components/schemas/Batch"},
                                    ]
                                }
                            }
                        },
                    },
                    "responses": {
                        "201": answer("Stored: what each report counts for, and the duplicates", "Stored"),
                        "400": answer("The body is not JSON", "Error"),
                        "401": answer("No valid token", "Error"),
                        "403": answer("A playbook or kind outside the token's scope", "Error"),
                        "413": answer("The body is over 1 MiB", "Error"),
                        "422": answer("Reports refused, by index and field: nothing was stored", "Problems"),
                        "429": {
                            "description": "Over 20 requests a second for this token",
                            "headers": {"Retry-After": {"schema": {"type": "integer"}}},
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                        },
                    },
                }
            },
            PLAYBOOKS_PATH: {"get": _read_operation("listPlaybooks", "The playbooks the token may read.")},
            PLAYBOOKS_PATH + "/{slug}": {
                "get": {
                    **_read_operation(
                        "getPlaybook", "A playbook: definition, state, the last 12 weeks' figures and verdicts."
                    ),
                    "parameters": [{"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}],
                }
            },
            REGISTRY_PATH: {"get": _read_operation("listRegistry", "The registry's versions, results and adopters.")},
            OPENAPI_PATH: {
                "get": {
                    "operationId": "openapi",
                    "summary": "This document.",
                    "security": [],
                    "responses": {
                        "200": {
                            "description": "The OpenAPI 3.1 document",
                            "content": {"application/json": {"schema": {"type": "object"}}},
                        }
                    },
                }
            },
        },
        "components": {
            "schemas": schemas,
            "securitySchemes": {"token": {"type": "http", "scheme": "bearer", "description": "rollout token create"}},
        },
    }
