"""The reporting API over HTTP (docs/api.md), a FastAPI application: `POST /api/v1/reports`,
the reads under `GET /api/v1/playbooks`, `/api/v1/registry`, `/api/v1/learnings` and
`/api/v1/digest` (the same reads an assistant's tools answer with, handlers/mcp_tools.py),
the export's tables as CSV at `GET /api/v1/export/<table>.csv` (usecases/api_export.py),
and the OpenAPI document at `GET /api/v1/openapi.json`.

`make_api` builds the application, to be mounted at /api; ROUTER declares its routes,
relative to that mount. The OpenAPI document is FastAPI's, derived from ROUTER and the
pydantic models (handlers/api_models.py): each route's path, parameters, security and
answers as declared here, the schemas from the same models that check requests. What a
report means is the use case's (usecases/api_reports.py), under the rules of `/rollout`.

In order: 404/405 for other paths and methods (the router); 401 without a valid token;
429 past 20 requests a second per token, in every process together (usecases/api_reports.py,
within_rate); 415 for a body not sent as `application/json`, unread; 413 for a body over
1 MiB, discarded beyond it (bot/web.py's BodyLimits, which holds every route's body: before
all of these when its Content-Length says so); 400 for a body that is not JSON; 422 for
reports of the wrong types or that the rules refuse (every problem, by index and field); 403 for a playbook
or kind outside the token's scope; 201 with what was accepted and what were duplicates.
Every refusal is an exception (ours, the router's, the use cases'), answered as
`{"error": ...}` or `{"errors": [...]}`: the router's (and BodyLimits') HTTPException by
handlers/http_errors.py, as every app of the process answers it, the others by the one
handler of the API's own, `_refused` (handlers/api_refusals.py). No token and no body is ever logged.

The body of a report is read here, not by FastAPI: in that order (a token before a byte
of the body), and strictly typed over the JSON itself (pydantic's strict mode with
model_validate_json: `true`, `"14.5"` or `1.0` where a whole count is expected is
refused, never read as 1, 14.5 or 1; a number is never read as text, nor as an instant).
The route functions that touch the database are plain `def`s: FastAPI runs them, and the
token's check, in its thread pool, away from the event loop.
"""

from __future__ import annotations

import copy
import csv
import functools
import io
import logging
from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Path, Request
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import TypeAdapter, ValidationError
from pydantic_core import from_json
from starlette.exceptions import HTTPException

from cadence.arms import MAX_CASE_CHARS
from cadence.definition import SLUG_RE
from handlers import (
    http_errors,
    paths,  # noqa: F401 (registers {slug:slug}, which ROUTER's paths use)
)
from handlers.api_models import (
    Accepted,
    Batch,
    Duplicate,
    Problems,
    Report,
    Stored,
)
from handlers.api_playbook_models import ArmOut, PlaybookDetail, Playbooks, Registry
from handlers.api_read_models import Decisions, DigestOut, Learnings, PlaybookReadiness
from handlers.api_refusals import (
    NO_TOKEN,
    NOT_JSON,
    NOT_UTF8,
    READ_REFUSALS,
    REFUSALS,
    TOKEN_REFUSALS,
    TOO_MANY,
    Refused,
    _error,
    _problems,
    _refusal_described,
    _refused,
)
from usecases import api_digest, api_export, api_readiness, api_reads, api_reports, arms
from usecases.shared import messages
from usecases.shared.services import Services

log = logging.getLogger(__name__)

PREFIX = "/api"  # where bot/web.py mounts the application: the document's paths start with it
SCHEMAS = "#/components/schemas/{model}"


# ---- what a route depends on: the use cases' services, the token, the body ----


async def _services(request: Request) -> Services:  # async: not worth a trip to the thread pool
    services: Services = request.app.state.services
    return services


BEARER = HTTPBearer(scheme_name="token", description="rollout token create", auto_error=False)


def _token(
    services: Annotated[Services, Depends(_services)],
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


# ---- the routes ----


# The body is read by _json_body, so FastAPI does not describe it: pydantic does, from the
# models that validate it (_reports), as it describes every model; the models' schemas join
# the document's components (_document), where the schema's references point.
REPORT_BODY = TypeAdapter(Report | Batch)
REPORT_SCHEMA = {k: v for k, v in REPORT_BODY.json_schema(ref_template=SCHEMAS).items() if k != "$defs"}

ROUTER = APIRouter()
FUNCTION_PARAMETER = {
    "name": "function",
    "in": "query",
    "required": False,
    "description": "Only the playbooks of this function (any case).",
    "schema": {"type": "string"},
}
CASE_PARAMETER = {
    "name": "case",
    "in": "query",
    "required": True,
    "description": f"The case's id: any text of 1 to {MAX_CASE_CHARS} characters (UTF-8).",
    "schema": {"type": "string", "minLength": 1, "maxLength": MAX_CASE_CHARS},
}


@ROUTER.post(
    "/v1/reports",
    operation_id="postReports",
    summary="Report one number, or up to 1,000: all or nothing.",
    status_code=201,
    response_model=Stored,
    response_description="Stored: what each report counts for, and the duplicates",
    responses={
        **TOKEN_REFUSALS,
        400: _refusal_described("The body is not JSON"),
        403: _refusal_described("A playbook or kind outside the token's scope"),
        413: _refusal_described("The body is over 1 MiB"),
        415: _refusal_described("The body is not sent as application/json (in UTF-8)"),
        422: {"model": Problems, "description": "Reports refused, by index and field: nothing was stored"},
    },
    # FastAPI's way to describe a body it does not read (_json_body reads it): the schema
    # derived from the models that validate it.
    openapi_extra={"requestBody": {"required": True, "content": {"application/json": {"schema": REPORT_SCHEMA}}}},
)
def post_reports(
    services: Annotated[Services, Depends(_services)],
    token: Token,
    sent: Annotated[tuple[bytes, Any], Depends(_json_body)],
) -> Stored:
    body, document = sent
    try:
        reports = _reports(body, document)
    except ValidationError as err:
        raise Refused(422, Problems(errors=_problems(err, document))) from None
    posted = api_reports.post(services, token, reports)  # Forbidden, Invalid: the handlers answer
    return Stored(
        accepted=[Accepted(**a) for a in posted.accepted], duplicates=[Duplicate(**d) for d in posted.duplicates]
    )


# The reads answer the use case's JSON data as it is (JSONResponse): the models describe it
# in the document (and tests/openapi_check.py holds the answers to it), they do not rewrite it.


@ROUTER.get(
    "/v1/playbooks",
    operation_id="listPlaybooks",
    summary="The playbooks the token may read.",
    response_model=Playbooks,
    response_description="The playbooks the token may read.",
    responses=READ_REFUSALS,
    openapi_extra={"parameters": [FUNCTION_PARAMETER]},
)
def list_playbooks(services: Annotated[Services, Depends(_services)], token: Token, request: Request) -> JSONResponse:
    function = request.query_params.get("function")
    return JSONResponse({"playbooks": api_reads.playbooks(services, token, function)})


@ROUTER.get(
    "/v1/playbooks/{slug:slug}",
    operation_id="getPlaybook",
    summary="A playbook: definition, state, the last 12 weeks' figures and verdicts.",
    response_model=PlaybookDetail,
    response_description="A playbook: definition, state, the last 12 weeks' figures and verdicts.",
    responses=READ_REFUSALS,
)
def get_playbook(
    services: Annotated[Services, Depends(_services)],
    token: Token,
    slug: Annotated[str, Path(description="A playbook's slug.", pattern=SLUG_RE)],
) -> JSONResponse:
    return JSONResponse(api_reads.playbook(services, token, slug))


@ROUTER.get(
    "/v1/playbooks/{slug:slug}/arm",
    operation_id="getArm",
    summary="A case's arm, run or holdout, in a playbook that holds cases out: the same answer forever.",
    response_model=ArmOut,
    response_description="The case's arm.",
    responses={
        **TOKEN_REFUSALS,
        404: _refusal_described("No such playbook in the token's scope"),
        409: _refusal_described("The playbook holds no cases out (kpi.compare)"),
        422: _refusal_described(f"No case id, or one over {MAX_CASE_CHARS} characters"),
    },
    # read by the route itself (usecases/arms.py says what is wrong with it, in words)
    openapi_extra={"parameters": [CASE_PARAMETER]},
)
def get_arm(
    services: Annotated[Services, Depends(_services)],
    token: Token,
    slug: Annotated[str, Path(description="A playbook's slug.", pattern=SLUG_RE)],
    request: Request,
) -> JSONResponse:
    assigned = arms.api_assign(services, token, slug, request.query_params.get("case"))
    return JSONResponse(dict(playbook=assigned.playbook, case=assigned.case, arm=assigned.arm, share=assigned.share))


@ROUTER.get(
    "/v1/registry",
    operation_id="listRegistry",
    summary="The registry's versions, results and adopters.",
    response_model=Registry,
    response_description="The registry's versions, results and adopters.",
    responses=READ_REFUSALS,
)
def list_registry(services: Annotated[Services, Depends(_services)], token: Token) -> JSONResponse:
    return JSONResponse({"versions": api_reads.registry_entries(services, token)})


@ROUTER.get(
    "/v1/playbooks/{slug:slug}/readiness",
    operation_id="getReadiness",
    summary='A playbook\'s latest judgement of "ready to scale", each criterion with its numbers.',
    response_model=PlaybookReadiness,
    response_description="Its readiness, the exception queue judged as it stands now.",
    responses=READ_REFUSALS,
)
def get_readiness(
    services: Annotated[Services, Depends(_services)],
    token: Token,
    slug: Annotated[str, Path(description="A playbook's slug.", pattern=SLUG_RE)],
) -> JSONResponse:
    return JSONResponse(api_readiness.judged_readiness(services, token, slug))


@ROUTER.get(
    "/v1/playbooks/{slug:slug}/decisions",
    operation_id="listDecisions",
    summary="A playbook's decisions, newest first: what, by which rule, on what numbers, by whom.",
    response_model=Decisions,
    response_description="Its newest decisions, at most 100.",
    responses={**READ_REFUSALS, 422: _refusal_described("`since` is not a day (YYYY-MM-DD)")},
    openapi_extra={
        "parameters": [
            {
                "name": "since",
                "in": "query",
                "required": False,
                "description": "Only the decisions taken on or after this day (YYYY-MM-DD, where the playbook is).",
                "schema": {"type": "string", "format": "date"},
            }
        ]
    },
)
def list_decisions(
    services: Annotated[Services, Depends(_services)],
    token: Token,
    slug: Annotated[str, Path(description="A playbook's slug.", pattern=SLUG_RE)],
    request: Request,
) -> JSONResponse:
    since = request.query_params.get("since")
    return JSONResponse(api_reads.decisions(services, token, slug, None if since is None else api_reads.day(since)))


@ROUTER.get(
    "/v1/learnings",
    operation_id="searchLearnings",
    summary="Learnings across the token's playbooks holding every word, newest first.",
    response_model=Learnings,
    response_description="The newest learnings that hold every word, at most 50.",
    responses={
        **READ_REFUSALS,
        422: _refusal_described(f"More than {api_reads.SEARCH_WORDS} words, or a word that cannot be stored"),
    },
    openapi_extra={
        "parameters": [
            {
                "name": "q",
                "in": "query",
                "required": False,
                "description": f"The words, each to occur (any case); none: the newest. At most "
                f"{api_reads.SEARCH_WORDS} words of {api_reads.WORD_CHARS} characters.",
                "schema": {"type": "string"},
            },
            {
                "name": "playbook",
                "in": "query",
                "required": False,
                "description": "Only this playbook's learnings (its slug).",
                "schema": {"type": "string"},
            },
        ]
    },
)
def search_learnings(services: Annotated[Services, Depends(_services)], token: Token, request: Request) -> JSONResponse:
    query, slug = request.query_params.get("q", ""), request.query_params.get("playbook")
    return JSONResponse(api_reads.learnings(services, token, query, slug))


@ROUTER.get(
    "/v1/digest",
    operation_id="getDigest",
    summary="The curators' weekly digest as data: each playbook's latest closed week, risks first.",
    response_model=DigestOut,
    response_description="The digest's figures as of now.",
    responses=READ_REFUSALS,
    openapi_extra={"parameters": [FUNCTION_PARAMETER]},
)
def get_digest(services: Annotated[Services, Depends(_services)], token: Token, request: Request) -> JSONResponse:
    return JSONResponse(api_digest.digest(services, token, request.query_params.get("function")))


class CsvResponse(StreamingResponse):
    media_type = "text/csv"


def _as_json(refusal: dict[str, Any]) -> dict[str, Any]:
    """A refusal as the document says it for a route that answers CSV: its body JSON still
    (FastAPI would give a refusal's model the route's own media type)."""
    described = {k: v for k, v in refusal.items() if k != "model"}
    schema = {"$ref": SCHEMAS.format(model=refusal["model"].__name__)}
    return {**described, "content": {"application/json": {"schema": schema}}}


def _csv_lines(rows: Iterator[list[Any]]) -> Iterator[str]:
    """Rows of cells (neutralised already, by the export's producer) as CSV text, a line each."""
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        writer.writerow(row)
        yield out.getvalue()
        out.seek(0)
        out.truncate()


@ROUTER.get(
    "/v1/export/{table}.csv",
    operation_id="exportTable",
    summary="One of the tables `rollout export csv` writes, as CSV: the token's playbooks' rows.",
    response_class=CsvResponse,
    responses={
        200: {
            "description": "The table as CSV: its header, then its rows; names beside ids, formulas neutralised.",
            "content": {"text/csv": {"schema": {"type": "string"}}},
        },
        **{status: _as_json(refusal) for status, refusal in TOKEN_REFUSALS.items()},
        403: _as_json(_refusal_described("The token may not read")),
        404: _as_json(_refusal_described("No such table")),
    },
)
def export_table(
    services: Annotated[Services, Depends(_services)],
    token: Token,
    table: Annotated[
        str, Path(description="The table's name (docs/api.md).", json_schema_extra={"enum": sorted(api_export.TABLES)})
    ],
) -> CsvResponse:
    rows = api_export.table(services, token, table)  # refused here, before the answer starts
    headers = {"Content-Disposition": f"attachment; filename={table}.csv"}
    return CsvResponse(_csv_lines(rows), media_type="text/csv; charset=utf-8", headers=headers)


@ROUTER.get(
    "/v1/openapi.json",
    operation_id="openapi",
    summary="This document.",
    response_model=dict[str, Any],
    response_description="The OpenAPI 3.1 document",
)
async def get_openapi_document() -> JSONResponse:
    return JSONResponse(_document())


# ---- the application ----


def make_api(services: Services) -> FastAPI:
    """The reporting API for `services`, to be mounted at PREFIX. No interactive pages:
    the document is served by a route of ROUTER, under the API's own versioned path."""
    api = FastAPI(openapi_url=None, docs_url=None, redoc_url=None, redirect_slashes=False)
    api.state.services = services
    api.include_router(ROUTER)
    api.add_exception_handler(HTTPException, http_errors.as_json)  # the router's, BodyLimits': as every app's
    for exception in REFUSALS:
        api.add_exception_handler(exception, _refused)
    return api


# ---- the reports, strictly typed ----


def _reports(body: bytes, document: Any) -> list[messages.ReportCommand | api_reports.Unfit]:
    """One report, or {"reports": [...]}: checked for their types, strictly, from the JSON
    itself (raises ValidationError). `document` is the body parsed, to tell which it is."""
    if isinstance(document, dict) and "reports" in document:
        items = Batch.model_validate_json(body).reports
    else:
        items = [Report.model_validate_json(body)]
    return [item.command() for item in items]


# ---- the document ----


def openapi() -> dict[str, Any]:
    """The OpenAPI 3.1 document of the API as mounted at PREFIX (a copy: the caller's to change)."""
    return copy.deepcopy(_document())


@functools.cache
def _document() -> dict[str, Any]:
    document = get_openapi(
        title="Rollout Cadence Bot reporting API",
        version="1",
        description="Numbers from the systems that hold them, under the rules of /rollout (docs/api.md).",
        routes=ROUTER.routes,
        separate_input_output_schemas=False,
    )
    document["paths"] = {PREFIX + path: operations for path, operations in document["paths"].items()}
    # FastAPI gives every operation with parameters a 422 for parameters it refuses; the
    # router matches a slug before (a segment that is no slug is no route's: 404), and an
    # export's table is any text (404 for one it has not), so these never answer it.
    for path in ("/v1/playbooks/{slug}", "/v1/playbooks/{slug}/readiness", "/v1/export/{table}.csv"):
        document["paths"][PREFIX + path]["get"]["responses"].pop("422")
    for unused in ("HTTPValidationError", "ValidationError"):
        document["components"]["schemas"].pop(unused)
    body = REPORT_BODY.json_schema(ref_template=SCHEMAS)
    document["components"]["schemas"].update(body.get("$defs", {}))
    return document
