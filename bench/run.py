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

**This machine** is about as fast as the one that measured the first release, and about
2.3 times faster than the one of the previous release's RESULTS: with the previous
release's code, the SQLite close of 1,000 playbooks (8 weeks) took 1.84 to 1.88 s here
against 3.2 s there. So this run's seconds compare with the first release's, not with the
previous one's; the ratio targets compare like with like in one run either way.

**Missed in this run**

- *The close of 1,000 playbooks under 1.5 s*: 1.90 s on SQLite, 2.03 s on PostgreSQL. It
  no longer grows with history (1.09x and 1.02x between 104 and 8 weeks). Profiled on
  SQLite by sampling (py-spy) on a kept copy of the 1,000 x 8 history, 1.73 s in all:
  reading each step's history and building its state for the rules 0.28 s (the rows
  themselves a third of it); the rules, verdict records, proposals and their bookkeeping
  about 0.45 s; rendering 1,000 summaries 0.17 s; the week's figures 0.12 s; writing
  12,000 rows 0.37 s, of which SQLite's row triggers raising each playbook's revision once
  per verdict are 0.13 s; queueing 1,500 messages and 1,000 jobs 0.15 s; the tick's own
  planning 0.15 s. On PostgreSQL the write is 0.47 s, most of it the server checking each
  row's foreign keys: a COPY of 42,507 decision rows took 0.98 s with those checks and
  0.26 s without. No single change closes the remaining 0.4 to 0.5 s. What would: render
  each summary when the dispatcher delivers it, from figures stored with the close
  (0.17 s); carry each step's rule state in the clock from one close to the next (the close
  that wrote it knows what it wrote), so a close reads only the week it closes (most of the
  0.28 s); on SQLite, raise
  the revision once per playbook per close instead of per row, which SQLite's row-only
  triggers cannot do without the close's help (0.13 s).
- *PostgreSQL `web` p99 against its floor*: 1.63x, with throughput 0.76x (met). The floor's
  tail is very tight (p50 33.9 ms, p99 42.7 ms); ours is 43.6 and 69.5 ms. Two earlier runs
  this session, with the same `kpi` path, measured 1.36x and 1.37x: this target sits at the
  edge, and it is the tail, not the typical request. One caller at a time (`bench/profile.py`), a
  `/rollout kpi` takes 0.98 ms against the floor's 0.69 ms (1.43x; it was 1.82x). Not the
  garbage collector: in one process, 6,000 `kpi` and `status` requests ran 26 young
  passes (0.1 ms at most) and no full one.
- *`undo` on PostgreSQL*: 3.3x `kpi`'s p99 (2.5x and 3.4x in the two earlier runs). It is
  183 ms, where it was 181 ms before this release: `kpi`, the yardstick, got faster. Undo
  reads the caller's latest report and withdraws it in a transaction of its own with the
  request key. Two changes made after this run, not measured under load: the report is
  withdrawn and read back in one statement (UPDATE ... RETURNING, where a read and an update
  were two), and what counts in its place is read after it on the request's connection,
  not in a second transaction. One caller on PostgreSQL: 3.55 ms to 3.27 ms a request
  (SQLite 2.32 to 2.07 ms). What would close it: one statement that withdraws the latest
  report and claims the key, as `kpi` does.

**What changed in this release, measured**

- *`/rollout kpi` on PostgreSQL* is judged on the playbook state the process holds and
  written by one statement that also checks the playbook is still at the revision it was
  judged on (Store.held_state; judged again on the current state if not, and before any
  refusal). A request's reads share one pooled connection (storage.db.held_connection), and the
  two middlewares are one. One caller: 1.25 ms to 0.98 ms a request. Under load (`web`,
  one worker): 0.58x of the floor's throughput in the previous release's run, 0.76x to
  0.95x in three runs of this one.
- *`status` on PostgreSQL*: its reads on the request's connection as Core reads, and its
  request key in one statement that commits itself without waiting for the disk (as the
  transaction it replaces did). One caller: 5.5 ms to 3.8 ms a request; 2.7x `kpi`'s p99.
- *The close*: on PostgreSQL the look-back reads bind their thousands of ids as one array
  (storage/lists.py; psycopg parsed a placeholder per id: 0.26 s); the bulk writes go
  straight to the driver on SQLite too, each repeated value converted once (0.47 to
  0.37 s); the templates' finalizer takes a short way for plain text and numbers (rendering
  0.196 to 0.173 s). SQLite 1.86 s to about 1.73 s, PostgreSQL 2.21 s to about 1.95 s on
  the kept copies. The week's history on PostgreSQL is now vacuumed and analysed before the
  close is measured, as autovacuum would have been over two years: built in minutes, it
  left the playbook rows with thousands of dead versions (the clock's revision read took
  137 ms instead of 2).
- *The digest*: each playbook scanned every mode change of the week (quadratic: 1.2 s of
  1.8 s for 1,000 playbooks); the plotting library is loaded when the clock starts, not by
  the first charted digest (about 0.7 s); and two reads that grew with history, the org's
  exception ratios (the whole verdict table) and the week's mode changes (each playbook's
  whole record), read only their weeks through indexes of migration 0014. 1.98 s to
  0.77 s on SQLite, and 5.22 s to 2.17 s with charts.
- *`/rollout history`* reads a partial index of the decisions it lists (migration 0014),
  not every weekly verdict before them.

Tried and dropped: a fixed chart layout instead of matplotlib's tight layout (0.05 s a
chart, but a long playbook name ran out of the picture); the KPI trend folded into the
week's totals (one statement fewer for status, but it outgrew psycopg's 4,096-character
query cache and cost more than the two); building the step histories in the same loop as
reading them (no difference).
"""


if __name__ == "__main__":
    started = time.time()
    main()
    print(f"done in {time.time() - started:.0f} s")
