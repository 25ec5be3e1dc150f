"""The reporting API over HTTP (docs/api.md), a FastAPI application: `POST /api/v1/reports`,
the reads under `GET /api/v1/playbooks`, `/api/v1/registry`, `/api/v1/learnings` and
`/api/v1/digest` (the same reads an assistant's tools answer with, handlers/mcp_tools.py),
the export's tables as CSV at `GET /api/v1/export/<table>.csv` (usecases/api_export.py),
and the OpenAPI document at `GET /api/v1/openapi.json`.

`make_api` builds the application, to be mounted at /api; ROUTER declares its routes,
relative to that mount, the reads included from handlers/api_read_routes.py (READS); what
a route depends on (the services, the token, the body) is handlers/api_access.py's. The
OpenAPI document is FastAPI's, derived from ROUTER and the pydantic models
(handlers/api_models.py): each route's path, parameters, security and answers as
declared, the schemas from the same models that check requests. What a
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
from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Path
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import TypeAdapter, ValidationError
from starlette.exceptions import HTTPException

from handlers import http_errors
from handlers.api_access import Served, Token, _json_body
from handlers.api_models import (
    Accepted,
    Batch,
    Duplicate,
    Problems,
    Report,
    Stored,
)
from handlers.api_read_routes import READS
from handlers.api_refusals import (
    REFUSALS,
    TOKEN_REFUSALS,
    Refused,
    _problems,
    _refusal_described,
    _refused,
)
from usecases import api_export, api_reports
from usecases.shared import messages
from usecases.shared.services import Services

PREFIX = "/api"  # where bot/web.py mounts the application: the document's paths start with it
SCHEMAS = "#/components/schemas/{model}"


# ---- the routes ----


# The body is read by _json_body, so FastAPI does not describe it: pydantic does, from the
# models that validate it (_reports), as it describes every model; the models' schemas join
# the document's components (_document), where the schema's references point.
REPORT_BODY = TypeAdapter(Report | Batch)
REPORT_SCHEMA = {k: v for k, v in REPORT_BODY.json_schema(ref_template=SCHEMAS).items() if k != "$defs"}

ROUTER = APIRouter()


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
        408: _refusal_described("The body did not all come within 5 s of the request's head: nothing was stored"),
        413: _refusal_described("The body is over 1 MiB"),
        415: _refusal_described("The body is not sent as application/json (in UTF-8)"),
        422: {"model": Problems, "description": "Reports refused, by index and field: nothing was stored"},
    },
    # FastAPI's way to describe a body it does not read (_json_body reads it): the schema
    # derived from the models that validate it.
    openapi_extra={"requestBody": {"required": True, "content": {"application/json": {"schema": REPORT_SCHEMA}}}},
)
def post_reports(
    services: Served,
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


ROUTER.include_router(READS)  # the reads (handlers/api_read_routes.py), in the document after the reports


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
    services: Served,
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
