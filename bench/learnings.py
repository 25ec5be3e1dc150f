"""Searching learnings (`/rollout learnings [words]`, the web view's learnings page):
10,000 learnings over 100 playbooks, and the search's one read timed in process for
four kinds of words: none (the newest ten), a common word, a rare one that sends the
scan to the end of its window, and words that match nothing (the same). The search is a
bounded scan of the newest learnings (storage/learnings.py `search`), so its cost is
the window's, whatever the table holds. Figures depend on the machine: run it, do not
quote them from a loaded one."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

from bench.common import QueryCounter, fresh_database, percentiles
from cadence.definition_load import parse_playbook
from cadence.text import folded
from storage.db import make_engine, unit_of_work
from storage.models.reports import Learning
from storage.store import Store
from usecases.learnings_search import IN_SLACK, find

LEARNINGS = 10_000
PLAYBOOKS = 100
RUNS = 50
WORDS = ("refund", "policy", "drafts", "tone", "macros", "escalation", "customers", "templates")
SEARCHES = {
    "no words": (),
    "a common word": ("policy",),
    "a rare word": ("zeppelin",),  # in one learning, the oldest: the whole window is read
    "no match": ("refund", "nowhere"),
}


def build(engine) -> None:
    """PLAYBOOKS playbooks and LEARNINGS learnings among them, one a minute, the oldest
    holding the rare word."""
    store = Store(engine)
    specs = [
        parse_playbook(
            {
                "playbook": f"pb-{i:04d}",
                "title": f"Playbook {i}",
                "function": f"Function {i % 7}",
                "channel": f"CLRN{i:05d}",
                "owner": f"ULRN{i:05d}",
                "rubric_threshold": 0.9,
                "exception_cap": 0.1,
                "kpi": {"name": "Minutes", "unit": "min", "direction": "down", "baseline": 40, "target": 15},
                "steps": [{"name": "draft", "mode": "collaborative"}],
            }
        )
        for i in range(PLAYBOOKS)
    ]
    with store.unit_of_work() as uow:
        uow.playbooks.load(specs, "UTC", actor="bench", at=datetime.now(UTC))
        uow.commit()
    ids = [store.playbooks.state(s.playbook).playbook.id for s in specs]
    start = datetime(2026, 1, 5, tzinfo=UTC)
    rows = [
        dict(
            playbook_id=ids[n % PLAYBOOKS],
            cycle=1 + n // 2_000,
            text=("zeppelin " if n == 0 else "")
            + f"Learning {n}: {WORDS[n % len(WORDS)]} and {WORDS[(n * 3) % len(WORDS)]} matter more than we thought",
            added_by=f"ULRN{n % 500:05d}",
            added_at=start + timedelta(minutes=n),
        )
        for n in range(LEARNINGS)
    ]
    for row in rows:
        row["folded"] = folded(row["text"])  # as storage/learnings.py keeps it
    with unit_of_work(engine) as s:
        s.execute(insert(Learning), rows)


def run(kind: str, workdir: Path) -> dict:
    with fresh_database(kind, workdir) as database:
        engine = make_engine(database)
        build(engine)
        store = Store(engine)
        figures: dict = {"learnings": LEARNINGS}
        for name, words in SEARCHES.items():
            samples = []
            with QueryCounter(engine) as queries:
                for _ in range(RUNS):
                    started = time.perf_counter()
                    found = find(store, words, IN_SLACK)
                    samples.append(time.perf_counter() - started)
            figures[name] = dict(
                percentiles(samples), found=len(found.hits), statements=queries.count / RUNS, bounded=found.bounded
            )
        engine.dispose()
    return figures


def described(figures: dict) -> list[str]:
    lines = [
        f"### Searching {figures.get('learnings', LEARNINGS):,} learnings",
        "",
        "| Words | p50 ms | p99 ms | Found | Statements |",
        "|---|---:|---:|---:|---:|",
    ]
    for name in SEARCHES:
        f = figures.get(name) or {}
        if f:
            lines.append(f"| {name} | {f['p50']:.1f} | {f['p99']:.1f} | {f['found']} | {f['statements']:.0f} |")
    return lines
