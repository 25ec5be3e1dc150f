"""Run the benchmarks on SQLite and PostgreSQL and write bench/RESULTS.md.

    .venv/bin/python -m bench.run [--db sqlite,postgresql] [--only ack,fanout,week]

Not part of the test suite: these measure, they do not assert.
"""

from __future__ import annotations

import argparse
import json
import logging
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench import ack, fanout, week
from bench.common import ROOT, machine

TARGETS = {
    "enqueue": "compute and enqueue 10,000 DMs in under 5 s",
    "ratio": "delivery within 1.1 x the lower bound the limits allow",
    "duplicates": "0 duplicates",
    "lost": "0 lost",
    "statements": "statements do not grow with the number of playbooks",
}


def _week(runs: dict) -> list[str]:
    if any("x" not in key for key in runs):  # measured by an earlier release of this benchmark
        return ["### Scale of the week", "", "Not measured by this release of the benchmark.", ""]
    lines = [
        "### Scale of the week: N playbooks x 5 steps x W weeks of history",
        "",
        "The close is one tick of the clock at noon on the Monday after the week (1,000 closes; the new "
        "week's 09:00 nudges and Friday's owner DMs were earlier ticks), in a process of its own, as the clock "
        "runs: after the tick of the minute before, which read every playbook's state; its peak memory is the "
        "clock's (the digest with charts included). The history holds a verdict and its decision per step "
        "and week, and now and then a mode change. The close writes its verdicts, decisions and proposals "
        "straight through the driver (COPY on PostgreSQL, an executemany on SQLite), which the statement count "
        "does not see.",
        "",
        "| playbooks | weeks | history rows | week close (one tick) | statements | digest build | statements | "
        "digest with charts | clock peak RSS |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for w in runs.values():
        lines.append(
            f"| {w['playbooks']} | {w['weeks']} | {w['history_rows']:,} | {w['close_seconds']:.2f} s "
            f"({w['closes']} closes) | {w['close_statements']} | {w['digest_seconds']:.2f} s "
            f"({w['digest_messages']} messages) | {w['digest_statements']} | "
            f"{w['digest_with_charts_seconds']:.2f} s ({w['charts']} charts) | {w['clock_peak_rss_mib']:.0f} MiB |"
        )
    by_size: dict[int, list[dict]] = {}
    for w in runs.values():
        by_size.setdefault(w["weeks"], []).append(w)
    close = [w["close_statements"] for w in by_size.get(104, [])]
    digest = [w["digest_statements"] for w in by_size.get(104, [])]
    # Reads are a fixed set; writes are executemany, which the driver splits into a
    # statement per few thousand rows: ten times the playbooks may add one or two.
    flat = bool(close) and max(close) - min(close) <= 3 and len(set(digest)) == 1
    lines += [
        "",
        f"- {TARGETS['statements']}: {_met(flat)} (week close {min(close, default=0)}–{max(close, default=0)} "
        f"statements, digest {digest[0] if digest else '?'}; the driver splits very large executemany writes "
        "into a statement per few thousand rows, which is the only growth)",
    ]
    long, short = runs.get("1000x104"), runs.get("1000x8")
    if long and short:
        ratio = long["close_seconds"] / short["close_seconds"]
        lines += [
            f"- the close does not grow with history (104 weeks within 20% of 8 weeks): "
            f"{_met(abs(ratio - 1) <= 0.2)} ({long['close_seconds']:.2f} s against {short['close_seconds']:.2f} s, "
            f"{ratio:.2f}x)",
            f"- the close of 1,000 playbooks under 1.5 s: {_met(long['close_seconds'] < 1.5)} "
            f"({long['close_seconds']:.2f} s)",
            f"- the digest of 1,000 playbooks under 1 s: {_met(long['digest_seconds'] < 1)} "
            f"({long['digest_seconds']:.2f} s), with charts under 3 s: "
            f"{_met(long['digest_with_charts_seconds'] < 3)} ({long['digest_with_charts_seconds']:.2f} s)",
        ]
    return [*lines, ""]


WEEK_RUNS = [(100, 104), (1000, 104), (1000, 8)]  # (playbooks, weeks of history)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="sqlite,postgresql")
    parser.add_argument("--only", default="ack,fanout,week")
    parser.add_argument("--report-only", action="store_true", help="Rewrite RESULTS.md from bench/results.json.")
    args = parser.parse_args()
    if args.report_only:
        results = json.loads((ROOT / "bench" / "results.json").read_text())
        (ROOT / "bench" / "RESULTS.md").write_text(report(results, args))
        return
    logging.basicConfig(level=logging.WARNING)
    saved = ROOT / "bench" / "results.json"
    results: dict[str, dict] = json.loads(saved.read_text()) if saved.exists() else {}  # a partial run updates them
    workdir = Path(tempfile.mkdtemp(prefix="rollout-bench-"))
    for db in args.db.split(","):
        if "ack" in args.only:
            print(f"[{db}] acknowledgement: 5,000 /rollout kpi, 32 clients…", flush=True)
            results.setdefault(db, {})["ack"] = ack.run(db, workdir)
            print(json.dumps(results[db]["ack"], indent=1), flush=True)
        if "fanout" in args.only:
            print(f"[{db}] fan-out: 10,000 members in 200 channels…", flush=True)
            results.setdefault(db, {})["fanout"] = fanout.run(db, workdir)
            print(json.dumps(results[db]["fanout"], indent=1), flush=True)
        if "week" in args.only:
            results.setdefault(db, {})["week"] = {}
            for n, weeks in WEEK_RUNS:
                print(f"[{db}] scale of the week: {n} playbooks x 5 steps x {weeks} weeks…", flush=True)
                results[db]["week"][f"{n}x{weeks}"] = week.run(db, workdir, playbooks=n, weeks=weeks)
                print(json.dumps(results[db]["week"][f"{n}x{weeks}"], indent=1, default=str), flush=True)
    (ROOT / "bench" / "results.json").write_text(json.dumps(results, indent=1, default=str))
    (ROOT / "bench" / "RESULTS.md").write_text(report(results, args))
    print(f"wrote {ROOT / 'bench' / 'RESULTS.md'}")


def _met(ok: bool) -> str:
    return "met" if ok else "**missed**"


SERVER_NAMES = {
    "serve": "`rollout serve`: one process (waitress)",
    "web-1": "Procfile `web`, 1 worker: one serving process (gunicorn gthread)",
    "web-2": "Procfile `web`, 2 workers (gunicorn gthread)",
    "floor-waitress": "durable floor on waitress (as `rollout serve`)",
    "floor-gunicorn": "durable floor on gunicorn gthread, 1 worker (as `web`)",
}
FLOOR_OF = {"serve": "floor-waitress", "web-1": "floor-gunicorn"}  # one process against its own stack's floor


def _acknowledgement(ack: dict) -> list[str]:
    def row(name: str, x: dict) -> str:
        return (
            f"| {SERVER_NAMES.get(name, name)} | {x['p50']:.1f} | {x['p99']:.1f} | {x['max']:.1f} | "
            f"{x['throughput']:.0f} | {x['failures']} |"
        )

    if "servers" not in ack:  # measured by an earlier release of this benchmark: run it again
        return ["### Acknowledgement", "", "Not measured by this release of the benchmark.", ""]
    servers, floors, bare = ack["servers"], ack["floors"], ack["bare"]
    lines = [
        "### Acknowledgement: `/rollout kpi` over HTTP, signatures verified, 32 clients, 5,000 requests",
        "",
        "Every server has 8 threads per process. The durable floor answers after one INSERT and COMMIT "
        "(bench/floor_app.py); the bare app only calls `ack()` (bench/bare_app.py, waitress).",
        "",
        "| server | p50 ms | p99 ms | max ms | requests/s | failures |",
        "|---|---|---|---|---|---|",
        *[row(name, x) for name, x in servers.items()],
        *[row(name, x) for name, x in floors.items()],
        f"| bare Bolt app, `ack()` only (waitress) | {bare['p50']:.1f} | {bare['p99']:.1f} | {bare['max']:.1f} | "
        f"{bare['throughput']:.0f} | {bare['failures']} |",
        "",
        "Peak RSS: "
        + ", ".join(
            f"{SERVER_NAMES.get(name, name).split(':')[0]} {x['peak_rss_mib']:.0f} MiB"
            for name, x in servers.items()
            if "peak_rss_mib" in x
        )
        + " (the largest process; for gunicorn, a worker).",
        "",
    ]
    for name, floor_name in FLOOR_OF.items():
        one, floor = servers.get(name), floors.get(floor_name)
        if one is None or floor is None:
            continue
        lines.append(
            f"- {SERVER_NAMES[name].split(':')[0]} against {SERVER_NAMES[floor_name]}: throughput "
            f"{one['throughput'] / floor['throughput']:.2f}x (target at least 0.6x: "
            f"{_met(one['throughput'] >= 0.6 * floor['throughput'])}), p99 {one['p99'] / floor['p99']:.2f}x "
            f"(target at most 1.5x: {_met(one['p99'] <= 1.5 * floor['p99'])})"
        )
    lines.append("")
    subs = ack.get("subcommands")
    if subs:
        kpi = subs["kpi"]
        lines += [
            f"### Every subcommand: {SERVER_NAMES['web-1']}, 32 clients, 1,000 requests each",
            "",
            "| subcommand | p50 ms | p99 ms | requests/s | p99 vs kpi |",
            "|---|---|---|---|---|",
            *[
                f"| `{name}` | {x['p50']:.1f} | {x['p99']:.1f} | {x['throughput']:.0f} | "
                f"{x['p99'] / kpi['p99']:.1f}x{'' if x['p99'] <= 3 * kpi['p99'] else ' **over 3x**'} |"
                for name, x in subs.items()
            ],
            "",
        ]
    return lines


def report(results: dict, args) -> str:
    lines = [
        "# Benchmark results",
        "",
        f"Written {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; measured on {machine()}.",
        "Reproduce: `.venv/bin/python -m bench.run` (`--db sqlite|postgresql` and `--only ack,fanout,week` "
        "narrow it; a partial run updates `bench/results.json`; PostgreSQL from `ROLLOUT_TEST_PG_URL`, default "
        "the local server).",
        "",
        "Load generator, servers and the Slack stand-in share the machine's cores.",
        "",
    ]
    for db, r in results.items():
        lines += [f"## {db}", ""]
        if "ack" in r:
            lines += _acknowledgement(r["ack"])
        if "fanout" in r:
            f = r["fanout"]
            lines += [
                "### Fan-out: the Thursday DM to 10,000 members in 200 team channels",
                "",
                f"- compute and enqueue: {f['enqueue_seconds']:.2f} s, {f['enqueue_queries']} SQL statements, "
                f"{f['dms']} DMs — {TARGETS['enqueue']}: {_met(f['enqueue_seconds'] < 5)}",
                f"- delivery through a stand-in allowing 1 message/s per channel and {f['workspace_rate']:.0f}/s "
                f"across the workspace, 2% of calls answered 429 or 503: {f['delivery_seconds']:.1f} s against a "
                f"lower bound of {f['lower_bound_seconds']:.0f} s = **{f['ratio']:.2f}x** — {TARGETS['ratio']}: "
                f"{_met(f['ratio'] < 1.1)}",
                f"- duplicates {f['duplicates']}, lost {f['lost']} ({f['calls']} calls for {f['dms']} DMs; "
                f"{f['still_pending']} still pending)",
                "",
            ]
        if "week" in r:
            lines += _week(r["week"])
    lines += [MISSES]
    return "\n".join(lines) + "\n"


MISSES = """## Where a target is missed, why, and what would close it

**This machine.** The run above was made on a machine about 2.3 times slower than the one
that measured the previous release: with the previous release's code, the SQLite close of
1,000 playbooks took 4.0 to 4.2 s here against 1.78 s there, and the durable floor on
gunicorn answered about 600 requests a second here against 1,333 there (one caller, the
floor's request took 0.57 ms here against 0.2 ms). The ratio targets compare like with
like in one run and hold across machines; the targets in seconds (the close under 1.5 s,
the digest under 1 s, with charts under 3 s) do not, and all three are missed here. The
digest's code is unchanged since the run that met both of its targets (0.76 s and 1.95 s).

How the costs were found: `bench/profile.py` drives the real WSGI app in one process, one
caller at a time, against the durable floor, then under cProfile; the close was profiled
by phases on a kept copy of the 1,000 x 104 database. One caller on this machine:
`/rollout kpi` takes 1.28 ms on SQLite against the floor's 0.57 ms, and 2.65 ms on
PostgreSQL against 1.34 ms, before the change to one statement below; `status` on
PostgreSQL took 17.3 ms, 4.9 ms of it executing its eighteen statements, and the rest
SQLAlchemy building and reading them.

**Procfile `web`, one worker, against its floor.** What changed: on PostgreSQL a KPI
report and its request key are one statement that commits itself (a CTE claims the key
and inserts the reading only if it was new): one round trip where BEGIN, two INSERTs and
COMMIT were four. Measured in pairs on this machine (`web` then its floor, twice), that
moved PostgreSQL from 265 against 490 requests a second (0.54x, p99 1.8x) to 350 against
530 (0.66x) with p99 118 against 80 ms (1.46x). The full run above has it at 0.58x and
1.72x; between pairs the floor moved from 488 to 543 requests a second, so PostgreSQL sits
at the edge of both targets. SQLite: 0.68x (met) and p99 1.93x. SQLite has one write lock:
its p99 is the writers that waited for it, and SQLite's waiters poll, sleeping longer each
time they miss (1, 2, 5, 10 ... 100 ms). Our request holds the lock for two INSERTs (the
reading and its request key) where the floor holds it for one. Tried and dropped: an
in-process lock that queues SQLite writers instead of letting them poll. It halved the
floor's and our p99 alike (the floor uses the same engine), so the ratio did not move, and
our throughput fell by 5 to 20% between pairs. What would close it on SQLite: the request
key as a unique column of the report row, so the report is one INSERT, as the floor's is.

**`status`** was 5.4x `kpi`'s p99 on PostgreSQL; it is 2.9x now (met), 0.9x on SQLite.
Its week figures are three statements instead of seven (the totals of a week in one, each
step's numbers in one, the check-ins), and the verdicts, open proposals and versions it
shows are kept per process under the playbook's revision, which the database now raises
on any change to them (migration 0013): an owner's status is eight statements where it
was eighteen (two of them, after the answer, record its request key).
The subcommand table measures each subcommand after one round from every client, which
fills that cache; the first status after a week's close reads them again.

**The week close** no longer grows with history on either database (1.07x on SQLite,
1.09x on PostgreSQL; it was 1.21x on SQLite), and is under 1.5 s on neither (3.4 s and
4.1 s here). The history
now holds what a deployed database holds: a decision for every verdict, and mode changes.
That exposed reads the previous benchmark could not see: each step's mode changes and
rejections, and each playbook's guardrail weeks, were read from the decision table
through an index by playbook and id, so they read every decision a playbook ever had;
partial indexes now hold just those rows (migration 0012). Other changes: the verdicts
the rules need are read as six columns, not whole rows (histories 1.1 s to 0.6 s on
SQLite); the cyclic garbage collector is paused while a round of closes runs (0.5 s; the
clock's peak memory did not change); on PostgreSQL verdicts, decisions and proposals are
written with COPY (writing the close took 1.0 s with executemany, and 2.1 s once the
revision triggers of 0013 fired for every row); and a running clock reads only the
playbook states whose revision moved (0.3 s on SQLite, 0.5 s on PostgreSQL, every minute).
On SQLite the close of 1,000 playbooks went from 4.2 s to 3.4 s on this machine. What
remains is in proportion to the playbooks: 5,000 verdicts and 6,000 decisions judged and
written, 1,000 summaries rendered and queued. Profiled on SQLite: writing about a third
(SQLite's own executemany and commit are half of that), the rules and their bookkeeping a
quarter, reading the figures and histories a fifth, rendering the summaries a tenth. What
would close it: render each summary when the dispatcher delivers it, from figures stored
with the close, and on SQLite write the rows with the driver's executemany directly
(SQLAlchemy's per-row parameter processing is a third of the write).

**The clock's peak memory** is now read from the clock process's own high-water mark
(VmHWM): 150 to 194 MiB. The previous release reported 349 MiB from getrusage, which
Linux carries across exec, so the spawned clock reported the peak of the process that had
built the history. The week rows above come from a second run (`--only week`) made after
that fix; everything else from the full run before it.
"""


if __name__ == "__main__":
    started = time.time()
    main()
    print(f"done in {time.time() - started:.0f} s")
