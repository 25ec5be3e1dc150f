"""Readiness criterion (7) on the fakes: input reliability, the AI's inputs checked by the
clock from a real source (an SQLite file named by WAREHOUSE_URL, the `sql` kind), and
metric delivery (the sourced numbers' arrivals) shown beside it, not a criterion. The
playbook and its weeks are tests/usecases/fast/ready_world.py's; publish is typed
(tests/usecases/fast/slash.py)."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta

import pytest

from tests import fakes
from tests.conftest import READY_INPUT
from tests.fakes import CURATOR, MEMBER, OWNER
from tests.usecases.fast.ready_world import (
    CURATORS,
    SLUG,
    close_of,
    decided,
    ready,
    report_week,
    said,
    thursday,
    wednesday,
)
from tests.usecases.fast.slash import slash
from usecases import commands, learnings
from usecases.shared import messages


def week_end(week: int) -> datetime:
    """Monday 00:00 in Berlin after week `week`: when the clock first asks the sources."""
    return close_of(week) - timedelta(hours=12)


@pytest.fixture
def warehouse(tmp_path, monkeypatch):
    """An SQLite file the KPI is read from (the `sql` kind), named by WAREHOUSE_URL; each
    test writes the weeks it holds rows for."""
    path = tmp_path / "warehouse.db"
    with sqlite3.connect(path) as connection:
        connection.execute("create table frt (at text, minutes real)")
        connection.execute("create table history (at text, share real)")
    monkeypatch.setenv("WAREHOUSE_URL", f"sqlite:///{path}")
    return path


def sourced_ready(warehouse, weeks_with_rows, weeks_checked=range(1, 9)):
    """ready_world's playbook, its KPI pulled from the warehouse, which holds rows for
    `weeks_with_rows` only (a week without rows is a failure: "not a number: null"); its
    input "ticket history" checked against the warehouse, which holds its share for
    `weeks_checked` only (at its min, 0.95). Eight weeks run, the KPI the source's."""
    with sqlite3.connect(warehouse) as connection:
        connection.executemany(
            "insert into frt values (?, ?)", [(wednesday(w).isoformat(), 14.0) for w in weeks_with_rows]
        )
        connection.executemany(
            "insert into history values (?, ?)", [(wednesday(w).isoformat(), 0.95) for w in weeks_checked]
        )
    history = {
        "name": "ticket history",
        "owner": OWNER,
        "refresh": "daily",
        "when_missing": "draft by hand",
        "check": {
            "source": "warehouse",
            "query": "select avg(share) from history where at >= :week_start and at < :week_end",
            "min": 0.95,
        },
    }
    kpi = {
        **fakes.definition()["kpi"],
        "from": {
            "source": "warehouse",
            "query": "select avg(minutes) from frt where at >= :week_start and at < :week_end",
        },
    }
    services, clock = ready(
        inputs=[READY_INPUT, history], kpi=kpi, sources={"warehouse": {"kind": "sql", "url_env": "WAREHOUSE_URL"}}
    )
    for week in range(1, 9):  # as run_weeks, but the KPI is the source's: nobody types it
        report_week(services, clock, week, (20, 0, 0.95), None, (1.0, 2))
        clock.run(thursday(week))
        for user in (OWNER, MEMBER):
            commands.attest(fakes.caller(services, user), messages.Attest(SLUG, True, None, None, None))
        if week % 4 == 2:
            text = f"Cycle {(week + 3) // 4}: drafts need the refund policy"
            learnings.learn(fakes.caller(services, MEMBER), messages.Learn(SLUG, text))
        clock.run(week_end(week))  # the clock asks the warehouse for the week that ended
        clock.run(close_of(week))
    return services, clock


def test_a_checked_input_below_its_min_keeps_a_playbook_from_ready_and_publish_says_so(warehouse):
    services, clock = sourced_ready(warehouse, range(1, 9), weeks_checked=[1, 2, 3, 5, 6, 7])
    assert len([c for c in clock.store.held.checks if c.outcome == "met"]) == 6
    assert said(clock, CURATORS, "support-replies is ready to scale") == []
    told = said(clock, CURATORS, "not yet ready")
    assert len(told) == 1 and len(said(clock, OWNER, "not yet ready")) == 1
    missing = (
        "❌ Input reliability (7 in 8 of the weeks checked, at least 4): ticket history 6 of 8 weeks checked ≥ 0.95"
    )
    body = told[0].replace("&lt;", "<")  # Slack's escape of "<"
    assert missing in body and "✅ Learnings in every cycle" in body and "✅ Attestation 100%" in body
    assert "Metric delivery (shown, not a criterion): 100% (8 of 8 sourced numbers" in body
    [row] = decided(clock, "not-ready")
    assert row["figures"]["missing"] == ["reliability"]
    clock.clock.at = wednesday(9)
    refused = slash(services, "publish support-replies", CURATOR)
    assert "is not yet ready to scale" in refused and missing in refused.replace("&lt;", "<")
    assert clock.store.registry.version(SLUG, None) is None


def test_sourced_numbers_late_are_shown_as_metric_delivery_and_hold_nothing(warehouse):
    services, clock = sourced_ready(warehouse, [1, 2, 3, 5, 6, 7])
    [proposal] = said(clock, CURATORS, "support-replies is ready to scale")
    body = proposal.replace("&lt;", "<")
    assert (
        "✅ Input reliability (7 in 8 of the weeks checked, at least 4): ticket history 8 of 8 weeks checked ≥ 0.95, "
        "ticket text: none: typed by the customer: nothing to check"
    ) in body
    assert "Metric delivery (shown, not a criterion): 75% (6 of 8 sourced numbers" in body
    assert said(clock, CURATORS, "not yet ready") == []
    clock.clock.at = wednesday(9)
    assert "support-replies v1" in slash(services, "publish support-replies", CURATOR)  # no override needed
