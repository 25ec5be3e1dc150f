"""The App Home tab (usecases/home.py, as handlers/home.py publishes it) and status's KPI
trend, on the fakes: what a person sees of their own rollout. A Home Slack is too slow to
take is tests/handlers/test_home.py's, through a signed event."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from cadence.change import Change, NewProposal
from cadence.figures import sparkline
from tests import fakes
from tests.committed import committed
from tests.fakes import ADMIN, MEMBER, OWNER, FixedClock
from tests.usecases.fast.test_rollout_replies import said, text, world
from usecases import home


def home_of(services, user: str) -> str:
    view = home.opened(services, user)
    assert view["type"] == "home"
    return json.dumps(view, ensure_ascii=False)


def state_of(services):
    return fakes.store_of(services).playbooks.state("support-replies")


def step_id(state, name: str) -> int:
    return next(s.id for s in state.steps if s.name == name)


def set_clock(services, at: datetime) -> None:
    cast(FixedClock, services.clock).at = at


def test_home_shows_my_playbooks_with_this_weeks_checkin():
    services = world()
    state = state_of(services)
    committed(fakes.store_of(services)).reports.add_checkin(
        state.playbook.id,
        state.anchor.starts_on,
        MEMBER,
        "deviated",
        step_id(state, "send"),
        "edge case",
        services.clock(),
    )
    view = home.opened(services, MEMBER)
    shown = json.dumps(view, ensure_ascii=False)
    assert view["type"] == "home"
    assert "*Support reply drafting* (support-replies) · cycle 1, week 1" in shown
    assert "This week: you reported a deviation on send." in shown
    assert [e["action_id"] for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]] == [
        "checkin_attest",
        "checkin_deviation",
        "checkin_kpi",
    ]
    assert "The registry" not in shown  # not a curator


def test_home_of_someone_with_no_playbook():
    assert "You're not on a playbook yet" in home_of(world(), "UNOBODY001")


def test_owner_sees_proposals_to_decide_and_curators_see_the_registry():
    services = world()
    state = state_of(services)
    proposal = NewProposal(
        "proposal:test",
        "promotion",
        state.playbook.id,
        state.anchor.starts_on,
        step_id(state, "draft"),
        "collaborative",
        "ai-led",
        {"counter": "PASS 2 weeks in a row"},
    )
    committed(fakes.store_of(services)).governance.apply(Change(new_proposals=[proposal]), services.clock())
    shown = home_of(services, OWNER)
    assert "Waiting for your decision" in shown and "make *draft* ai-led (now collaborative)" in shown
    assert "now a curator" in text(said(services, "curator add <@UCURATOR1>", ADMIN))
    curator_view = home_of(services, "UCURATOR1")
    assert "The registry" in curator_view and "make *draft* ai-led" in curator_view


def test_home_shows_my_own_checkins_of_the_last_8_weeks():
    services = world()
    state = state_of(services)
    reports = committed(fakes.store_of(services)).reports
    start, send, at = state.anchor.starts_on, step_id(state, "send"), services.clock()
    for week, answer in [(0, "followed"), (1, "deviated"), (3, "followed")]:
        step = send if answer == "deviated" else None
        reports.add_checkin(state.playbook.id, start + timedelta(days=7 * week), MEMBER, answer, step, None, at)
    reports.add_checkin(state.playbook.id, start + timedelta(days=7 * 2), OWNER, "followed", None, None, at)
    set_clock(services, datetime(2026, 12, 9, 10, 0, tzinfo=UTC))  # week 4 of cycle 1
    assert (
        "Your check-ins, last 4 weeks: 16 Nov :white_check_mark: · 23 Nov :warning: send · 30 Nov – · "
        "07 Dec :white_check_mark:"
    ) in home_of(
        services, MEMBER
    )  # the owner's answer of 30 Nov is the owner's; weeks before the first cycle are not shown


def test_status_shows_the_kpi_trend():
    services = world()
    for week, value in ((1, "30"), (2, "25"), (3, "20")):
        set_clock(services, datetime(2026, 11, 18, 10, 0, tzinfo=UTC) + timedelta(days=7 * (week - 1)))
        said(services, f"kpi support-replies {value}")
    assert "Last 8 weeks: `·····█▅▁`" in text(said(services, "status support-replies"))


def test_the_kpi_trend_keeps_closed_weeks_and_reads_open_ones():
    """A closed week's KPI is final and kept per process; the weeks still open (this one,
    and last week in its grace) are read on every status, even while nothing else about
    the playbook changed (no close ran here to raise its revision)."""
    services = world()

    def trend() -> str:
        return text(said(services, "status support-replies"))

    def shows(*values: Any) -> str:
        return f"Last 8 weeks: `{sparkline([None] * (8 - len(values)) + list(values))}`"

    set_clock(services, datetime(2026, 11, 18, 10, 0, tzinfo=UTC))  # week 1
    said(services, "kpi support-replies 30")
    assert shows(30.0) in trend()
    set_clock(services, datetime(2026, 11, 25, 10, 0, tzinfo=UTC))  # week 2: week 1 closed and kept
    assert shows(30.0, None) in trend()
    said(services, "kpi support-replies 25")
    assert shows(30.0, 25.0) in trend()
    set_clock(services, datetime(2026, 11, 30, 10, 0, tzinfo=UTC))  # Monday 11:00 Berlin: week 2 in its grace
    assert shows(30.0, 25.0, None) in trend()
    assert "Recorded" in text(said(services, "kpi support-replies 21 week:2"))
    assert shows(30.0, 21.0, None) in trend()
    set_clock(services, datetime(2026, 11, 30, 11, 30, tzinfo=UTC))  # 12:30: week 2 has closed
    assert shows(30.0, 21.0, None) in trend()
