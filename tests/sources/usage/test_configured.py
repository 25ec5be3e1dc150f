"""A usage file's source made into the module that pulls it (sources/usage/configured.py):
each kind its class, named by its tool, its base address where the file gives one, the
http and csv sources' fields, and a secret read from the variable the file names, which a
missing one is said by (never a value)."""

from pathlib import Path

import pytest

from cadence.usage_sources import UsageSourceSpec
from sources import SourceFailed
from sources.usage.claude_code import ClaudeCode
from sources.usage.configured import build
from sources.usage.copilot import API, Copilot
from sources.usage.csv_file import CsvFile
from sources.usage.http_json import HttpJson
from sources.usage.openai_usage import OpenAIUsage

ENV = {"TOKEN": "s3cret-token"}


def spec(**fields) -> UsageSourceSpec:
    return UsageSourceSpec.model_validate(fields)


def test_each_vendor_kind_is_its_class_with_its_secret_and_its_base():
    copilot = build("copilot", spec(kind="copilot", enterprise="acme-ent", token_env="TOKEN"), ENV)
    assert copilot == Copilot("s3cret-token", enterprise="acme-ent", base=API, tool="copilot")
    claude = build("claude", spec(kind="claude-code", token_env="TOKEN", url="https://proxy.example"), ENV)
    assert isinstance(claude, ClaudeCode) and claude.base_url == "https://proxy.example" and claude.tool == "claude"
    openai = build("openai", spec(kind="openai", token_env="TOKEN", url="https://openai.example"), ENV)
    assert isinstance(openai, OpenAIUsage) and openai.base == "https://openai.example"
    assert all("s3cret" not in repr(source) for source in (copilot, claude, openai))


def test_http_and_csv_take_their_fields():
    http = build(
        "cursor",
        spec(kind="http", url="https://cursor.example/u", user="who", day="on", email="mail", rows="data", next="more"),
        {},
    )
    assert http == HttpJson(
        tool="cursor",
        url="https://cursor.example/u",
        user_field="who",
        day_field="on",
        rows_path="data",
        email_field="mail",
        next_path="more",
    )
    assert build("gemini", spec(kind="csv", file="/drop/g.csv", user="login"), {}) == CsvFile(
        tool="gemini", path=Path("/drop/g.csv"), user_column="login"
    )


@pytest.mark.parametrize(
    "fields",
    [
        {"kind": "copilot", "org": "acme", "token_env": "TOKEN"},
        {"kind": "http", "url": "https://cursor.example/u", "user": "u", "day": "d", "token_env": "TOKEN"},
    ],
)
def test_a_missing_variable_is_said_by_its_name(fields):
    with pytest.raises(SourceFailed, match=r"^environment variable TOKEN is not set$"):
        build("tool", spec(**fields), {"TOKEN": ""})


def test_m365_copilot_takes_its_three_variables_and_its_bases():
    from cadence.usage_sources import parse
    from sources.usage.m365_copilot import GRAPH, LOGIN, M365Copilot

    env = {"T": "contoso.onmicrosoft.com", "C": "client-id", "S": "s3cret-secret"}
    fields = {"kind": "m365-copilot", "tenant_env": "T", "client_id_env": "C", "secret_env": "S"}
    m365 = build("m365", spec(**fields), env)
    assert m365 == M365Copilot(tenant=env["T"], client_id="client-id", secret="s3cret-secret", tool="m365")
    assert (m365.base, m365.login) == (GRAPH, LOGIN) and "s3cret" not in repr(m365)
    local = build("m365", spec(**fields, url="http://127.0.0.1:9", login_url="http://127.0.0.1:9"), env)
    assert isinstance(local, M365Copilot) and local.base == local.login == "http://127.0.0.1:9"
    with pytest.raises(SourceFailed, match="environment variable S is not set"):
        build("m365", spec(**fields), {"T": "t", "C": "c"})
    text = "usage:\n  m365: {kind: m365-copilot, tenant_env: T, client_id_env: C, secret_env: S}\n"
    assert parse(text, {"T": "t"})[1] == [
        "usage.m365: the variable C is not set",
        "usage.m365: the variable S is not set",
    ]
    assert "secret_env" in parse("usage:\n  m: {kind: m365-copilot, tenant_env: T}\n", env)[1][0]
    with_token = "usage:\n  m: {kind: m365-copilot, tenant_env: T, client_id_env: C, secret_env: S, token_env: S}\n"
    assert parse(with_token, env)[1] == [
        "usage.m: an m365-copilot source names its client secret's variable with secret_env, not token_env"
    ]
    assert parse("usage:\n  m: {kind: csv, file: f, tenant_env: T}\n", env)[1] == [
        "usage.m: tenant_env, client_id_env, secret_env and login_url are an m365-copilot source's"
    ]
