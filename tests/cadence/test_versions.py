"""cadence/versions.py: what changed between two versions, the team's own values, and
the upgrade button's value (stored in messages Slack keeps: its format is pinned)."""

from datetime import date

from cadence import versions

V1 = {
    "kpi": {"name": "First-response time", "unit": "min", "direction": "down", "baseline": 42, "target": 15},
    "exception_cap": 0.1,
    "rubric_threshold": 0.9,
    "steps": [{"name": "draft", "mode": "collaborative"}, {"name": "send", "mode": "ai-led"}],
    "replication": {"runbook": "https://wiki.example.com/a"},
}


def test_changes_name_each_part_that_differs_and_nothing_else():
    v2 = {
        **V1,
        "kpi": {**V1["kpi"], "baseline": 40},  # the origin's own numbers are not a change to an adopter
        "rubric_threshold": 0.85,
        "steps": [{"name": "draft", "mode": "ai-led"}, {"name": "review", "mode": "human-led", "pinned": True}],
        "guardrail": {"name": "CSAT", "min": 4.6},
        "replication": {"runbook": "https://wiki.example.com/b", "may_change": ["baseline"]},
    }
    assert [(c.part, c.before, c.after) for c in versions.changes(V1, v2)] == [
        ("step draft", "collaborative", "ai-led"),
        ("step send", "ai-led", "removed"),
        ("step review", "not a step", "human-led (pinned)"),
        ("rubric threshold", "90%", "85%"),
        ("guardrail", "none", "CSAT min 4.6"),
        ("kit may_change", "baseline, target, timezone", "baseline"),
        ("kit runbook", "https://wiki.example.com/a", "https://wiki.example.com/b"),
    ]
    assert versions.changes(V1, dict(V1)) == []


def test_the_teams_own_values_are_kept_unless_the_newer_version_forbids_them():
    adopter = {**V1, "kpi": {**V1["kpi"], "baseline": 45}, "exception_cap": 0.2, "timezone": "Asia/Singapore"}
    values = versions.team_values(adopter, V1)
    assert values == {"baseline": 45, "exception_cap": 0.2, "timezone": "Asia/Singapore"}
    assert versions.not_allowed(values, V1) == ["exception_cap"]  # the default may_change has no cap
    adopter.update(playbook="support-replies-apac", channel="CAPAC", owner="UDAN")
    raw = versions.upgraded(adopter, {**V1, "timezone": "Europe/Berlin"}, values)
    assert (raw["kpi"]["baseline"], raw["exception_cap"], raw["timezone"]) == (45, 0.2, "Asia/Singapore")
    assert (raw["playbook"], raw["channel"], raw["owner"]) == ("support-replies-apac", "CAPAC", "UDAN")


def test_the_upgrade_buttons_value_reads_back_and_nothing_else_does():
    assert versions.upgrade_button(7, 12, 3) == "upgrade:7:12:3"
    assert versions.read_upgrade_button("upgrade:7:12:3") == (7, 12, 3)
    for value in ("upgrade:7:12", "upgrade:0:1:2", "upgrade:7:12:9999999999", "stall:7:12:3", None, 7, "upgrade:a:b:c"):
        assert versions.read_upgrade_button(value) is None


def test_what_an_adopter_runs():
    assert versions.runs_phrase(2, []) == "runs v2"
    assert versions.runs_phrase(2, [(3, date(2027, 3, 1)), (4, date(2027, 4, 5))]) == "runs v2; v4 published 5 Apr"
