"""The budgets (bench/README.md), each judged on one database's results by a function
that gives the figure as text and whether the budget is met, or None when the run did
not measure it. bench/run.py writes them into RESULTS.md."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bench import scale, stalled, webhooks


def at(tree: Any, *keys: str) -> Any:
    """tree[key][key]…, or None where a key is missing: a figure that run did not measure."""
    for key in keys:
        if not isinstance(tree, dict) or key not in tree:
            return None
        tree = tree[key]
    return tree


def num(value: float | None, spec: str, unit: str = "") -> str:
    return "–" if value is None else f"{value:{spec}}{unit}"


def met(ok: bool) -> str:
    return "met" if ok else "**missed**"


# The budgets. Each is judged on one database's results by a function that gives the
# figure as text and whether the budget is met, or None when the run did not measure it.
Judged = tuple[str, bool] | None

KPI_THROUGHPUT = 0.5  # x the durable floor's requests/s on the same server stack
KPI_P99_MS = 250
SUBCOMMAND_P99 = 3  # x kpi's p99
CLOSE_SECONDS = 1.5  # 1,000 playbooks x 5 steps, 104 weeks of history
CLOSE_HISTORY = 1.2  # the close with 104 weeks against the close with 8
DIGEST_SECONDS, CHARTS_SECONDS = 1, 3
# Flat in the number of playbooks: ten times the playbooks, the digest the same number of
# statements and the close at most this factor more. On SQLite an INSERT that returns the
# keys it took goes to the database in batches of up to 1,000 rows, each batch a
# statement (on PostgreSQL, a COPY and one INSERT); a statement per playbook would be
# hundreds more.
STATEMENTS_FLAT = 1.25
DELIVERY = 1.1  # x the lower bound Slack's limits allow


def _kpi_throughput(r: dict) -> Judged:
    serve, floor = at(r, "ack", "servers", "serve"), at(r, "ack", "floors", "floor-uvicorn")
    if serve is None or floor is None:
        return None
    ratio = serve["throughput"] / floor["throughput"]
    figure = f"{ratio:.2f}× ({serve['throughput']:.0f} against {floor['throughput']:.0f} requests/s)"
    return figure, ratio >= KPI_THROUGHPUT


def _kpi_p99(r: dict) -> Judged:
    serve = at(r, "ack", "servers", "serve")
    return None if serve is None else (f"{serve['p99']:.0f} ms", serve["p99"] <= KPI_P99_MS)


def _subcommands(r: dict) -> Judged:
    subs = at(r, "ack", "subcommands") or {}
    if "kpi" not in subs or len(subs) < 2:
        return None
    kpi = subs["kpi"]["p99"]
    worst = max((name for name in subs if name != "kpi"), key=lambda name: subs[name]["p99"])
    ratio = subs[worst]["p99"] / kpi
    return f"worst `{worst}` {ratio:.1f}× ({subs[worst]['p99']:.0f} against {kpi:.0f} ms)", ratio <= SUBCOMMAND_P99


def _close(r: dict) -> Judged:
    w = at(r, "week", "1000x104")
    if w is None:
        return None
    runs = sorted(w.get("close_runs", [w["close_seconds"]]))
    spread = f", runs {runs[0]:.2f}–{runs[-1]:.2f} s" if len(runs) > 1 else ""
    return f"{w['close_seconds']:.2f} s{spread}", w["close_seconds"] <= CLOSE_SECONDS


def _close_history(r: dict) -> Judged:
    long, short = at(r, "week", "1000x104", "close_seconds"), at(r, "week", "1000x8", "close_seconds")
    if long is None or short is None:
        return None
    ratio = long / short
    return f"{ratio:.2f}× ({long:.2f} against {short:.2f} s)", ratio <= CLOSE_HISTORY


def _digest(r: dict) -> Judged:
    seconds = at(r, "week", "1000x104", "digest_seconds")
    return None if seconds is None else (f"{seconds:.2f} s", seconds <= DIGEST_SECONDS)


def _charts(r: dict) -> Judged:
    seconds = at(r, "week", "1000x104", "digest_with_charts_seconds")
    return None if seconds is None else (f"{seconds:.2f} s", seconds <= CHARTS_SECONDS)


def _statements(r: dict) -> Judged:
    small, large = at(r, "week", "100x104"), at(r, "week", "1000x104")
    if small is None or large is None:
        return None
    close = small["close_statements"], large["close_statements"]
    digest = small["digest_statements"], large["digest_statements"]
    flat = digest[1] == digest[0] and close[1] <= STATEMENTS_FLAT * close[0]
    return f"close {close[0]} → {close[1]}, digest {digest[0]} → {digest[1]}", flat


def _delivery(r: dict) -> Judged:
    f = at(r, "fanout")
    if f is None:
        return None
    figure = f"{f['ratio']:.2f}× ({f['delivery_seconds']:.1f} against {f['lower_bound_seconds']:.0f} s)"
    return figure, f["ratio"] <= DELIVERY


WEB_PLAYBOOK_SECONDS, WEB_OVERVIEW_SECONDS = 0.3, 1  # p95 server time, 104 weeks and 1,000 playbooks
# Flat in the history: what 96 more weeks add to a page (104 weeks against 8) at most this
# share of its budget. Not a ratio of the two times: the pages show windows (26 weeks of
# tables, 104 of charts) that 8 weeks only begin to fill, so the 104-week page holds
# about twice the rows; a ratio would measure that, and would fail a page for getting
# faster (the same added rows weigh more against a smaller fixed cost).
WEB_FLAT = 0.2


def _web_page(key: str, budget: float) -> Callable[[dict], Judged]:
    def page(r: dict) -> Judged:
        seconds = at(r, "week", "1000x104", key)
        return None if seconds is None else (f"{seconds * 1000:.0f} ms", seconds <= budget)

    return page


def _web_flat(r: dict) -> Judged:
    parts = []
    ok = True
    for key, budget in (
        ("web_overview_p95_seconds", WEB_OVERVIEW_SECONDS),
        ("web_playbook_p95_seconds", WEB_PLAYBOOK_SECONDS),
    ):
        long, short = at(r, "week", "1000x104", key), at(r, "week", "1000x8", key)
        if long is None or short is None:
            return None
        added = long - short
        ok = ok and added <= WEB_FLAT * budget
        parts.append(f"{key.split('_')[1]} {added * 1000:+.0f} ms ({long / short:.2f}×)")
    return ", ".join(parts), ok


API_BATCH_SECONDS = 1  # a batch of 1,000 reports, stored
API_P99 = 1.5  # x kpi's p99 on the same server, single reports


def _api_batch(r: dict) -> Judged:
    seconds = at(r, "api", "batch_seconds")
    return (
        None
        if seconds is None
        else (f"{seconds:.2f} s (median of {len(r['api']['batch_runs'])})", seconds <= API_BATCH_SECONDS)
    )


def _api_p99(r: dict) -> Judged:
    api_, kpi = at(r, "api", "api"), at(r, "api", "kpi")
    if api_ is None or kpi is None:
        return None
    ratio = api_["p99"] / kpi["p99"]
    figure = (
        f"{ratio:.2f}× ({api_['p99']:.0f} against {kpi['p99']:.0f} ms; {api_['throughput']:.0f} against "
        f"{kpi['throughput']:.0f} requests/s)"
    )
    return figure, ratio <= API_P99


SOURCES_SECONDS = 10  # 1,000 playbooks x 3 sourced numbers, fetched and stored
SOURCE_TIMEOUT = 10  # what one source that never answers may add to the whole fetch


def _sources_time(r: dict) -> Judged:
    f = at(r, "sources", "1000")
    if f is None:
        return None
    figure = f"{f['seconds']:.2f} s ({f['stored']} of {f['asked']} stored, {f['failed']} failed)"
    return figure, f["seconds"] <= SOURCES_SECONDS and f["stored"] == f["asked"] == 3000


def _sources_statements(r: dict) -> Judged:
    small, large = at(r, "sources", "100", "statements"), at(r, "sources", "1000", "statements")
    if small is None or large is None:
        return None
    return f"{small} → {large}", large <= STATEMENTS_FLAT * small


def _sources_silent(r: dict) -> Judged:
    silent, large = at(r, "sources", "1000_one_silent"), at(r, "sources", "1000")
    if silent is None or large is None:
        return None
    added = silent["seconds"] - large["seconds"]
    figure = f"+{added:.2f} s ({silent['seconds']:.2f} against {large['seconds']:.2f} s; {silent['failed']} failed)"
    return figure, added <= SOURCE_TIMEOUT and silent["stored"] == 2997


SOURCES_HELD_CLOSE = 60  # seconds: how late a close may be while every source hangs


def _sources_held(r: dict) -> Judged:
    f = at(r, "sources", "held")
    if f is None:
        return None
    figure = (
        f"{f['close_delay_seconds']:.1f} s ({f['closes']} closes in a {f['close_tick_seconds']:.1f} s tick, "
        f"{f['close_tick_alone_seconds']:.1f} s with no pass running; the pass asked {f['asked']} of "
        f"{f['numbers']} in {f['pass_seconds']:.0f} s and left {f['deferred']} for the next)"
    )
    return figure, f["close_delay_seconds"] <= SOURCES_HELD_CLOSE and f["closes"] == f["playbooks"]


def _duplicates(r: dict) -> Judged:
    n = at(r, "fanout", "duplicates")
    return None if n is None else (str(n), n == 0)


def _lost(r: dict) -> Judged:
    n = at(r, "fanout", "lost")
    return None if n is None else (str(n), n == 0)


STALLED_ANSWER_MS = 3000  # Slack waits 3 s for an answer
STALLED_CUT_OFF_SECONDS = 10  # READ_SECONDS (bot/web.py) after its head, and the server's lag


def _stalled_answer(r: dict) -> Judged:
    s = at(r, "stalled", "answers")
    if s is None:
        return None
    figure = f"slowest {s['max']:.0f} ms of {s['probes']} probes, {s['failures']} failed"
    return figure, s["max"] <= STALLED_ANSWER_MS and s["failures"] == 0


def _stalled_cut_off(r: dict) -> Judged:
    s = at(r, "stalled")
    if s is None:
        return None
    figure = f"the last after {s['cut_off_max_seconds']:.1f} s; {s['refused_408']} of {s['stalled']} answered 408"
    return figure, s["cut_off_max_seconds"] <= STALLED_CUT_OFF_SECONDS and s["refused_408"] == s["stalled"]


USAGE_SECONDS = 30  # the usage pass of 10,000 users x 30 days from the Copilot stand-in
USAGE_MB = 200  # what that pass adds to its process's resident memory at its peak (MB: 10^6 bytes)


def _usage_time(r: dict) -> Judged:
    u = at(r, "usage")
    if u is None:
        return None
    whole = u["error"] is None and u["days_pulled"] == u["days"] and u["counted_right"]
    figure = f"{u['seconds']:.1f} s ({u['rows']:,} rows{'' if whole else ', **not all pulled and counted**'})"
    return figure, u["seconds"] <= USAGE_SECONDS and whole


def _usage_memory(r: dict) -> Judged:
    u = at(r, "usage")
    if u is None:
        return None
    mb = u["pass_rss_mib"] * 2**20 / 1e6
    figure = f"{mb:.0f} MB ({u['pass_rss_mib']:.0f} MiB; the process's whole peak {u['peak_rss_mib']:.0f} MiB)"
    return figure, mb <= USAGE_MB


BUDGETS: dict[str, list[tuple[str, Callable[[dict], Judged]]]] = {
    "ack": [
        (
            f"`/rollout kpi` throughput on `rollout serve`, at least {KPI_THROUGHPUT}× the durable floor's",
            _kpi_throughput,
        ),
        (f"`/rollout kpi` p99 on `rollout serve`, at most {KPI_P99_MS} ms", _kpi_p99),
        (f"every other subcommand's p99, at most {SUBCOMMAND_P99}× `kpi`'s", _subcommands),
    ],
    "week": [
        (f"week close of 1,000 playbooks with 104 weeks of history, at most {CLOSE_SECONDS} s", _close),
        (f"the close with 104 weeks, at most {CLOSE_HISTORY}× the close with 8", _close_history),
        (f"digest of 1,000 playbooks, at most {DIGEST_SECONDS} s", _digest),
        (f"digest with charts, at most {CHARTS_SECONDS} s", _charts),
        ("SQL statements, flat in the number of playbooks (100 → 1,000)", _statements),
        (
            f"web view: a playbook's page with 104 weeks of history, p95 at most {WEB_PLAYBOOK_SECONDS * 1000:.0f} ms",
            _web_page("web_playbook_p95_seconds", WEB_PLAYBOOK_SECONDS),
        ),
        (
            f"web view: the overview of 1,000 playbooks, p95 at most {WEB_OVERVIEW_SECONDS} s",
            _web_page("web_overview_p95_seconds", WEB_OVERVIEW_SECONDS),
        ),
        (
            f"web view: what 96 more weeks of history add to each page, at most {WEB_FLAT:.0%} of its budget "
            f"({WEB_FLAT * WEB_OVERVIEW_SECONDS * 1000:.0f} and {WEB_FLAT * WEB_PLAYBOOK_SECONDS * 1000:.0f} ms)",
            _web_flat,
        ),
    ],
    "api": [
        (f"a batch of 1,000 reports over the API stored in at most {API_BATCH_SECONDS} s", _api_batch),
        (f"single API reports' p99 at most {API_P99}× `/rollout kpi`'s on the same server", _api_p99),
    ],
    "sources": [
        (
            f"sources: 1,000 playbooks × 3 numbers from one Prometheus, fetched and stored in at most "
            f"{SOURCES_SECONDS} s",
            _sources_time,
        ),
        ("sources: SQL statements flat in the number of playbooks (100 → 1,000)", _sources_statements),
        (f"sources: one source that never answers adds at most its {SOURCE_TIMEOUT} s timeout", _sources_silent),
        (
            f"sources: 1,000 playbooks × 3 numbers from a source that never answers delay no close by more than "
            f"{SOURCES_HELD_CLOSE} s",
            _sources_held,
        ),
    ],
    "fanout": [
        (f"fan-out of 10,000 DMs, delivery within {DELIVERY}× the bound Slack's limits allow", _delivery),
        ("fan-out duplicates, 0", _duplicates),
        ("fan-out lost, 0", _lost),
    ],
    "webhooks": webhooks.BUDGETS,
    "scale": scale.BUDGETS,
    "usage": [
        (
            f"usage: 10,000 users × 30 days pulled from the Copilot stand-in, counted and recorded in at most "
            f"{USAGE_SECONDS} s",
            _usage_time,
        ),
        (f"usage: that pass's resident memory at its peak, at most {USAGE_MB} MB above its start", _usage_memory),
    ],
    "stalled": [
        (
            f"with {stalled.STALLED} stalled clients on `rollout serve`, /healthz and a signed `/rollout kpi` each within "
            f"{STALLED_ANSWER_MS / 1000:.0f} s (Slack's wait)",
            _stalled_answer,
        ),
        (f"each stalled client answered 408 and cut off within {STALLED_CUT_OFF_SECONDS} s", _stalled_cut_off),
    ],
}


def judge(rule: Callable[[dict], Judged], r: dict) -> Judged:
    """The rule's verdict on `r`, or None where `r` lacks what it reads."""
    try:
        return rule(r)
    except (KeyError, TypeError, ZeroDivisionError):  # measured by an earlier form of this benchmark
        return None
