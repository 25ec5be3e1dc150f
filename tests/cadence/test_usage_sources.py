"""The organization's usage sources file (cadence/usage_sources.py): each kind takes what
its API needs and refuses what is another's, secrets only by variable, and a variable not
set refuses the file at load, as a playbook's sources do."""

import pytest

from cadence.usage_sources import parse

ENV = {"COPILOT_TOKEN": "t", "ANTHROPIC_ADMIN_KEY": "k", "CURSOR_TOKEN": "c"}
GOOD = """
usage:
  copilot: {kind: copilot, org: acme, token_env: COPILOT_TOKEN}
  claude-code: {kind: claude-code, token_env: ANTHROPIC_ADMIN_KEY}
  cursor: {kind: http, url: https://cursor.example/usage, token_env: CURSOR_TOKEN, rows: data, user: email, day: date}
  gemini: {kind: csv, file: /var/drop/gemini.csv}
"""


def test_a_file_of_each_kind_loads_with_its_tools_named():
    sources, problems = parse(GOOD, ENV)
    assert problems == []
    assert {name: s.kind for name, s in sources.items()} == {
        "copilot": "copilot",
        "claude-code": "claude-code",
        "cursor": "http",
        "gemini": "csv",
    }
    assert sources["copilot"].org == "acme"


@pytest.mark.parametrize(
    ("source", "said"),
    [
        ("{kind: copilot, token_env: COPILOT_TOKEN}", "names its org or its enterprise"),
        ("{kind: copilot, org: a, enterprise: b, token_env: COPILOT_TOKEN}", "names its org or its enterprise"),
        ("{kind: openai}", "kind openai needs token_env"),
        ("{kind: http, url: https://a.example/u, day: d}", "needs url, and the fields"),
        ("{kind: http, url: 'https://me:pw@a.example/u', user: u, day: d}", "credentials goes in the token's variable"),
        ("{kind: http, url: ftp://a.example/u, user: u, day: d}", "must be an https:// address"),
        ("{kind: http, url: http://a.example/u, user: u, day: d}", "must be https:// (http:// only to a loopback"),
        ("{kind: openai, url: 'http://10.0.0.1:8080', token_env: COPILOT_TOKEN}", "must be https://"),
        ("{kind: http, url: 'https://a.example/u?api_key=s3cret', user: u, day: d}", "a url takes no query"),
        ("{kind: http, url: 'https://a.example/u?team=x', user: u, day: d}", "put no secret in the url"),
        ("{kind: copilot, org: a, url: 'https://ghe.example/api/v3?', token_env: COPILOT_TOKEN}", "takes no query"),
        ("{kind: csv}", "needs file"),
        ("{kind: csv, file: /x.csv, token_env: COPILOT_TOKEN}", "takes no url or token_env"),
        ("{kind: claude-code, token_env: ANTHROPIC_ADMIN_KEY, user: login}", "fields of an http or csv source's rows"),
        ("{kind: cursor, token_env: COPILOT_TOKEN}", "usage.tool.kind"),
    ],
)
def test_a_source_missing_what_its_kind_needs_or_holding_another_s_is_refused_in_words(source, said):
    sources, problems = parse(f"usage:\n  tool: {source}\n", ENV)
    assert sources == {}
    assert any(said in p for p in problems), problems


def test_a_variable_not_set_refuses_the_whole_file_naming_it():
    sources, problems = parse(GOOD, {"COPILOT_TOKEN": "t"})
    assert sources == {}
    assert problems == [
        "usage.claude-code: the variable ANTHROPIC_ADMIN_KEY is not set",
        "usage.cursor: the variable CURSOR_TOKEN is not set",
    ]


def test_a_tool_s_name_is_what_a_step_s_tool_can_name():
    _, problems = parse("usage:\n  Copilot Pro: {kind: csv, file: /x.csv}\n", {})
    assert problems and "a tool's name" in problems[0]


def test_text_that_is_not_yaml_or_names_no_source_is_refused():
    assert parse("usage: [", {})[1][0].startswith("not YAML")
    assert parse("usage: {}\n", {})[1]


@pytest.mark.parametrize(
    "url",
    [
        "https://a.example/u",
        "https://a.example/usage/{day}.json",
        "http://127.0.0.1:8123/u",
        "http://[::1]:8123/u",
        "http://localhost/u",
    ],
)
def test_a_url_is_https_or_plain_http_to_a_loopback_host(url):
    sources, problems = parse(f"usage:\n  tool: {{kind: http, url: '{url}', user: u, day: d}}\n", ENV)
    assert problems == []
    assert sources["tool"].url == url


def test_a_refused_url_is_not_quoted_back():
    _, problems = parse("usage:\n  tool: {kind: http, url: 'https://a.example/u?key=s3cret', user: u, day: d}\n", ENV)
    assert problems and not any("s3cret" in p for p in problems)
