"""`/rollout undo` (commands.undo, recording.undo): the caller's newest report of a week
still open, withdrawn; members' kinds for members, every kind for owners and curators;
what counts in its place."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests import fakes
from tests.fakes import CURATOR, MEMBER, NOW, OWNER
from tests.usecases.fast.test_report_refusals import SLUG
from usecases import commands
from usecases.shared import messages
from usecases.shared.caller import Refusal

UNDO = messages.Undo(SLUG)


def at(services, minutes):
    services.clock.at = NOW + timedelta(minutes=minutes)


def undo(services, user=MEMBER):
    return commands.undo(fakes.caller(services, user), UNDO)


def test_nothing_to_undo():
    services = fakes.services(fakes.a_playbook())
    with pytest.raises(Refusal) as raised:
        undo(services)
    assert raised.value.key == "nothing_to_undo" and raised.value.values["slug"] == SLUG


def test_nothing_to_undo_before_a_cycle():
    services = fakes.services(fakes.a_playbook(cycle_started=None))
    with pytest.raises(Refusal) as raised:
        undo(services)
    assert raised.value.key == "nothing_to_undo"


def test_undo_on_no_such_playbook():
    services = fakes.services(fakes.a_playbook())
    with pytest.raises(Refusal) as raised:
        commands.undo(fakes.caller(services), messages.Undo("support"))
    assert raised.value.key == "no_playbook"


def test_the_newest_first_then_the_next():
    services = fakes.services(fakes.a_playbook())
    member = fakes.caller(services)
    commands.kpi(member, messages.Kpi(SLUG, 30))
    at(services, 1)
    commands.attest(fakes.caller(services), messages.Attest(SLUG, True, None, None, None))
    at(services, 2)
    commands.kpi(fakes.caller(services), messages.Kpi(SLUG, 28))
    at(services, 3)
    kinds = [undo(services).undone.report.kind for _ in range(3)]
    assert kinds == ["kpi", "checkin", "kpi"]
    with pytest.raises(Refusal):
        undo(services)


def test_what_counts_after_a_kpi_is_withdrawn():
    services = fakes.services(fakes.a_playbook())
    commands.kpi(fakes.caller(services, OWNER), messages.Kpi(SLUG, 30))
    at(services, 1)
    commands.kpi(fakes.caller(services), messages.Kpi(SLUG, 28))
    done = undo(services).undone
    assert done.report.value == 28 and done.counting.value == 30 and done.counting.reported_by == OWNER
    assert [r.values["value"] for r in fakes.store_of(services).reports.stored("kpi")] == [30]


def test_nothing_counts_after_the_only_report_is_withdrawn():
    services = fakes.services(fakes.a_playbook())
    commands.kpi(fakes.caller(services), messages.Kpi(SLUG, 30))
    assert undo(services).undone.counting is None


def test_only_the_callers_own_reports():
    services = fakes.services(fakes.a_playbook())
    commands.kpi(fakes.caller(services, OWNER), messages.Kpi(SLUG, 30))
    with pytest.raises(Refusal):
        undo(services, MEMBER)
    assert len(fakes.store_of(services).reports.stored()) == 1


def test_a_member_never_withdraws_an_owners_kind():
    """A member who reported cases when they owned the playbook, no longer: theirs, but not a member's kind."""
    state = fakes.a_playbook()
    services = fakes.services(state)
    commands.cases(fakes.caller(services, OWNER), messages.Cases(SLUG, "draft", 4))
    state.playbook.owner_id = "UNEWOWNER1"
    with pytest.raises(Refusal):
        undo(services, OWNER)


@pytest.mark.parametrize(
    ("command", "cmd", "kind"),
    [
        (commands.cases, messages.Cases(SLUG, "draft", 4), "cases"),
        (commands.rubric, messages.Rubric(SLUG, "draft", 0.8), "rubric"),
        (commands.exception, messages.LogException(SLUG, "draft", "tone"), "exception"),
    ],
)
@pytest.mark.parametrize("user", [OWNER, CURATOR])
def test_owners_and_curators_withdraw_their_step_reports(command, cmd, kind, user):
    services = fakes.services(fakes.a_playbook())
    command(fakes.caller(services, user), cmd)
    done = commands.undo(fakes.caller(services, user), UNDO)
    assert done.undone.report.kind == kind and done.undone.step == "draft"
    assert fakes.store_of(services).reports.stored() == []


def test_an_exception_withdrawn_says_how_many_are_left():
    services = fakes.services(fakes.a_playbook())
    for minute, reason in enumerate(["a", "b", "c"]):
        at(services, minute)
        commands.exception(fakes.caller(services, OWNER), messages.LogException(SLUG, "draft", reason))
    done = undo(services, OWNER).undone
    assert (done.report.value, done.counting) == ("c", 2)


def test_the_case_count_that_counts_now_names_its_step():
    services = fakes.services(fakes.a_playbook())
    commands.cases(fakes.caller(services, CURATOR), messages.Cases(SLUG, "send", 9))
    at(services, 1)
    commands.cases(fakes.caller(services, OWNER), messages.Cases(SLUG, "send", 10))
    done = undo(services, OWNER)
    assert done.undone.counting.value == 9 and done.counting_step == "send"


def test_a_check_in_withdrawn_leaves_the_members_earlier_one():
    services = fakes.services(fakes.a_playbook())
    commands.attest(fakes.caller(services), messages.Attest(SLUG, True, None, None, None))
    at(services, 1)
    commands.attest(fakes.caller(services), messages.Attest(SLUG, False, "draft", None, None))
    done = undo(services).undone
    assert (done.report.value, done.counting.value, done.step) == ("deviated", "followed", "draft")


def test_a_closed_week_is_not_undone():
    services = fakes.services(fakes.a_playbook(), now=datetime(2026, 3, 9, 9, 0, tzinfo=UTC))
    commands.kpi(fakes.caller(services), messages.Kpi(SLUG, 30, week=1))
    services.clock.at = datetime(2026, 3, 9, 11, 30, tzinfo=UTC)  # week 1's grace is over
    with pytest.raises(Refusal):
        undo(services)


def test_last_weeks_report_in_its_grace_is_undone():
    services = fakes.services(fakes.a_playbook(), now=datetime(2026, 3, 9, 9, 0, tzinfo=UTC))
    commands.kpi(fakes.caller(services), messages.Kpi(SLUG, 30, week=1))
    done = undo(services).undone
    assert (done.week.week, done.report.value) == (1, 30)


def test_the_withdrawal_is_kept_with_who_and_when():
    services = fakes.services(fakes.a_playbook())
    commands.kpi(fakes.caller(services), messages.Kpi(SLUG, 30))
    at(services, 5)
    undo(services)
    [row] = fakes.store_of(services).held.reports.rows
    assert row.withdrawn and row.values["undone_by"] == MEMBER and row.values["undone_at"] == NOW + timedelta(minutes=5)
