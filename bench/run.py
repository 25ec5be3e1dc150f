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
from bench.ack import ROUNDS
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
        "does not see. On SQLite the close's commit leaves its pages in the write-ahead log, and the clock "
        "copies them into the database file after the tick (a checkpoint, storage/db.py), measured on its own. "
        f"The close is measured {week.REPEATS} times, each on a fresh copy of the history in a fresh process: the median, "
        "with the fastest and slowest run beside it; the rest of the row is the median run's.",
        "",
        "| playbooks | weeks | history rows | week close (one tick) | statements | then the checkpoint "
        "| digest build | statements | digest with charts | clock peak RSS |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for w in runs.values():
        after = w.get("checkpoint_seconds")
        others = sorted(w.get("close_runs", [w["close_seconds"]]))
        spread = f", runs {others[0]:.2f}–{others[-1]:.2f} s" if len(others) > 1 else ""
        lines.append(
            f"| {w['playbooks']} | {w['weeks']} | {w['history_rows']:,} | {w['close_seconds']:.2f} s "
            f"({w['closes']} closes{spread}) | {w['close_statements']} | {'–' if after is None else f'{after:.2f} s'} "
            f"| {w['digest_seconds']:.2f} s "
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
    "serve": "`rollout serve`: one process (gunicorn gthread, one worker)",
    "web-1": "Procfile `web`, 1 worker: one serving process (gunicorn gthread)",
    "web-2": "Procfile `web`, 2 workers (gunicorn gthread)",
    "floor-waitress": "durable floor on waitress (the server `rollout serve` ran on before)",
    "floor-gunicorn": "durable floor on gunicorn gthread, 1 worker (as `serve` and `web`)",
}
FLOOR_OF = {"serve": "floor-gunicorn", "web-1": "floor-gunicorn"}  # one process against its own stack's floor


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
        "(bench/floor_app.py); the bare app only calls `ack()` (bench/bare_app.py, waitress). All run at "
        f"once and take their requests in {ROUNDS} bursts each, in turn, so each is compared with its floor "
        "in the same minutes.",
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
            f"### Every subcommand: {SERVER_NAMES['web-1']}, 32 clients, 1,000 requests each, "
            f"in {ROUNDS} bursts in turn",
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


MISSES = """## Where the targets stand, and how thin the margins are

**Every target is met in this run, and two of them by less than a tenth.** The close of
1,000 playbooks took 1.37 s on SQLite and 1.40 s on PostgreSQL (target 1.5 s; its five
runs 1.33 to 1.51 s and 1.27 to 1.52 s), and `serve`'s p99 on SQLite was 1.43x its floor's
(target 1.5x). This machine is faster on the request path than the issue's: the bare Bolt
app answered 2,038 and 2,261 requests/s (the issue's machine about 1,700; the last pass's
1,425). The close's code did not change in this pass, and on this machine it also
wandered within the hour: on one copy of the SQLite history, 1.32 to 1.42 s at one time
and 1.46 to 1.60 s forty minutes later; the full run of the last pass's code earlier
that day had it at 1.51 s and 1.93 s (PostgreSQL's runs 1.29 to 2.07 s), both missed. So the
earlier passes' misses were the machines' in part, and on a slower or busier machine
the close will miss again. This file is this pass's one full run, on its final code;
beside it, the final runs of the two passes before:

| target | two passes ago | last pass | this pass (this file) |
|---|---|---|---|
| SQLite `serve` vs its floor: throughput / p99 (waitress before this pass) | 0.89x / 0.79x | 1.01x / 0.99x | 0.70x / 1.43x |
| SQLite `web` vs floor: throughput / p99 | 0.72x / **1.75x** | 0.74x / 1.13x | 0.71x / 1.34x |
| PostgreSQL `serve` vs its floor: throughput / p99 (waitress before this pass) | 0.80x / 1.33x | 0.78x / **2.03x** | 0.86x / 1.20x |
| PostgreSQL `web` vs floor: throughput / p99 | 0.77x / 1.29x | 0.83x / 1.28x | 0.89x / 1.18x |
| `serve`'s own p99, ms: SQLite / PostgreSQL | | 319 / 206 (waitress) | 76 / 67 |
| worst subcommand p99 vs `kpi`: SQLite / PostgreSQL | 1.6x / 2.8x | 2.3x / 2.6x | 2.1x / 1.3x |
| close of 1,000, 104 weeks: SQLite / PostgreSQL | **2.86 s / 2.91 s** | **2.51 s / 2.40 s** | 1.37 s / 1.40 s |
| 104 weeks vs 8: SQLite / PostgreSQL | 0.96x / 1.13x | 1.03x / 0.99x | 1.05x / 1.03x |
| digest of 1,000: SQLite / PostgreSQL | 0.94 s / **1.45 s** | 0.85 s / 0.88 s | 0.45 s / 0.53 s |
| digest with charts: SQLite / PostgreSQL | **3.9 s / 4.9 s** | 2.69 s / 2.70 s | 1.50 s / 1.58 s |
| bare Bolt app, requests/s: SQLite run / PostgreSQL run | 741 / 893 | 1,425 / 1,321 | 2,038 / 2,261 |

(Three passes ago, on another fast machine, the close took 1.30 s and 1.06 s.)

**`serve` is one gunicorn worker now.** `rollout serve` ran on waitress, which reads and
writes every socket on one thread that queues for the interpreter lock behind the
request threads: its p99 on PostgreSQL missed 1.5x its floor in four of the seven runs
before this change (the last two earlier that day, on this machine: 1.20x and 1.80x), and
on SQLite waitress itself was the slow part (in this run its floor's p99 was 250 ms,
gunicorn's 53 ms). `serve` now runs one gunicorn gthread worker,
whose request threads do their own socket work, with the clock and the dispatcher in
that worker as before. It is measured against the floor on gunicorn, its own stack; the
floor on waitress stays in the table as the server before. Run on this machine earlier
that day on waitress, `serve`'s p99 was 266 ms on SQLite and 126 ms on PostgreSQL; here it
is 76 and 67 ms, at twice the throughput on SQLite. Its ratio to its floor on SQLite
(1.43x) is now the thin one: the gunicorn floor is the faster server to be measured
against (the Procfile's `web`, the same stack, was 1.13x to 1.75x in the final runs of the
last three passes).

**The close in seconds: met here, without room.** Where a close's time goes on SQLite,
in this pass's profile (py-spy, 1.43 s sampled): writing 0.6 s (the 5,000 verdicts
0.26 s, about half of it SQLite's revision trigger firing once per verdict; the 6,000
decision rows 0.21 s; jobs, outbox and commit the rest); reading 0.4 s (the steps'
verdict windows, 45,000 rows, in a second thread, and the week's figures); judging, the
rules and rendering 1,000 summaries 0.4 s. Nothing is half of it. Measured this pass and
not kept:

- the scale rule's reads moved beside the verdict-window read: slower on SQLite (1.43 to
  1.46 s against 1.34 to 1.42 s, interleaved), since the reader thread takes the
  interpreter lock back once a row and waits for it behind the main thread's work; no
  reader thread at all on SQLite: no difference either way;
- a hold on SQLite's row triggers (a table whose one row, inside the close's
  transaction, makes them stand aside, and one revision raise per playbook after): the
  verdicts' insert 0.13 to 0.09 s, within the close's noise, for a table and a migration;
- the close without its verdict decision rows, as an experiment: 1.40 to 1.30 s, median
  of four interleaved.

What would give it room on any machine: the two storage changes named before, together.
Record a week's verdict once (in `step_verdict`, with its rule and thresholds) instead of
also as a decision row, and keep each step's rule counters with the step instead of
reading its window each week. The first changes what the decision log and its CSV
export hold, which the README promises ("every verdict ... is an append-only row in the
`decision` table"); the second changes how a correction of a closed week is judged
again. Both are decisions about the product, not speed tweaks; neither was made here.

**What changed in this pass, measured**

- *`rollout serve` on gunicorn* (`bot/cli.py`, `bot/web.py`): above. Its first tick is
  scheduled at once in the clock's thread rather than run before the worker is ready, so
  a long catch-up never leaves gunicorn's master waiting on a silent worker, and the
  worker's exit stops the clock. A test runs the real process: it answers, its clock
  ticks in the worker (no clock process beside it), and a SIGTERM stops both.

**The last pass, measured then**

- *The digest's charts have a fixed layout* (`templates/charts.py`): matplotlib measured every
  text of each chart to fit the plot and legend (`tight_layout`), a quarter of a chart's
  time: 430 to 330 ms a chart, one caller. A test draws charts with the longest labels
  and KPIs 9,000% off target and holds every text inside the picture.

**Two passes ago, measured then**

- *The request's middleware is a Bolt Middleware*, not a function: Bolt built a function
  middleware's arguments by introspection on every request (about 3%).
- *On SQLite a request takes one connection from the pool*: its write transaction runs on
  the connection its reads held, outside any transaction until the first write.
- *On SQLite the request path's three most frequent statements run on the driver's
  cursor* (`storage/driver.py`): a playbook's revision, a report and the request key,
  compiled once, their parameters converted by their columns' types. SQLAlchemy's
  execution cost about 70 us of Python each, where SQLite spends 7 to 10. With the two
  above: 1.74 to 1.26 ms a `/rollout kpi`, against the floor's 0.70 to 0.78.
- *Status walks each member's latest check-in on SQLite*, along the counting index from
  one member to the next: its cost follows the members, not their check-ins.

**Three passes ago, measured then** (on another fast machine)

- *SQLite writers take turns in the process* (`storage.db`): `kpi` p99 185 to 77 ms and
  `undo` 450 to 150 ms on `web`.
- *Every report, and undo, is one statement with its request key on PostgreSQL*: p99 on
  `web`, `attest` 160 to 70 ms, `guardrail` 110 to 85, `cases` 155 to 70, `undo` 195 to 145.
- *Status keeps the closed weeks of its KPI trend* in the process: 6.0 to 4.7 ms on
  PostgreSQL. *The close reads the steps' verdict windows in a second thread*: PostgreSQL,
  104 weeks, 0.98 to 0.86 s. *The request path's Slack client* is copied, not built.
- *The benchmark*: servers, floors and subcommands interleaved in bursts, and the close
  measured five times.

**Earlier passes of this release, measured then**

- Templates kept loaded and escaped texts cached (1,000 summaries 0.20 to 0.12 s); the
  rules' values as named tuples; step histories grouped in one pass.
- PostgreSQL: lists of ids bound as one array's text; the close's jobs and outbox in one
  statement of JSON arrays; binary COPY; the scale rule reads only its columns.
- SQLite: the close's commit leaves its log to the clock's checkpoint after the tick (the
  close's growth with history, 1.30x, was that checkpoint); shown in its own column.
- The cyclic garbage collector paused for the tick and the digest; digest 1.0 to 0.58 s
  on PostgreSQL. The history's playbook table rewritten after the build, as autovacuum
  keeps it.

Tried and dropped before this pass: a KPI report on SQLite judged on the held state (above); a lower
interpreter switch interval (no better); PostgreSQL's file-copy strategy for the
history's copies (no steadier); rendering each summary at delivery instead of in the
close (would save 0.1 s, but a message queued by one release would be rendered by the
next one's template: a release that changes what the template needs could not deliver
what was queued before it); a table telling SQLite's triggers to leave revisions to the
close; a larger SQLite cache and memory-mapped reads; a covering index for the verdict
window; raising every SQLite connection's checkpoint threshold (it halved `web`
throughput with no clock running).
"""


if __name__ == "__main__":
    started = time.time()
    main()
    print(f"done in {time.time() - started:.0f} s")
