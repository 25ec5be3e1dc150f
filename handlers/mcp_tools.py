"""An assistant's tools, over the Model Context Protocol (docs/mcp.md): the reporting API's
reads (usecases/api_reads.py, usecases/api_digest.py) as read-only tools of an MCP server
built on the official SDK's low-level `Server` (the `mcp` extra). Each tool's result is
the matching `/api/v1` read's JSON, field for field and number for number, as structured
content (described by the API's own models: its output schema) and as JSON text beside
it; nothing any tool does changes anything.

Who reads is the edge's: over stdio (`rollout mcp`, bot/cli_mcp.py) the operator, every
playbook; over HTTP (`/mcp`, handlers/mcp_http.py) the request's token, its scope, as the
API's. A tool's description and name are ours, fixed here: people's text (learnings,
reasons, titles) reaches an assistant only as values in a result. A call that cannot be
answered (an unknown slug, a bad parameter, arguments not an object, a search too long, a
token that may not read) is a tool error of one sentence; a fault is logged here and answered in one sentence,
never with a traceback. A read blocks on the database: it runs in the thread pool."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import anyio.to_thread
import mcp_types as types
from mcp.server import Server, ServerRequestContext
from mcp.server.context import CallNext, HandlerResult
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from cadence.definition import SLUG_RE
from handlers.api_playbook_models import PlaybookDetail, Playbooks, Registry
from handlers.api_read_models import Decisions, DigestOut, Learnings, PlaybookReadiness
from templates.refusals import phrase, plain
from usecases import api_digest, api_readiness, api_reads
from usecases.api_reads import Reader
from usecases.shared.services import Services

log = logging.getLogger(__name__)

NAME = "rollout-cadence-bot"
INSTRUCTIONS = (
    "Read-only figures of the Rollout Cadence Bot: playbooks rolled out in four-week cycles, their KPIs, "
    "each step's mode and verdicts, readiness to scale, decisions, learnings, the registry and the weekly "
    "digest. Start with list_playbooks for the slugs the other tools take."
)
READ_ONLY = types.ToolAnnotations(
    read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=False
)
FAILED = plain(phrase("tool_failed"))


# ---- the parameters each tool takes ----


class _Parameters(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class NoParameters(_Parameters):
    pass


class ByFunction(_Parameters):
    function: str | None = Field(
        default=None, max_length=100, description="Only the playbooks of this function, e.g. Support (any case)."
    )


class BySlug(_Parameters):
    slug: str = Field(pattern=SLUG_RE, description="A playbook's slug, as list_playbooks gives it.")


class DecisionsSince(BySlug):
    since: str | None = Field(
        default=None,
        pattern=api_reads.DAY.pattern,
        description="Only the decisions taken on or after this day (YYYY-MM-DD, where the playbook is).",
        json_schema_extra={"format": "date"},
    )


class Search(_Parameters):
    query: str = Field(
        max_length=api_reads.QUERY_CHARS,
        description=f"Words that must all occur (any case), at most {api_reads.SEARCH_WORDS}; empty: the newest.",
    )
    playbook: str | None = Field(
        default=None, pattern=SLUG_RE, description="Only this playbook's learnings (its slug)."
    )


# What a parameter is, for a call that gives it wrong: "slug is a playbook's slug ...".
WHAT = {
    "slug": phrase("tool_slug"),
    "playbook": phrase("tool_slug"),
    "since": phrase("tool_since"),
    "function": phrase("tool_function"),
    "query": phrase("tool_query", most=api_reads.QUERY_CHARS),
}


# ---- the tools ----


@dataclass(frozen=True)
class Tool:
    name: str
    title: str
    description: str  # one or two sentences, for an assistant
    parameters: type[_Parameters]
    result: type[BaseModel]  # the API's model of the read's answer: the output schema
    read: Callable[[Services, Reader, Any], dict[str, Any]]  # the read, in the thread pool

    def listed(self) -> types.Tool:
        return types.Tool(
            name=self.name,
            title=self.title,
            description=self.description,
            input_schema=self.parameters.model_json_schema(),
            output_schema=self.result.model_json_schema(mode="serialization"),
            annotations=READ_ONLY,
        )


TOOLS = [
    Tool(
        "list_playbooks",
        "Playbooks",
        "The playbooks you may read, each with its function, status, standing (on track, at risk or stalled, "
        "and why it is stalled), KPI (baseline and target), cycle and week, and each step's mode. Give a function "
        "to list only its playbooks.",
        ByFunction,
        Playbooks,
        lambda services, reader, p: {"playbooks": api_reads.playbooks(services, reader, p.function)},
    ),
    Tool(
        "playbook",
        "A playbook's status",
        "One playbook in full: its definition, standing, KPI, each step's mode, the last 12 weeks' figures with each "
        "step's verdict and intervals, its value measure and its latest readiness.",
        BySlug,
        PlaybookDetail,
        lambda services, reader, p: api_reads.playbook(services, reader, p.slug),
    ),
    Tool(
        "readiness",
        "Ready to scale?",
        'A playbook\'s latest judgement of "ready to scale": ready or not, the criteria missing, and each '
        "criterion with the numbers it was judged on.",
        BySlug,
        PlaybookReadiness,
        lambda services, reader, p: api_readiness.judged_readiness(services, reader, p.slug),
    ),
    Tool(
        "registry",
        "The registry",
        "Every published playbook version with its results and the teams that adopted it, with their "
        "replication verdicts.",
        NoParameters,
        Registry,
        lambda services, reader, p: {"versions": api_reads.registry_entries(services, reader)},
    ),
    Tool(
        "decisions",
        "A playbook's decisions",
        "A playbook's decisions, newest first (at most 100): what was decided, by which rule, on what numbers "
        "and by whom. Give a day (since) to see only those from then on.",
        DecisionsSince,
        Decisions,
        lambda services, reader, p: api_reads.decisions(
            services, reader, p.slug, None if p.since is None else api_reads.day(p.since)
        ),
    ),
    Tool(
        "learnings",
        "Search learnings",
        "Learnings the teams wrote, newest first (at most 50), holding every word of the query; each with its "
        "playbook, cycle, author and date. Give a playbook to search only its learnings.",
        Search,
        Learnings,
        lambda services, reader, p: api_reads.learnings(services, reader, p.query, p.playbook),
    ),
    Tool(
        "digest",
        "The weekly digest",
        "The curators' weekly digest as data: each playbook's latest closed week, KPI against baseline and "
        "target, exception ratios, risks and standing, stalled and at-risk first; the org's licenses against "
        "results (each AI tool's seats, their holders active, the playbooks on it and how many moved their KPI). "
        "Give a function for its part only.",
        ByFunction,
        DigestOut,
        lambda services, reader, p: api_digest.digest(services, reader, p.function),
    ),
]
BY_NAME = {tool.name: tool for tool in TOOLS}


def make_server(services: Services, reader_of: Callable[[ServerRequestContext[Any, Any]], Reader]) -> Server[Any]:
    """An MCP server of TOOLS over `services`, each call read as `reader_of` says who
    asks (the operator over stdio, the request's token over HTTP)."""

    async def list_tools(ctx: ServerRequestContext[Any, Any], params: Any) -> types.ListToolsResult:
        return types.ListToolsResult(tools=LISTED)

    async def call_tool(
        ctx: ServerRequestContext[Any, Any], params: types.CallToolRequestParams
    ) -> types.CallToolResult:
        return await call(services, reader_of(ctx), params.name, params.arguments)

    async def arguments_not_an_object(ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
        """A call whose `arguments` is not an object (a list, text, a number) fails the
        SDK's own check of the request, answered `-32602 Invalid request parameters`: it is
        a parameter of the wrong kind, so the tool's error of one sentence instead, as for
        any other (the SDK's middleware sees the failure, docs/mcp.md)."""
        try:
            return await call_next(ctx)
        except ValidationError:
            params = ctx.params or {}
            name, arguments = params.get("name"), params.get("arguments")
            if (
                ctx.method != "tools/call"
                or not isinstance(name, str)
                or arguments is None
                or isinstance(arguments, Mapping)
            ):
                raise
            return await call(services, reader_of(ctx), name, arguments)

    server: Server[Any] = Server(
        NAME,
        version=_version(),
        title="Rollout Cadence Bot",
        instructions=INSTRUCTIONS,
        on_list_tools=list_tools,
        on_call_tool=call_tool,
    )
    server.middleware.append(arguments_not_an_object)
    return server


LISTED = [tool.listed() for tool in TOOLS]


async def call(services: Services, reader: Reader, name: str, arguments: Any) -> types.CallToolResult:
    """Tool `name` called with `arguments` for `reader`: its read's JSON, or a tool error."""
    tool = BY_NAME.get(name)
    if tool is None:
        return refused(plain(phrase("tool_unknown", tools=", ".join(BY_NAME))))
    if arguments is not None and not isinstance(arguments, Mapping):
        return refused(not_an_object(tool))
    try:
        parameters = tool.parameters.model_validate(arguments or {})
    except ValidationError as err:
        return refused(wrong_parameters(tool, err))
    try:
        data = await anyio.to_thread.run_sync(tool.read, services, reader, parameters)
    except (api_reads.NotFound, api_reads.NotReadable, api_reads.Unfit) as err:
        return refused(str(err))
    except Exception:
        log.exception("mcp: the tool %s failed", tool.name)
        return refused(FAILED)
    text = json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return types.CallToolResult(content=[types.TextContent(text=text)], structured_content=data)


def refused(sentence: str) -> types.CallToolResult:
    return types.CallToolResult(content=[types.TextContent(text=sentence)], is_error=True)


def wrong_parameters(tool: Tool, err: ValidationError) -> str:
    """A call's parameters that its tool cannot take, in one sentence: the first problem,
    named by the parameter, never the value sent (it is the caller's)."""
    problem = err.errors()[0]
    field = str(problem["loc"][0]) if problem["loc"] else ""
    takes = list(tool.parameters.model_fields)
    if problem["type"] == "extra_forbidden" or field not in takes:
        if not takes:
            return plain(phrase("tool_takes_nothing", tool=tool.name))
        return plain(phrase("tool_takes", tool=tool.name, takes=" and ".join(takes)))
    if problem["type"] == "missing":
        return plain(phrase("tool_needs", tool=tool.name, field=field, what=WHAT[field]))
    return plain(phrase("tool_parameter_is", field=field, what=WHAT[field]))


def not_an_object(tool: Tool) -> str:
    """A call whose arguments are not an object (a list, text, a number), in one sentence:
    what the tool takes, as wrong_parameters says it, never the value sent."""
    takes = list(tool.parameters.model_fields)
    if not takes:
        return plain(phrase("tool_takes_nothing", tool=tool.name))
    return plain(phrase("tool_takes_an_object", tool=tool.name, takes=" and ".join(takes)))


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("rollout-cadence-bot")
    except PackageNotFoundError:  # a checkout run without installing it
        return "0"
