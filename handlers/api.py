"""The reporting API over HTTP (docs/api.md): `POST /api/v1/reports`, the reads under
`GET /api/v1/playbooks` and `/api/v1/registry`, and the OpenAPI document at
`GET /api/v1/openapi.json`.

ROUTES declares each of them: method, path (its parameters typed, handlers/routing.py),
the method of `Api` that answers, and what the document says of it. The document is
derived from that table and the pydantic models (handlers/openapi.py): the request's
types are checked by the same models that write the document's schemas, so the document
says what the server checks. What a report means is the use case's
(usecases/api_reports.py), under the rules of `/rollout`.

In order: 404/405 for other paths and methods; 401 without a valid token; 429 past 20
requests a second per token, in every process together (usecases/api_reports.py,
within_rate); 415 for a body not sent as `application/json`, unread; 413 for a body over
1 MiB, unread; 400 for a body that is not JSON; 422 for reports of the wrong types or
that the rules refuse (every problem, by index and field); 403 for a playbook or kind outside the token's scope; 201 with what
was accepted and what were duplicates. No token and no body is ever logged.

Types are strict (pydantic's strict mode, over the JSON itself): `true`, `"14.5"` or
`1.0` where a whole count is expected is refused, never read as 1, 14.5 or 1; a number
is never read as text, nor as an instant.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import from_json

from handlers import routing
from handlers.api_models import (
    MAX_EVENT_COUNT,
    Accepted,
    Batch,
    Duplicate,
    Error,
    PlaybookDetail,
    Playbooks,
    ProblemOut,
    Problems,
    Registry,
    Report,
    Stored,
    given,
)
from handlers.openapi import Answer, Operation, document
from usecases import api_reads, api_reports
from usecases.shared import messages
from usecases.shared.services import Services

log = logging.getLogger(__name__)

REPORTS_PATH = "/api/v1/reports"
OPENAPI_PATH = "/api/v1/openapi.json"
PLAYBOOKS_PATH = "/api/v1/playbooks"
REGISTRY_PATH = "/api/v1/registry"
RATE_PER_SECOND = api_reports.RATE_PER_SECOND
NO_TOKEN = "a valid token is needed: Authorization: Bearer <token>"
TOO_MANY = f"at most {RATE_PER_SECOND} requests a second per token"
NOT_JSON = "send the body as JSON: Content-Type: application/json"
NOT_UTF8 = "send JSON in UTF-8: Content-Type: application/json, with no other charset"

StartResponse = Callable[..., Any]


class Api:
    """The API's WSGI part, mounted by bot/web.py at /api: ROUTES says which of its
    methods answers a request."""

    def __init__(self, services: Services, read_body: Callable[[dict[str, Any]], bytes]):
        self.services = services
        self.read_body = read_body  # bot/web.py's: 1 MiB at most, unread beyond

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "")
        try:
            operation, parameters = ROUTES.match(method, path)
        except routing.NotFound:
            return _reply(start_response, 404, Error(error="not found"))
        except routing.MethodNotAllowed as err:
            return _reply(start_response, 405, Error(error=err.only), [("Allow", err.allow)])
        token = None
        if operation.secured:  # before the body is read: without a token, nothing of it is
            token = self._token(environ)
            if token is None:
                log.info("api: refused a request without a valid token")
                return _reply(start_response, 401, Error(error=NO_TOKEN), [("WWW-Authenticate", "Bearer")])
            if not api_reports.within_rate(self.services, token):
                return _reply(start_response, 429, Error(error=TOO_MANY), [("Retry-After", "1")])
        try:
            return operation.run(self, environ, start_response, token, **parameters)
        except api_reads.NotReadable as err:
            return _reply(start_response, 403, Error(error=str(err)))
        except api_reads.NotFound as err:
            return _reply(start_response, 404, Error(error=str(err)))

    def post_reports(self, environ: dict[str, Any], start_response: StartResponse, token: Any) -> Iterable[bytes]:
        refused = _not_json(environ.get("CONTENT_TYPE"))  # before the body is read or parsed
        if refused is not None:
            return _reply(start_response, 415, Error(error=refused))
        try:
            body = self.read_body(environ)
        except ValueError as err:  # too large, or a broken Content-Length
            if str(err) == "too large":
                return _reply(
                    start_response, 413, Error(error="request bodies are limited to 1 MiB"), [("Connection", "close")]
                )
            return _reply(start_response, 400, Error(error=str(err)))
        try:
            # pydantic's own parser, as the models read the body: no NaN, no lone surrogates
            document = from_json(body, allow_inf_nan=False)
        except ValueError:  # not UTF-8, not JSON, or nested past its limit
            return _reply(start_response, 400, Error(error="the body is not JSON"))
        try:
            reports = _reports(body, document)
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

    def list_playbooks(self, environ: dict[str, Any], start_response: StartResponse, token: Any) -> Iterable[bytes]:
        return _reply(start_response, 200, {"playbooks": api_reads.playbooks(self.services, token)})

    def get_playbook(
        self, environ: dict[str, Any], start_response: StartResponse, token: Any, slug: str
    ) -> Iterable[bytes]:
        return _reply(start_response, 200, api_reads.playbook(self.services, token, slug))

    def list_registry(self, environ: dict[str, Any], start_response: StartResponse, token: Any) -> Iterable[bytes]:
        return _reply(start_response, 200, {"versions": api_reads.registry_entries(self.services, token)})

    def get_openapi(self, environ: dict[str, Any], start_response: StartResponse, token: None) -> Iterable[bytes]:
        return _reply(start_response, 200, openapi())

    def _token(self, environ: dict[str, Any]) -> Any:
        scheme, _, value = (environ.get("HTTP_AUTHORIZATION") or "").partition(" ")
        return api_reports.authenticate(self.services, value.strip()) if scheme.lower() == "bearer" else None


def refused(description: str, **headers: str) -> Answer:
    """A refusal the document describes: its body is an Error."""
    return Answer(description, Error, headers)


# Every operation with `secured` may answer these too (Api.__call__, before its handler runs).
TOKEN_REFUSALS = {
    401: refused("No valid token"),
    429: refused(f"Over {RATE_PER_SECOND} requests a second for this token", **{"Retry-After": "integer"}),
}
READ_REFUSALS = {
    403: refused("The token may not read"),
    404: refused("No such playbook in the token's scope"),
}

# What the API answers: method, path, handler, and what its OpenAPI document says of each.
ROUTES = routing.Routes(
    routing.Route(
        "POST",
        REPORTS_PATH,
        Operation(
            Api.post_reports,
            "postReports",
            "Report one number, or up to 1,000: all or nothing.",
            body=(Report, Batch),
            answers={
                201: Answer("Stored: what each report counts for, and the duplicates", Stored),
                400: refused("The body is not JSON"),
                403: refused("A playbook or kind outside the token's scope"),
                413: refused("The body is over 1 MiB"),
                415: refused("The body is not sent as application/json (in UTF-8)"),
                422: Answer("Reports refused, by index and field: nothing was stored", Problems),
            },
        ),
    ),
    routing.Route(
        "GET",
        PLAYBOOKS_PATH,
        Operation(
            Api.list_playbooks,
            "listPlaybooks",
            "The playbooks the token may read.",
            {200: Answer("The playbooks the token may read.", Playbooks), **READ_REFUSALS},
        ),
    ),
    routing.Route(
        "GET",
        PLAYBOOKS_PATH + "/{slug}",
        Operation(
            Api.get_playbook,
            "getPlaybook",
            "A playbook: definition, state, the last 12 weeks' figures and verdicts.",
            {
                200: Answer("A playbook: definition, state, the last 12 weeks' figures and verdicts.", PlaybookDetail),
                **READ_REFUSALS,
            },
        ),
    ),
    routing.Route(
        "GET",
        REGISTRY_PATH,
        Operation(
            Api.list_registry,
            "listRegistry",
            "The registry's versions, results and adopters.",
            {200: Answer("The registry's versions, results and adopters.", Registry), **READ_REFUSALS},
        ),
    ),
    routing.Route(
        "GET",
        OPENAPI_PATH,
        Operation(
            Api.get_openapi, "openapi", "This document.", {200: Answer("The OpenAPI 3.1 document")}, secured=False
        ),
    ),
)


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


def _reports(body: bytes, document: Any) -> list[messages.ReportCommand | api_reports.Unfit]:
    """One report, or {"reports": [...]}: checked for their types, strictly, from the JSON
    itself (raises ValidationError). `document` is the body parsed, to tell which it is."""
    if isinstance(document, dict) and "reports" in document:
        items = Batch.model_validate_json(body).reports
    else:
        items = [Report.model_validate_json(body)]
    return [item.command() for item in items]


# What each field is, for a value of the wrong JSON type: "count is a whole number ..., not 1.0".
EXPECTED = {
    "count": f"a whole number from 1 to {MAX_EVENT_COUNT:,}",
    "value": "a number",
    "at": 'an instant in ISO 8601 with its offset ("2027-01-08T09:00:00Z")',
    "kind": "one of kpi, guardrail, cases, rubric, exception, event",
    **{name: "text" for name in ("playbook", "step", "reason", "event", "key")},
}
WRONG_TYPE = {
    "int_type",
    "int_parsing",
    "int_from_float",
    "float_type",
    "float_parsing",
    "string_type",
    "datetime_type",
    "datetime_parsing",
    "datetime_from_date_parsing",
    "timezone_aware",
    "literal_error",
    "greater_than_equal",  # count's 1 to 10,000
    "less_than_equal",
}


def _problems(err: ValidationError, document: Any) -> list[ProblemOut]:
    """pydantic's errors as the API's: the report's index and the field, and for a value of
    the wrong type what the field is and what was sent, in words."""
    batch = isinstance(document, dict) and "reports" in document
    problems = []
    for e in err.errors():
        loc = list(e["loc"])
        index: int | None = 0 if not batch else None
        if batch and len(loc) >= 2 and loc[0] == "reports" and isinstance(loc[1], int):
            index, loc = loc[1], loc[2:]
        names = [str(part) for part in loc if isinstance(part, str)]
        field = names[0] if names else "body"
        message = e["msg"].removeprefix("Value error, ")
        if len(loc) == 1 and field in EXPECTED and e["type"] in WRONG_TYPE:
            message = f"{field} is {EXPECTED[field]}, not {given(e['input'])}"
        problems.append(ProblemOut(index=index, field=field, message=message))
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
    415: "415 Unsupported Media Type",
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


def openapi() -> dict[str, Any]:
    """The OpenAPI 3.1 document of what this module serves: from ROUTES and the models."""
    return document(
        ROUTES,
        info={
            "title": "Rollout Cadence Bot reporting API",
            "version": "1",
            "description": "Numbers from the systems that hold them, under the rules of /rollout (docs/api.md).",
        },
        scheme={"type": "http", "scheme": "bearer", "description": "rollout token create"},
        secured_answers=TOKEN_REFUSALS,
    )
