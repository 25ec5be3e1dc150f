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
        "The close is measured three times, each on a fresh copy of the history in a fresh process: the median, "
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

**This machine wanders.** Timings of the same work moved by a fifth from one run to the
next this session (one close of the same history took 1.44 s and 2.37 s a minute apart;
the PostgreSQL floor's own p99 has read 42.7 and 50.7 ms). The close is therefore
measured three times, each on a fresh copy of the history, and the median reported with
the range. The acknowledgement targets are single runs of 5,000 requests.

**Missed in this run**

- *PostgreSQL: the close of 1,000 playbooks in under 1.5 s*: 1.57 s with 104 weeks (runs
  1.51 to 2.25 s) and 1.84 s with 8 (runs 1.77 to 1.88 s); it does not grow with history
  (0.85x). SQLite meets it (1.45 s and 1.40 s, 1.04x). These PostgreSQL rows are from a
  second run of the week alone, after a fix to the benchmark: in the full run the 104-week
  close took 2.18 s and the digest 1.06 s, because the history, built in minutes, left
  the playbook table at 1 GB for its 1,000 rows (each chunk's revision trigger rewrote
  every playbook row; VACUUM frees that space but keeps the file), and every read that
  scans the playbooks read all of it: the clock's revisions on every tick, the digest's
  counts, 0.25 s each. The build now rewrites that table (VACUUM FULL), as autovacuum
  running all along keeps it near its live size. What remains is spread over the close:
  PostgreSQL's write of 12,000 rows is mostly its foreign-key checks (a COPY of the close's
  decisions takes half the time without them), rendering 1,000 summaries 0.12 to 0.18 s,
  reading each step's window of verdicts 0.15 to 0.26 s. What would close it: keep each
  step's rule state in the clock from one close to the next (the close that wrote it
  knows what it wrote), so a close reads only the week it closes; render each summary
  when it is delivered. An index carrying the four columns the rules read, tried on a
  copy of the 104-week history, did not make the window faster and was not added.
- *`web` p99 against the floor*: SQLite 1.57x, PostgreSQL 2.01x, with throughput met on
  both (0.61x). The PostgreSQL floor's tail is very tight (p50 38.5 ms, p99 50.7 ms); ours
  is 49.0 and 102 ms under 32 clients. One caller at a time (`bench/profile.py`) a
  `/rollout kpi` costs 0.98 ms against the floor's 0.69 ms: the gap under load is the
  tail of a Python request sharing two cores with the load generator and the stand-in,
  not a slow path. Earlier runs this session measured 1.36x, 1.37x, 1.63x and 1.70x.
- *SQLite `undo`*: 3.2x `kpi`'s p99 (546.8 ms against 173.1 ms, with a p50 of 120 ms):
  a tail of writers waiting for SQLite's one write lock. PostgreSQL's `undo`, 3.3x in the
  last release's run, is 2.8x now. What would close the rest: one statement that
  withdraws the latest report and claims the request key, as `kpi` does.

**What changed in this release, measured**

- *The close*, on kept copies of the 1,000 x 8 history, one process (medians of five
  runs where it says so; the machine wandered):
  - the summaries' templates are kept loaded, and the escaped form of repeated texts
    cached: rendering 1,000 summaries 0.20 to 0.12 s (in isolation);
  - the rules' weeks and step states are named tuples (a frozen dataclass took twice as
    long to build, and `dataclasses.replace` 7 us a call); a step with no transitions no
    longer builds an empty change; step histories are grouped in one pass;
  - PostgreSQL: lists of ids go as the text of one array, cast by the server (psycopg
    built each array parameter element by element: 51 ms); the close's jobs and outbox
    messages are one statement of JSON arrays (84 + 135 ms to 29 + 66 ms); COPY is binary
    (5,000 decisions 142 to 120 ms); the scale rule reads only its columns;
  - SQLite: the close's commit leaves its 7,000 pages in the write-ahead log and the
    clock checkpoints after the tick (0.30 s with 104 weeks, 0.08 s with 8, shown in its
    own column). That was the close's growth with history on SQLite: 1.30x in the first
    run of this session, 1.04x now.

  SQLite 1.85 s (104 weeks) and 1.42 s (8 weeks) at the start of this session to 1.45 s
  and 1.40 s; PostgreSQL 1.86 s and 1.81 s to 1.57 s and 1.84 s (the 8-week rerun was on
  a slow hour of this machine: 1.54 s and 1.41 s in the two full runs before it).
- *The digest*: the cyclic garbage collector is paused while it runs, as it is for the
  whole tick now (a third of reading 1,000 playbook states was its passes), and the
  playbook states are read with their ids as one list. PostgreSQL 1.0 to 0.58 s and
  SQLite 0.75 to 0.45 s on the 8-week copy.
- *A change made and undone*: raising every SQLite connection's checkpoint threshold
  (so no commit checkpoints, the clock doing it) halved the `web` throughput against the
  floor in a full run, because with no clock running requests filled the log until one of
  them paid for all of it. Only the close defers its checkpoint now.

Tried and dropped: a table that tells SQLite's row triggers to leave revisions to the
close (a third off the verdicts' insert in isolation, nothing measurable in the close: the
commit writes the same playbook pages); a larger SQLite page cache and memory-mapped reads (under
5%); a fixed chart layout (a long playbook name ran out of the picture); the KPI trend
folded into the week's totals (it outgrew psycopg's 4,096-character query cache).
"""


if __name__ == "__main__":
    started = time.time()
    main()
    print(f"done in {time.time() - started:.0f} s")
