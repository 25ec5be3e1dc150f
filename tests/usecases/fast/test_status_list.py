"""`/rollout status` without a playbook (usecases/status.py): this channel's playbooks,
else the caller's, else every one, read through one Reading of the caller's store."""

from __future__ import annotations

from datetime import date

from tests import fakes
from tests.fakes import MEMBER, OWNER
from usecases import commands, status
from usecases.shared import messages

OTHER = "COTHER0001"


def three():
    return (
        fakes.a_playbook("alpha"),
        fakes.a_playbook("beta"),
        fakes.a_playbook("gamma", channel="CGAMMA0001", owner="UGAMMA0001", cycle_started=None),
    )


def test_this_channels_playbooks():
    services = fakes.services(*three())
    listed = status.status(fakes.caller(services), messages.Status(None))
    assert isinstance(listed, status.StatusList)
    assert [p.slug for p in listed.playbooks] == ["alpha", "beta"]
    assert (listed.in_channel, listed.yours) == (True, False)
    assert [(p.week.week if p.week else None, p.steps, p.status) for p in listed.playbooks] == [
        (2, 3, "active"),
        (2, 3, "active"),
    ]


def test_elsewhere_the_callers_own():
    services = fakes.services(*three())
    listed = status.status(fakes.caller(services, "UGAMMA0001", OTHER), messages.Status(None))
    assert [p.slug for p in listed.playbooks] == ["gamma"]
    assert (listed.in_channel, listed.yours) == (False, True)
    assert listed.playbooks[0].week is None


def test_elsewhere_the_ones_checked_in_for():
    services = fakes.services(*three())
    commands.attest(fakes.caller(services), messages.Attest("beta", True, None, None, None))
    listed = status.status(fakes.caller(services, MEMBER, OTHER), messages.Status(None))
    assert [p.slug for p in listed.playbooks] == ["beta"]


def test_elsewhere_and_none_of_theirs_every_one():
    services = fakes.services(*three())
    listed = status.status(fakes.caller(services, "UNOBODY001", OTHER), messages.Status(None))
    assert [p.slug for p in listed.playbooks] == ["alpha", "beta", "gamma"]
    assert (listed.in_channel, listed.yours) == (False, False)


def test_the_owner_of_several_sees_them_all():
    services = fakes.services(*three())
    listed = status.status(fakes.caller(services, OWNER, OTHER), messages.Status(None))
    assert [p.slug for p in listed.playbooks] == ["alpha", "beta"] and listed.yours


def test_a_week_is_the_playbooks_own():
    services = fakes.services(fakes.a_playbook("alpha", cycle_started=date(2026, 2, 23)), fakes.a_playbook("beta"))
    listed = status.status(fakes.caller(services), messages.Status(None))
    assert [p.week.week for p in listed.playbooks if p.week] == [3, 2]


def test_status_only_reads():
    services = fakes.services(*three())
    status.status(fakes.caller(services), messages.Status(None))
    assert fakes.store_of(services).units == []


def test_in_the_team_channel_its_playbook_and_its_week_counts_for_a_member_all_for_the_owner():
    """Moved from tests/usecases/test_commands.py: one playbook in the channel is shown whole."""
    services = fakes.services(fakes.a_playbook())
    commands.kpi(fakes.caller(services), messages.Kpi("support-replies", 21.0))
    shown = status.status(fakes.caller(services, MEMBER, fakes.CHANNEL), messages.Status(None))
    assert isinstance(shown, status.PlaybookStatus)
    assert shown.week is not None and (shown.week.cycle, shown.week.week) == (1, 2)
    assert shown.figures is not None and shown.figures.kpi == 21.0
    assert shown.full is False  # a member reads counts, not who deviated
    owners = status.status(fakes.caller(services, OWNER, fakes.CHANNEL), messages.Status(None))
    assert isinstance(owners, status.PlaybookStatus) and owners.full is True
