"""Sources: N playbooks x 3 sourced numbers (the KPI, the guardrail, a step's cases)
against one real Prometheus (Debian's, backfilled with promtool and started here on a
free loopback port). The clock's fetch of a week that ended (usecases/sources.py,
SourceClock.run: what is due, 16 fetches at once, each value written through
recording.report_row and add_reports): its time and its SQL statements, for 100 and
1,000 playbooks; then 1,000 again with one playbook whose source never answers (a
socket that accepts and says nothing), to see what it adds (at most its 10 s timeout).

Then the clock held by sources (`held`): 1,000 playbooks x 3 numbers whose one source
never answers. The sources' pass runs in a thread of its own, as bot/processes.py runs
it beside the tick; 20 s into it, the tick that closes all 1,000 weeks. Its delay: from
the instant it was due (20 s in) to the last close recorded, beside the same tick's time
with no pass running; and the pass's own figures (what it asked before its deadline,
what it left for the next pass, how long it took)."""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from slack_sdk import WebClient
from sqlalchemy import insert, update

from bench.common import QueryCounter, copy_of, fresh_database
from bot.demo.standin.server import SlackStandIn
from cadence.calendar import week_closes_at
from cadence.definition_load import parse_playbook
from slack_api.members import TeamDirectory
from storage.db import make_engine
from storage.models.playbooks import Cycle, Playbook
from storage.store import Store
from tests import prometheus as prometheus_server
from usecases.sources import SourceClock
from usecases.tick import Cadence

WEEK = date(2026, 11, 2)  # the week that ended (UTC), Monday
ENDED = datetime(2026, 11, 9, tzinfo=UTC)  # its end: when the clock asks
SAMPLE_EVERY = timedelta(hours=6)
PLAYBOOKS = 1000


def _openmetrics(playbooks: int) -> str:
    """Three gauges per playbook through the week, a sample every six hours."""
    stamps = [
        int((datetime.combine(WEEK, datetime.min.time(), tzinfo=UTC) + SAMPLE_EVERY * i).timestamp()) + 60
        for i in range(28)
    ]
    lines = []
    for metric, value in (("bench_minutes", None), ("bench_csat", 4.8), ("bench_cases", 20)):
        lines.append(f"# TYPE {metric} gauge")
        for i in range(playbooks):
            shown = value if value is not None else 10 + i % 30
            lines += [f'{metric}{{playbook="pb-{i:04d}"}} {shown} {at}' for at in stamps]
    return "\n".join(lines) + "\n# EOF\n"


@contextmanager
def prometheus(playbooks: int) -> Iterator[str]:
    """A real Prometheus holding the week's samples (tests/prometheus.py); its URL. Stopped after."""
    if not prometheus_server.installed():
        raise SystemExit("bench.sources needs Debian's prometheus package (prometheus and promtool)")
    folder = Path(tempfile.mkdtemp(prefix="bench-prometheus-"))
    try:
        with prometheus_server.running(folder, _openmetrics(playbooks)) as url:
            yield url
    except prometheus_server.NotStarted as err:
        raise SystemExit(str(err)) from None
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def silent_server():
    """A source that never answers: it accepts connections (the kernel's backlog) and
    never reads or writes."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        listener.close()


def build(engine, playbooks: int, url: str, silent: str | None = None, all_silent: bool = False) -> None:
    """`playbooks` playbooks, each with its KPI, guardrail and first step's cases from
    Prometheus, in the first week of a running cycle; the first one's source at `silent`
    (every one's, with `all_silent`)."""
    store = Store(engine)
    specs = []
    for i in range(playbooks):
        label = f'{{playbook="pb-{i:04d}"}}'
        specs.append(
            parse_playbook(
                {
                    "playbook": f"pb-{i:04d}",
                    "title": f"Playbook {i}",
                    "function": f"Function {i % 7}",
                    "channel": f"CSRC{i:05d}",
                    "owner": f"USRC{i:05d}",
                    "timezone": "UTC",
                    "rubric_threshold": 0.9,
                    "exception_cap": 0.1,
                    "sources": {
                        "metrics": {"kind": "prometheus", "url": silent if (silent and (i == 0 or all_silent)) else url}
                    },
                    "kpi": {
                        "name": "Minutes",
                        "unit": "min",
                        "direction": "down",
                        "baseline": 40,
                        "target": 15,
                        "from": {"source": "metrics", "query": f"avg_over_time(bench_minutes{label}[1w])"},
                    },
                    "guardrail": {
                        "name": "CSAT",
                        "min": 4.6,
                        "from": {"source": "metrics", "query": f"avg_over_time(bench_csat{label}[1w])"},
                    },
                    "steps": [
                        {
                            "name": "s0",
                            "mode": "collaborative",
                            "from": {"cases": {"source": "metrics", "query": f"max_over_time(bench_cases{label}[1w])"}},
                        },
                        {"name": "s1", "mode": "human-led"},
                    ],
                }
            )
        )
    began = datetime.combine(WEEK, datetime.min.time(), tzinfo=UTC)
    with store.unit_of_work() as uow:
        uow.playbooks.load(specs, "UTC", "bench", began)
        uow.commit()
    states = store.playbooks.states()
    with engine.begin() as c:
        c.execute(
            insert(Cycle.__table__),
            [
                dict(playbook_id=s.playbook.id, number=1, starts_on=WEEK, started_by="bench", created_at=began)
                for s in states
            ],
        )
        c.execute(update(Playbook.__table__).values(status="active"))


def _fetch(url: str, playbooks: int, silent: str | None = None) -> dict:
    """The clock's fetch, once, on a fresh database built for it."""
    with fresh_database(_fetch.kind, _fetch.workdir) as database:  # type: ignore[attr-defined]
        engine = make_engine(database)
        build(engine, playbooks, url, silent)
        store = Store(engine)
        states = store.playbooks.clock_states()
        clock = SourceClock(store, lambda: datetime.now(UTC))
        started = time.perf_counter()
        with QueryCounter(engine) as queries:
            done = clock.run(states, ENDED)
        seconds = time.perf_counter() - started
        reports = store.reports.week_kpis([(s.playbook.id, WEEK) for s in states])
        engine.dispose()
    return {
        "playbooks": playbooks,
        "asked": done.asked,
        "stored": done.stored,
        "failed": done.failed,
        "kpis_stored": len(reports),
        "seconds": seconds,
        "fetch_seconds": done.seconds,
        "statements": queries.count,
    }


CLOSE_DUE_AFTER = 20.0  # seconds into the sources' pass that the close comes due


def _close_tick(cadence: Cadence, close_at: datetime) -> tuple[float, int, datetime]:
    """The tick at the close: its seconds, its closes recorded, and when it ended."""
    started = time.perf_counter()
    report = cadence.tick(close_at)
    return time.perf_counter() - started, report.counts[("close", "done")], datetime.now(UTC)


def _held(kind: str, workdir: Path) -> dict:
    """1,000 playbooks x 3 numbers from a source that never answers: the close's tick while
    the sources' pass hangs on it, against the same tick with no pass running."""
    with silent_server() as silent, fresh_database(kind, workdir) as database:
        engine = make_engine(database)
        build(engine, PLAYBOOKS, silent, silent, all_silent=True)
        store = Store(engine)
        slack = SlackStandIn().start()  # the owners' time zones are asked of Slack
        client = WebClient(token=slack.token, base_url=slack.url, retry_handlers=[])
        cadence = Cadence(store, client, TeamDirectory(), "UTC", lambda: datetime.now(UTC), charts=False)
        cadence.warm()  # as a running clock is, at its start (bot/processes.py)
        close_at = week_closes_at(WEEK, "UTC", store.playbooks.clock_states()[0].settings.grace_hours)
        cadence.tick(close_at - timedelta(minutes=1))  # the minute before: reads the state, closes nothing
        engine.dispose()  # copied with no one connected
        with copy_of(kind, database, workdir) as alone_url:  # the same tick with no pass running
            alone_engine = make_engine(alone_url)
            alone_cadence = Cadence(
                Store(alone_engine), client, TeamDirectory(), "UTC", lambda: datetime.now(UTC), charts=False
            )
            alone_cadence.warm()
            alone_seconds, alone_closes, _ = _close_tick(alone_cadence, close_at)
            alone_engine.dispose()
        fetched: dict = {}

        def sources_pass() -> None:
            started = time.perf_counter()
            fetched["done"] = cadence.sources.run(store.playbooks.clock_states(), ENDED)
            fetched["seconds"] = time.perf_counter() - started

        lane = threading.Thread(target=sources_pass, name="sources")
        lane.start()
        due = datetime.now(UTC) + timedelta(seconds=CLOSE_DUE_AFTER)
        time.sleep(CLOSE_DUE_AFTER)
        tick_seconds, closes, ended = _close_tick(cadence, close_at)
        load = os.getloadavg()[0]  # the machine's load as the close ran (other work shares its cores)
        still_fetching = lane.is_alive()
        lane.join()
        engine.dispose()
        slack.stop()
    done = fetched["done"]
    return {
        "playbooks": PLAYBOOKS,
        "numbers": 3 * PLAYBOOKS,
        "closes": closes,
        "close_delay_seconds": (ended - due).total_seconds(),
        "close_tick_seconds": tick_seconds,
        "close_tick_alone_seconds": alone_seconds,
        "alone_closes": alone_closes,
        "pass_still_running_at_close": still_fetching,
        "load_average_1min": load,
        "cores": os.cpu_count(),
        "pass_seconds": fetched["seconds"],
        "asked": done.asked,
        "deferred": done.deferred,
        "failed": done.failed,
        "stored": done.stored,
    }


def run(kind: str, workdir: Path) -> dict:
    _fetch.kind, _fetch.workdir = kind, workdir  # type: ignore[attr-defined]
    with prometheus(PLAYBOOKS) as url:
        small = _fetch(url, 100)
        large = _fetch(url, PLAYBOOKS)
        with silent_server() as silent:
            hanging = _fetch(url, PLAYBOOKS, silent)
    return {"100": small, "1000": large, "1000_one_silent": hanging, "held": _held(kind, workdir)}
