"""A usage source as the organization's file declares it (cadence/usage_sources.py): its
kind made into the module that pulls it, with its secret read from the environment
variable the file names. Kept apart from the file's checks so that a source whose
variable went missing after `rollout usage load` fails its own pull, said with the
variable's name (never a value), while the other sources pull."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

from cadence.usage_sources import UsageSourceSpec
from sources import SourceFailed
from sources.usage import UsageSource, required
from sources.usage.claude_code import ClaudeCode
from sources.usage.copilot import API as GITHUB
from sources.usage.copilot import Copilot
from sources.usage.csv_file import CsvFile
from sources.usage.http_json import HttpJson
from sources.usage.m365_copilot import GRAPH, LOGIN, M365Copilot
from sources.usage.openai_usage import API as OPENAI
from sources.usage.openai_usage import OpenAIUsage

ANTHROPIC = "https://api.anthropic.com"


def build(name: str, spec: UsageSourceSpec, env: Mapping[str, str]) -> UsageSource:
    """The source `name` (the tool its records are of, as a step's `tool:` names it).
    Raises SourceFailed naming a variable the spec names that is not set."""
    return _BUILDERS[spec.kind](name, spec, env)


def _secret(spec: UsageSourceSpec, env: Mapping[str, str]) -> str:
    """The token the spec's `token_env` names (the file's checks make a vendor name one)."""
    if spec.token_env is None:
        raise SourceFailed(f"kind {spec.kind} needs token_env: the variable holding its token")
    return required(env, spec.token_env)


def _copilot(name: str, spec: UsageSourceSpec, env: Mapping[str, str]) -> UsageSource:
    return Copilot(_secret(spec, env), org=spec.org, enterprise=spec.enterprise, base=spec.url or GITHUB, tool=name)


def _claude_code(name: str, spec: UsageSourceSpec, env: Mapping[str, str]) -> UsageSource:
    return ClaudeCode(key=_secret(spec, env), base_url=spec.url or ANTHROPIC, tool=name)


def _openai(name: str, spec: UsageSourceSpec, env: Mapping[str, str]) -> UsageSource:
    return OpenAIUsage(_secret(spec, env), base=spec.url or OPENAI, tool=name)


def _http(name: str, spec: UsageSourceSpec, env: Mapping[str, str]) -> UsageSource:
    if spec.url is None or spec.user is None or spec.day is None:  # the file's checks refuse it first
        raise SourceFailed("an http source needs url, user and day")
    return HttpJson(
        tool=name,
        url=spec.url,
        user_field=spec.user,
        day_field=spec.day,
        rows_path=spec.rows or "",
        email_field=spec.email,
        next_path=spec.next,
        token=required(env, spec.token_env) if spec.token_env else None,
    )


def _csv(name: str, spec: UsageSourceSpec, env: Mapping[str, str]) -> UsageSource:
    if spec.file is None:  # the file's checks refuse it first
        raise SourceFailed("a csv source needs file")
    return CsvFile(
        tool=name,
        path=Path(spec.file),
        user_column=spec.user or "user",
        day_column=spec.day or "day",
        email_column=spec.email or "email",
    )


def _m365_copilot(name: str, spec: UsageSourceSpec, env: Mapping[str, str]) -> UsageSource:
    if spec.tenant_env is None or spec.client_id_env is None or spec.secret_env is None:  # refused first
        raise SourceFailed("an m365-copilot source needs tenant_env, client_id_env and secret_env")
    return M365Copilot(
        tenant=required(env, spec.tenant_env),
        client_id=required(env, spec.client_id_env),
        secret=required(env, spec.secret_env),
        base=spec.url or GRAPH,
        login=spec.login_url or LOGIN,
        tool=name,
    )


_BUILDERS: dict[str, Callable[[str, UsageSourceSpec, Mapping[str, str]], UsageSource]] = {
    "copilot": _copilot,
    "claude-code": _claude_code,
    "openai": _openai,
    "http": _http,
    "csv": _csv,
    "m365-copilot": _m365_copilot,
}
