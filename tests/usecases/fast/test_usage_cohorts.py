"""Usage cohorts in the curators' digest (usecases/sections/usage_cohorts.py; docs/usage-records.md,
"Usage cohorts") on the fakes: with a usage source loaded and enough teams' counts kept, a
thread under the digest's summary compares the KPI's movement across the cohorts; too few
teams, and it says why not; no source loaded, and the digest is the one it was."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import cast

import yaml

from cadence.usage import TeamWeek
from storage.report_batches import new_report
from storage.store import Store
from tests import fakes
from tests.committed import committed
from tests.fakes import OWNER, FakeStore
from usecases import usage
from usecases.digest import Digest

WEEK = date(2026, 3, 9)  # each playbook's last closed week at AT (cycles begun on 2 March)
DAYS = tuple(WEEK + timedelta(days=i) for i in range(7))
AT = datetime(2026, 3, 18, 10, 0, tzinfo=UTC)  # a Wednesday: the week of 16 March still open
MONDAY = date(2026, 3, 16)  # the digest's
UNIT = "digest:2026-03-16"


def org(teams: list[tuple[int, int, int, float]]) -> FakeStore:
    """A playbook a team, each (people, active, active days, KPI) in WEEK: its team's week
    of copilot counted, its KPI reported (baseline 42 min, target 15: down)."""
    states = [fakes.a_playbook(f"team-{i:02d}", channel=f"CTEAM{i:05d}") for i in range(len(teams))]
    store = FakeStore(*states)
    for state, (_, _, _, kpi) in zip(states, teams, strict=True):
        committed(store).reports.add_reports([new_report("kpi", state.playbook.id, WEEK, OWNER, AT, value=kpi)])
    counts = [
        TeamWeek(s.playbook.channel_id, "copilot", WEEK, people, active, days, 0)
        for s, (people, active, days, _) in zip(states, teams, strict=True)
    ]
    committed(store).usage.record(DAYS, counts, "copilot", DAYS[-1], AT)  # pulled through the week's Sunday
    return store


def loaded(store: FakeStore, tmp_path) -> None:
    path = tmp_path / "copilot.csv"
    path.write_text("user,day\n")
    text = yaml.safe_dump({"usage": {"copilot": {"kind": "csv", "file": str(path)}}})
    assert usage.load(cast(Store, store), text, {}, "cli:rollout", AT - timedelta(days=30)) == []


def messages(store: FakeStore):
    return Digest(cast(Store, store), charts=False).messages(MONDAY, UNIT, "CCURATORS", AT)


def said(store: FakeStore) -> str | None:
    found = [m for m in messages(store) if m.key == f"{UNIT}#usage-cohorts"]
    if not found:
        return None
    (message,) = found
    assert message.payload["thread_of"] == f"{UNIT}#summary"
    return json.dumps(message.payload["blocks"], ensure_ascii=False)


HEAVY_TEAMS = [(8, 8, 32, 42 - 27 * m) for m in (0.5, 0.6, 0.7, 0.8, 0.9, 1.0)]  # moved 50% to 100% of the way
LIGHT_TEAMS = [(8, 2, 2, 42 - 27 * m) for m in (-0.2, -0.1, 0.0, 0.1, 0.2, 0.3)]  # −20% to 30%


def test_the_digest_compares_the_kpi_s_movement_across_the_cohorts(tmp_path):
    store = org(HEAVY_TEAMS + LIGHT_TEAMS + [(3, 3, 15, 15.0), (8, 0, 0, 42.0)])  # one of 3 people; one none
    loaded(store, tmp_path)
    body = said(store)
    assert body is not None
    assert (
        "*heavy* (75% or more of the people active, 3+ days a week each): 6 teams, median 75% (95% CI 50% to 100%)"
        in body
    )
    assert "*light* (under 50% active, or under 2 days a week each): 6 teams, median 5% (95% CI −20% to 30%)" in body
    assert "*moderate* (50% or more active, 2+ days a week each): 0 teams" in body
    assert "*none* (no one used a tool): 1 team, too few to show" in body
    assert "1 team in no cohort: fewer people than the anonymity floor" in body  # the team of three


def test_too_few_teams_in_each_cohort_says_why_not(tmp_path):
    store = org(HEAVY_TEAMS + LIGHT_TEAMS[:5])
    loaded(store, tmp_path)
    body = said(store)
    assert body is not None and "*Usage cohorts*: too few teams in each to compare" in body
    assert "median" not in body and "*light* (under 50% active, or under 2 days a week each): 5 teams" in body


def test_without_a_usage_source_the_digest_says_nothing_of_cohorts(tmp_path):
    store = org(HEAVY_TEAMS + LIGHT_TEAMS)  # every team's counts kept, but no source loaded
    before = messages(store)
    assert said(store) is None and "Usage cohorts" not in json.dumps([m.payload for m in before])
    assert not any(m.key.endswith("#usage-cohorts") for m in before)
    loaded(store, tmp_path)
    assert said(store) is not None


def test_a_week_not_pulled_whole_puts_no_team_in_a_cohort(tmp_path):
    store = org(HEAVY_TEAMS + LIGHT_TEAMS)
    loaded(store, tmp_path)
    store.held.usage_pulls = {}  # no pull through the week's Sunday recorded: its counts unknown, never a 0
    assert said(store) is None
