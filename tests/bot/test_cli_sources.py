"""`rollout playbook load` with sources, `rollout source test` and `rollout source list`,
run as an operator would: against an SQLite file source of the test's own."""

import sqlite3
from copy import deepcopy
from datetime import UTC, date, datetime

import pytest
import yaml
from click.testing import CliRunner

from bot.cli import cli
from storage.store import Store
from tests.conftest import OWNER, SUPPORT_REPLIES
from usecases.shared.life import begin_cycle
from usecases.sources import SourceClock


@pytest.fixture
def run(database_url, monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.chdir(tmp_path)

    def invoke(*args: str):
        return CliRunner().invoke(cli, list(args), catch_exceptions=False)

    return invoke


@pytest.fixture
def warehouse(tmp_path, monkeypatch) -> str:
    path = tmp_path / "warehouse.db"
    connection = sqlite3.connect(path)
    connection.execute("create table tickets (closed_at text, minutes real)")
    connection.executemany(
        "insert into tickets values (?, ?)",
        [("2026-11-16T09:00:00+00:00", 12.0), ("2026-11-17T09:00:00+00:00", 17.0), ("2026-11-24T09:00:00+00:00", 99)],
    )
    connection.commit()
    connection.close()
    monkeypatch.setenv("WAREHOUSE_URL", f"sqlite:///{path}")
    return str(path)


def sourced(**changes) -> dict:
    definition = deepcopy(SUPPORT_REPLIES)
    definition["sources"] = {"warehouse": {"kind": "sql", "url_env": "WAREHOUSE_URL"}}
    definition["kpi"]["from"] = {
        "source": "warehouse",
        "query": "select avg(minutes) from tickets where closed_at >= :week_start and closed_at < :week_end",
    }
    definition.update(changes)
    return definition


def write(tmp_path, definition) -> str:
    path = tmp_path / "playbook.yaml"
    path.write_text(yaml.safe_dump(definition, sort_keys=False))
    return str(path)


def test_load_refuses_what_cannot_be_fetched_and_loads_nothing(run, tmp_path, monkeypatch, engine):
    monkeypatch.delenv("WAREHOUSE_URL", raising=False)
    result = run("playbook", "load", write(tmp_path, sourced()))
    assert result.exit_code == 1
    assert "sources.warehouse: environment variable WAREHOUSE_URL is not set" in result.output
    bad = sourced()
    bad["kpi"]["from"] = {"source": "helpdesk", "query": "up"}
    bad["guardrail"]["from"] = {"source": "warehouse", "query": "delete from tickets"}
    result = run("playbook", "load", write(tmp_path, bad))
    assert "kpi.from: unknown source 'helpdesk' (the playbook's sources: warehouse)" in result.output
    assert "guardrail.from: the query must be one SELECT (or WITH … SELECT) that only reads" in result.output
    assert Store(engine).playbooks.state("support-replies") is None


def test_source_test_asks_now_before_a_cycle_starts_and_list_shows_the_last_fetch(run, tmp_path, warehouse, engine):
    assert run("playbook", "load", write(tmp_path, sourced())).exit_code == 0
    result = run("source", "test", "support-replies", "--week", "2026-11-16")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "support-replies, week of 2026-11-16 (asked now, nothing stored):",
        "  kpi                      from warehouse        14.5",
    ]
    refused = run("source", "test", "support-replies", "--week", "2026-11-17")
    assert refused.exit_code == 1 and "is a Tuesday: give the week's Monday" in refused.output
    assert "never" in run("source", "list").output
    store = Store(engine)
    state = store.playbooks.state("support-replies")
    begin_cycle(store, state.playbook.id, 1, date(2026, 11, 16), OWNER, datetime(2026, 11, 16, tzinfo=UTC))
    at = datetime(2026, 11, 22, 23, 0, tzinfo=UTC)  # Monday 00:00 in Berlin
    done = SourceClock(store, lambda: at).run(store.playbooks.clock_states(), at)
    assert (done.asked, done.stored, done.failed) == (1, 1, 0)
    listed = run("source", "list").stdout.splitlines()
    assert listed[0].split() == ["PLAYBOOK", "SOURCE", "KIND", "FEEDS", "LAST", "FETCH"]
    assert listed[1].split()[:4] == ["support-replies", "warehouse", "sql", "kpi"]
    assert listed[1].endswith("2026-11-22 23:00 UTC, week of 2026-11-16: 14.5")
    shown = run("playbook", "show", "support-replies").stdout
    said = next(line for line in shown.splitlines() if "metric delivery" in line)
    assert "sourced numbers arrived before their week closed" in said or "no closed week yet" in said
    assert "url: null" not in shown and "token_env" not in shown  # unset fields are not kept


def test_a_failing_source_exits_non_zero_and_says_why(run, tmp_path, warehouse):
    broken = sourced()
    broken["kpi"]["from"]["query"] = "select minutes from tickets"
    run("playbook", "load", write(tmp_path, broken))
    result = run("source", "test", "support-replies", "--week", "2026-11-16")
    assert result.exit_code == 1
    assert "failed: more than one value came back: return one row of one number" in result.output


def test_a_playbook_without_sources_says_so(run, tmp_path):
    run("playbook", "load", write(tmp_path, SUPPORT_REPLIES))
    assert run("source", "test", "support-replies").stdout.strip() == "support-replies has no sources."
    assert "metric delivery  n/a (no sources)" in run("playbook", "show", "support-replies").output


HISTORY = {
    "name": "ticket history",
    "owner": "<@U0123456789>",
    "refresh": "daily",
    "when_missing": "draft by hand",
    "check": {"source": "warehouse", "query": "select count(*) / 2.0 from tickets", "min": 0.95},
}


def test_source_test_tries_each_input_check_and_export_loads_back_unchanged(run, tmp_path, warehouse):
    assert run("playbook", "load", write(tmp_path, sourced(inputs=["ticket text", HISTORY]))).exit_code == 0
    result = run("source", "test", "support-replies", "--week", "2026-11-16")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1].split() == [
        "input",
        "ticket",
        "history",
        "from",
        "warehouse",
        "1.5",
        "(met",
        "its",
        "min",
        "0.95)",
    ]
    exported = run("playbook", "export", "support-replies").stdout
    assert "owner: U0123456789" in exported and "when_missing: draft by hand" in exported
    path = tmp_path / "again.yaml"
    path.write_text(exported)
    assert "unchanged" in run("playbook", "load", str(path)).output
    assert "input check  ticket history: not checked yet (min 0.95" in run("playbook", "show", "support-replies").output


def test_source_test_says_a_failing_check_and_exits_non_zero(run, tmp_path, warehouse):
    broken = dict(HISTORY, check=dict(HISTORY["check"], query="select share from nowhere"))
    assert run("playbook", "load", write(tmp_path, sourced(inputs=[broken]))).exit_code == 0
    result = run("source", "test", "support-replies", "--week", "2026-11-16")
    assert result.exit_code == 1
    [line] = [line for line in result.stdout.splitlines() if line.strip().startswith("input")]
    assert "failed:" in line and "nowhere" in line and "Traceback" not in result.output
