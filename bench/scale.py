"""Ten times the scale: 10,000 playbooks x 5 steps x 104 weeks of history, the world
bench/week.py builds at 1,000, measured where a sponsor and the clock feel its size: the
week close (once: the world takes minutes to build and a copy of it as long), the digest,
the web view (the overview as a sponsor reads 10,000, by function and by search, and a
playbook's page), `rollout export csv` of it all, the CLI itself in a process of its own
with its peak memory, and the sources' pass of 30,000 numbers from one Prometheus."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import sources, week
from bench.common import ROOT, fresh_database
from storage.db import make_engine

PLAYBOOKS = 10_000
WEEKS = 104
WEB_REQUESTS = 10  # of each page, after one to warm up: an overview of 10,000 takes seconds (p95: the 9th of 10)
POLL = 0.02  # seconds between two reads of the export's peak memory
# The overview as a sponsor reads 10,000 playbooks: a function's table, and a search
PAGES = (("web_function", "/?function=Function%203"), ("web_search", "/?q=playbook%20123"))


def run(kind: str, workdir: Path, playbooks: int = PLAYBOOKS) -> dict:
    """The close, the digest and the web view of the world (bench/week.py's, at
    `playbooks`), then its export, then the sources' pass of `playbooks` x 3 numbers."""
    with fresh_database(kind, workdir) as url:
        engine = make_engine(url)
        started = time.perf_counter()
        built = week.build(engine, playbooks, WEEKS)
        build_seconds = time.perf_counter() - started
        engine.dispose()
        exported = export(url, workdir)  # before the close, which changes the world
        closed = week.measure(url, built, WEB_REQUESTS, PAGES)
    with sources.prometheus(playbooks) as prometheus:
        sources._fetch.kind, sources._fetch.workdir = kind, workdir  # type: ignore[attr-defined]
        fetched = sources._fetch(prometheus, playbooks)
    return {
        "playbooks": playbooks,
        "weeks": WEEKS,
        "history_rows": built["rows"],
        "build_seconds": build_seconds,
        "web_requests": WEB_REQUESTS,
        **closed,
        "export": exported,
        "sources": fetched,
    }


def export(url: str, workdir: Path) -> dict:
    """`rollout export csv` of the whole world as an operator runs it: the CLI in a process
    of its own, its peak resident memory (VmHWM) read as it runs, its seconds and rows."""
    directory = Path(tempfile.mkdtemp(prefix="export-", dir=workdir)) / "out"
    environment = {**os.environ, "DATABASE_URL": url}
    command = [sys.executable, "-m", "bot", "export", "csv", str(directory)]
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    peak = 0.0
    while process.poll() is None:
        peak = max(peak, _peak_mib(process.pid))
        time.sleep(POLL)
    seconds = time.perf_counter() - started
    out, err = process.communicate()
    assert process.returncode == 0, err.decode()[-2000:]
    rows = sum(int(line.rsplit(": ", 1)[1].split()[0].replace(",", "")) for line in out.decode().splitlines())
    size = sum(f.stat().st_size for f in directory.iterdir())
    for f in directory.iterdir():
        f.unlink()
    directory.rmdir()
    return {"seconds": seconds, "peak_rss_mib": peak, "rows": rows, "bytes": size}


def _peak_mib(pid: int) -> float:
    """A live process's peak resident memory so far (0 once it is gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    return int(fields.get("VmHWM", "0 kB").split()[0]) / 1024


# The budgets (issue 113): judged by bench/budgets.py's rules on one database's results.
OVERVIEW_SECONDS = 1.0  # p95: the overview, a function's table, a search
PLAYBOOK_SECONDS = 0.3  # p95: a playbook's page, as at 1,000
CLOSE_SECONDS = 10.0
CLOSE_FLAT = 1.25  # seconds per playbook at 10,000 against at 1,000 (bench/week.py's 1000x104)
DIGEST_SECONDS = 3.0
EXPORT_MB = 300  # the export's whole process at its peak
SOURCES_SECONDS = 60.0  # 30,000 numbers from one Prometheus


def _figure(key: str) -> Callable[[dict], Any]:
    def figure(r: dict) -> Any:
        found: Any = r.get("scale") or {}
        for part in key.split("."):
            found = found.get(part) if isinstance(found, dict) else None
        return found

    return figure


def _seconds(key: str, budget: float, unit: str = "s") -> Callable[[dict], tuple[str, bool] | None]:
    read = _figure(key)

    def judged(r: dict) -> tuple[str, bool] | None:
        seconds = read(r)
        if seconds is None:
            return None
        shown = f"{seconds * 1000:.0f} ms" if unit == "ms" else f"{seconds:.2f} s"
        return shown, seconds <= budget

    return judged


def _close_flat(r: dict) -> tuple[str, bool] | None:
    large = _figure("close_seconds")(r)
    small = ((r.get("week") or {}).get("1000x104") or {}).get("close_seconds")
    if large is None or small is None:
        return None
    ratio = (large / PLAYBOOKS) / (small / 1000)
    return f"{ratio:.2f}× ({large / PLAYBOOKS * 1000:.2f} against {small:.2f} ms a playbook)", ratio <= CLOSE_FLAT


def _export_memory(r: dict) -> tuple[str, bool] | None:
    exported = _figure("export")(r)
    if exported is None:
        return None
    mb = exported["peak_rss_mib"] * 2**20 / 1e6
    figure = f"{mb:.0f} MB ({exported['rows']:,} rows, {exported['bytes'] / 1e6:.0f} MB of CSV in {exported['seconds']:.0f} s)"
    return figure, mb <= EXPORT_MB


def _sources(r: dict) -> tuple[str, bool] | None:
    fetched = _figure("sources")(r)
    if fetched is None:
        return None
    wanted = fetched["playbooks"] * 3  # a pass starts no fetch after its deadline: the rest waits for the next
    figure = f"{fetched['seconds']:.1f} s ({fetched['stored']:,} of {wanted:,} stored, {fetched['failed']} failed)"
    return figure, fetched["seconds"] <= SOURCES_SECONDS and fetched["stored"] == wanted


BUDGETS: list[tuple[str, Callable[[dict], tuple[str, bool] | None]]] = [
    (
        f"10,000 playbooks: the overview's p95 at most {OVERVIEW_SECONDS:g} s",
        _seconds("web_overview_p95_seconds", OVERVIEW_SECONDS, "ms"),
    ),
    (
        f"10,000 playbooks: a function's table, p95 at most {OVERVIEW_SECONDS:g} s",
        _seconds("web_function_p95_seconds", OVERVIEW_SECONDS, "ms"),
    ),
    (
        f"10,000 playbooks: a search of the overview, p95 at most {OVERVIEW_SECONDS:g} s",
        _seconds("web_search_p95_seconds", OVERVIEW_SECONDS, "ms"),
    ),
    (
        f"10,000 playbooks: a playbook's page, p95 at most {PLAYBOOK_SECONDS * 1000:.0f} ms",
        _seconds("web_playbook_p95_seconds", PLAYBOOK_SECONDS, "ms"),
    ),
    (f"10,000 playbooks: the week close, at most {CLOSE_SECONDS:g} s", _seconds("close_seconds", CLOSE_SECONDS)),
    (f"10,000 playbooks: the close a playbook, at most {CLOSE_FLAT}× at 1,000", _close_flat),
    (f"10,000 playbooks: the digest, at most {DIGEST_SECONDS:g} s", _seconds("digest_seconds", DIGEST_SECONDS)),
    (f"10,000 playbooks: `rollout export csv`'s peak memory, at most {EXPORT_MB} MB", _export_memory),
    (f"10,000 playbooks: the sources' pass of 30,000 numbers, at most {SOURCES_SECONDS:g} s", _sources),
]


def described(s: dict) -> list[str]:
    """The world's section of RESULTS.md."""
    return [
        f"### Ten times the scale: {s['playbooks']:,} playbooks x 5 steps x {s['weeks']} weeks",
        "",
        f"The world of the scale of the week ({s['history_rows']:,} rows of history, built in "
        f"{s['build_seconds']:.0f} s), closed once in a process of its own as the clock does it (peak memory "
        f"{s['clock_peak_rss_mib']:.0f} MiB): the close {s['close_seconds']:.2f} s in {s['close_statements']} "
        f"statements, the digest {s['digest_seconds']:.2f} s in {s['digest_statements']} statements "
        f"({s['digest_with_charts_seconds']:.2f} s with its charts). Web pages, p95 of {s.get('web_requests', WEB_REQUESTS)}: "
        + ", ".join(
            f"{name} {s[key] * 1000:.0f} ms"
            for name, key in (
                ("the overview", "web_overview_p95_seconds"),
                ("a function's table", "web_function_p95_seconds"),
                ("a search", "web_search_p95_seconds"),
                ("a playbook's page", "web_playbook_p95_seconds"),
            )
            if key in s
        )
        + f". `rollout export csv`: {s['export']['seconds']:.0f} s, {s['export']['rows']:,} rows, peak "
        f"{s['export']['peak_rss_mib']:.0f} MiB. The sources' pass: {s['sources']['stored']:,} of "
        f"{s['sources']['playbooks'] * 3:,} numbers in {s['sources']['seconds']:.1f} s ({s['sources']['statements']} "
        "statements; a pass starts no fetch after its 45 s, and leaves the rest to the next).",
    ]
