"""A team's load, counted and judged (cadence/team_load.py): pure."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cadence import team_load
from cadence.decisions import DecisionKind
from cadence.definition_load import parse_playbook
from cadence.team_load import Running, TeamLoadMax
from tests.fakes.playbooks import definition

NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)


def running(status="active", adopted_from=None, days_ago=100, fallbacks=0, revisions=0):
    return Running(status, adopted_from, NOW - timedelta(days=days_ago), fallbacks, revisions)


def test_only_active_playbooks_count_their_playbooks_revisions_and_fallbacks():
    team = [
        running(revisions=2, fallbacks=1),
        running("draft", revisions=1),  # made, not started yet: change coming
        running("paused", revisions=5, fallbacks=3),
        running("retired", adopted_from=7, days_ago=3),  # an adoption in the cycle counts, whatever became of it
        running(adopted_from=7, days_ago=27),
        running(adopted_from=7, days_ago=29),  # before the last cycle
    ]
    load = team_load.count("C1", team, [(1, 5), (3, 5)], NOW)
    assert (load.playbooks, load.revisions, load.adoptions, load.fallbacks) == (4, 3, 2, 1)
    assert load.worked_around == 0.4  # pooled: 4 of 10 answers


def test_no_pulse_shown_is_no_share():
    assert team_load.count("C1", [], [], NOW).worked_around is None


def test_a_team_is_full_at_its_max_of_playbooks_or_revisions():
    limit = TeamLoadMax()
    assert (limit.playbooks, limit.revisions) == (3, 4)  # PRODUCT's defaults
    two = team_load.count("C1", [running(), running(revisions=3)], [], NOW)
    assert team_load.full(two, limit) is None
    three = team_load.count("C1", [running(), running(), running()], [], NOW)
    assert team_load.full(three, limit) == team_load.Full((3, 3), None)
    revised = team_load.count("C1", [running(revisions=4)], [], NOW)
    at = team_load.full(revised, limit)
    assert at == team_load.Full(None, (4, 4))
    assert team_load.said(revised, at) == "4 revisions in 4 weeks (max 4)"


def test_the_tightest_limit_holds():
    tight = team_load.tightest([TeamLoadMax(playbooks=5, revisions=2), TeamLoadMax(playbooks=2, revisions=9)])
    assert (tight.playbooks, tight.revisions) == (2, 2)
    assert team_load.tightest([]) == TeamLoadMax()


def test_the_definition_takes_team_load_max_at_the_top_or_under_rules():
    spec = parse_playbook({**definition(), "team_load_max": {"playbooks": 5, "revisions": 6}})
    assert spec.rules.team_load_max == TeamLoadMax(playbooks=5, revisions=6)
    assert parse_playbook(definition()).rules.team_load_max == TeamLoadMax()


def test_an_override_is_a_decision_on_the_origin_naming_the_load_and_reason():
    load = team_load.count("C0TEAM0001", [running(), running(), running()], [], NOW)
    at = team_load.full(load, TeamLoadMax())
    assert at is not None
    made = team_load.of_load_overridden(7, "support-replies", 2, load, at, "U1", "one-off for Q4", "desk (C0TEAM0001)")
    assert made.kind == DecisionKind.LOAD_OVERRIDDEN and made.playbook_id == 7
    assert made.summary == (
        "support-replies v2 adopted by desk (C0TEAM0001) past its team's load (3 active playbooks (max 3)): one-off for Q4"
    )
    assert made.figures["full"] == {"playbooks": {"count": 3, "max": 3}, "revisions": None}


def test_a_lower_max_tightens_the_bar_and_a_higher_one_is_asked():
    from cadence import bar, bar_fields

    before = parse_playbook(definition()).canonical()
    lower = parse_playbook({**definition(), "team_load_max": {"playbooks": 2}}).canonical()
    higher = parse_playbook({**definition(), "team_load_max": {"playbooks": 5, "revisions": 6}}).canonical()
    [tighter] = bar.bar_changes(before, lower)
    assert (tighter.field, tighter.old, tighter.new, tighter.tightens) == ("rules.team_load_max.playbooks", 3, 2, True)
    assert [(c.field, c.tightens) for c in bar.bar_changes(before, higher)] == [
        ("rules.team_load_max.playbooks", False),
        ("rules.team_load_max.revisions", False),
    ]
    assert bar_fields.FIELDS["rules.team_load_max"] == bar_fields.BAR
