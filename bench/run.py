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


MISSES = """## Where a target is missed, why, and what would close it

**This machine wanders.** The same work moves by a fifth and more from one minute to the
next (one close of the same history took 0.90 s and 1.46 s in the same half hour). So the
close is measured five times, each on a fresh copy of the history in a fresh process,
and the median shown with the range; and every server, floor and subcommand runs at once
and takes its load in five bursts in turn with the others, so that each ratio compares
the same minutes. Even so, verdicts near a line flip from run to run. This pass made
three full runs; this file is the last, on the final code. The other two:

| target | run 1 | run 2 | run 3 (this file) |
|---|---|---|---|
| SQLite `serve` vs floor: throughput / p99 | 0.62x / 1.23x | **0.52x / 2.29x** | 0.70x / 1.05x |
| SQLite `web` vs floor: throughput / p99 | **0.55x / 1.65x** | **0.58x / 1.55x** | **0.59x / 1.66x** |
| PostgreSQL `serve` vs floor: throughput / p99 | 0.86x / 1.22x | 0.64x / **1.62x** | 0.74x / **1.66x** |
| PostgreSQL `web` vs floor: throughput / p99 | 0.83x / 1.09x | 0.73x / **1.56x** | 0.62x / **1.55x** |
| worst subcommand p99 vs `kpi`: SQLite / PostgreSQL | **3.6x** (status) / 1.2x | 2.1x / 2.7x | 2.1x / 2.3x |
| close of 1,000, 104 weeks: SQLite / PostgreSQL | 0.91 s / 1.14 s | 1.37 s / 1.03 s | 1.30 s / 1.06 s |
| 104 weeks vs 8: SQLite / PostgreSQL | 1.08x / 1.08x | 1.06x / **0.75x** | 0.94x / 0.86x |

Run 1 was before the request path's Slack client was copied rather than built (a few
per cent of a request); runs 1 and 2 measured the close three times, run 3 five. Run 2's
0.75x was its 8-week close, slower than the 104-week one, with the three runs of each
size overlapping: the machine, not history (so five now).

**Missed in this run, and in every run: SQLite's `web` (1 worker) against its floor**,
throughput 0.55 to 0.59x and p99 1.55 to 1.66x. `serve` on SQLite meets both in two runs
of three. Why: one caller at a time (`bench/profile.py`) a `/rollout kpi` costs 0.45 ms
of this process against the floor's 0.19 ms, and under load the difference shows in
the tail. SQLite's writers of a process now take turns (below), which raised our
throughput and cut our p99 by half; the floor, whose turn is one INSERT, gained more (971
requests/s in the last release's run, 1,300 to 1,400 in this pass's). No one part of
the request is the gap: under cProfile, the revision read, the request key's INSERT,
the reply's template, Bolt's argument injection for our middleware, the body check and
the Slack client are each 5 to 15% of it. Tried alone: dropping the revision read (the
held state confirmed inside the write) made p99 worse in every alternated pair, as the
check moved inside the write's turn; dropping the key's INSERT altogether (an experiment
only: it would lose the replay check) gained 2 to 3%; a Slack client copied rather than
built, 4% (kept). What would close it is more such cuts: the body parsed once rather than
twice (10 us of 450), the reply rendered with less machinery.

**Missed in this run and the one before: the PostgreSQL p99 against its floors**, 1.55x
to 1.66x, with throughput met; run 1 met both (1.09x and 1.22x). Both floors' tails are
very tight (p99 72 and 82 ms here); our p99 is the tail of a Python request that costs
more than the floor's one statement, on two cores shared with the load generator.

**Missed once in three: SQLite `status`** (3.6x in run 1, 2.1x in the others). Why:
status lists each member's latest check-in of the week, and finding it reads every
check-in of the week in the counting index (grouped by member). Interleaved, the
`attest` bursts before each `status` burst leave up to 26 check-ins per member in the
one week; measured alone, status served 540 requests/s with none, 396 after 1,000 and
277 after 4,000. A real team checks in about once a week each, so this is the
benchmark's busy week more than a team's. What would close it: a walk over the members
in the index (the next member, then their latest), cost per member rather than per
check-in. Tried: on PostgreSQL the recursive walk was slower at this size (1.5 against
1.05 ms a read, 43 check-ins per member), and was not kept.

**What changed in this pass, measured** (same-hour comparisons, alternated where it says)

- *SQLite writers take turns in the process* (`storage.db`): a writer that found the
  lock taken slept in SQLite's busy handler, in steps growing to 100 ms, and could lose
  the race many times. They now queue in Python from their transaction's first write to
  its commit. `kpi` p99 185 to 77 ms and `undo` 450 to 150 ms on `web`; `undo` went
  from 3.2x `kpi`'s p99 to 1.4x.
- *Every report, and undo, is one statement with its request key on PostgreSQL*, as the
  KPI reading was: BEGIN, two INSERTs and COMMIT were four round trips. p99 on `web`:
  `attest` 160 to 70 ms, `guardrail` 110 to 85, `cases` 155 to 70, `undo` 195 to 145.
- *Status keeps the closed weeks of its KPI trend* in the process (closed weeks are final):
  one statement fewer, 6.0 to 4.7 ms one caller at a time on PostgreSQL.
- *The close reads the steps' verdict windows in a second thread*, beside the week's
  figures: PostgreSQL, 104 weeks, 0.98 to 0.86 s (medians of five alternated runs);
  SQLite, whose reads are work in the process, neither gains nor loses. The clock
  compiles every template when it is built, not in its first close (25 ms of it).
- *The request path's Slack client* is a copy of one kept per token and URL, not built
  per request: 0.47 to 0.45 ms a `/rollout kpi`, one caller at a time, SQLite.
- *The benchmark*: servers, floors and subcommands interleaved in bursts, and the close
  measured five times (above).

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

Tried and dropped: a KPI report on SQLite judged on the held state (above); a lower
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
