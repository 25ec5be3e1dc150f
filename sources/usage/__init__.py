"""Usage sources: the AI tools' own records of who used them, each day (the spec's
"Attested and used"). One module per tool behind one interface, `UsageSource`: given the
days to pull, it returns the records of those days (`cadence.usage.UsageRecord`: who used
the tool on which day) and, where the tool lists them, its seats; or raises
`sources.SourceFailed` with words safe to show anyone (a failed pull is "usage unknown",
never 0). Decides nothing and stores nothing: the clock's usage job matches the records to
Slack people, counts them per team and drops them (cadence/usage.py).

HTTP is httpx, as the numbers' sources use it (sources/__init__.py): redirects said and
never followed, no proxy or .netrc from the environment, the system's trusted
authorities, each answer read to a bound; secrets come from the environment and are
redacted from every error."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

import httpx

from cadence.usage import Seat, UsageRecord
from outbound.http import system_tls
from sources import SourceFailed

TIMEOUT = 30.0  # seconds for one request of a pull (a pull may page through many)
MAX_PAGES = 1000  # a pull that pages past this fails: a source that never ends its cursor


@dataclass(frozen=True)
class Pulled:
    """What a pull of some days brought: the records of those days, and the tool's seats
    where it lists them (None: it does not). `lost`: days among `days` the source can never
    make whole (Microsoft 365 Copilot's report, of last activity dates, is whole only for
    its refresh date): their records prove use, never that no one used the tool."""

    days: tuple[date, ...]  # the days pulled: a day among them without a record is a day no one used the tool
    records: list[UsageRecord] = field(default_factory=list)
    seats: list[Seat] | None = None
    lost: tuple[date, ...] = ()  # none for a source whose every pulled day is whole


class UsageSource(Protocol):
    """A tool's usage records, pulled for some days."""

    @property
    def tool(self) -> str:
        """The tool the records are of (copilot, claude-code, ...): what a step's `tool:` names."""
        ...

    async def pull(self, client: httpx.AsyncClient, days: tuple[date, ...]) -> Pulled:
        """The records of `days` (each a UTC day, oldest first). Raises SourceFailed."""
        ...


def client(timeout: float = TIMEOUT) -> httpx.AsyncClient:
    """The client a pass of usage pulls shares: as the numbers' sources' (sources/Fetcher)."""
    return httpx.AsyncClient(
        verify=system_tls(),
        follow_redirects=False,
        trust_env=False,
        timeout=httpx.Timeout(timeout),
        headers={"Accept-Encoding": "identity", "User-Agent": "rollout-cadence-bot"},
    )


def required(environ: Mapping[str, str], name: str) -> str:
    """The environment's `name`: a secret a source cannot ask without. Raises SourceFailed
    when it is not set, naming the variable (never a value)."""
    value = environ.get(name, "")
    if not value:
        raise SourceFailed(f"environment variable {name} is not set")
    return value
