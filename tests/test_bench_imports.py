"""The bench's programs are imported harmlessly (issue 108, item 16): `bench.bare_app` read
its port and secret from sys.argv as it was imported, so importing it without them (a
tool that walks the modules, a test, a docstring's reader) failed with an IndexError."""

import importlib
import sys

import pytest


@pytest.mark.parametrize("module", ["bench.bare_app", "bench.floor_app"])
def test_importing_a_bench_program_without_its_arguments_does_nothing(monkeypatch, module):
    monkeypatch.setattr(sys, "argv", ["python"])  # no PORT, SIGNING_SECRET or WEB_API_URL
    monkeypatch.delitem(sys.modules, module, raising=False)
    imported = importlib.import_module(module)
    assert callable(getattr(imported, "main", None) or getattr(imported, "create", None))


def test_the_usage_bench_runs_the_clock_s_pass_at_a_tiny_size(tmp_path):
    """bench/usage.py end to end on SQLite, 12 users x 2 days in teams of 4, its section of
    RESULTS.md written and its budgets judged: what it measures, not how fast (no timing
    is asserted in the tests)."""
    from bench import budgets, usage

    figures = usage.run("sqlite", tmp_path, users=12, days=2, team_size=4)

    assert (figures["days_pulled"], figures["error"], figures["unmatched"]) == (2, None, 0)
    assert (figures["team_weeks"], figures["counted_right"]) == (3, True)  # 3 teams, 1 week
    assert figures["downloads"] == 2 and figures["peak_rss_mib"] >= figures["pass_rss_mib"]
    assert any("| 2 | 3 | yes |" in line for line in usage.described(figures))
    assert all(budgets.judge(rule, {"usage": figures}) is not None for _, rule in budgets.BUDGETS["usage"])
