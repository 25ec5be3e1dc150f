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
        "and week, and now and then a mode change. On PostgreSQL the close writes its verdicts, decisions and "
        "proposals with COPY, which the statement count does not see.",
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

How the costs were found: `bench/profile.py` drives the real WSGI app in one process, one
caller at a time (CPU per request, no queueing), against the durable floor, then under
cProfile. One caller, SQLite: `/rollout kpi` took 1.45 ms of CPU before this release and
0.6 ms now, against the floor's 0.2 ms; `status` took 11 ms on a week with 3,000 reports
of each kind and takes 4.4 ms now (3.7 ms on a quiet week).

**`rollout serve` (waitress) against its floor** is met, but says little: both collapse
at 32 concurrent keep-alive clients on this 2-core machine. The same floor app answers
110 to 300 requests a second behind waitress and 900 to 1,300 behind gunicorn's gthread
worker, with the same database and load; with one client the waitress floor answers
1,350 a second, and it degrades as clients are added even with a single worker thread
(py-spy: its worker waits on socket sends and the interpreter lock while waitress's own
thread serves the other connections). The row that matters is the Procfile's `web`
process, which is what a deployment runs, against the floor on the same stack. The
README says to run the web process under gunicorn for a busy workspace.

**Procfile `web`, one worker, against its floor: on SQLite throughput 0.62x (met) and p99
1.80x (target 1.5x); on PostgreSQL throughput 0.54x (target 0.6x) and p99 1.75x.** Between
runs the floor itself moves by 10% (SQLite 1,180 to 1,330 requests a second, p99 75 to
100 ms), and the previous run of this release had SQLite at 0.56x and 1.46x, so on SQLite these sit at the edge. Per request, beyond the floor's one INSERT: the playbook's
revision lookup (its state is cached), the replay key written with the report, a
report table with a foreign key and two partial indexes, two middlewares and the
reply's template. On PostgreSQL each statement is a round trip and the foreign key's
check locks the playbook row in KEY SHARE mode for every report, which concurrent
reports turn into multixacts. What would close it: one pooled connection per request
(the revision lookup and the write in one checkout), and the signature kept as a
unique column of the report row instead of a row of its own.

**`status` on PostgreSQL: p99 5.4x `kpi`'s (target 3x; 2.1x on SQLite, met).** Status
reads the week's figures, every step's recent verdicts, proposals, versions, the trend
and the curators: about fifteen statements, each a round trip on PostgreSQL, where `kpi`
has three. Each is built once and bounded by what it shows (KPI reports are counted to
101, the latest of a week is the end of an index range), so its cost no longer grows
with the week's reports. What would close it: the week's figures as one statement (a
union of the per-table reads) and the verdict history kept per process beside the
playbook state, under the same revision rule.

**The week close: under 1.5 s missed (1.78 s on SQLite, 2.33 s on PostgreSQL), and on
SQLite 104 weeks cost 1.21x what 8 weeks do (target within 20%; 1.05x on PostgreSQL).**
The close no longer reads history: each step's last verdicts come from the end of its
index range, and the statements are the same at any size (on PostgreSQL the close of
104 weeks took 16.7 s in the last release, then with the Monday nudges in the same tick,
and takes 2.3 s). What remains is work in proportion to the
playbooks: 5,000 verdicts and 6,000 decisions judged and written, and 1,000 week
summaries rendered and queued. Profiled (SQLite, 1,000 playbooks): rendering the
summaries about a fifth of the time, reading the figures and histories about a third,
writing about a fifth, the rules and their bookkeeping the rest. The 1.2x on SQLite is
the writes into indexes ten times larger (a 32 MiB page cache changed nothing). What would
close it: render each summary when the dispatcher delivers it, from the figures stored
with the close, and write verdicts and decisions with PostgreSQL's COPY.
"""


if __name__ == "__main__":
    started = time.time()
    main()
    print(f"done in {time.time() - started:.0f} s")
