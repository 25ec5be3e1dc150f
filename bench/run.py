"""Run the benchmarks on SQLite and PostgreSQL and write bench/RESULTS.md: this release's
figures against its budgets (bench/budgets.py), beside the previous release's (bench/previous.json).

    .venv/bin/python -m bench.run [--db sqlite,postgresql] [--only ack,stalled,fanout,week,api,sources,webhooks,learnings,usage] [--report-only]

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

from bench import ack, api, fanout, learnings, scale, sources, stalled, usage, webhooks, week, week_form
from bench.ack import ROUNDS, SUBCOMMANDS_ON
from bench.budgets import BUDGETS, STATEMENTS_FLAT, at, judge, met, num
from bench.common import ROOT, machine

RESULTS = ROOT / "bench" / "results.json"
# The previous release's results.json as it was committed, with a "release" entry saying
# when and on what it was measured and what that code had that this one does not.
PREVIOUS = ROOT / "bench" / "previous.json"
REPORT = ROOT / "bench" / "RESULTS.md"
DATABASES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
WEEK_RUNS = [(100, 104), (1000, 104), (1000, 8)]  # (playbooks, weeks of history)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="sqlite,postgresql")
    parser.add_argument("--only", default="ack,stalled,fanout,week,api,sources,webhooks,learnings,usage,scale")
    parser.add_argument(
        "--report-only", action="store_true", help="Rewrite RESULTS.md from bench/results.json and bench/previous.json."
    )
    args = parser.parse_args()
    if args.report_only:
        REPORT.write_text(report(_load(RESULTS), _load(PREVIOUS)))
        return
    logging.basicConfig(level=logging.WARNING)
    results: dict[str, dict] = _load(RESULTS)  # a partial run updates them
    workdir = Path(tempfile.mkdtemp(prefix="rollout-bench-"))
    for db in args.db.split(","):
        if "ack" in args.only:
            print(f"[{db}] acknowledgement: 5,000 /rollout kpi, 32 clients…", flush=True)
            results.setdefault(db, {})["ack"] = ack.run(db, workdir)
            print(json.dumps(results[db]["ack"], indent=1), flush=True)
        if "stalled" in args.only:
            print(f"[{db}] stalled clients: 50 on `rollout serve`, probed until they are cut off…", flush=True)
            results.setdefault(db, {})["stalled"] = stalled.run(db, workdir)
            print(json.dumps(results[db]["stalled"], indent=1), flush=True)
        if "fanout" in args.only:
            print(f"[{db}] fan-out: 10,000 members in 200 channels…", flush=True)
            results.setdefault(db, {})["fanout"] = fanout.run(db, workdir)
            print(json.dumps(results[db]["fanout"], indent=1), flush=True)
        if "api" in args.only:
            print(f"[{db}] the reporting API: batches of 1,000, and single reports against kpi…", flush=True)
            results.setdefault(db, {})["api"] = api.run(db, workdir)
            print(json.dumps({k: v for k, v in results[db]["api"].items()}, indent=1, default=str)[:2000], flush=True)
        if "sources" in args.only:
            print(f"[{db}] sources: 1,000 playbooks x 3 numbers from one Prometheus…", flush=True)
            results.setdefault(db, {})["sources"] = sources.run(db, workdir)
            print(json.dumps(results[db]["sources"], indent=1), flush=True)
        if "webhooks" in args.only:
            print(f"[{db}] webhooks: 10,000 deliveries to a loopback receiver…", flush=True)
            results.setdefault(db, {})["webhooks"] = webhooks.run(db, workdir)
            print(json.dumps(results[db]["webhooks"], indent=1), flush=True)
        if "usage" in args.only:
            print(f"[{db}] usage: 10,000 users x 30 days from the Copilot stand-in…", flush=True)
            results.setdefault(db, {})["usage"] = usage.run(db, workdir)
            print(json.dumps(results[db]["usage"], indent=1), flush=True)
        if "learnings" in args.only:
            print(f"[{db}] learnings: searching 10,000…", flush=True)
            results.setdefault(db, {})["learnings"] = learnings.run(db, workdir)
            print(json.dumps(results[db]["learnings"], indent=1), flush=True)
        if "week" in args.only:
            results.setdefault(db, {})["week"] = {}
            for n, weeks in WEEK_RUNS:
                print(f"[{db}] scale of the week: {n} playbooks x 5 steps x {weeks} weeks…", flush=True)
                results[db]["week"][f"{n}x{weeks}"] = week.run(db, workdir, playbooks=n, weeks=weeks)
                print(json.dumps(results[db]["week"][f"{n}x{weeks}"], indent=1, default=str), flush=True)
        if "scale" in args.only:
            print(
                f"[{db}] ten times the scale: {scale.PLAYBOOKS:,} playbooks x 5 steps x {scale.WEEKS} weeks…",
                flush=True,
            )
            results.setdefault(db, {})["scale"] = scale.run(db, workdir)
            print(json.dumps(results[db]["scale"], indent=1, default=str), flush=True)
    RESULTS.write_text(json.dumps(results, indent=1, default=str))
    REPORT.write_text(report(results, _load(PREVIOUS)))
    print(f"wrote {REPORT}")


def _load(path: Path) -> dict:
    return json.loads(path.read_text()) if path.exists() else {}


def _budget_lines(section: str, r: dict, p: dict) -> list[str]:
    lines = []
    for label, rule in BUDGETS[section]:
        now, before = judge(rule, r), judge(rule, p)
        verdict = "not measured" if now is None else f"{met(now[1])}: {now[0]}"
        lines.append(f"- {label} — {verdict}; previous release: {'–' if before is None else before[0]}")
    return lines


def _summary(results: dict, previous: dict) -> list[str]:
    dbs = [db for db in DATABASES if db in results or db in previous]
    if not dbs:
        return ["Nothing measured yet.", ""]
    lines = [
        "| budget | " + " | ".join(f"{DATABASES[db]} | previous release" for db in dbs) + " |",
        "|---|" + "---|---|" * len(dbs),
    ]
    missed: list[str] = []
    unmeasured = dict.fromkeys(dbs, 0)
    for section in ("ack", "stalled", "week", "scale", "fanout", "api", "sources", "webhooks", "usage"):
        for label, rule in BUDGETS[section]:
            cells = []
            for db in dbs:
                now, before = judge(rule, results.get(db, {})), judge(rule, previous.get(db, {}))
                if now is None:
                    unmeasured[db] += 1
                elif not now[1]:
                    missed.append(f"{label} ({DATABASES[db]})")
                cells += [
                    "not measured" if now is None else f"{met(now[1])}: {now[0]}",
                    "–" if before is None else before[0],
                ]
            lines.append(f"| {label} | " + " | ".join(cells) + " |")
    lines.append("")
    if not missed and not any(unmeasured.values()):
        lines.append(f"**Every budget is met on {' and '.join(DATABASES[db] for db in dbs)}.**")
    if missed:
        lines.append(f"**Missed ({len(missed)}):** " + "; ".join(missed) + ".")
        lines.append(
            "Where the time of each goes: [README.md](README.md#the-budgets-missed-and-where-their-time-goes)."
        )
    if any(unmeasured.values()):
        total = sum(len(budgets) for budgets in BUDGETS.values())
        lines.append(
            "Not measured in this run: "
            + ", ".join(f"{n} of the {total} budgets on {DATABASES[db]}" for db, n in unmeasured.items() if n)
            + "."
        )
    lines += [
        "",
        f"Flat in the number of playbooks: with ten times the playbooks, the digest sends the same number of "
        f"statements and the close at most {STATEMENTS_FLAT}× (on SQLite an INSERT that returns the keys it took "
        "goes in batches of up to 1,000 rows, each a statement; on PostgreSQL, a COPY and one INSERT).",
        "",
    ]
    return lines


SERVER_NAMES = {
    "serve": "`rollout serve`: one process (uvicorn)",
    "web-1": "Procfile `web`, 1 worker: one serving process (uvicorn)",
    "web-2": "Procfile `web`, 2 workers (uvicorn)",
    "floor-uvicorn": "durable floor on uvicorn, 1 process (as `serve` and `web`)",
    "floor-waitress": "durable floor on waitress (before issue 56)",
    "floor-gunicorn": "durable floor on gunicorn gthread, 1 worker (before issue 56)",
    "bare": "bare Bolt app, `ack()` only (uvicorn)",
}


def _names(now: dict | None, before: dict | None) -> list[str]:
    """The keys of both, this run's first, in its order."""
    now, before = now or {}, before or {}
    return [*now, *(name for name in before if name not in now)]


def _acknowledgement(a: dict, p: dict) -> list[str]:
    if "servers" not in a:  # measured by an earlier form of this benchmark: run it again
        return ["### Acknowledgement", "", "Not measured by this form of the benchmark.", ""]
    rows = [
        (name, at(a, group, name), at(p, group, name))
        for group in ("servers", "floors")
        for name in _names(a.get(group), p.get(group))
    ]
    if a.get("bare") or p.get("bare"):
        rows.append(("bare", a.get("bare"), p.get("bare")))

    def row(name: str, x: dict | None, y: dict | None) -> str:
        def both(key: str, spec: str) -> str:
            return f"{num(at(x, key), spec)} | {num(at(y, key), spec)}"

        return (
            f"| {SERVER_NAMES.get(name, name)} | {both('p50', '.1f')} | {both('p99', '.1f')} | "
            f"{both('throughput', '.0f')} | {num(at(x, 'max'), '.1f')} | {num(at(x, 'failures'), 'd')} |"
        )

    lines = [
        "### Acknowledgement: `/rollout kpi` over HTTP, signatures verified, 32 clients, 5,000 requests",
        "",
        "Every server is uvicorn, its blocking work in a thread pool per process. The durable floor answers "
        "after one INSERT and COMMIT (bench/floor_app.py); the bare app only calls `ack()` (bench/bare_app.py). All run at "
        f"once and take their requests in {ROUNDS} bursts each, in turn, so each is compared with its floor "
        "in the same minutes. `rollout serve` is judged against the floor on its own stack, uvicorn.",
        "",
        "| server | p50 ms | previous | p99 ms | previous | requests/s | previous | max ms | failures |",
        "|---|---|---|---|---|---|---|---|---|",
        *[row(*r) for r in rows],
        "",
    ]
    peaks = [
        f"{SERVER_NAMES.get(name, name).split(':')[0]} {x['peak_rss_mib']:.0f} MiB"
        for name, x in a["servers"].items()
        if "peak_rss_mib" in x
    ]
    if peaks:
        lines += ["Peak RSS: " + ", ".join(peaks) + " (the largest process; for several workers, one of them).", ""]
    lines += _budget_lines("ack", {"ack": a}, {"ack": p})
    web, floor = at(a, "servers", "web-1"), at(a, "floors", "floor-uvicorn")
    if web and floor:
        lines.append(
            f"- not a budget: Procfile `web`, 1 worker, against the same floor: throughput "
            f"{web['throughput'] / floor['throughput']:.2f}×, p99 {web['p99']:.0f} ms"
        )
    lines.append("")
    subs, before = a.get("subcommands"), p.get("subcommands") or {}
    if subs:
        kpi, kpi_before = at(subs, "kpi", "p99"), at(before, "kpi", "p99")

        def ratio(p99: float | None, of: float | None) -> str:
            return "–" if p99 is None or not of else f"{p99 / of:.1f}×"

        lines += [
            f"### Every subcommand: {SERVER_NAMES[SUBCOMMANDS_ON]}, 32 clients, 1,000 requests each, "
            f"in {ROUNDS} bursts in turn",
            "",
            "| subcommand | p50 ms | p99 ms | previous | requests/s | p99 vs kpi | previous |",
            "|---|---|---|---|---|---|---|",
            *[
                f"| `{name}` | {num(at(subs, name, 'p50'), '.1f')} | {num(at(subs, name, 'p99'), '.1f')} | "
                f"{num(at(before, name, 'p99'), '.1f')} | {num(at(subs, name, 'throughput'), '.0f')} | "
                f"{ratio(at(subs, name, 'p99'), kpi)} | {ratio(at(before, name, 'p99'), kpi_before)} |"
                for name in _names(subs, before)
            ],
            "",
        ]
        form = subs.get(week_form.NAME)
        if form:  # each client opens its own playbook's form and submits it (bench/week_form.py)
            lines += [
                f"`{week_form.NAME}`: each client the owner of a playbook of its own, opening its week's form "
                "(`/rollout week`, untimed) and submitting it as Slack would, one after another; "
                f"{form['requests'] - form['failures']} of {form['requests']} answered “Week recorded”.",
                "",
            ]
    return lines


def _fanout(f: dict, p: dict) -> list[str]:
    before = f"; previous release {num(p.get('enqueue_seconds'), '.2f', ' s')}, {num(p.get('enqueue_queries'), 'd')}"
    return [
        "### Fan-out: the Thursday DM to 10,000 members in 200 team channels",
        "",
        f"- compute and enqueue (not a budget): {f['enqueue_seconds']:.2f} s, {f['enqueue_queries']} SQL "
        f"statements, {f['dms']} DMs{before}",
        f"- delivery through a stand-in allowing 1 message/s per channel and {f['workspace_rate']:.0f}/s "
        f"across the workspace, 2% of calls answered 429 or 503: {f['delivery_seconds']:.1f} s against a "
        f"lower bound of {f['lower_bound_seconds']:.0f} s = **{f['ratio']:.2f}×** "
        f"({f['calls']} calls for {f['dms']} DMs; {f['still_pending']} still pending)",
        *_budget_lines("fanout", {"fanout": f}, {"fanout": p}),
        "",
    ]


def _week(runs: dict, p: dict) -> list[str]:
    if any("x" not in key for key in runs):  # measured by an earlier form of this benchmark
        return ["### Scale of the week", "", "Not measured by this form of the benchmark.", ""]
    lines = [
        "### Scale of the week: N playbooks x 5 steps x W weeks of history",
        "",
        "The close is one tick of the clock at noon on the Monday after the week (a close per playbook; the new "
        "week's 09:00 nudges and Friday's owner DMs were earlier ticks), in a process of its own, as the clock "
        "runs: after the tick of the minute before, which read every playbook's state; its peak memory is the "
        "clock's (the digest with charts included). The history holds a verdict and its decision per step "
        "and week, and now and then a mode change. The close writes through SQLAlchemy in the tick's "
        "transaction, the rows of a table in one batched INSERT. "
        f"The close is measured {week.REPEATS} times, each on a fresh copy of the history in a fresh process: the "
        "median, with the fastest and slowest run beside it; the rest of the row is the median run's.",
        "",
        "| playbooks | weeks | history rows | week close (one tick) | previous | statements | previous "
        "| digest build | previous | statements | previous | digest with charts | previous | clock peak RSS |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for key in _names(runs, p):
        w, b = runs.get(key), p.get(key)
        if w is None:  # measured in the previous release only
            playbooks, weeks = key.split("x")
            w = {"playbooks": int(playbooks), "weeks": int(weeks)}
        runs_ = sorted(w.get("close_runs", [w["close_seconds"]] if "close_seconds" in w else []))
        spread = f", runs {runs_[0]:.2f}–{runs_[-1]:.2f} s" if len(runs_) > 1 else ""
        close = "–" if "close_seconds" not in w else f"{w['close_seconds']:.2f} s ({w['closes']} closes{spread})"
        digest = "–" if "digest_seconds" not in w else f"{w['digest_seconds']:.2f} s ({w['digest_messages']} messages)"
        charts = (
            "–"
            if "digest_with_charts_seconds" not in w
            else f"{w['digest_with_charts_seconds']:.2f} s ({w['charts']} charts)"
        )
        lines.append(
            f"| {w['playbooks']} | {w['weeks']} | {num(w.get('history_rows'), ',')} | {close} | "
            f"{num(at(b, 'close_seconds'), '.2f', ' s')} | {num(w.get('close_statements'), 'd')} | "
            f"{num(at(b, 'close_statements'), 'd')} | {digest} | {num(at(b, 'digest_seconds'), '.2f', ' s')} | "
            f"{num(w.get('digest_statements'), 'd')} | {num(at(b, 'digest_statements'), 'd')} | {charts} | "
            f"{num(at(b, 'digest_with_charts_seconds'), '.2f', ' s')} | "
            f"{num(w.get('clock_peak_rss_mib'), '.0f', ' MiB')} |"
        )
    return [*lines, "", *_budget_lines("week", {"week": runs}, {"week": p}), ""]


def _previous_label(previous: dict) -> str:
    release = previous.get("release") or {}
    what = ": ".join(str(release[k]) for k in ("measured", "code") if release.get(k))
    return f"previous release ({what})" if what else "previous release"


def report(results: dict, previous: dict) -> str:
    release = previous.get("release") or {}
    if any(db in previous for db in DATABASES):
        where = "; ".join(
            f"{label} {release[key]}"
            for key, label in (("machine", "measured on"), ("commit", "commit"))
            if release.get(key)
        )
        beside = (
            f"“previous”: the figure of the {_previous_label(previous)}, from `bench/previous.json`"
            f"{f' ({where})' if where else ''}. A figure measured in only one of the two shows –."
        )
    else:
        beside = "No previous release's figures (`bench/previous.json`) to show beside these."
    lines = [
        "# Benchmark results",
        "",
        f"Written {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; measured on {machine()}.",
        "Reproduce: `.venv/bin/python -m bench.run` (`--db sqlite|postgresql` and `--only ack,stalled,fanout,week,api,sources,webhooks,usage,scale` "
        "narrow it; a partial run updates `bench/results.json`; PostgreSQL from `ROLLOUT_TEST_PG_URL`, default "
        "the local server).",
        "",
        "Load generator, servers and the Slack stand-in share the machine's cores.",
        "",
        beside,
        "",
        "## Budgets",
        "",
        "On both databases, 32 concurrent clients, signatures verified. The durable floor is `bench/floor_app.py` "
        "on the same server as `rollout serve` (uvicorn, one process); the subcommands are measured on "
        "the Procfile's `web` with one worker, the same server stack.",
        "",
        *_summary(results, previous),
    ]
    for db, name in DATABASES.items():
        r, p = results.get(db), previous.get(db) or {}
        if r is None:
            continue
        lines += [f"## {name}", ""]
        if "ack" in r:
            lines += _acknowledgement(r["ack"], p.get("ack") or {})
        if "fanout" in r:
            lines += _fanout(r["fanout"], p.get("fanout") or {})
        if "week" in r:
            lines += _week(r["week"], p.get("week") or {})
        if "api" in r:
            lines += _api(r["api"], p.get("api") or {})
        if "sources" in r:
            lines += _sources(r["sources"], p.get("sources") or {})
        if "webhooks" in r:
            lines += _webhooks(r["webhooks"], p.get("webhooks") or {})
        if "usage" in r:
            lines += [*usage.described(r["usage"]), "", *_budget_lines("usage", r, p), ""]
        if "learnings" in r:
            lines += [*learnings.described(r["learnings"]), ""]
        if "scale" in r:
            lines += [*scale.described(r["scale"]), "", *_budget_lines("scale", r, p), ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def _api(a: dict, p: dict) -> list[str]:
    """The reporting API on `rollout serve` (bench/api.py)."""
    rows = [
        "### The reporting API",
        "",
        "`rollout serve` (uvicorn, one process). A batch: 1,000 KPI reports with keys in one "
        f"request, {len(a['batch_runs'])} times: {', '.join(f'{s:.2f}' for s in a['batch_runs'])} s. Single "
        "reports: 32 clients, each with a token of its own, in turn with `/rollout kpi` from 32 clients, "
        f"{ack.ROUNDS} bursts each.",
        "",
        "| load | p50 ms | p99 ms | requests/s | failures |",
        "|---|---|---|---|---|",
    ]
    for name, label in (("kpi", "`/rollout kpi`"), ("api", "`POST /api/v1/reports`, one report")):
        f = a[name]
        rows.append(f"| {label} | {f['p50']:.1f} | {f['p99']:.1f} | {f['throughput']:.0f} | {f['failures']} |")
    return [*rows, "", *_budget_lines("api", {"api": a}, {"api": p}), ""]


def _sources(a: dict, p: dict) -> list[str]:
    """The clock's fetch of sourced numbers (bench/sources.py)."""
    rows = [
        "### Sources",
        "",
        "One real Prometheus (Debian's, backfilled with promtool) on loopback; each playbook's KPI, guardrail and "
        "a step's cases from it; the clock's fetch of the week that ended (`SourceClock.run`: what is due, 16 "
        "fetches at once, the values written through `recording.report_row` and `add_reports`), on a fresh "
        "database each.",
        "",
        "| run | asked | stored | failed | seconds | SQL statements |",
        "|---|---|---|---|---|---|",
    ]
    for name, label in (
        ("100", "100 playbooks"),
        ("1000", "1,000 playbooks"),
        ("1000_one_silent", "1,000, one source never answers"),
    ):
        f = a.get(name)
        if f:
            rows.append(
                f"| {label} | {f['asked']} | {f['stored']} | {f['failed']} | {f['seconds']:.2f} | {f['statements']} |"
            )
    held = a.get("held")
    if held:
        rows += [
            "",
            "Held by sources: 1,000 playbooks × 3 numbers whose one source never answers; the sources' pass in "
            "its own thread (as the clock runs it), and 20 s into it the tick that closes the 1,000 weeks.",
            "",
            "| close delay (s) | close tick (s) | same tick, no pass (s) | closes | pass (s) | asked | left for "
            "the next pass | failed | load average (1 min) |",
            "|---|---|---|---|---|---|---|---|---|",
            f"| {held['close_delay_seconds']:.1f} | {held['close_tick_seconds']:.1f} | "
            f"{held['close_tick_alone_seconds']:.1f} | {held['closes']} | {held['pass_seconds']:.0f} | "
            f"{held['asked']} | {held['deferred']} | {held['failed']} | {_load_average(held)} |",
        ]
    return [*rows, "", *_budget_lines("sources", {"sources": a}, {"sources": p}), ""]


def _load_average(figures: dict) -> str:
    load = figures.get("load_average_1min")
    return "–" if load is None else f"{load:.1f} on {figures.get('cores', '?')} cores"


def _webhooks(w: dict, p: dict) -> list[str]:
    return [*webhooks.described(w), "", *_budget_lines("webhooks", {"webhooks": w}, {"webhooks": p}), ""]


if __name__ == "__main__":
    started = time.time()
    main()
    print(f"done in {time.time() - started:.0f} s")
