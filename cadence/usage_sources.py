"""The usage sources an organization declares (`rollout usage load FILE`; docs/usage.md,
"Attested and used"): which tools' records the bot pulls, from where, with which secret.
One file for the organization, as a tool's records cover every team. Its schema and the
checks made at load, in plain Python; pulling is sources/usage/'s job.

    usage:
      copilot: {kind: copilot, org: acme, token_env: COPILOT_TOKEN}
      claude-code: {kind: claude-code, token_env: ANTHROPIC_ADMIN_KEY}
      cursor: {kind: http, url: https://cursor.example/usage, token_env: CURSOR_TOKEN,
               rows: data, user: email, day: date, email: email}
      gemini: {kind: csv, file: /var/drop/gemini.csv}
      m365-copilot: {kind: m365-copilot, tenant_env: M365_TENANT, client_id_env: M365_CLIENT_ID,
                     secret_env: M365_CLIENT_SECRET}

Any source may declare `seat_per_month: 19`, its seat's price a month (a positive number).

A source's name is the tool a step's `tool:` names. Secrets are named by environment
variable, never written in the file."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Literal
from urllib.parse import urlsplit

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from cadence.problems import plain
from cadence.sources import ENV_RE

TOOL_RE = r"^[a-z0-9][a-z0-9_-]{0,39}$"
Kind = Literal["copilot", "claude-code", "openai", "http", "csv", "m365-copilot"]
VENDORS: tuple[Kind, ...] = ("copilot", "claude-code", "openai")
FIELD_RE = r"^[A-Za-z0-9_@$-]+(\.[A-Za-z0-9_@$-]+)*$"  # a dotted path into a JSON answer


class _Plain(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True, strict=True)


class UsageSourceSpec(_Plain):
    """One tool's records: a vendor's API (its base address may be given, for a proxy or
    a sovereign cloud), an http endpoint of one's own, or a CSV file a job drops."""

    kind: Kind
    url: str | None = Field(default=None, max_length=500)  # a vendor's API base, or the http endpoint
    token_env: str | None = Field(default=None, pattern=ENV_RE)  # the variable holding its token or admin key
    org: str | None = Field(default=None, min_length=1, max_length=100)  # copilot: the organization's login
    enterprise: str | None = Field(default=None, min_length=1, max_length=100)  # copilot: or the enterprise's slug
    rows: str | None = Field(default=None, pattern=FIELD_RE, max_length=200)  # http: the path to the rows
    user: str | None = Field(default=None, pattern=FIELD_RE, max_length=100)  # http, csv: the person's field
    day: str | None = Field(default=None, pattern=FIELD_RE, max_length=100)  # http, csv: the day's field
    email: str | None = Field(default=None, pattern=FIELD_RE, max_length=100)  # http, csv: an email's, if any
    next: str | None = Field(default=None, pattern=FIELD_RE, max_length=200)  # http: the next page's URL
    file: str | None = Field(default=None, min_length=1, max_length=500)  # csv: where the job drops it
    # m365-copilot: the variables holding the tenant (its id or domain), the app
    # registration's client id and its client secret; and the identity platform's base
    tenant_env: str | None = Field(default=None, pattern=ENV_RE)
    client_id_env: str | None = Field(default=None, pattern=ENV_RE)
    secret_env: str | None = Field(default=None, pattern=ENV_RE)
    login_url: str | None = Field(default=None, max_length=500)
    # a seat's price a month, any kind (docs/usage-records.md, "Licenses against results"):
    # the idle seats' cost, counted in net value's spend
    seat_per_month: float | None = Field(default=None, gt=0, le=1_000_000)

    @model_validator(mode="after")
    def _fits_its_kind(self) -> UsageSourceSpec:
        for problem in _problems(self):
            raise ValueError(problem)
        return self

    def variables(self) -> list[str]:
        named = (self.token_env, self.tenant_env, self.client_id_env, self.secret_env)
        return [name for name in named if name is not None]


def _problems(spec: UsageSourceSpec) -> list[str]:
    """What a source's kind needs and refuses, in words."""
    return _missing(spec) + _misplaced(spec) + _url_problems(spec.url) + _url_problems(spec.login_url)


def _missing(spec: UsageSourceSpec) -> list[str]:
    """What the source's kind needs and the file does not give."""
    needs = {
        "token_env": spec.kind in VENDORS and spec.token_env is None,
        "org": spec.kind == "copilot" and (spec.org is None) == (spec.enterprise is None),
        "url": spec.kind == "http" and None in (spec.url, spec.user, spec.day),
        "file": spec.kind == "csv" and spec.file is None,
        "m365": spec.kind == "m365-copilot" and None in (spec.tenant_env, spec.client_id_env, spec.secret_env),
        "secret": spec.kind == "m365-copilot" and spec.token_env is not None,
    }
    said = {
        "token_env": f"kind {spec.kind} needs token_env: the variable holding its token",
        "org": "a copilot source names its org or its enterprise, one of them",
        "url": "an http source needs url, and the fields of its rows' user and day (user, day)",
        "file": "a csv source needs file: where the job drops it",
        "m365": "an m365-copilot source names the variables of its tenant, client id and client secret "
        "(tenant_env, client_id_env, secret_env)",
        "secret": "an m365-copilot source names its client secret's variable with secret_env, not token_env",
    }
    return [said[key] for key, missing in needs.items() if missing]


M365_KEYS = "tenant_env, client_id_env, secret_env and login_url are an m365-copilot source's"
# Each key a kind of its own takes, and the words refusing it to the other kinds.
_KINDS_OF: dict[str, tuple[tuple[str, ...], str]] = {
    "org": (("copilot",), "org and enterprise are a copilot source's"),
    "enterprise": (("copilot",), "org and enterprise are a copilot source's"),
    "rows": (("http",), "rows and next are an http source's"),
    "next": (("http",), "rows and next are an http source's"),
    "file": (("csv",), "file is a csv source's"),
    "user": (("http", "csv"), "user, day and email are the fields of an http or csv source's rows"),
    "day": (("http", "csv"), "user, day and email are the fields of an http or csv source's rows"),
    "email": (("http", "csv"), "user, day and email are the fields of an http or csv source's rows"),
    "url": (("http", "m365-copilot", *VENDORS), "a csv source reads a file: it takes no url or token_env"),
    "token_env": (("http", "m365-copilot", *VENDORS), "a csv source reads a file: it takes no url or token_env"),
    "tenant_env": (("m365-copilot",), M365_KEYS),
    "client_id_env": (("m365-copilot",), M365_KEYS),
    "secret_env": (("m365-copilot",), M365_KEYS),
    "login_url": (("m365-copilot",), M365_KEYS),
}


def _misplaced(spec: UsageSourceSpec) -> list[str]:
    """Each key given that another kind takes, said once."""
    said = [words for key, (kinds, words) in _KINDS_OF.items() if getattr(spec, key) and spec.kind not in kinds]
    return list(dict.fromkeys(said))


LOOPBACK = ("127.0.0.1", "::1", "localhost")  # the hosts a url may reach over plain http://


def _url_problems(url: str | None) -> list[str]:
    """A url is https:// (http:// only to a loopback host: a stand-in, a local proxy), and
    carries no credentials and no query: the file is stored as a setting, so a secret goes
    in the variable token_env names, never in the url."""
    if url is None:
        return []
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return ["url must be an https:// address"]
    if parts.scheme not in ("http", "https") or not host:
        return ["url must be an https:// address"]
    if parts.scheme == "http" and host.lower() not in LOOPBACK:
        return ["url must be https:// (http:// only to a loopback host: 127.0.0.1, ::1, localhost)"]
    if parts.username is not None or parts.password is not None:
        return ["a url with credentials goes in the token's variable, named by token_env"]
    if parts.query or "?" in url:
        return ["a url takes no query: put no secret in the url, name its variable with token_env"]
    return []


class UsageFile(_Plain):
    usage: dict[str, UsageSourceSpec] = Field(min_length=1, max_length=30)

    @model_validator(mode="after")
    def _names(self) -> UsageFile:
        for name in self.usage:
            if not re.match(TOOL_RE, name):
                raise ValueError(f"{name!r}: a tool's name is lowercase letters, digits, - or _ (at most 40)")
        return self


def parse(text: str, env: Mapping[str, str]) -> tuple[dict[str, UsageSourceSpec], list[str]]:
    """The file's sources, or the problems that refuse it whole (each in words): its
    schema, and each environment variable it names that is not set here."""
    try:
        loaded = yaml.safe_load(text)
    except yaml.YAMLError as err:
        return {}, [f"not YAML: {err}".splitlines()[0]]
    try:
        spec = UsageFile.model_validate(loaded)
    except ValidationError as err:
        return {}, [_said(e["loc"], plain(e)) for e in err.errors()]
    unset = [
        f"usage.{name}: the variable {variable} is not set"
        for name, source in spec.usage.items()
        for variable in source.variables()
        if not env.get(variable)
    ]
    return (dict(spec.usage), []) if not unset else ({}, unset)


def _said(where: tuple[int | str, ...], words: str) -> str:
    path = ".".join(str(part) for part in where)
    return f"{path}: {words}" if path else words
