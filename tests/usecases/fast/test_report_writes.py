"""What a report through `/rollout` writes (usecases/commands.py, recording.record): its
one row in one committed unit of work, and with an override the source's typed fetch and
the decision that says who typed it and why."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from tests import fakes
from tests.fakes import CURATOR, MEMBER, NOW, OWNER
from tests.usecases.fast.test_report_refusals import SLUG, sourced
from usecases import checkins, commands
from usecases.shared import messages

WEEK_2 = date(2026, 3, 9)


def one_row(services, kind):
    rows = fakes.store_of(services).reports.stored()
    assert [r.kind for r in rows] == [kind]
    return rows[0].values


def test_a_kpi_reading():
    services = fakes.services(fakes.a_playbook())
    recorded = commands.kpi(fakes.caller(services), messages.Kpi(SLUG, 31.5))
    state = recorded.state
    assert one_row(services, "kpi") == dict(
        playbook_id=state.playbook.id, week_start=WEEK_2, value=31.5, reported_by=MEMBER, reported_at=NOW
    )
    assert (recorded.week.cycle, recorded.week.week, recorded.step) == (1, 2, None)


def test_a_guardrail_reading():
    services = fakes.services(fakes.a_playbook())
    commands.guardrail(fakes.caller(services), messages.GuardrailReport(SLUG, 4.7))
    assert one_row(services, "guardrail")["value"] == 4.7


def test_a_case_count_on_its_step():
    state = fakes.a_playbook()
    services = fakes.services(state)
    recorded = commands.cases(fakes.caller(services, OWNER), messages.Cases(SLUG, "send", 40))
    row = one_row(services, "cases")
    assert (row["cases"], row["step_id"], row["reported_by"]) == (40, state.steps[1].id, OWNER)
    assert recorded.step is state.steps[1]


def test_a_rubric_score_bare_is_every_case_reviewed():
    services = fakes.services(fakes.a_playbook())
    commands.rubric(fakes.caller(services, OWNER), messages.Rubric(SLUG, "draft", 0.92))
    row = one_row(services, "rubric")
    assert (row["score"], row["reviewed"]) == (0.92, None)


def test_a_rubric_score_of_a_sample():
    services = fakes.services(fakes.a_playbook())
    commands.rubric(fakes.caller(services, CURATOR), messages.Rubric(SLUG, "draft", 0.9, reviewed=20))
    row = one_row(services, "rubric")
    assert (row["reviewed"], row["reported_by"]) == (20, CURATOR)


def test_an_exception():
    services = fakes.services(fakes.a_playbook())
    commands.exception(fakes.caller(services, OWNER), messages.LogException(SLUG, "refunds", "policy gap"))
    assert one_row(services, "exception")["reason"] == "policy gap"


def test_a_check_in_followed():
    services = fakes.services(fakes.a_playbook())
    recorded = commands.attest(fakes.caller(services), messages.Attest(SLUG, True, None, None, None))
    row = one_row(services, "checkin")
    assert (row["attestation"], row["step_id"], row["note"], row["user_id"]) == ("followed", None, None, MEMBER)
    assert "reported_by" not in row and recorded.step is None


def test_a_check_in_deviated_on_a_step_with_a_note():
    state = fakes.a_playbook()
    services = fakes.services(state)
    cmd = messages.Attest(SLUG, False, "draft", "rewrote by hand", None)
    recorded = commands.attest(fakes.caller(services), cmd)
    row = one_row(services, "checkin")
    assert (row["attestation"], row["step_id"], row["note"]) == ("deviated", state.steps[0].id, "rewrote by hand")
    assert recorded.step is state.steps[0]


def test_last_week_in_its_grace():
    services = fakes.services(fakes.a_playbook(), now=datetime(2026, 3, 9, 9, 0, tzinfo=UTC))
    commands.kpi(fakes.caller(services), messages.Kpi(SLUG, 30, week=1))
    assert one_row(services, "kpi")["week_start"] == date(2026, 3, 2)


def test_week_4_on_the_monday_morning_after_is_the_cycle_that_just_ended():
    """Monday 30 March, 09:00 in Berlin (summer time since the 29th): week 4 of cycle 1 is
    in its grace until noon; a bare report is the new cycle's week 1."""
    services = fakes.services(fakes.a_playbook(), now=datetime(2026, 3, 30, 7, 0, tzinfo=UTC))
    recorded = commands.kpi(fakes.caller(services), messages.Kpi(SLUG, 17, week=4))
    assert (recorded.week.cycle, recorded.week.week, recorded.week.week_start) == (1, 4, date(2026, 3, 23))
    assert one_row(services, "kpi")["week_start"] == date(2026, 3, 23)
    bare = commands.kpi(fakes.caller(services), messages.Kpi(SLUG, 18))
    assert (bare.week.cycle, bare.week.week, bare.week.week_start) == (2, 1, date(2026, 3, 30))


def test_the_week_of_when_it_was_measured():
    services = fakes.services(fakes.a_playbook(), now=datetime(2026, 3, 9, 9, 0, tzinfo=UTC))
    at = datetime(2026, 3, 8, 20, 0, tzinfo=UTC)
    commands.kpi(fakes.caller(services), messages.Kpi(SLUG, 30, at=at))
    assert one_row(services, "kpi")["week_start"] == date(2026, 3, 2)


def test_the_week_is_the_playbooks_own_time_zone():
    """Sunday 23:30 UTC is Monday in Berlin: the new week."""
    services = fakes.services(fakes.a_playbook(), now=datetime(2026, 3, 8, 23, 30, tzinfo=UTC))
    assert commands.kpi(fakes.caller(services), messages.Kpi(SLUG, 30)).week.week == 2


@pytest.mark.parametrize(
    ("command", "cmd", "user"),
    [
        (commands.kpi, messages.Kpi(SLUG, 30), MEMBER),
        (commands.cases, messages.Cases(SLUG, "draft", 4), OWNER),
        (commands.attest, messages.Attest(SLUG, True, None, None, None), MEMBER),
    ],
)
def test_one_unit_of_work_committed_once(command, cmd, user):
    services = fakes.services(fakes.a_playbook())
    command(fakes.caller(services, user), cmd)
    units = fakes.store_of(services).units
    assert len(units) == 1 and units[0].committed and units[0].commits == 1


def test_reports_are_appended_and_the_latest_counts():
    services = fakes.services(fakes.a_playbook())
    member = fakes.caller(services)
    for value in (30, 28, 29):
        commands.kpi(member, messages.Kpi(SLUG, value))
    store = fakes.store_of(services)
    assert [r.values["value"] for r in store.reports.stored("kpi")] == [30, 28, 29]
    state = store.playbooks.state(SLUG)
    figures = store.reports.week_figures(state, WEEK_2)
    assert (figures.kpi, figures.kpi_reports, figures.kpi_by) == (29, 3, MEMBER)


def test_nothing_else_is_written():
    services = fakes.services(fakes.a_playbook())
    commands.kpi(fakes.caller(services), messages.Kpi(SLUG, 30))
    held = fakes.store_of(services).held
    assert held.fetches == [] and held.decisions == [] and held.outbox == []


# ---- overrides of sourced numbers ----


@pytest.mark.parametrize(
    ("command", "cmd", "number", "source", "value"),
    [
        (commands.kpi, messages.Kpi(SLUG, 30, override="helpdesk down"), "kpi", "helpdesk", 30),
        (
            commands.guardrail,
            messages.GuardrailReport(SLUG, 4.7, override="helpdesk down"),
            "guardrail",
            "warehouse",
            4.7,
        ),
        (commands.cases, messages.Cases(SLUG, "draft", 40, override="helpdesk down"), "cases:draft", "warehouse", 40),
        (
            commands.rubric,
            messages.Rubric(SLUG, "draft", 0.9, override="helpdesk down"),
            "rubric:draft",
            "warehouse",
            0.9,
        ),
    ],
)
def test_an_override_writes_the_report_its_typed_fetch_and_a_decision(command, cmd, number, source, value):
    user = OWNER
    state = sourced()
    services = fakes.services(state)
    command(fakes.caller(services, user), cmd)
    held = fakes.store_of(services).held
    assert len(fakes.store_of(services).reports.stored()) == 1
    [fetch] = held.fetches
    assert (fetch["number"], fetch["source"], fetch["outcome"], fetch["value"]) == (number, source, "typed", value)
    assert (fetch["playbook_id"], fetch["week_start"], fetch["asked"]) == (state.playbook.id, WEEK_2, "typed")
    [decision] = held.decisions
    assert decision["actor"] == user
    assert decision["summary"] == f"{number} typed in place of source {source}: helpdesk down"
    assert decision["figures"] == {"number": number, "source": source, "reason": "helpdesk down"}


def test_a_curator_overrides_a_steps_number():
    services = fakes.services(sourced())
    commands.cases(fakes.caller(services, CURATOR), messages.Cases(SLUG, "draft", 40, override="late"))
    [decision] = fakes.store_of(services).held.decisions
    assert decision["actor"] == CURATOR


def test_a_sources_own_value_is_taken():
    """The clock's fetched number (by `source:<name>`) is no typed override."""
    from usecases.shared import recording

    state = sourced()
    services = fakes.services(state)
    caller = fakes.caller(services)
    week = caller.week(state, None, "kpi")
    recording.record(caller.store, state, week, None, messages.Kpi(SLUG, 30), "source:helpdesk", NOW, "kpi")
    assert one_row(services, "kpi")["reported_by"] == "source:helpdesk"
    assert fakes.store_of(services).held.decisions == []


# ---- the forms' check-ins and KPI (usecases/checkins.py) ----


def test_the_kpi_form():
    state = fakes.a_playbook()
    services = fakes.services(state)
    caller = fakes.caller(services)
    found = checkins.sent_week(caller, (state.playbook.id, WEEK_2))
    assert found is not None
    checkins.kpi_from_form(caller, *found, 12.5, False)
    assert one_row(services, "kpi")["value"] == 12.5


def test_a_form_for_a_closed_week_is_refused():
    from usecases.shared.caller import Refusal

    state = fakes.a_playbook()
    with pytest.raises(Refusal) as raised:
        checkins.sent_week(fakes.caller(fakes.services(state)), (state.playbook.id, date(2026, 3, 2)))
    assert raised.value.key == "week_closed"


@pytest.mark.parametrize("week_start", [date(2026, 3, 10), date(2025, 3, 9)])
def test_a_form_for_a_day_that_starts_no_week_is_gone(week_start):
    state = fakes.a_playbook()
    assert checkins.sent_week(fakes.caller(fakes.services(state)), (state.playbook.id, week_start)) is None


def test_a_form_for_a_playbook_removed_is_gone():
    assert checkins.sent_week(fakes.caller(fakes.services(fakes.a_playbook())), (10_000, WEEK_2)) is None


def test_the_check_in_form_deviated():
    state = fakes.a_playbook()
    services = fakes.services(state)
    caller = fakes.caller(services)
    week = caller.current_week(state, None)
    step = checkins.attest_from_form(caller, state, week, "send", "by hand")
    assert step is state.steps[1]
    assert one_row(services, "checkin")["step_id"] == state.steps[1].id


def test_the_check_in_form_by_someone_not_a_member():
    from usecases.shared.caller import Refusal

    state = fakes.a_playbook()
    services = fakes.services(state, members=[MEMBER])
    caller = fakes.caller(services, OWNER)
    with pytest.raises(Refusal) as raised:
        checkins.attest_from_form(caller, state, caller.current_week(state, None), None, None)
    assert raised.value.key == "members_only"
    assert fakes.store_of(services).reports.stored() == []


def test_a_bare_kpi_opens_the_form_of_the_channels_playbook():
    state = fakes.a_playbook()
    target = checkins.form_target(fakes.caller(fakes.services(state)), "kpi")
    assert target.state is state and target.week is not None and target.week.week == 2


def test_a_bare_kpi_elsewhere_asks_which_playbook():
    state = fakes.a_playbook()
    target = checkins.form_target(fakes.caller(fakes.services(state), channel_id="COTHER0001"), "kpi")
    assert (target.state, target.choices) == (None, [state])


def test_a_bare_kpi_with_no_playbook_running():
    from usecases.shared.caller import Refusal

    with pytest.raises(Refusal) as raised:
        checkins.form_target(fakes.caller(fakes.services(fakes.a_playbook(cycle_started=None))), "kpi")
    assert raised.value.key == "no_forms_yet"
