"""The usage hold on the fakes (usecases/shared/close/usage.py, cadence/promotion_gates.py):
two weeks in a row attested "followed" while no one in the team used the declared tool
hold the playbook's promotions to ai-led, as the pulse's trust hold does. At the close
the promotion is not proposed and the summary says why; at the click approving a move up
already asked, and at a `/rollout mode` request's approval, the same hold shuts the gate.
A week unknown, used or under the floor breaks the run. End to end on both databases,
with a usage source pulled by the clock: tests/usecases/test_usage_close.py."""

from __future__ import annotations

import json
from datetime import date, timedelta

import yaml

from cadence.promotion_gates import Gate
from cadence.usage import TeamWeek
from storage.usage import PullState
from tests.fakes import CHANNEL, MEMBER, OWNER
from tests.usecases.fast import ready_world
from tests.usecases.fast.test_close_modes import close_of, report_week, wednesday, world
from usecases import usage
from usecases.shared import promotion_gates, usage_weeks

PROPOSAL = "Proposal: support-replies / draft collaborative → ai-led"
HELD = "Promotions to ai-led are held: two weeks in a row attested without usage."
WEEK_1 = date(2026, 11, 16)


def _world(active: dict[int, int], people: int = 6, through: int | None = None):
    """support-replies on copilot, a usage source covering copilot, and the team's counts
    of each week in `active` (week number: people active), pulled through the last of
    them (or week `through`'s Sunday)."""
    services, clock = world(tool="copilot")
    store = clock.store
    text = yaml.safe_dump({"usage": {"copilot": {"kind": "csv", "file": "/nowhere.csv"}}})
    assert usage.load(store, text, {}, "cli:rollout", wednesday(1)) == []
    for week, n in active.items():
        monday = WEEK_1 + timedelta(days=7 * (week - 1))
        store.held.usage_weeks[(CHANNEL, "copilot", monday)] = TeamWeek(CHANNEL, "copilot", monday, people, n, n, 0)
    last = max(active) if through is None else through
    sunday = WEEK_1 + timedelta(days=7 * last - 1)
    store.held.usage_pulls["copilot"] = PullState("copilot", sunday, None, None, False, wednesday(1))
    return services, clock


def _closed(services, clock, weeks):
    for week in weeks:
        report_week(services, clock, week)
        clock.store.reports.add_checkin(
            clock.store.playbooks.state("support-replies").playbook.id,
            WEEK_1 + timedelta(days=7 * (week - 1)),
            MEMBER,
            "followed",
            None,
            None,
            wednesday(week),
        )
        clock.run(close_of(week))


def _summary(clock, week: int) -> str:
    [summary] = [
        m for m in clock.store.held.sent(CHANNEL) if m.payload["text"].endswith(f"week {week} of cycle 1 closed")
    ]
    return json.dumps(summary.payload["blocks"], ensure_ascii=False)


def test_two_weeks_attested_without_usage_hold_the_promotion_and_the_summary_says_why():
    services, clock = _world({1: 0, 2: 0})
    _closed(services, clock, (1, 2))
    assert PROPOSAL not in clock.texts(CHANNEL)
    assert HELD in _summary(clock, 2) and HELD not in _summary(clock, 1)  # one week is not a run


def test_a_week_used_between_breaks_the_run_and_the_promotion_is_proposed():
    services, clock = _world({1: 3, 2: 0})
    _closed(services, clock, (1, 2))
    assert clock.texts(CHANNEL).count(PROPOSAL) == 1
    assert HELD not in _summary(clock, 2)


def test_a_week_not_all_in_or_a_team_under_the_floor_holds_nothing():
    services, clock = _world({1: 0, 2: 0}, through=1)  # week 2 not pulled through its Sunday: unknown
    _closed(services, clock, (1, 2))
    assert clock.texts(CHANNEL).count(PROPOSAL) == 1
    services, clock = _world({1: 0, 2: 0}, people=4)  # under the pulse's floor of 5: no verdict shown
    _closed(services, clock, (1, 2))
    assert clock.texts(CHANNEL).count(PROPOSAL) == 1


def test_the_click_reads_the_same_hold_a_proposal_made_before_it_cannot_pass():
    """A proposal made at week 2, then two weeks without usage: approving it in week 5 is
    refused by the usage gate, as the pulse's trust hold refuses it."""
    services, clock = _world({1: 3, 2: 3, 3: 0, 4: 0})
    _closed(services, clock, (1, 2))
    assert clock.texts(CHANNEL).count(PROPOSAL) == 1
    _closed(services, clock, (3, 4))
    state = clock.store.playbooks.state("support-replies")
    clock.clock.at = wednesday(5)
    shut = promotion_gates.shut_now(clock.store, state, "draft", "ai-led", clock.clock.at)
    assert Gate("usage_hold") in shut
    assert promotion_gates.shut_now(clock.store, state, "draft", "collaborative", clock.clock.at) == [
        g for g in shut if g.key != "usage_hold" and g.key not in ("no_set", "calibration", "vague", "trust_hold")
    ]
    assert usage_weeks.hold_now(clock.store, state, wednesday(5))
    assert not usage_weeks.hold_now(clock.store, state, wednesday(4))  # weeks 2 and 3: used, then not


def test_no_tool_or_no_source_reads_no_hold():
    services, clock = world()
    state = clock.store.playbooks.state("support-replies")
    assert not usage_weeks.hold_now(clock.store, state, wednesday(3))
    _ = services, OWNER


# ---- readiness's attestation criterion (usecases/shared/readiness.py, cadence/readiness.py) ----


def _attestation(clock) -> dict:
    rows = [*ready_world.decided(clock, "scale-proposal"), *ready_world.decided(clock, "not-ready")]
    [criterion] = [c for c in rows[-1]["figures"]["criteria"] if c["name"] == "attestation"]
    return criterion


def test_readiness_counts_only_the_answers_of_weeks_attested_and_used():
    services, clock = ready_world.ready(tool="copilot")
    text = yaml.safe_dump({"usage": {"copilot": {"kind": "csv", "file": "/nowhere.csv"}}})
    assert usage.load(clock.store, text, {}, "cli:rollout", wednesday(1)) == []
    for week in range(1, 9):  # week 3: attested by both, no one used copilot
        monday = WEEK_1 + timedelta(days=7 * (week - 1))
        active = 0 if week == 3 else 4
        clock.store.held.usage_weeks[(CHANNEL, "copilot", monday)] = TeamWeek(
            CHANNEL, "copilot", monday, 6, active, active, 0
        )
    sunday = WEEK_1 + timedelta(days=7 * 8 - 1)
    clock.store.held.usage_pulls["copilot"] = PullState("copilot", sunday, None, None, False, wednesday(1))
    ready_world.run_weeks(services, clock, range(1, 9))
    criterion = _attestation(clock)
    assert (criterion["answered"], criterion["asked"]) == (14, 16)  # week 3's two answers do not count
    assert (criterion["usage_checked"], criterion["unused_weeks"]) == (True, 1)
    said = "\n".join(ready_world.said(clock, ready_world.CURATORS, "support-replies"))
    assert (
        "(14 of 16 check-ins answered) ≥ 75%; checked against usage: 1 week attested without usage not counted" in said
    )


def test_readiness_says_attestation_is_not_checked_where_no_source_covers_the_tool():
    services, clock = ready_world.ready(tool="copilot")  # no usage source loaded
    ready_world.run_weeks(services, clock, range(1, 9))
    criterion = _attestation(clock)
    assert (criterion["answered"], criterion["asked"], criterion["usage_checked"]) == (16, 16, False)
    said = "\n".join(ready_world.said(clock, ready_world.CURATORS, "support-replies"))
    assert "(16 of 16 check-ins answered) ≥ 75%; attestation not checked against usage" in said
