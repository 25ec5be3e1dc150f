"""The usage pass: a pull of 10,000 users × 30 days from the Copilot stand-in
(bot/demo/standin/usage_copilot.py, on a loopback port, each day's report one NDJSON file
of 10,000 rows, and 10,000 seats in pages of 100), matched to 10,000 Slack people in 200
teams by the mapping file (`rollout usage map`: Copilot gives logins, no emails), counted
per team and week and recorded: `usecases.usage.run` once, as the clock's hourly pass
runs it (usecases/usage_clock.py) for a source whose last pull is 30 days old.

The pass runs in a process of its own, as the clock is one: its wall time, its SQL
statements, and its memory, the growth of the process's resident set over the pass
(the peak RSS during the pass, VmHWM reset just before it through /proc/self/clear_refs,
less the RSS before it). That is what the pass costs the clock's process, the C side
(httpx's buffers, the database driver) included, which tracemalloc would not see; the
process's whole peak is reported beside it. The stand-in serves from this process, so
its memory and its rows are not counted.

    .venv/bin/python -m bench.run --only usage [--db sqlite|postgresql]
"""

from __future__ import annotations

import multiprocessing
import os
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import yaml

from bench.common import QueryCounter, fresh_database
from bot.demo.standin.usage_copilot import CopilotStandIn
from storage.db import make_engine
from storage.store import Store
from usecases import usage

FIRST = date(2026, 10, 5)  # a Monday: the first day the pass pulls (the last pull ended the day before)
SOURCE = "copilot"
ENV_TOKEN = "COPILOT_TOKEN"
TOKEN = "ghp-bench-token"


def run(kind: str, workdir: Path, users: int = 10_000, days: int = 30, team_size: int = 50) -> dict:
    """The pass once, on a fresh database, in a process of its own; its figures."""
    today = FIRST + timedelta(days=days)
    at = datetime(today.year, today.month, today.day, 9, tzinfo=UTC)
    asked = usage.days_to_pull(FIRST - timedelta(days=1), today)
    assert len(asked) == days, f"the pass asks {len(asked)} days, not {days}: at most {usage.MOST_DAYS}"
    copilot = CopilotStandIn(TOKEN, daily_users=users).start()
    for n in range(users):
        copilot.add_seat(copilot.generated_login(n))
    env = {ENV_TOKEN: TOKEN}
    try:
        with fresh_database(kind, workdir) as url:
            _prepare(url, copilot, env, users, at)
            with multiprocessing.get_context("spawn").Pool(1) as clock:
                figures = clock.apply(_pass, (url, env, users, team_size, at))
    finally:
        copilot.stop()
    return {
        "users": users,
        "days": days,
        "rows": users * days,
        "teams": users // team_size,
        "seats": users,
        "downloads": len(copilot.requests_to("/download/")),
        "requests": len(copilot.requests),
        "load_average_1min": os.getloadavg()[0],
        "cores": os.cpu_count(),
        **figures,
    }


def _prepare(url: str, copilot: CopilotStandIn, env: dict[str, str], users: int, at: datetime) -> None:
    """The usage file naming the stand-in, the mapping file of every login, and the source's
    last pull the day before FIRST."""
    engine = make_engine(url)
    store = Store(engine)
    spec = {"kind": "copilot", "org": copilot.org, "token_env": ENV_TOKEN, "url": copilot.url}
    assert usage.load(store, yaml.safe_dump({"usage": {SOURCE: spec}}), env, "bench", at) == []
    mapping = "".join(f"{SOURCE},{copilot.generated_login(n)},{_user(n)}\n" for n in range(users))
    assert usage.map_logins(store, "tool,login,slack_user\n" + mapping) == (users, [])
    last = FIRST - timedelta(days=1)
    with store.unit_of_work() as uow:
        uow.usage.record([last], [], SOURCE, last, at - timedelta(days=31))
        uow.commit()
    engine.dispose()


def _user(n: int) -> str:
    return f"UUSE{n:06d}"


def _teams(users: int, team_size: int) -> dict[str, list[tuple[str, str | None]]]:
    """The clock's teams (usecases.usage.teams_of's answer): `team_size` people a channel."""
    teams: dict[str, list[tuple[str, str | None]]] = {}
    for n in range(users):
        teams.setdefault(f"CUSE{n // team_size:05d}", []).append((_user(n), f"person{n}@example.com"))
    return teams


def _status(field: str) -> float:
    """A field of this process's /proc status (VmRSS, VmHWM), in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _pass(url: str, env: dict[str, str], users: int, team_size: int, at: datetime) -> dict:
    """The clock's pass, in the spawned process: its time, statements and memory."""
    engine = make_engine(url)
    store = Store(engine)
    teams = _teams(users, team_size)
    store.usage.pulls()  # the engine's first connection made before the baseline
    Path("/proc/self/clear_refs").write_text("5")  # the peak RSS from here: the pass's own
    before = _status("VmRSS")
    started = time.perf_counter()
    with QueryCounter(engine) as queries:
        (passed,) = usage.run(store, env, teams, at)
    seconds = time.perf_counter() - started
    peak = _status("VmHWM")
    weeks = store.usage.weeks(sorted(teams), FIRST)
    engine.dispose()
    return {
        "seconds": seconds,
        "statements": queries.count,
        "rss_before_mib": before,
        "peak_rss_mib": peak,
        "pass_rss_mib": peak - before,
        "days_pulled": len(passed.days),
        "error": passed.error,
        "unmatched": passed.unmatched,
        "team_weeks": len(weeks),
        # every person used the tool every day: each team's week counts all its people
        "counted_right": all(w.active == w.people == team_size for w in weeks),
    }


def described(u: dict) -> list[str]:
    """RESULTS.md's section (bench/run.py)."""
    load = u.get("load_average_1min")
    load_said = "–" if load is None else f"{load:.1f} on {u.get('cores', '?')} cores"
    return [
        f"### Usage: a pull of {u['users']:,} users × {u['days']} days from the Copilot stand-in",
        "",
        f"`usecases.usage.run` once, as the clock's hourly pass runs it, in a process of its own: {u['days']} "
        f"daily reports, one NDJSON file each of {u['users']:,} rows ({u['rows']:,} in all) streamed line by "
        f"line, {u['seats']:,} seats in pages of 100, matched to {u['users']:,} Slack people in {u['teams']} teams "
        "by the mapping file, counted per team and week and recorded. Memory: the pass's growth of the "
        "process's resident set (its peak during the pass less the RSS before it); the stand-in serves from "
        "another process. Other work shared the machine's cores as it ran: the load average says how much.",
        "",
        "| seconds | SQL statements | pass RSS growth | process peak RSS | days pulled | team weeks | "
        "counted right | error | load average (1 min) |",
        "|---|---|---|---|---|---|---|---|---|",
        f"| {u['seconds']:.1f} | {u['statements']} | {u['pass_rss_mib']:.0f} MiB | {u['peak_rss_mib']:.0f} MiB | "
        f"{u['days_pulled']} | {u['team_weeks']} | {'yes' if u['counted_right'] else '**no**'} | "
        f"{u['error'] or '–'} | {load_said} |",
    ]
