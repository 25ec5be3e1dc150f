"""`POST /api/v1/reports` as its use case (usecases/api_reports.post), without HTTP: the
token's scope, every report checked as a command's, all written in one unit of work or
none, idempotency keys, and value events."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from storage.models.access import ApiToken
from tests import fakes
from tests.fakes import NOW
from tests.usecases.fast.test_report_refusals import SLUG
from usecases import api_reports
from usecases.api_reports import Forbidden, Invalid, Unfit
from usecases.shared import messages

ALL = ["kpi", "guardrail", "cases", "rubric", "exception", "event"]
EVENTS = [
    {"name": "reply_accepted", "step": "draft", "counts": "cases"},
    {"name": "reply_rewritten", "step": "draft", "counts": "exception"},
    {"name": "minutes", "counts": "kpi"},
]


def token(kinds=ALL, playbooks=None) -> ApiToken:
    return ApiToken(id=7, name="warehouse", token_hash="x", playbooks=playbooks, kinds=list(kinds), created_by="U1")


def sent(key: str, fingerprint: str = "f") -> messages.Sent:
    return messages.Sent(key, fingerprint)


@pytest.fixture
def services():
    return fakes.services(fakes.a_playbook(value_events=EVENTS))


def post(services, *reports, tok=None):
    return api_reports.post(services, tok or token(), list(reports))


def stored(services, kind=None):
    return fakes.store_of(services).reports.stored(kind)


def problems(services, *reports):
    with pytest.raises(Invalid) as raised:
        post(services, *reports)
    assert stored(services) == [] and fakes.store_of(services).commits() == 0
    return [(p.index, p.field, p.message) for p in raised.value.problems]


def test_a_kpi_accepted_signed_by_the_token():
    services = fakes.services(fakes.a_playbook())
    posted = post(services, messages.Kpi(SLUG, 30))
    assert posted.accepted == [dict(index=0, week="2026-03-09", counts_for=f"{SLUG}, week 2 of cycle 1 (2026-03-09)")]
    assert posted.duplicates == []
    [row] = stored(services)
    assert row.values["reported_by"] == "token:warehouse"


def test_a_steps_report_says_its_step():
    services = fakes.services(fakes.a_playbook())
    posted = post(services, messages.Cases(SLUG, "draft", 40))
    assert posted.accepted[0]["counts_for"].endswith(", step draft")


def test_a_batch_in_one_unit_of_work():
    services = fakes.services(fakes.a_playbook())
    post(services, messages.Kpi(SLUG, 30), messages.GuardrailReport(SLUG, 4.7), messages.Cases(SLUG, "send", 3))
    assert [r.kind for r in stored(services)] == ["kpi", "guardrail", "cases"]
    token_use, batch = fakes.store_of(services).units  # the token's use is noted beside the batch
    assert token_use.commits == batch.commits == 1


def test_one_bad_report_writes_none_and_every_problem_is_named():
    services = fakes.services(fakes.a_playbook())
    found = problems(
        services,
        messages.Kpi(SLUG, 30),
        messages.Cases(SLUG, "drafts", 4),
        messages.Kpi("nope", 1),
        messages.Kpi(SLUG, 30, week=1),
    )
    assert [(i, f) for i, f, _ in found] == [(1, "step"), (2, "playbook"), (3, "week")]
    assert found[0][2].endswith("Did you mean draft?")


def test_an_unfit_report_keeps_its_place():
    services = fakes.services(fakes.a_playbook())
    found = problems(services, messages.Kpi(SLUG, 30), Unfit(SLUG, "cases", "count", "must be a whole number"))
    assert found == [(1, "count", "must be a whole number")]


@pytest.mark.parametrize(
    ("report", "field"),
    [
        (messages.GuardrailReport(SLUG, 4.7), "kind"),
        (messages.ValueEvent(SLUG, "nope"), "event"),
        (messages.Kpi(SLUG, 30, week=4), "week"),
        (messages.Rubric(SLUG, "zzz", 0.9), "step"),
    ],
)
def test_the_field_a_refusal_is_about(report, field):
    services = fakes.services(fakes.a_playbook(guardrail=None))
    assert problems(services, report)[0][1] == field


def test_a_week_closed_by_the_clock_after_the_check():
    services = fakes.services(fakes.a_playbook())
    state = fakes.store_of(services).playbooks.state(SLUG)
    state.playbook.closed_through = datetime(2026, 3, 9).date()
    found = problems(services, messages.Kpi(SLUG, 30))
    assert found[0][:2] == (0, "week") and "closed" in found[0][2]


@pytest.mark.parametrize("kind", ["kpi", "cases"])
def test_a_kind_outside_the_tokens_scope(kind):
    services = fakes.services(fakes.a_playbook())
    report = messages.Kpi(SLUG, 30) if kind == "kpi" else messages.Cases(SLUG, "draft", 3)
    with pytest.raises(Forbidden) as raised:
        post(services, report, tok=token(kinds=["guardrail"]))
    assert raised.value.message == f"token warehouse may not report {kind}"
    assert stored(services) == []


def test_a_playbook_outside_the_tokens_scope():
    services = fakes.services(fakes.a_playbook())
    with pytest.raises(Forbidden) as raised:
        post(services, messages.Kpi(SLUG, 1), messages.Kpi("other", 1), tok=token(playbooks=[SLUG]))
    assert (raised.value.index, raised.value.message) == (1, "token warehouse may not report on other")


def test_the_first_report_out_of_scope_is_named_even_after_unfit_ones():
    services = fakes.services(fakes.a_playbook())
    with pytest.raises(Forbidden) as raised:
        post(services, Unfit(SLUG, "rubric", "score", "x"), tok=token(kinds=["kpi"]))
    assert raised.value.index == 0


@pytest.mark.parametrize("days", [367, -367])
def test_at_more_than_a_year_away(days):
    services = fakes.services(fakes.a_playbook())
    found = problems(services, messages.Kpi(SLUG, 1, at=NOW + timedelta(days=days)))
    assert found == [(0, "at", "`at` is more than a year away from now")]


def test_at_names_the_week_it_was_measured_in():
    services = fakes.services(fakes.a_playbook(), now=datetime(2026, 3, 9, 9, 0, tzinfo=UTC))
    posted = post(services, messages.Kpi(SLUG, 1, at=datetime(2026, 3, 6, tzinfo=UTC)))
    assert posted.accepted[0]["week"] == "2026-03-02"


# ---- idempotency keys ----


def test_a_key_sent_again_is_answered_as_the_first_time_and_written_once():
    services = fakes.services(fakes.a_playbook())
    first = post(services, messages.Kpi(SLUG, 30, sent=sent("k1")))
    again = post(services, messages.Kpi(SLUG, 30, sent=sent("k1")))
    assert first.accepted[0]["week"] == "2026-03-09"
    assert again.accepted == []
    assert again.duplicates == [dict(index=0, key="k1", week="2026-03-09", counts_for=first.accepted[0]["counts_for"])]
    assert len(stored(services)) == 1


def test_a_key_sent_again_after_its_week_closed_is_still_answered():
    services = fakes.services(fakes.a_playbook())
    post(services, messages.Kpi(SLUG, 30, sent=sent("k1")))
    services.clock.at = NOW + timedelta(days=14)
    assert len(post(services, messages.Kpi(SLUG, 30, sent=sent("k1"))).duplicates) == 1


def test_a_key_used_before_for_another_report():
    services = fakes.services(fakes.a_playbook())
    post(services, messages.Kpi(SLUG, 30, sent=sent("k1", "first")))
    with pytest.raises(Invalid) as raised:
        post(services, messages.Kpi(SLUG, 31, sent=sent("k1", "second")))
    assert [(p.field, p.message) for p in raised.value.problems] == [
        ("key", 'key "k1" was already used for a different report')
    ]
    assert [r.values["value"] for r in stored(services)] == [30]


def test_a_key_given_twice_in_one_request():
    services = fakes.services(fakes.a_playbook())
    found = problems(services, messages.Kpi(SLUG, 30, sent=sent("k")), messages.Kpi(SLUG, 31, sent=sent("k")))
    assert found == [(1, "key", "this key is given to another report of this request")]


def test_a_duplicate_beside_a_new_report():
    services = fakes.services(fakes.a_playbook())
    post(services, messages.Kpi(SLUG, 30, sent=sent("k1")))
    posted = post(services, messages.Kpi(SLUG, 30, sent=sent("k1")), messages.Kpi(SLUG, 29, sent=sent("k2")))
    assert [d["index"] for d in posted.duplicates] == [0] and [a["index"] for a in posted.accepted] == [1]
    assert [r.values["value"] for r in stored(services)] == [30, 29]


def test_a_key_raced_by_another_request_for_another_report():
    """The write finds the key taken meanwhile for a different report (KeyReused)."""
    services = fakes.services(fakes.a_playbook())
    store = fakes.store_of(services)
    store.held.reports.keys["7:k1"] = dict(week_start=None, counts_for="", report_hash="other")
    original = store.reports.api_key_answers
    store.reports.api_key_answers = lambda keys: {}  # type: ignore[method-assign]
    try:
        with pytest.raises(Invalid) as raised:
            post(services, messages.Kpi(SLUG, 30, sent=sent("k1")))
    finally:
        store.reports.api_key_answers = original  # type: ignore[method-assign]
    assert [(p.index, p.field) for p in raised.value.problems] == [(0, "key")]
    assert stored(services) == []


def test_keys_are_the_tokens_own():
    services = fakes.services(fakes.a_playbook())
    post(services, messages.Kpi(SLUG, 30, sent=sent("k1")))
    other = ApiToken(id=8, name="other", token_hash="y", playbooks=None, kinds=ALL, created_by="U1")
    assert len(post(services, messages.Kpi(SLUG, 30, sent=sent("k1")), tok=other).accepted) == 1


# ---- value events ----


def test_an_event_adds_to_the_weeks_cases(services):
    post(services, messages.ValueEvent(SLUG, "reply_accepted", 3))
    post(services, messages.ValueEvent(SLUG, "reply_accepted", 2))
    assert [r.values["cases"] for r in stored(services, "cases")] == [3, 5]


def test_an_event_adds_to_cases_typed_before(services):
    state = fakes.store_of(services).playbooks.state(SLUG)
    fakes.store_of(services).held.reports.rows.append(
        fakes.Row(
            "cases",
            99,
            dict(
                playbook_id=state.playbook.id,
                step_id=state.steps[0].id,
                week_start=datetime(2026, 3, 9).date(),
                cases=10,
                reported_by="x",
                reported_at=NOW,
            ),
        )
    )
    post(services, messages.ValueEvent(SLUG, "reply_accepted", 1))
    assert stored(services, "cases")[-1].values["cases"] == 11


def test_an_event_adds_to_the_kpi(services):
    post(services, messages.ValueEvent(SLUG, "minutes", 4))
    assert [r.values["value"] for r in stored(services, "kpi")] == [4]


def test_an_event_counts_that_many_exceptions_with_its_reason(services):
    posted = post(services, messages.ValueEvent(SLUG, "reply_rewritten", 3, reason=" tone "))
    rows = stored(services, "exception")
    assert [r.values["reason"] for r in rows] == ["reply_rewritten: tone"] * 3
    assert posted.accepted[0]["counts_for"].endswith(", exceptions of draft")


def test_an_event_without_a_reason_is_its_name(services):
    post(services, messages.ValueEvent(SLUG, "reply_rewritten"))
    assert [r.values["reason"] for r in stored(services, "exception")] == ["reply_rewritten"]


def test_an_event_for_the_kpi_says_so(services):
    posted = post(services, messages.ValueEvent(SLUG, "minutes", 1))
    assert posted.accepted[0]["counts_for"].endswith(", the KPI")


def test_an_event_not_declared_names_the_declared(services):
    found = problems(services, messages.ValueEvent(SLUG, "reply_accept", 1))
    assert found[0][1] == "event" and "Did you mean reply_accepted?" in found[0][2]


def test_an_event_whose_step_is_gone():
    state = fakes.a_playbook(value_events=EVENTS)
    state = dataclasses.replace(state, steps=[s for s in state.steps if s.name != "draft"])
    services = fakes.services(state)
    found = problems(services, messages.ValueEvent(SLUG, "reply_accepted", 1))
    assert found[0][1] == "event"


def test_the_value_measures_own_event():
    value = {"event": "hours_saved", "minutes_saved": 10}
    services = fakes.services(fakes.a_playbook(value=value))
    posted = post(services, messages.ValueEvent(SLUG, "hours_saved", 5))
    assert posted.accepted[0]["counts_for"].endswith(", value")
    [row] = stored(services, "value")
    assert (row.values["event"], row.values["count"]) == ("hours_saved", 5)


def test_too_many_events_in_one_request(services):
    found = problems(
        services,
        messages.ValueEvent(SLUG, "reply_accepted", 9_000),
        messages.ValueEvent(SLUG, "reply_accepted", 1_001),
    )
    assert found == [(1, "count", "at most 10,000 events in one request")]


def test_an_event_typed_number_is_refused_through_the_api(services):
    assert problems(services, messages.Cases(SLUG, "draft", 3))[0][1] == "kind"


# ---- the token's use ----


def test_the_tokens_use_is_noted_once_a_minute():
    services = fakes.services(fakes.a_playbook())
    tok = token()
    post(services, messages.Kpi(SLUG, 1), tok=tok)
    assert fakes.store_of(services).held.used == {7: NOW}
    tok.last_used_at = NOW
    services.clock.at = NOW + timedelta(seconds=30)
    post(services, messages.Kpi(SLUG, 1), tok=tok)
    assert fakes.store_of(services).held.used == {7: NOW}


def test_the_rate_is_counted_per_second():
    services = fakes.services(fakes.a_playbook())
    tok = token()
    answers = [api_reports.within_rate(services, tok) for _ in range(api_reports.RATE_PER_SECOND + 1)]
    assert answers == [True] * api_reports.RATE_PER_SECOND + [False]
    services.clock.at = NOW + timedelta(seconds=1)
    assert api_reports.within_rate(services, tok)
