"""Sources: the systems a playbook's numbers are pulled from (`sources:` and `from:` in
the YAML; docs/sources.md). The schema and the checks made at load, in plain Python:
which number each `from:` feeds, whether an SQL text only reads, whether a path can
lead to a number. The environment is passed in; fetching is sources/' job."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, model_validator

SOURCE_RE = r"^[a-z0-9][a-z0-9_-]{0,24}$"  # `source:<name>` fits a report's reported_by (32)
ENV_RE = r"^[A-Za-z_][A-Za-z0-9_]{0,99}$"
PATH_RE = re.compile(r"^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$")
BY_PREFIX = "source:"
# What a `from:` can feed: the KPI, the guardrail, a step's cases, exceptions and rubric,
# and the KPI of the rest (`rest_query`/`rest_path`, with the KPI's `compare`).
FEEDS = ("kpi", "guardrail", "cases", "exceptions", "rubric", "rest")
AGAIN_AFTER = timedelta(minutes=30)  # a missing number is asked for again at the soonest this long after
LONGEST_WAIT = timedelta(hours=4)  # a source that keeps failing is asked at least this often
_WRITES = re.compile(
    r"\b(insert|update|delete|merge|upsert|create|drop|alter|truncate|grant|revoke|copy|"
    r"attach|detach|pragma|vacuum|reindex|into|refresh|notify|nextval|setval)\b",
    re.IGNORECASE,
)


class _Plain(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True, strict=True)


class SourceSpec(_Plain):
    """A system numbers come from. Its secrets (a token, a URL with a password) are named
    by environment variable, never written in the YAML."""

    kind: Literal["prometheus", "sql", "http"]
    url: str | None = Field(default=None, max_length=500)
    url_env: str | None = Field(default=None, pattern=ENV_RE)
    token_env: str | None = Field(default=None, pattern=ENV_RE)

    @model_validator(mode="after")
    def _one_url(self) -> SourceSpec:
        if (self.url is None) == (self.url_env is None):
            raise ValueError("give 'url' or 'url_env' (an environment variable holding the URL), one of them")
        if self.url is not None:
            parts = urlsplit(self.url)
            if parts.password is not None or parts.username is not None:
                raise ValueError("a URL with credentials goes in an environment variable: name it with 'url_env'")
            if self.kind != "sql" and parts.scheme not in ("http", "https"):
                raise ValueError(f"a {self.kind} source's url must be an http:// or https:// link")
        if self.kind == "sql" and self.token_env is not None:
            raise ValueError("an sql source takes no token_env: its credentials go in the URL, named by url_env")
        return self

    def variables(self) -> list[str]:
        return [name for name in (self.url_env, self.token_env) if name is not None]


class FromSpec(_Plain):
    """Where one number comes from: a source, and its query (prometheus, sql) or the
    dotted path of the number in the JSON answer (http)."""

    source: str = Field(pattern=SOURCE_RE)
    query: str | None = Field(default=None, min_length=1, max_length=4000)
    path: str | None = Field(default=None, min_length=1, max_length=200)
    # the KPI's only: the same number for the rest of the work (docs/sources.md)
    rest_query: str | None = Field(default=None, min_length=1, max_length=4000)
    rest_path: str | None = Field(default=None, min_length=1, max_length=200)


class SampleFromSpec(_Plain):
    """A review of a sample, from two numbers: how many of the reviewed cases passed, and
    how many were reviewed (`rubric: {passed: …, reviewed: …}`; docs/judgement.md)."""

    passed: FromSpec
    reviewed: FromSpec


class DimensionsFromSpec(_Plain):
    """A review by rubric dimension, from counts: how many cases were reviewed, and how
    many of them passed on each of the step's dimensions (`rubric: {reviewed: …,
    dimensions: {tone: …, accuracy: …}}`; cadence/dimensions.py)."""

    reviewed: FromSpec
    dimensions: dict[str, FromSpec] = Field(min_length=1, max_length=8)


class StepFromSpec(_Plain):
    cases: FromSpec | None = None
    exceptions: FromSpec | None = None
    rubric: FromSpec | SampleFromSpec | DimensionsFromSpec | None = None


@dataclass(frozen=True)
class Entry:
    """One sourced number of a playbook: what it feeds (`kpi`, `guardrail`, or a step's
    `cases`, `exceptions`, `rubric`), the step, and where it comes from."""

    feeds: str
    step: str | None
    source: str
    query: str | None
    path: str | None
    # a rubric from a sample: this entry asks for the passed count, `reviewed` for the sample
    reviewed: Entry | None = None
    # a rubric by dimension: this entry asks for the reviewed count, these for each dimension's passed
    dimensions: tuple[tuple[str, Entry], ...] = ()

    @property
    def key(self) -> str:
        """The number's name, stored with each fetch: `kpi`, `guardrail`, `cases:draft`."""
        return self.feeds if self.step is None else f"{self.feeds}:{self.step}"

    @property
    def asked(self) -> str:
        """What the source is asked: the query, or the path (both, for a sample)."""
        asked = self.query if self.query is not None else f"path {self.path}"
        if self.dimensions:
            each = (f"{name} ({e.source}): {e.asked}" for name, e in self.dimensions)
            return f"reviewed: {asked}; " + "; ".join(each)
        if self.reviewed is None:
            return asked
        return f"passed: {asked}; reviewed ({self.reviewed.source}): {self.reviewed.asked}"

    def words(self, kpi_name: str = "the KPI", guardrail_name: str = "the guardrail") -> str:
        if self.feeds == "kpi":
            return f"the KPI ({kpi_name})"
        if self.feeds == "guardrail":
            return f"the guardrail ({guardrail_name})"
        if self.feeds == "value":
            return "the value measure's events"
        if self.feeds == "cost":
            return "the playbook's cost a month"
        if self.feeds == "rest":
            return f"the rest's KPI ({kpi_name})"
        return f"step {self.step}'s {'rubric score' if self.feeds == 'rubric' else self.feeds}"


def entries(definition: Mapping[str, object]) -> list[Entry]:
    """The sourced numbers of a playbook definition (as stored: plain data), in order."""
    found: list[Entry] = []
    for feeds in ("kpi", "guardrail", "value"):  # value: the week's count of its events
        section = definition.get(feeds)
        if isinstance(section, Mapping):
            _add(found, feeds, None, section.get("from"))
    cost = definition.get("cost")  # what the playbook costs a month, asked each week (net value)
    if isinstance(cost, Mapping) and cost.get("source"):
        _add(found, "cost", None, cost)
    _add_rest(found, definition.get("kpi"))
    for step in definition.get("steps") or []:  # type: ignore[attr-defined]
        given = step.get("from") if isinstance(step, Mapping) else None
        if isinstance(given, Mapping):
            for feeds in ("cases", "exceptions", "rubric"):
                _add(found, feeds, str(step["name"]), given.get(feeds))
    return found


def _entry(feeds: str, step: str | None, spec: Mapping[str, object], reviewed: Entry | None = None) -> Entry:
    """One `from:` asking its source for a number."""
    query, path = spec.get("query"), spec.get("path")
    return Entry(feeds, step, str(spec["source"]), str(query) if query else None, str(path) if path else None, reviewed)


def _add(found: list[Entry], feeds: str, step: str | None, spec: object) -> None:
    """A `from:` added to `found` as its entry: one number, a sample's two or a review's
    counts by dimension (an incomplete one: none)."""
    if isinstance(spec, Mapping) and spec.get("source"):
        found.append(_entry(feeds, step, spec))
    elif isinstance(spec, Mapping) and isinstance(spec.get("passed"), Mapping):  # a sample: passed, reviewed
        found.extend(_sample_entry(feeds, step, spec))
    elif isinstance(spec, Mapping) and isinstance(spec.get("dimensions"), Mapping):  # reviewed, per dimension
        found.extend(_dimensions_entry(feeds, step, spec))


def _sample_entry(feeds: str, step: str | None, spec: Mapping[Any, Any]) -> list[Entry]:
    """A sample's entry, asking for the cases that passed with the reviewed ones; none
    unless both name a source."""
    passed, reviewed = spec["passed"], spec.get("reviewed")
    if isinstance(reviewed, Mapping) and passed.get("source") and reviewed.get("source"):
        return [_entry(feeds, step, passed, _entry(feeds, step, reviewed))]
    return []


def _dimensions_entry(feeds: str, step: str | None, spec: Mapping[Any, Any]) -> list[Entry]:
    """A review by dimension's entry: the reviewed count's, with each dimension's; none
    unless the reviewed count names a source."""
    reviewed, each = spec.get("reviewed"), spec["dimensions"]
    if isinstance(reviewed, Mapping) and reviewed.get("source"):
        counts = tuple((str(name), _entry(feeds, step, d)) for name, d in each.items() if isinstance(d, Mapping))
        return [replace(_entry(feeds, step, reviewed), dimensions=counts)]
    return []


def _add_rest(found: list[Entry], kpi: object) -> None:
    """The rest's KPI (`kpi.compare`), asked from the KPI's source by its rest_query or rest_path."""
    given = kpi.get("from") if isinstance(kpi, Mapping) else None
    if isinstance(given, Mapping) and given.get("source") and (given.get("rest_query") or given.get("rest_path")):
        _add(
            found,
            "rest",
            None,
            {"source": given["source"], "query": given.get("rest_query"), "path": given.get("rest_path")},
        )


def entry_for(definition: Mapping[str, object], feeds: str, step: str | None = None) -> Entry | None:
    """The `from:` that feeds a number, if one does."""
    return next((e for e in entries(definition) if e.feeds == feeds and e.step == step), None)


def only_reads(sql: str) -> bool:
    """One SELECT (or WITH … SELECT), nothing that writes, no second statement."""
    text = re.sub(r"--[^\n]*|/\*.*?\*/", " ", sql, flags=re.DOTALL).strip().rstrip(";").strip()
    if ";" in text or not re.match(r"^(select|with)\b", text, re.IGNORECASE):
        return False
    if not re.search(r"\bselect\b", text, re.IGNORECASE):
        return False
    return _WRITES.search(re.sub(r"'[^']*'", "''", text)) is None


def check_entry(where: str, entry: FromSpec, sources: Mapping[str, SourceSpec]) -> str | None:
    """The problem with a `from:`, in words, or None."""
    problem = _rest_problem(where, entry, sources)
    if problem is not None:
        return problem
    source = sources.get(entry.source)
    if source is None:
        named = ", ".join(sorted(sources)) or "none"
        return f"{where}: unknown source {entry.source!r} (the playbook's sources: {named})"
    if source.kind == "http":
        return _http_problem(where, entry)
    if entry.path is not None:
        return f"{where}: a {source.kind} source takes a 'query', not a path"
    if entry.query is None:
        return f"{where}: give the {source.kind} 'query' that returns the number"
    if source.kind == "sql" and not only_reads(entry.query):
        return f"{where}: the query must be one SELECT (or WITH … SELECT) that only reads"
    return None


def _rest_problem(where: str, entry: FromSpec, sources: Mapping[str, SourceSpec]) -> str | None:
    """The problem with a `from:`'s rest_query or rest_path, if it has one: the KPI's only,
    and checked as a `from:` of its own."""
    if entry.rest_query is None and entry.rest_path is None:
        return None
    if where != "kpi.from":
        return f"{where}: rest_query and rest_path are the KPI's (with compare), not this number's"
    rest = FromSpec(source=entry.source, query=entry.rest_query, path=entry.rest_path)
    problem = check_entry(where, rest, sources)
    if problem is not None:
        return problem.replace(where, f"{where} (the rest's)", 1)
    return None


def _http_problem(where: str, entry: FromSpec) -> str | None:
    """The problem with a `from:` asking an http source: it takes a path to a number, not a query."""
    if entry.query is not None:
        return f"{where}: an http source takes a 'path' (where the number is in the JSON answer), not a query"
    if entry.path is None:
        return f"{where}: give the 'path' of the number in the JSON answer (e.g. rubric.draft)"
    if not PATH_RE.match(entry.path):
        return f"{where}: path {entry.path!r} cannot lead to a number: use keys and indexes joined by dots"
    return None


def unset_variables(sources: Mapping[str, SourceSpec], environ: Mapping[str, str]) -> list[str]:
    """'sources.<name>: ...' lines for every environment variable a source names that is
    not set (or empty) in `environ`."""
    return [
        f"sources.{name}: environment variable {variable} is not set"
        for name, spec in sources.items()
        for variable in spec.variables()
        if not environ.get(variable)
    ]


def next_ask(last_at: datetime, failures: int, closes_at: datetime) -> datetime:
    """When a source that failed `failures` asks in a row for a week's numbers is asked
    again: 30 minutes after the first failure, then twice as long after each further one
    (1 h, 2 h, up to 4 h), so a source that keeps failing is asked less often, not more;
    but a last time 30 minutes before the week closes, when the wait would pass the close
    (the week's grace is its chance). With 12 hours of grace: 00:00, 00:30, 01:30, 03:30,
    07:30 and 11:30."""
    wait = min(AGAIN_AFTER * (1 << min(max(0, failures - 1), 8)), LONGEST_WAIT)
    last_chance = closes_at - AGAIN_AFTER
    if last_at + wait < last_chance:
        return last_at + wait
    return max(last_chance, last_at + AGAIN_AFTER)


def failed(
    definition: Mapping[str, object], kpi_name: str, guardrail_name: str, errors: Mapping[str, str]
) -> dict[str, dict[str, str]]:
    """The sourced numbers a week closed without (`errors`, by entry key), by what they
    feed: MISSING ("source failed: ...")."""
    found = {}
    for entry in entries(definition):
        if entry.key in errors:
            found[entry.key] = {
                "what": entry.words(kpi_name, guardrail_name),
                "source": entry.source,
                "error": errors[entry.key],
            }
    return found
