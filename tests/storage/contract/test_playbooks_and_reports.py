"""The contract of the playbooks', reports', learnings', champions' and outbox's writes, on
the database and on the fake alike (conftest.py's `side`)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from cadence.change import Message
from cadence.definition_load import parse_playbook
from cadence.report_kinds import ReportKind
from storage.models.access import ApiToken
from storage.models.boundaries import OutOfScopeCount
from storage.models.calibration import CalibrationRun
from storage.store import Conflict, KeyReused, WeekClosed
from storage.weekly_reports import new_report
from tests.committed import committed
from tests.conftest import OWNER, SUPPORT_REPLIES
from tests.storage.contract.conftest import AT, WEEK


def _cycles(side):
    state = side.playbook
    return state.playbook.status, [
        (c.number, c.starts_on, c.ends_after) for c in filter(None, [state.previous, state.anchor])
    ]


def test_a_run_ends_and_resumes(side):
    pid, later = side.playbook.playbook.id, WEEK + timedelta(days=28)
    playbooks = committed(side.store).playbooks
    assert playbooks.end_run(pid, "paused", "holiday", WEEK, AT)
    assert not playbooks.end_run(pid, "paused", "again", WEEK, AT)  # its status changed meanwhile
    assert _cycles(side) == ("paused", [(1, WEEK, WEEK)])
    assert playbooks.resume(pid, 2, later, OWNER, AT).number == 2
    with pytest.raises(Conflict):
        playbooks.resume(pid, 2, later, OWNER, AT)
    assert _cycles(side) == ("active", [(1, WEEK, WEEK), (2, later, None)])


def test_a_cycle_added_and_moved(side):
    pid, later = side.playbook.playbook.id, WEEK + timedelta(days=28)
    playbooks = committed(side.store).playbooks
    assert playbooks.add_cycle(pid, 2, later, OWNER, AT).starts_on == later
    with pytest.raises(Conflict):
        playbooks.add_cycle(pid, 2, later, OWNER, AT)
    assert not playbooks.move_cycle_start(pid, 2, WEEK, later + timedelta(days=7))  # not where it was
    assert playbooks.move_cycle_start(pid, 2, later, later + timedelta(days=7), baseline_week=later)
    assert side.playbook.anchor.starts_on == later + timedelta(days=7)
    assert side.playbook.anchor.baseline_week == later


def test_handed_over(side):
    playbooks = committed(side.store).playbooks
    pid = side.playbook.playbook.id
    assert (playbooks.hand_over(pid, "UNEW", AT), playbooks.hand_over(pid, "UNEW", AT)) == (True, False)
    assert side.playbook.playbook.owner_id == "UNEW"


def test_loaded_again(side):
    spec = parse_playbook(
        {
            **SUPPORT_REPLIES,
            "title": "Drafting",
            "steps": [{"name": "draft", "mode": "collaborative"}, {"name": "send", "mode": "ai-led"}],
        }
    )
    outcomes = committed(side.store).playbooks.load([spec], "UTC", "test", AT + timedelta(hours=1))
    assert [(o.slug, o.action) for o in outcomes] == [("support-replies", "updated")]
    assert committed(side.store).playbooks.load([spec], "UTC", "test", AT)[0].action == "unchanged"
    assert side.playbook.playbook.title == "Drafting" and [s.name for s in side.playbook.steps] == ["draft", "send"]
    assert [s.name for s in side.store.playbooks.removed_steps(side.playbook.playbook.id)] == ["refunds"]


def _kpi(side, value, key=None, week=WEEK, by="U1", at=AT):
    return new_report(ReportKind.KPI, side.playbook.playbook.id, week, by, at, key=key, value=value)


def test_reports_added_and_withdrawn(side):
    pid, draft = side.playbook.playbook.id, side.playbook.step("draft").id
    reports = committed(side.store).reports
    reports.add_reports([_kpi(side, 30.0)])
    reports.add_reports([_kpi(side, 25.0, at=AT + timedelta(minutes=1))])
    reports.add_checkin(pid, WEEK, "U1", "deviated", draft, "model down", AT)
    assert side.store.reports.week_figures(side.playbook, WEEK).kpi == 25.0
    undone, now = reports.withdraw_latest(pid, "U1", [WEEK], [ReportKind.KPI], "U1", AT + timedelta(hours=1))
    assert (undone.kind, undone.value, now.value) == (ReportKind.KPI, 25.0, 30.0)
    assert side.store.reports.week_figures(side.playbook, WEEK).kpi == 30.0
    undone, now = reports.withdraw_latest(pid, "U1", [WEEK], [ReportKind.CHECKIN], "U1", AT + timedelta(hours=1))
    assert (undone.value, undone.note, now) == ("deviated", "model down", None)
    assert reports.withdraw_latest(pid, "U2", [WEEK], [ReportKind.KPI], "U2", AT) is None


def test_reports_keys_and_closed_weeks(side):
    reports = committed(side.store).reports
    token = committed(side.store).tokens.add(
        ApiToken(name="w", token_hash="h", playbooks=None, kinds=["kpi"], created_by="U", created_at=AT)
    )
    first = replace(_kpi(side, 1.0, key="7:a"), report_hash="h1")
    assert reports.add_reports([first], token_id=token.id) == {}
    answered = reports.add_reports([replace(_kpi(side, 1.0, key="7:a"), report_hash="h1")], token_id=token.id)
    assert answered["7:a"]["report_hash"] == "h1"
    with pytest.raises(KeyReused) as reused:
        reports.add_reports([replace(_kpi(side, 2.0, key="7:a"), report_hash="h2")], token_id=token.id)
    assert reused.value.indexes == [0]
    committed(side.store).governance.close_weeks([(side.playbook.playbook.id, WEEK)])
    with pytest.raises(WeekClosed):
        reports.add_reports([_kpi(side, 3.0)])
    assert side.store.reports.week_figures(side.playbook, WEEK).kpi == 1.0


def test_learnings(side):
    pid = side.playbook.playbook.id
    learnings = committed(side.store).learnings
    one = learnings.add(pid, 1, "Refunds need a human", "U1", AT)
    learnings.add(pid, 1, "Second", "U1", AT + timedelta(minutes=1))
    assert [item.text for item in side.store.learnings.of(pid)] == ["Second", "Refunds need a human"]
    assert (learnings.withdraw(one.id, "U1", AT), learnings.withdraw(one.id, "U1", AT)) == (True, False)
    assert side.store.learnings.counts(pid) == {1: 1}


def test_champions(side):
    pid = side.playbook.playbook.id
    champions = committed(side.store).champions
    assert champions.name_champion(pid, None, "UCH", AT)
    assert not champions.name_champion(pid, None, "UOTHER", AT)  # no longer None
    assert side.playbook.playbook.champion_id == "UCH"
    marked = [champions.mark_item(pid, "training", "kickoff", done, "UCH", AT) for done in (True, True, False)]
    assert marked == [True, False, True]
    assert side.store.champions.checklists([pid])[pid][("training", "kickoff")].done is False


def test_calibrations(side):
    pid = side.playbook.playbook.id
    run = CalibrationRun(
        playbook_id=pid, step="Draft", passed=37, total=40, basis="b1", revision=None, recorded_by="U1", recorded_at=AT
    )
    committed(side.store).calibrations.add([run])
    assert [(r.passed, r.total, r.basis, r.at) for r in side.store.calibrations.runs(pid)["draft"]] == [
        (37, 40, "b1", AT)
    ]


def test_out_of_scope(side):
    state = side.playbook
    pid, draft, send = state.playbook.id, state.step("draft").id, state.step("send").id

    def count(step_id, n, week=WEEK):
        return OutOfScopeCount(
            playbook_id=pid, step_id=step_id, week_start=week, count=n, reported_by=OWNER, reported_at=AT
        )

    committed(side.store).out_of_scope.add([count(draft, 5), count(send, 1)])
    committed(side.store).out_of_scope.add([count(draft, 3), count(draft, 2, WEEK + timedelta(days=7))])
    assert side.store.out_of_scope.latest(pid, WEEK, WEEK) == {(draft, WEEK): 3, (send, WEEK): 1}  # the latest counts


def test_outbox(side):
    outbox = committed(side.store).outbox
    told = [Message(f"k{i}", "chat.postMessage", "C1" if i < 2 else "C2", {"text": str(i)}) for i in range(3)]
    assert outbox.enqueue(told, AT) == {"k0", "k1", "k2"}
    assert outbox.enqueue(told[:1], AT) == set()
    failed = outbox.fail_undeliverable("C1", "channel_not_found", AT, AT - timedelta(hours=1))
    assert sorted((m.key, m.status) for m in failed) == [("k0", "failed"), ("k1", "failed")]
    assert all("channel_not_found" in (m.error or "") for m in failed)
    assert outbox.fail_undeliverable("C1", "channel_not_found", AT, AT + timedelta(hours=1)) == []


def test_form_times(side):
    """Setup's active time (usecases/shared/setup_effort.py): a form opened once per view,
    for the playbook its view named or none, or named at its submission; its submission
    the last one's; a playbook's own forms, anyone's, from its adopt to its first check-in
    answered; and when that was."""
    pid = side.playbook.playbook.id

    def opened(view, user, playbook, minutes):
        return committed(side.store).form_times.opened(
            view, user, "week_form", playbook, AT + timedelta(minutes=minutes)
        )

    def submitted(view, minutes, playbook=None):
        committed(side.store).form_times.submitted(view, AT + timedelta(minutes=minutes), playbook)

    assert opened("V1", OWNER, pid, 0) is True
    assert opened("V1", OWNER, pid, 1) is False
    opened("V2", OWNER, pid, 5)  # never submitted
    opened("V0", OWNER, pid, -24 * 60)  # before the adopt
    opened("V3", "UMEMBER1", pid, 10)  # another of its people
    opened("V4", OWNER, pid + 1, 6)  # another playbook's
    opened("V5", OWNER, None, 7)  # a form about no playbook
    opened("V6", OWNER, None, 8)  # asked which playbook: named at its submission
    opened("V7", OWNER, pid, 120)  # after the first check-in
    submitted("V1", 3)
    submitted("V1", 4)  # sent again: the last counts
    submitted("V6", 9, pid)
    submitted("V9", 0)  # a view the bot did not record: nothing
    assert side.store.form_times.setup_forms([pid]) == {}  # no check-in answered yet
    assert side.store.form_times.first_checkins([pid]) == {}
    committed(side.store).reports.add_checkin(pid, WEEK, "UMEMBER1", "followed", None, None, AT + timedelta(hours=1))
    committed(side.store).reports.add_checkin(pid, WEEK, OWNER, "followed", None, None, AT + timedelta(hours=3))
    assert side.store.form_times.first_checkins([pid, pid + 1]) == {pid: AT + timedelta(hours=1)}
    at = [AT + timedelta(minutes=m) for m in range(11)]
    assert side.store.form_times.setup_forms([pid, pid + 1]) == {
        pid: [(at[0], at[4]), (at[5], None), (at[8], at[9]), (at[10], None)]
    }


def test_setup_said(side):
    """Setup as said (usecases/setup_said.py): one answer a playbook, the first kept; read
    by playbook, minutes and whether a meeting was needed."""
    pid = side.playbook.playbook.id
    assert side.store.form_times.said_of([pid]) == {}
    assert committed(side.store).form_times.said(pid, 45, True, OWNER, AT) is True
    assert committed(side.store).form_times.said(pid, 30, False, "UMEMBER1", AT + timedelta(minutes=1)) is False
    assert side.store.form_times.said_of([pid, pid + 1]) == {pid: (45, True)}
    assert side.store.form_times.said_of([]) == {}
