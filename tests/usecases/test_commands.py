"""The use cases of usecases/commands.py and status.py, called as a listener calls
them: no HTTP server, no Bolt; Slack's side (who is on a team, who a person is) played by
the stand-in. Each runs on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest
from slack_sdk import WebClient
from sqlalchemy import func, select

from slack_api.members import TeamDirectory
from storage.models.org import RoleGrant, Setting
from storage.models.reports import KpiReading
from tests.committed import committed
from tests.conftest import ADMIN, BOT_TOKEN, MEMBER, OUTSIDER, OWNER
from usecases import commands, status
from usecases.shared.caller import Caller, Refusal
from usecases.shared.messages import CuratorChange, CuratorsChannel, CycleStart, Kpi, Status
from usecases.shared.services import Services


@pytest.fixture
def services(store, engine, clock):
    return Services(
        store=store,
        clock=clock,
        admins=frozenset({ADMIN}),
        org_timezone="UTC",
        directory=TeamDirectory(ttl_seconds=0),
    )


@pytest.fixture
def caller(services, slack):
    client = WebClient(token=BOT_TOKEN, base_url=slack.url, retry_handlers=[])
    return lambda user, channel="": Caller(services, client, user, channel)


def _count(engine, model) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(model)).scalar_one()


def test_a_members_kpi_is_recorded_for_the_current_week(caller, playbook, engine):
    done = commands.kpi(caller(MEMBER), Kpi("support-replies", 21.0, False, None))
    assert (done.state.playbook.slug, done.week.cycle, done.week.week) == ("support-replies", 1, 1)
    assert done.week.week_start == date(2026, 11, 16)
    assert _count(engine, KpiReading) == 1


def test_an_outsiders_kpi_is_refused_and_nothing_is_stored(caller, playbook, engine):
    with pytest.raises(Refusal) as refused:
        commands.kpi(caller(OUTSIDER), Kpi("support-replies", 21.0, False, None))
    assert refused.value.key == "members_or_owner_only"
    assert _count(engine, KpiReading) == 0


def test_an_unknown_playbook_is_refused_with_close_matches(caller, playbook):
    with pytest.raises(Refusal) as refused:
        commands.kpi(caller(MEMBER), Kpi("suport-replies", 21.0, False, None))
    assert refused.value.key == "no_playbook"
    assert "support-replies" in refused.value.suggestions


def test_a_week_to_come_is_refused(caller, playbook, engine):
    with pytest.raises(Refusal) as refused:
        commands.kpi(caller(MEMBER), Kpi("support-replies", 21.0, False, 3))
    assert refused.value.key == "week_in_future"
    assert _count(engine, KpiReading) == 0


def test_only_an_admin_names_a_curator_and_only_an_active_person(caller, playbook, engine, slack):
    with pytest.raises(Refusal) as refused:
        commands.curator(caller(OWNER), CuratorChange(True, MEMBER))
    assert refused.value.key == "admins_only"
    slack.add_user("UGONE00001", deleted=True)
    with pytest.raises(Refusal) as refused:
        commands.curator(caller(ADMIN), CuratorChange(True, "UGONE00001"))
    assert refused.value.key == "person_deactivated"
    assert _count(engine, RoleGrant) == 0
    assert commands.curator(caller(ADMIN), CuratorChange(True, MEMBER)) is True
    assert commands.curator(caller(ADMIN), CuratorChange(True, MEMBER)) is False  # twice changes nothing
    assert _count(engine, RoleGrant) == 1


def test_a_curator_added_and_removed_is_a_decision_row_each_and_a_repeat_none(caller, store):
    """The decision rows of usecases/commands.py's curator, in its unit of work with the grant."""
    assert commands.curator(caller(ADMIN), CuratorChange(True, MEMBER)) is True
    assert commands.curator(caller(ADMIN), CuratorChange(True, MEMBER)) is False
    assert store.org.curators() == {MEMBER}
    assert commands.curator(caller(ADMIN), CuratorChange(False, MEMBER)) is True
    assert commands.curator(caller(ADMIN), CuratorChange(False, MEMBER)) is False
    assert [d.kind for d in committed(store).playbooks.decisions()] == ["curator-added", "curator-removed"]


def test_the_curators_channel_is_an_admins_setting(caller, engine):
    with pytest.raises(Refusal):
        commands.curators_channel(caller(MEMBER), CuratorsChannel("CCURATORS1"))
    assert _count(engine, Setting) == 0
    commands.curators_channel(caller(ADMIN), CuratorsChannel("CCURATORS1"))
    assert _count(engine, Setting) == 1


def test_a_cycle_start_in_the_past_is_refused_and_one_ahead_is_set(caller, store, clock):
    from cadence.definition import parse_playbook
    from tests.conftest import SUPPORT_REPLIES

    committed(store).playbooks.load([parse_playbook(SUPPORT_REPLIES)], "UTC", actor="test", at=clock())
    with pytest.raises(Refusal) as refused:
        commands.cycle_start(caller(OWNER), CycleStart("support-replies", date(2026, 11, 9)))
    assert refused.value.key == "cycle_over"
    started = commands.cycle_start(caller(OWNER), CycleStart("support-replies", date(2026, 11, 23)))
    assert (started.cycle, started.starts_on) == (1, date(2026, 11, 23))
    assert store.playbooks.state("support-replies").anchor.starts_on == date(2026, 11, 23)


def test_status_in_the_team_channel_shows_its_playbook_and_its_week(caller, playbook):
    commands.kpi(caller(MEMBER), Kpi("support-replies", 21.0, False, None))
    shown = status.status(caller(MEMBER, "CTEAM00001"), Status(None))
    assert isinstance(shown, status.PlaybookStatus)
    assert shown.week is not None and shown.week.week == 1
    assert shown.figures is not None and shown.figures.kpi == 21.0
    assert shown.full is False  # a member reads counts, not who deviated
    owners = status.status(caller(OWNER, "CTEAM00001"), Status(None))
    assert isinstance(owners, status.PlaybookStatus) and owners.full is True
