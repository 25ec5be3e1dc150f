"""The contract of what the clock and a decision write (governance, the cadence log, the
sources' and input checks' rows, the pulse), on the database and on the fake alike."""

from __future__ import annotations

from datetime import timedelta

import pytest

from cadence import cycle_decisions, mode_move
from cadence.change import Change, ModeChange
from cadence.mode_move import Move
from cadence.pulse import Answer
from storage.cadence_log import Work
from storage.governance_rows import decision_columns
from storage.input_checks import AlreadyChecked, check_row
from storage.source_fetches import SourceFetches
from storage.step_modes import Uncleared
from tests.committed import committed
from tests.storage.contract.conftest import AT, WEEK


def _kinds(side):
    return [row.kind for row in side.store.governance.history(side.playbook.playbook.id, None, 20)]


def test_a_change_applied_and_rows_added(side):
    pid = side.playbook.playbook.id
    governance = committed(side.store).governance
    assert governance.apply(Change(decisions=[cycle_decisions.of_cycle_started(pid, 2, WEEK, "U1")]), AT)
    assert not governance.apply(Change(), AT, proposal_key="none", proposal_status="approved", decided_by="U1")
    governance.add_decisions([decision_columns(cycle_decisions.of_cycle_started(pid, 3, WEEK, "U1"), AT)])
    assert _kinds(side).count("cycle-started") == 3  # begin_cycle's, and these two


def test_weeks_closed(side):
    pid = side.playbook.playbook.id
    committed(side.store).governance.close_weeks([(pid, WEEK)])
    assert side.playbook.playbook.closed_through == WEEK


def _work(key, pid):
    return Work(key, "close", AT, "done", playbook_id=pid, week_start=WEEK)


def test_closes_judged_once(side):
    pid = side.playbook.playbook.id
    change = Change(decisions=[cycle_decisions.of_cycle_started(pid, 2, WEEK, "clock")])
    governance = committed(side.store).governance
    assert governance.record_judged([(_work("close:1", pid), change)], AT) == {"close:1"}
    assert governance.record_judged([(_work("close:1", pid), change)], AT) == set()
    assert _kinds(side).count("cycle-started") == 2
    assert [(job.key, job.status) for job in side.store.cadence_log.jobs()] == [("close:1", "done")]


def test_work_claimed_once(side):
    pid = side.playbook.playbook.id
    log = committed(side.store).cadence_log
    assert log.claim([_work("nudge:1", pid), _work("nudge:2", pid)], AT) == {"nudge:1", "nudge:2"}
    assert log.claim([_work("nudge:2", pid), _work("nudge:3", pid)], AT) == {"nudge:3"}
    assert [job.key for job in side.store.cadence_log.jobs()] == ["nudge:1", "nudge:2", "nudge:3"]
    log.readiness_told([pid])
    assert pid not in side.store.cadence_log.readiness_owed()


def test_sources_recorded(side):
    pid = side.playbook.playbook.id
    failed = SourceFetches.row(pid, WEEK, "kpi", AT, source="s", asked="q", outcome="failed", value=None, error="500")
    fetched = SourceFetches.row(pid, WEEK, "kpi", AT + timedelta(hours=1), source="s", asked="q", outcome="fetched")
    committed(side.store).sources.record([failed])
    assert side.store.sources.failures([(pid, WEEK)]) == {(pid, WEEK): {"kpi": "500"}}
    committed(side.store).sources.record([{**fetched, "value": 3.0, "error": None}])
    assert side.store.sources.failures([(pid, WEEK)]) == {(pid, WEEK): {}}
    asked = side.store.sources.asked([WEEK])[(pid, WEEK, "kpi")]
    assert (asked.last_at, asked.settled, asked.failures) == (AT + timedelta(hours=1), True, 1)
    assert [(f.outcome, f.value, f.error) for f in side.store.sources.of_playbook(pid)] == [
        ("failed", None, "500"),
        ("fetched", 3.0, None),
    ]


def test_input_checks_recorded(side):
    pid = side.playbook.playbook.id
    met = check_row(pid, WEEK, "ticket text", "s", "q", 0.9, AT, value=0.95)
    committed(side.store).input_checks.record([met])
    with pytest.raises(AlreadyChecked):
        committed(side.store).input_checks.record([check_row(pid, WEEK, "ticket text", "s", "q", 0.9, AT, value=0.5)])
    rows = side.store.input_checks.of_playbook(pid)
    assert [(r.input, r.outcome, r.value, r.error) for r in rows] == [("ticket text", "met", 0.95, None)]


def test_pulse_answered_and_sealed(side):
    pid, last_week = side.playbook.playbook.id, WEEK + timedelta(days=21)
    pulses = committed(side.store).pulses
    assert pulses.answer(pid, 1, last_week, "U1", Answer(trust=4))
    assert pulses.answer(pid, 1, last_week, "U1", Answer(trust=2, safety=5))  # in place of the first
    assert pulses.answer(pid, 1, last_week, "U2", Answer(trust=5))
    shown = side.store.pulses.shown({(pid, 1): 2})[(pid, 1)]
    assert (shown.answers, shown.trust) == (2, None)  # open: only how many answered
    pulses.seal([(pid, 1)])
    shown = side.store.pulses.shown({(pid, 1): 2})[(pid, 1)]
    assert (shown.answers, shown.asked) == (2, {"trust": 2, "safety": 1, "around": 0, "freed": 0})
    committed(side.store).governance.close_weeks([(pid, last_week)])
    assert not pulses.answer(pid, 1, last_week, "U3", Answer(trust=1))


def test_a_numbered_decision_locks_its_playbooks_log_in_the_unit_of_work(side):
    pid = side.playbook.playbook.id
    with side.store.unit_of_work() as uow:
        uow.governance.lock_log(pid)  # held until the unit of work ends; then the write goes on
        uow.governance.apply(Change(decisions=[cycle_decisions.of_cycle_started(pid, 2, WEEK, "U1")]), AT)
        uow.commit()
    assert _kinds(side).count("cycle-started") == 2


def test_a_move_up_is_written_only_cleared_and_a_move_down_at_once(side):
    """storage/step_modes.py on both sides: a mode toward ai-led or a pin taken away that did
    not go through cadence.mode_move.take_effect is refused, nothing written."""
    state = side.store.playbooks.state_by_id(side.playbook.playbook.id)
    draft, refunds = state.step("draft"), state.step("refunds")
    governance = committed(side.store).governance
    with pytest.raises(Uncleared):
        governance.apply(Change(mode_changes=[ModeChange(draft.id, "collaborative", "ai-led")]), AT)
    with pytest.raises(Uncleared):
        governance.apply(Change(mode_changes=[ModeChange(refunds.id, "human-led", pinned=False)]), AT)
    assert side.store.playbooks.state_by_id(state.playbook.id).step("draft").mode == "collaborative"
    down = mode_move.take_effect(Move("draft", "collaborative", "human-led", step_id=draft.id))
    assert isinstance(down, Move) and down.cleared
    governance.apply(Change(mode_changes=[mode_move.change(down)]), AT)
    assert side.store.playbooks.state_by_id(state.playbook.id).step("draft").mode == "human-led"
    unpinned = mode_move.unjudged(Move("refunds", "human-led", "human-led", True, False, refunds.id))
    governance.apply(Change(mode_changes=[mode_move.change(unpinned)]), AT)
    assert not side.store.playbooks.state_by_id(state.playbook.id).step("refunds").pinned
