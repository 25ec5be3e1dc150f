"""Scale of the week: N playbooks x 5 steps x W weeks of history. The week close of all
of them (one tick) and the digest build, each with its time and SQL statements, at two
org sizes (the statement count must not grow with the number of playbooks) and two
lengths of history (nor the time with the history), and the clock's peak memory."""

from __future__ import annotations

import multiprocessing
import os
import random
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from slack_sdk import WebClient
from sqlalchemy import insert, text, update

from bench.ack import peak_rss_mib
from bench.common import QueryCounter, copy_of, fresh_database
from bot.app import utc_now
from bot.demo.standin.server import SlackStandIn
from cadence.decisions import Decision, DecisionKind
from cadence.definition_load import parse_playbook
from slack_api.members import TeamDirectory
from storage.db import make_engine
from storage.models.bookkeeping import CadenceJob
from storage.models.governance import Decision as DecisionRow
from storage.models.governance import StepVerdict
from storage.models.playbooks import Cycle, Playbook
from storage.models.reports import CaseCount, GuardrailReading, KpiReading, RubricScore, ValueCount
from storage.store import Store, decision_columns
from usecases.digest import Digest
from usecases.tick import Cadence

ANCHOR = date(2024, 11, 18)  # a Monday, 104 weeks before the week that closes
MODES = ["human-led", "collaborative", "ai-led", "collaborative", "ai-led"]
CHUNK = 20_000
GUARDED = 7  # every seventh playbook declares a guardrail
FLUSH_EVERY = 500  # playbooks whose history is inserted at a time


def _insert(engine, table, rows) -> None:
    for start in range(0, len(rows), CHUNK):
        with engine.begin() as c:
            c.execute(insert(table), rows[start : start + CHUNK])


def _value_of(i: int) -> dict:
    if i % 2 == 0:
        measure = {
            "value_events": [{"name": "case_done", "step": "s0", "counts": "cases"}],
            "value": {"event": "case_done", "minutes_saved": 5},
        }
    else:
        measure = {"value": {"event": "task_done", "minutes_saved": 7}}
    return {**measure, **({"cost": {"per_month": 600}} if i % 3 == 0 else {})}


def build(engine, playbooks: int, weeks: int) -> dict:
    rng = random.Random(11)
    store = Store(engine)
    now = utc_now()
    specs = [
        parse_playbook(
            {
                "playbook": f"pb-{i:04d}",
                "title": f"Playbook {i}",
                "function": f"Function {i % 7}",
                "channel": f"CWEEK{i:05d}",
                "owner": f"UWEEK{i:05d}",
                "timezone": "UTC",
                "rubric_threshold": 0.9,
                "exception_cap": 0.1,
                "kpi": {"name": "Minutes", "unit": "min", "direction": "down", "baseline": 40, "target": 15},
                "steps": [{"name": f"s{j}", "mode": MODES[j]} for j in range(5)],
                # One in seven has a guardrail, pb-0000 (the web view's page) among them.
                **({"guardrail": {"name": "CSAT", "unit": "points", "min": 4.6}} if i % GUARDED == 0 else {}),
                # Value shown (docs/playbooks.md, "Value"): every playbook measures it, half by a
                # value event that carries step s0's cases, half by an event of its own (the
                # value_count rows below); one in three gives a cost.
                **_value_of(i),
            }
        )
        for i in range(playbooks)
    ]
    with store.unit_of_work() as uow:
        uow.playbooks.load(specs, "UTC", "bench", now)
        uow.commit()
    states = store.playbooks.states()
    began = datetime.combine(ANCHOR, datetime.min.time(), tzinfo=UTC)
    with engine.begin() as c:
        c.execute(
            insert(Cycle.__table__),
            [
                # Started when it began: the clock judges no week that closed before its cycle existed.
                dict(playbook_id=s.playbook.id, number=1, starts_on=ANCHOR, started_by="bench", created_at=began)
                for s in states
            ],
        )
        c.execute(update(Playbook.__table__).values(status="active"))
    mondays = [ANCHOR + timedelta(days=7 * w) for w in range(weeks)]
    closing = mondays[-1]
    verdicts, decisions, kpis, guardrails, cases, rubrics, jobs = [], [], [], [], [], [], []
    own_events = []  # the value measure's own events: the last 26 weeks, a report a week
    rows = 0
    for n, s in enumerate(states, start=1):
        pid = s.playbook.id
        for w, monday in enumerate(mondays):
            if w >= weeks - 26 and (s.playbook.definition.get("value") or {}).get("event") == "task_done":
                own_events.append(
                    dict(
                        playbook_id=pid,
                        week_start=monday,
                        event="task_done",
                        count=rng.randint(20, 200),
                        reported_by="b",
                        reported_at=now,
                    )
                )
            kpis.append(
                dict(playbook_id=pid, week_start=monday, value=rng.uniform(10, 40), reported_by="b", reported_at=now)
            )
            if s.playbook.guardrail_name:  # within its bound: the rules' guardrail work, without demotions
                guardrails.append(
                    dict(
                        playbook_id=pid, week_start=monday, value=rng.uniform(4.7, 5), reported_by="b", reported_at=now
                    )
                )
            for step in s.steps:
                n_cases, exceptions, rubric = rng.choice([10, 20, 40]), rng.randint(0, 4), rng.uniform(0.8, 1.0)
                if monday < closing:
                    ratio = exceptions / n_cases
                    outcome = "FAIL" if ratio > 0.1 else ("PASS" if rubric >= 0.9 else "INCONCLUSIVE")
                    verdicts.append(
                        dict(
                            playbook_id=pid,
                            step_id=step.id,
                            week_start=monday,
                            mode=step.mode,
                            outcome=outcome,
                            cases=n_cases,
                            exceptions=exceptions,
                            rubric=rubric,
                            recorded_at=now,
                        )
                    )
                    # The decision log keeps each verdict, and now and then a mode change:
                    # what a deployed database holds, and what the rules' look back skips.
                    decisions.append(_decision(DecisionKind.VERDICT, pid, step.id, monday, now, {"outcome": outcome}))
                    if (w + step.position) % 26 == 25:
                        decisions.append(_decision(DecisionKind.MODE_CHANGE, pid, step.id, monday, now, {}, step.mode))
                if w >= weeks - 12:
                    cases.append(
                        dict(
                            playbook_id=pid,
                            step_id=step.id,
                            week_start=monday,
                            cases=n_cases,
                            reported_by="b",
                            reported_at=now,
                        )
                    )
                    rubrics.append(
                        dict(
                            playbook_id=pid,
                            step_id=step.id,
                            week_start=monday,
                            score=rubric,
                            reported_by="b",
                            reported_at=now,
                        )
                    )
        # What earlier ticks recorded: everything up to the week that closes now (Friday's
        # DM to the owner and, that week being a cycle's fourth, Monday's learning DM
        # included), and the new week's Monday nudge and exception owner's DM, which went
        # out at 09:00, before the close at noon.
        new_week = closing + timedelta(days=7)
        for kind, week in (
            ("nudge", closing),
            ("close", mondays[-2]),
            ("checkin", closing),
            ("reminder", closing),
            ("owner-reminder", closing),
            ("learning-prompt", closing),
            ("nudge", new_week),
            ("exception-queue", new_week),  # the exception owner's Monday DM, at 09:00 too
        ):
            jobs.append(
                dict(
                    key=f"{kind}:{pid}:{week}:*",
                    kind=kind,
                    playbook_id=pid,
                    week_start=week,
                    user_id=None,
                    due_at=now,
                    status="done",
                    recorded_at=now,
                )
            )
        if n % FLUSH_EVERY == 0 or n == len(states):  # memory bounded: 10,000 playbooks' rows are 13 million
            tables = (
                StepVerdict,
                DecisionRow,
                KpiReading,
                GuardrailReading,
                CaseCount,
                RubricScore,
                CadenceJob,
                ValueCount,
            )
            batches = (verdicts, decisions, kpis, guardrails, cases, rubrics, jobs, own_events)
            for table, batch in zip(tables, batches, strict=True):
                _insert(engine, table.__table__, batch)
                rows += len(batch)
                batch.clear()
    if engine.dialect.name == "postgresql":
        # What autovacuum would have done in the years this history stands for. Built in
        # minutes, the history leaves the tables unanalysed, and the playbook rows with
        # thousands of dead versions (each chunk's revision trigger updated every one):
        # 1 GB of table for 1,000 rows with 104 weeks, which every read of the playbooks
        # that scans them (the clock's revisions, the digest's counts) read whole, 0.25 s
        # each. Autovacuum, running all along, keeps the table near its live size; a
        # plain VACUUM here frees the space but leaves the file as long, so the table is
        # rewritten (FULL).
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.execute(text("VACUUM FULL playbook"))
            c.execute(text("VACUUM ANALYZE"))
    return {
        "rows": rows,
        "closing_week": closing,
        "close_at": datetime.combine(closing + timedelta(days=7), datetime.min.time(), tzinfo=UTC)
        + timedelta(hours=12),
    }


def _decision(
    kind: DecisionKind, pid: int, step_id: int, week: date, at: datetime, figures: dict, mode: str | None = None
) -> dict:
    decision = Decision(
        kind=kind,
        actor="rule:bench",
        summary="",
        playbook_id=pid,
        step_id=step_id,
        week_start=week,
        from_mode=mode,
        to_mode=mode,
        figures=figures,
    )
    return decision_columns(decision, at)


REPEATS = 5  # closes of the same history, each on a fresh copy in a fresh process


def run(
    kind: str, workdir: Path, playbooks: int = 1000, weeks: int = 104, repeats: int = 0, web_requests: int = 0
) -> dict:
    """Build the history here, then close the week and build the digest in a process of
    its own, as the clock would: its peak memory is the clock's. A shared machine's
    timings wander by a fifth from one run to the next, so the close is measured
    REPEATS times, each on a copy of the history as built, and the median reported with
    the others beside it (`repeats` and `web_requests`: fewer for a world too large to
    close five times, bench/scale.py)."""
    with fresh_database(kind, workdir) as url:
        engine = make_engine(url)
        started = time.perf_counter()
        built = build(engine, playbooks, weeks)
        build_seconds = time.perf_counter() - started
        engine.dispose()
        runs = []
        for _ in range(repeats or REPEATS):
            with copy_of(kind, url, workdir) as copy:
                runs.append(measure(copy, built, web_requests or WEB_REQUESTS))
    runs.sort(key=lambda r: r["close_seconds"])
    measured = runs[len(runs) // 2]  # the median close, with the rest of its run
    return {
        "playbooks": playbooks,
        "weeks": weeks,
        "history_rows": built["rows"],
        "build_seconds": build_seconds,
        **measured,
        "close_runs": [r["close_seconds"] for r in runs],
    }


def measure(url: str, built: dict, web_requests: int, pages: tuple[tuple[str, str], ...] = ()) -> dict:
    """The close, the digest and the web view of a history `build` made, at `url` (the
    close changes it), in a fresh process as the clock's; `pages`, the web view's pages
    timed besides the overview and a playbook's, by name."""
    with multiprocessing.get_context("spawn").Pool(1) as clock:
        asked = (url, built["close_at"], built["closing_week"], web_requests, pages)
        return clock.apply(_close_and_digest, asked)


# The clock's own peak (VmHWM, per address space). getrusage's ru_maxrss would not do:
# Linux carries it across exec, so a spawned process reports its parent's peak, which
# here is the process that built the history.
WEB_REQUESTS = 60  # of each page, after one to warm up: with 20, one slow request decided a p95


def _web_view(store: Store, at: datetime, requests: int, pages: tuple[tuple[str, str], ...]) -> dict:
    """The web view's server time (handlers/web_view.py, the whole ASGI answer, asked by
    httpx in the same process): the org overview and one playbook's page, 95th percentile
    of `requests` each."""
    import asyncio

    import httpx

    from handlers.web_view import make_web_view
    from usecases.shared.services import Services

    services = Services(store, lambda: at, frozenset(), "UTC", TeamDirectory())
    view = make_web_view(services, "bench-secret", secure=False, signed_in_as="UBENCHCURATOR")
    slug = store.playbooks.slugs()[0]

    async def measured() -> dict:
        figures = {}
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=view), base_url="http://bench") as client:

            async def timed(path: str) -> float:
                started = time.perf_counter()
                status = (await client.get(path)).status_code
                elapsed = time.perf_counter() - started
                assert status == 200, (path, status)
                return elapsed

            # the overview shows value: the org's hours saved, as the sponsor's first screen has them
            overview = (await client.get("/")).text
            assert "saved in the last 4 closed weeks (estimate)" in overview, "the overview shows no value"
            for name, path in (("web_overview", "/"), ("web_playbook", f"/playbooks/{slug}"), *pages):
                await timed(path)
                samples = sorted([await timed(path) for _ in range(requests)])
                figures[f"{name}_p95_seconds"] = samples[int(len(samples) * 0.95) - 1]
        return figures

    return asyncio.run(measured())


def _close_and_digest(
    url: str, close_at: datetime, closing_week: date, web_requests: int, pages: tuple[tuple[str, str], ...]
) -> dict:
    """The clock's work at the close (in a fresh process): the close's tick, after the
    tick of the minute before, then the digest."""
    engine = make_engine(url)
    store = Store(engine)
    slack = SlackStandIn().start()  # the owners' time zones are asked of Slack; nobody else's
    client = WebClient(token=slack.token, base_url=slack.url, retry_handlers=[])
    cadence = Cadence(store, client, TeamDirectory(), "UTC", utc_now, charts=False)
    cadence.warm()  # as a running clock is, at its start (bot/processes.py)
    # A running clock has asked Slack for everyone's name long before (usecases/names.py):
    # they are kept, so its ticks only look for names missing, as in a steady state.
    now = utc_now()
    with store.unit_of_work() as uow:
        uow.people.keep_names([(u, f"Name of {u}", None) for u in uow.people.to_name(now, None, 1_000_000)], now)
        uow.people.keep_channel_names(
            [(c, f"team-{c.lower()}") for c in uow.people.channels_to_name(now, 1_000_000)], now
        )
        uow.commit()
    # The clock ticks every minute: the tick before the close has read every playbook's
    # state already, as it would in a running clock (it finds nothing else to do).
    warm = cadence.tick(close_at - timedelta(minutes=1))
    assert not warm.counts, f"nothing is due the minute before the close: {warm.counts}"
    started = time.perf_counter()
    with QueryCounter(engine) as queries:
        report = cadence.tick(close_at)
    close_seconds = time.perf_counter() - started
    monday = closing_week + timedelta(days=7)
    started = time.perf_counter()
    with QueryCounter(engine) as digest_queries:
        messages = Digest(store, charts=False).messages(monday, "bench", "CCURATORS1", close_at)
    digest_seconds = time.perf_counter() - started
    charting = Digest(store, charts=True)  # as the clock holds it: the plotting library loaded at start
    started = time.perf_counter()
    charted = charting.messages(monday, "bench-charts", "CCURATORS1", close_at)
    charts_seconds = time.perf_counter() - started
    web_figures = _web_view(store, close_at, web_requests, pages)
    engine.dispose()
    slack.stop()
    return {
        **web_figures,
        "closes": report.counts[("close", "done")],
        "close_seconds": close_seconds,
        "close_statements": queries.count,
        "digest_seconds": digest_seconds,
        "digest_statements": digest_queries.count,
        "digest_messages": len(messages),
        "digest_with_charts_seconds": charts_seconds,
        "charts": sum(1 for m in charted if m.method == "files.uploadV2"),
        "clock_peak_rss_mib": peak_rss_mib(os.getpid()),
    }
