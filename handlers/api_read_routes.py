"""The reporting API's reads (docs/api.md): `GET /api/v1/playbooks` and a playbook's own
(its arm, readiness and decisions), `/api/v1/registry`, `/api/v1/learnings` and
`/api/v1/digest`, the same reads an assistant's tools answer with (handlers/mcp_tools.py).
READS declares them; handlers/api.py's ROUTER includes it, between the reports' route and
the export's, so the OpenAPI document lists them in that order."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import JSONResponse

from cadence.arms import MAX_CASE_CHARS
from cadence.definition import SLUG_RE
from handlers import paths  # noqa: F401 (registers {slug:slug}, which READS's paths use)
from handlers.api_access import Served, Token
from handlers.api_playbook_models import ArmOut, PlaybookDetail, Playbooks, Registry
from handlers.api_read_models import Decisions, DigestOut, Learnings, PlaybookReadiness
from handlers.api_refusals import READ_REFUSALS, TOKEN_REFUSALS, _refusal_described
from usecases import api_digest, api_readiness, api_reads, arms

READS = APIRouter()
Slug = Annotated[str, Path(description="A playbook's slug.", pattern=SLUG_RE)]  # a route's {slug}
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


# The reads answer the use case's JSON data as it is (JSONResponse): the models describe it
# in the document (and tests/openapi_check.py holds the answers to it), they do not rewrite it.


@READS.get(
    "/v1/playbooks",
    operation_id="listPlaybooks",
    summary="The playbooks the token may read.",
    response_model=Playbooks,
    response_description="The playbooks the token may read.",
    responses=READ_REFUSALS,
    openapi_extra={"parameters": [FUNCTION_PARAMETER]},
)
def list_playbooks(services: Served, token: Token, request: Request) -> JSONResponse:
    function = request.query_params.get("function")
    return JSONResponse({"playbooks": api_reads.playbooks(services, token, function)})


@READS.get(
    "/v1/playbooks/{slug:slug}",
    operation_id="getPlaybook",
    summary="A playbook: definition, state, the last 12 weeks' figures and verdicts.",
    response_model=PlaybookDetail,
    response_description="A playbook: definition, state, the last 12 weeks' figures and verdicts.",
    responses=READ_REFUSALS,
)
def get_playbook(
    services: Served,
    token: Token,
    slug: Slug,
) -> JSONResponse:
    return JSONResponse(api_reads.playbook(services, token, slug))


@READS.get(
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
    services: Served,
    token: Token,
    slug: Slug,
    request: Request,
) -> JSONResponse:
    assigned = arms.api_assign(services, token, slug, request.query_params.get("case"))
    return JSONResponse(dict(playbook=assigned.playbook, case=assigned.case, arm=assigned.arm, share=assigned.share))


@READS.get(
    "/v1/registry",
    operation_id="listRegistry",
    summary="The registry's versions, results and adopters.",
    response_model=Registry,
    response_description="The registry's versions, results and adopters.",
    responses=READ_REFUSALS,
)
def list_registry(services: Served, token: Token) -> JSONResponse:
    return JSONResponse({"versions": api_reads.registry_entries(services, token)})


@READS.get(
    "/v1/playbooks/{slug:slug}/readiness",
    operation_id="getReadiness",
    summary='A playbook\'s latest judgement of "ready to scale", each criterion with its numbers.',
    response_model=PlaybookReadiness,
    response_description="Its readiness, the exception queue judged as it stands now.",
    responses=READ_REFUSALS,
)
def get_readiness(
    services: Served,
    token: Token,
    slug: Slug,
) -> JSONResponse:
    return JSONResponse(api_readiness.judged_readiness(services, token, slug))


@READS.get(
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
    services: Served,
    token: Token,
    slug: Slug,
    request: Request,
) -> JSONResponse:
    since = request.query_params.get("since")
    return JSONResponse(api_reads.decisions(services, token, slug, None if since is None else api_reads.day(since)))


@READS.get(
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
def search_learnings(services: Served, token: Token, request: Request) -> JSONResponse:
    query, slug = request.query_params.get("q", ""), request.query_params.get("playbook")
    return JSONResponse(api_reads.learnings(services, token, query, slug))


@READS.get(
    "/v1/digest",
    operation_id="getDigest",
    summary="The curators' weekly digest as data: each playbook's latest closed week, risks first.",
    response_model=DigestOut,
    response_description="The digest's figures as of now.",
    responses=READ_REFUSALS,
    openapi_extra={"parameters": [FUNCTION_PARAMETER]},
)
def get_digest(services: Served, token: Token, request: Request) -> JSONResponse:
    return JSONResponse(api_digest.digest(services, token, request.query_params.get("function")))
