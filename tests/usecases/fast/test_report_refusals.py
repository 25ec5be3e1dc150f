"""Each refusal of a report through `/rollout` (usecases/commands.py), and that a refused
report writes nothing and opens no unit of work that commits."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from tests import fakes
from tests.fakes import CURATOR, MEMBER, OUTSIDER, OWNER
from usecases import commands
from usecases.shared import messages
from usecases.shared.caller import Refusal

SLUG = "support-replies"
SOURCES = {
    "helpdesk": {"kind": "prometheus", "url": "https://prometheus.internal:9090"},
    "warehouse": {"kind": "sql", "url_env": "WAREHOUSE_URL"},
}
SQL = "select 1"


def refused(services, command, cmd, user=MEMBER) -> Refusal:
    """The refusal, after checking nothing was written."""
    store = fakes.store_of(services)
    before = store.held.reports.copy().rows
    with pytest.raises(Refusal) as raised:
        command(fakes.caller(services, user), cmd)
    assert store.reports.stored() == [r for r in before if not r.withdrawn]
    assert store.held.fetches == [] and store.held.decisions == []
    assert store.commits() == 0
    return raised.value


REPORTS = [
    pytest.param(commands.kpi, messages.Kpi(SLUG, 30), OWNER, id="kpi"),
    pytest.param(commands.guardrail, messages.GuardrailReport(SLUG, 4.7), OWNER, id="guardrail"),
    pytest.param(commands.cases, messages.Cases(SLUG, "draft", 40), OWNER, id="cases"),
    pytest.param(commands.rubric, messages.Rubric(SLUG, "draft", 0.9), OWNER, id="rubric"),
    pytest.param(commands.exception, messages.LogException(SLUG, "draft", "tone"), OWNER, id="exception"),
    pytest.param(commands.attest, messages.Attest(SLUG, True, None, None, None), MEMBER, id="attest"),
]


# ---- the playbook and its step ----


@pytest.mark.parametrize(("command", "cmd", "user"), REPORTS)
def test_no_such_playbook_names_close_matches(command, cmd, user):
    services = fakes.services(fakes.a_playbook())
    refusal = refused(services, command, _on(cmd, "support-replie"), user)
    assert refusal.key == "no_playbook"
    assert refusal.suggestions == (SLUG,)
    assert refusal.values["slug"] == "support-replie"


@pytest.mark.parametrize(("command", "cmd", "user"), REPORTS)
def test_no_such_playbook_without_close_matches(command, cmd, user):
    services = fakes.services(fakes.a_playbook())
    refusal = refused(services, command, _on(cmd, "zzz"), user)
    assert (refusal.key, refusal.suggestions) == ("no_playbook", ())


def test_a_long_slug_is_cut_in_the_refusal():
    services = fakes.services(fakes.a_playbook())
    refusal = refused(services, commands.kpi, messages.Kpi("x" * 100, 1))
    assert refusal.values["slug"] == "x" * 64


@pytest.mark.parametrize(
    ("command", "cmd"),
    [
        (commands.cases, messages.Cases(SLUG, "drafts", 40)),
        (commands.rubric, messages.Rubric(SLUG, "drafts", 0.9)),
        (commands.exception, messages.LogException(SLUG, "drafts", "tone")),
    ],
)
def test_no_such_step_names_close_matches_and_the_steps(command, cmd):
    refusal = refused(fakes.services(fakes.a_playbook()), command, cmd, OWNER)
    assert refusal.key == "no_step"
    assert refusal.suggestions == ("draft",)
    assert refusal.values["steps"] == "draft, send, refunds"


def test_attest_on_no_such_step():
    cmd = messages.Attest(SLUG, False, "sent", None, None)
    refusal = refused(fakes.services(fakes.a_playbook()), commands.attest, cmd)
    assert (refusal.key, refusal.suggestions) == ("no_step", ("send",))


def test_a_step_is_found_whatever_its_case():
    services = fakes.services(fakes.a_playbook())
    recorded = commands.cases(fakes.caller(services, OWNER), messages.Cases(SLUG, "DRAFT", 40))
    assert recorded.step is not None and recorded.step.name == "draft"


# ---- who may report ----


@pytest.mark.parametrize(
    ("command", "cmd"),
    [(commands.kpi, messages.Kpi(SLUG, 30)), (commands.guardrail, messages.GuardrailReport(SLUG, 4.7))],
)
def test_members_and_the_owner_only(command, cmd):
    refusal = refused(fakes.services(fakes.a_playbook()), command, cmd, OUTSIDER)
    assert refusal.key == "members_or_owner_only"
    assert refusal.values["slug"] == SLUG


def test_attest_is_for_members_only_not_the_owner_outside_the_channel():
    services = fakes.services(fakes.a_playbook(), members=[MEMBER])
    refusal = refused(services, commands.attest, messages.Attest(SLUG, True, None, None, None), OWNER)
    assert refusal.key == "members_only"


def test_the_owner_reports_the_kpi_outside_the_channel():
    services = fakes.services(fakes.a_playbook(), members=[MEMBER])
    commands.kpi(fakes.caller(services, OWNER), messages.Kpi(SLUG, 30))
    assert len(fakes.store_of(services).reports.stored("kpi")) == 1


@pytest.mark.parametrize(
    ("command", "cmd"),
    [
        (commands.cases, messages.Cases(SLUG, "draft", 40)),
        (commands.rubric, messages.Rubric(SLUG, "draft", 0.9)),
        (commands.exception, messages.LogException(SLUG, "draft", "tone")),
    ],
)
@pytest.mark.parametrize("user", [MEMBER, OUTSIDER])
def test_owner_reports_refused_to_others(command, cmd, user):
    refusal = refused(fakes.services(fakes.a_playbook()), command, cmd, user)
    assert refusal.key == "owner_or_curator_only"


@pytest.mark.parametrize(
    ("command", "cmd"),
    [
        (commands.cases, messages.Cases(SLUG, "draft", 40)),
        (commands.rubric, messages.Rubric(SLUG, "draft", 0.9)),
        (commands.exception, messages.LogException(SLUG, "draft", "tone")),
    ],
)
def test_a_curator_makes_owner_reports(command, cmd):
    services = fakes.services(fakes.a_playbook())
    command(fakes.caller(services, CURATOR), cmd)
    assert len(fakes.store_of(services).reports.stored()) == 1


@pytest.mark.parametrize(
    ("reason", "key"), [("not_in_channel", "bot_not_in_channel"), ("ratelimited", "slack_busy_members")]
)
def test_slack_not_answering_who_is_a_member(reason, key):
    directory = fakes.FakeDirectory(down=reason)
    services = fakes.services(fakes.a_playbook(), directory=directory)
    assert refused(services, commands.kpi, messages.Kpi(SLUG, 30)).key == key


def test_the_owner_is_not_asked_of_slack():
    directory = fakes.FakeDirectory(down="ratelimited")
    services = fakes.services(fakes.a_playbook(), directory=directory)
    commands.kpi(fakes.caller(services, OWNER), messages.Kpi(SLUG, 30))
    assert directory.asked == []


# ---- the week ----


@pytest.mark.parametrize(("command", "cmd", "user"), REPORTS)
def test_a_closed_week(command, cmd, user):
    refusal = refused(fakes.services(fakes.a_playbook()), command, _week(cmd, 1), user)
    assert refusal.key == "week_closed"
    assert (refusal.values["week"], refusal.values["cycle"]) == (1, 1)


@pytest.mark.parametrize(("command", "cmd", "user"), REPORTS)
def test_a_future_week(command, cmd, user):
    refusal = refused(fakes.services(fakes.a_playbook()), command, _week(cmd, 3), user)
    assert refusal.key == "week_in_future"
    assert refusal.values["number"] == 3 and refusal.values["current"] == 2
    assert refusal.values["day"] == "2026-03-16"


def test_last_week_is_open_in_its_grace():
    monday_morning = datetime(2026, 3, 9, 9, 0, tzinfo=UTC)  # 10:00 in Berlin: 12 h grace to noon
    services = fakes.services(fakes.a_playbook(), now=monday_morning)
    recorded = commands.kpi(fakes.caller(services), messages.Kpi(SLUG, 30, week=1))
    assert recorded.week.week == 1


def test_last_week_closes_when_its_grace_ends():
    past_noon = datetime(2026, 3, 9, 11, 1, tzinfo=UTC)
    services = fakes.services(fakes.a_playbook(), now=past_noon)
    assert refused(services, commands.kpi, messages.Kpi(SLUG, 30, week=1)).key == "week_closed"


def test_a_week_closes_at_noon_local_across_a_dst_change():
    """Moved from tests/handlers/test_commands.py. Berlin leaves summer time on Sunday 25
    October 2026: the week of 19 October closes on Monday 26 October at 12:00 CET, 11:00
    UTC (not 10:00, as it would in summer)."""
    state = fakes.a_playbook(cycle_started=date(2026, 10, 12))
    services = fakes.services(state, now=datetime(2026, 10, 26, 10, 59, tzinfo=UTC))  # 11:59 CET
    recorded = commands.kpi(fakes.caller(services), messages.Kpi(SLUG, 20, week=2))
    assert (recorded.week.week, recorded.week.week_start) == (2, date(2026, 10, 19))
    services.clock.at = datetime(2026, 10, 26, 11, 0, tzinfo=UTC)  # 12:00 CET
    refusal = refused_after(services, commands.kpi, messages.Kpi(SLUG, 21, week=2), MEMBER)
    assert (refusal.key, refusal.values) == (
        "week_closed",
        {"week": 2, "cycle": 1, "when": "Mon 26 Oct 12:00 Europe/Berlin"},
    )


def test_a_day_of_a_closed_week():
    services = fakes.services(fakes.a_playbook())
    assert refused(services, commands.kpi, messages.Kpi(SLUG, 30, week=date(2026, 3, 4))).key == "week_closed"


def test_a_day_before_any_cycle():
    services = fakes.services(fakes.a_playbook())
    refusal = refused(services, commands.kpi, messages.Kpi(SLUG, 30, week=date(2026, 2, 1)))
    assert refusal.key == "day_in_no_cycle"


def test_a_day_of_the_current_week():
    services = fakes.services(fakes.a_playbook())
    recorded = commands.kpi(fakes.caller(services), messages.Kpi(SLUG, 30, week=date(2026, 3, 12)))
    assert recorded.week.week_start == date(2026, 3, 9)


def test_a_week_the_clock_closed_after_the_request_judged_it_open():
    """The database's check (closed_through): the same refusal, nothing written."""
    state = fakes.a_playbook(closed_through=date(2026, 3, 9))
    refusal = refused(fakes.services(state), commands.kpi, messages.Kpi(SLUG, 30))
    assert refusal.key == "week_closed" and refusal.values["week"] == 2


def test_a_check_in_the_clock_closed_meanwhile():
    state = fakes.a_playbook(closed_through=date(2026, 3, 9))
    cmd = messages.Attest(SLUG, True, None, None, None)
    assert refused(fakes.services(state), commands.attest, cmd).key == "week_closed"


# ---- the playbook's life ----


def test_a_retired_playbook():
    state = fakes.a_playbook(status="retired")
    state.playbook.status_since = datetime(2026, 3, 10, tzinfo=UTC)
    state.playbook.status_reason = "done"
    refusal = refused(fakes.services(state), commands.kpi, messages.Kpi(SLUG, 30))
    assert refusal.key == "retired"
    assert refusal.values == {"slug": SLUG, "since": "2026-03-10", "reason": "done"}


def test_a_paused_playbook():
    state = fakes.a_playbook(status="paused")
    assert state.anchor is not None
    state.anchor.ends_after = date(2026, 3, 2)  # the run ended after its first week
    state.playbook.status_since = datetime(2026, 3, 8, tzinfo=UTC)
    refusal = refused(fakes.services(state), commands.kpi, messages.Kpi(SLUG, 30))
    assert refusal.key == "paused" and refusal.values["since"] == "2026-03-08"


@pytest.mark.parametrize(
    ("user", "key"), [(OWNER, "no_cycle_yet"), (CURATOR, "no_cycle_yet"), (MEMBER, "no_cycle_yet_ask_owner")]
)
def test_no_cycle_yet(user, key):
    services = fakes.services(fakes.a_playbook(cycle_started=None))
    assert refused(services, commands.kpi, messages.Kpi(SLUG, 30), user).key == key


def test_a_cycle_not_begun():
    services = fakes.services(fakes.a_playbook(cycle_started=date(2026, 3, 16)))
    refusal = refused(services, commands.kpi, messages.Kpi(SLUG, 30))
    assert refusal.key == "cycle_scheduled" and refusal.values["day"] == "2026-03-16"


# ---- the number ----


def test_a_percent_for_a_kpi_in_minutes():
    refusal = refused(fakes.services(fakes.a_playbook()), commands.kpi, messages.Kpi(SLUG, 30, percent=True))
    assert refusal.key == "kpi_not_percent" and refusal.values["unit"] == "in min"


def test_a_percent_for_a_kpi_without_unit():
    kpi = {"name": "Handled", "unit": "", "direction": "up", "baseline": 1, "target": 2}
    services = fakes.services(fakes.a_playbook(kpi=kpi))
    refusal = refused(services, commands.kpi, messages.Kpi(SLUG, 30, percent=True))
    assert refusal.values["unit"] == "as a plain number"


def test_a_percent_for_a_kpi_in_percent():
    kpi = {"name": "Accuracy", "unit": "%", "direction": "up", "baseline": 80, "target": 95}
    services = fakes.services(fakes.a_playbook(kpi=kpi))
    commands.kpi(fakes.caller(services), messages.Kpi(SLUG, 93, percent=True))
    assert [r.values["value"] for r in fakes.store_of(services).reports.stored()] == [93]


def test_a_percent_for_a_guardrail_not_in_percent():
    cmd = messages.GuardrailReport(SLUG, 90, percent=True)
    refusal = refused(fakes.services(fakes.a_playbook()), commands.guardrail, cmd)
    assert refusal.key == "guardrail_not_percent" and refusal.values["unit"] == "as a plain number"


def test_a_percent_for_a_guardrail_in_percent():
    services = fakes.services(fakes.a_playbook(guardrail={"name": "CSAT", "unit": "%", "min": 90}))
    commands.guardrail(fakes.caller(services), messages.GuardrailReport(SLUG, 93, percent=True))
    assert len(fakes.store_of(services).reports.stored("guardrail")) == 1


@pytest.mark.parametrize("user", [MEMBER, OUTSIDER, OWNER])
def test_no_guardrail_declared_is_said_to_anyone(user):
    services = fakes.services(fakes.a_playbook(guardrail=None))
    refusal = refused(services, commands.guardrail, messages.GuardrailReport(SLUG, 4.7), user)
    assert refusal.key == "no_guardrail"


def test_a_rubric_on_a_step_with_none_by_design():
    steps = [{"name": "draft", "mode": "collaborative", "rubric": "none"}, {"name": "send", "mode": "ai-led"}]
    services = fakes.services(fakes.a_playbook(steps=steps))
    refusal = refused(services, commands.rubric, messages.Rubric(SLUG, "draft", 0.9), OWNER)
    assert refusal.key == "no_rubric_by_design" and refusal.values["step"] == "draft"


def test_a_review_of_more_cases_than_the_week_had():
    services = fakes.services(fakes.a_playbook())
    owner = fakes.caller(services, OWNER)
    commands.cases(owner, messages.Cases(SLUG, "draft", 10))
    refusal = refused_after(services, commands.rubric, messages.Rubric(SLUG, "draft", 0.9, reviewed=11), OWNER)
    assert refusal.key == "reviewed_over_cases"
    assert (refusal.values["reviewed"], refusal.values["cases"]) == (11, 10)


def test_a_review_of_as_many_cases_as_the_week_had():
    services = fakes.services(fakes.a_playbook())
    owner = fakes.caller(services, OWNER)
    commands.cases(owner, messages.Cases(SLUG, "draft", 10))
    commands.rubric(owner, messages.Rubric(SLUG, "draft", 0.9, reviewed=10))
    assert len(fakes.store_of(services).reports.stored("rubric")) == 1


def test_a_review_when_no_cases_are_known():
    services = fakes.services(fakes.a_playbook())
    commands.rubric(fakes.caller(services, OWNER), messages.Rubric(SLUG, "draft", 0.9, reviewed=500))
    assert len(fakes.store_of(services).reports.stored("rubric")) == 1


def test_the_latest_case_count_is_the_one_weighed():
    services = fakes.services(fakes.a_playbook())
    owner = fakes.caller(services, OWNER)
    commands.cases(owner, messages.Cases(SLUG, "draft", 30))
    commands.cases(owner, messages.Cases(SLUG, "draft", 10))
    refusal = refused_after(services, commands.rubric, messages.Rubric(SLUG, "draft", 0.9, reviewed=20), OWNER)
    assert refusal.values["cases"] == 10


# ---- numbers fed by value events and sources ----

EVENTS = [
    {"name": "reply_accepted", "step": "draft", "counts": "cases"},
    {"name": "reply_rewritten", "step": "draft", "counts": "exception"},
    {"name": "minutes_saved", "counts": "kpi"},
]


@pytest.mark.parametrize(
    ("command", "cmd", "event"),
    [
        (commands.cases, messages.Cases(SLUG, "draft", 40), "reply_accepted"),
        (commands.exception, messages.LogException(SLUG, "draft", "tone"), "reply_rewritten"),
        (commands.kpi, messages.Kpi(SLUG, 30), "minutes_saved"),
    ],
)
def test_a_number_value_events_carry(command, cmd, event):
    services = fakes.services(fakes.a_playbook(value_events=EVENTS))
    refusal = refused(services, command, cmd, OWNER)
    assert refusal.key == "fed_by_event" and refusal.values["event"] == event


def test_a_step_no_event_feeds_is_typed():
    services = fakes.services(fakes.a_playbook(value_events=EVENTS))
    commands.cases(fakes.caller(services, OWNER), messages.Cases(SLUG, "send", 40))
    assert len(fakes.store_of(services).reports.stored("cases")) == 1


def sourced(**more):
    steps = [
        {
            "name": "draft",
            "mode": "collaborative",
            "from": {"cases": {"source": "warehouse", "query": SQL}, "rubric": {"source": "warehouse", "query": SQL}},
        },
        {"name": "send", "mode": "ai-led"},
    ]
    kpi = dict(fakes.definition()["kpi"], **{"from": {"source": "helpdesk", "query": "up"}})
    guardrail = {"name": "CSAT", "min": 4.6, "from": {"source": "warehouse", "query": SQL}}
    return fakes.a_playbook(sources=SOURCES, steps=steps, kpi=kpi, guardrail=guardrail, **more)


SOURCED = [
    pytest.param(commands.kpi, messages.Kpi(SLUG, 30), "helpdesk", id="kpi"),
    pytest.param(commands.guardrail, messages.GuardrailReport(SLUG, 4.7), "warehouse", id="guardrail"),
    pytest.param(commands.cases, messages.Cases(SLUG, "draft", 40), "warehouse", id="cases"),
    pytest.param(commands.rubric, messages.Rubric(SLUG, "draft", 0.9), "warehouse", id="rubric"),
]


@pytest.mark.parametrize(("command", "cmd", "source"), SOURCED)
def test_a_number_a_source_feeds(command, cmd, source):
    refusal = refused(fakes.services(sourced()), command, cmd, OWNER)
    assert refusal.key == "fed_by_source" and refusal.values["source"] == source


@pytest.mark.parametrize(("command", "cmd", "source"), SOURCED)
def test_an_override_by_a_member_is_refused(command, cmd, source):
    refusal = refused(fakes.services(sourced()), command, _override(cmd), MEMBER)
    assert refusal.key in ("owner_or_curator_only",)


@pytest.mark.parametrize(
    ("command", "cmd"),
    [
        (commands.kpi, messages.Kpi(SLUG, 30, override="down")),
        (commands.cases, messages.Cases(SLUG, "send", 40, override="down")),
        (commands.rubric, messages.Rubric(SLUG, "send", 0.9, override="down")),
    ],
)
def test_an_override_of_a_number_no_source_feeds(command, cmd):
    services = fakes.services(fakes.a_playbook())
    assert refused(services, command, cmd, OWNER).key == "override_not_sourced"


def test_exceptions_a_source_counts_take_no_typed_report():
    steps = [{"name": "draft", "mode": "collaborative", "from": {"exceptions": {"source": "warehouse", "query": SQL}}}]
    services = fakes.services(fakes.a_playbook(sources=SOURCES, steps=steps))
    refusal = refused(services, commands.exception, messages.LogException(SLUG, "draft", "tone"), OWNER)
    assert refusal.key == "fed_by_source"


# ---- helpers ----


def refused_after(services, command, cmd, user) -> Refusal:
    """The refusal of a report made after others: it adds nothing to what they wrote."""
    store = fakes.store_of(services)
    before, commits = [r.id for r in store.reports.stored()], store.commits()
    with pytest.raises(Refusal) as raised:
        command(fakes.caller(services, user), cmd)
    assert [r.id for r in store.reports.stored()] == before and store.commits() == commits
    return raised.value


def _on(cmd, slug):
    from dataclasses import replace

    return replace(cmd, playbook=slug)


def _week(cmd, week):
    from dataclasses import replace

    return replace(cmd, week=week)


def _override(cmd):
    from dataclasses import replace

    return replace(cmd, override="the helpdesk is down")
