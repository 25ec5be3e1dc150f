"""The owner's week in one form (usecases/week_form.py): opening it with what counts now,
and submitting it: each changed field its own report in one unit of work, every refusal
named on its field and nothing stored then."""

from __future__ import annotations

from datetime import date

import pytest

from tests import fakes
from tests.fakes import CURATOR, MEMBER, OWNER
from tests.usecases.fast.test_report_refusals import SLUG, sourced
from usecases import commands, week_form
from usecases.shared import messages
from usecases.shared.caller import Refusal
from usecases.week_form import Changes, FormRefused

WEEK_2 = date(2026, 3, 9)


def setup(state=None, user=OWNER):
    state = state or fakes.a_playbook()
    services = fakes.services(state)
    return state, services, fakes.caller(services, user)


def submit(caller, state, changes, week_start=WEEK_2):
    return week_form.submit(caller, (state.playbook.id, week_start), changes)


def test_a_form_records_each_field_in_the_forms_order():
    state, services, owner = setup()
    draft, send = state.steps[0], state.steps[1]
    changes = Changes(
        cases={send.id: 7, draft.id: 20}, reviews={draft.id: (18, 20)}, kpi=(30, False), guardrail=(4.8, False)
    )
    recorded = submit(owner, state, changes)
    assert recorded.lines == [
        ("draft", "20 cases"),
        ("draft", "18 of 20 reviewed passed (90%)"),
        ("send", "7 cases"),
        ("First-response time", "30 min"),
        ("CSAT", "4.8"),
    ]
    rows = fakes.store_of(services).reports.stored()
    assert [r.kind for r in rows] == ["cases", "rubric", "cases", "kpi", "guardrail"]
    assert rows[1].values["score"] == 0.9 and rows[1].values["reviewed"] == 20
    assert {r.values["reported_by"] for r in rows} == {OWNER}
    units = fakes.store_of(services).units
    assert len(units) == 1 and units[0].commits == 1


def test_nothing_changed_writes_nothing():
    state, services, owner = setup()
    assert submit(owner, state, Changes()).lines == []
    assert fakes.store_of(services).units == []


@pytest.mark.parametrize("user", [MEMBER, "UOUTSIDE01"])
def test_the_form_is_the_owners_and_curators(user):
    state, services, caller = setup(user=user)
    with pytest.raises(Refusal) as raised:
        submit(caller, state, Changes(kpi=(30, False)))
    assert raised.value.key == "owner_or_curator_only"
    assert fakes.store_of(services).reports.stored() == []


def test_a_curator_submits():
    state, services, curator = setup(user=CURATOR)
    submit(curator, state, Changes(kpi=(30, False)))
    assert fakes.store_of(services).reports.stored()[0].values["reported_by"] == CURATOR


def test_a_form_for_a_closed_week():
    state, _services, owner = setup()
    with pytest.raises(Refusal) as raised:
        submit(owner, state, Changes(kpi=(30, False)), date(2026, 3, 2))
    assert raised.value.key == "week_closed"


def test_a_form_whose_playbook_is_gone():
    _state, _services, owner = setup()
    with pytest.raises(Refusal) as raised:
        week_form.submit(owner, (10_000, WEEK_2), Changes(kpi=(30, False)))
    assert raised.value.key == "week_form_gone"


def test_a_week_the_clock_closed_while_the_form_was_open():
    state, services, owner = setup(fakes.a_playbook(closed_through=WEEK_2))
    with pytest.raises(Refusal) as raised:
        submit(owner, state, Changes(kpi=(30, False)))
    assert raised.value.key == "week_closed"
    assert fakes.store_of(services).reports.stored() == []


def refusals(caller, state, changes, services):
    with pytest.raises(FormRefused) as raised:
        submit(caller, state, changes)
    assert fakes.store_of(services).reports.stored() == []
    return {where: r.key for where, r in raised.value.refusals.items()}


def test_every_refused_field_is_named_and_nothing_is_stored():
    state, services, owner = setup()
    draft, send = state.steps[0], state.steps[1]
    changes = Changes(
        cases={draft.id: 20},
        reviews={draft.id: (5, 0), send.id: (6, 5)},
        kpi=(30, True),
    )
    assert refusals(owner, state, changes, services) == {
        f"reviewed:{draft.id}": "form_none_reviewed",
        f"passed:{send.id}": "form_passed_over",
        "kpi": "kpi_not_percent",
    }


def test_a_review_of_more_cases_than_the_form_says():
    state, services, owner = setup()
    draft = state.steps[0]
    changes = Changes(cases={draft.id: 10}, reviews={draft.id: (9, 11)})
    assert refusals(owner, state, changes, services) == {f"reviewed:{draft.id}": "reviewed_over_cases"}


def test_a_review_of_more_cases_than_the_week_has():
    state, services, owner = setup()
    commands.cases(owner, messages.Cases(SLUG, "draft", 10))
    draft = state.steps[0]
    with pytest.raises(FormRefused) as raised:
        submit(owner, state, Changes(reviews={draft.id: (9, 11)}))
    assert raised.value.refusals[f"reviewed:{draft.id}"].values["cases"] == 10
    assert len(fakes.store_of(services).reports.stored()) == 1


def test_the_forms_case_count_is_weighed_over_the_weeks():
    state, services, owner = setup()
    commands.cases(owner, messages.Cases(SLUG, "draft", 10))
    draft = state.steps[0]
    submit(owner, state, Changes(cases={draft.id: 30}, reviews={draft.id: (20, 25)}))
    assert [r.kind for r in fakes.store_of(services).reports.stored()] == ["cases", "cases", "rubric"]


def test_a_guardrail_not_declared():
    state, services, owner = setup(fakes.a_playbook(guardrail=None))
    assert refusals(owner, state, Changes(guardrail=(4.7, False)), services) == {"guardrail": "no_guardrail"}


def test_a_sourced_number_on_its_field():
    state, services, owner = setup(sourced())
    draft = state.steps[0]
    found = refusals(owner, state, Changes(cases={draft.id: 3}, kpi=(30, False)), services)
    assert found == {f"cases:{draft.id}": "fed_by_source", "kpi": "fed_by_source"}


def test_a_step_not_of_the_playbook():
    state, services, owner = setup()
    assert refusals(owner, state, Changes(cases={99_999: 3}), services) == {"cases:99999": "week_form_gone"}


def test_the_form_shows_what_counts_now_and_where_numbers_come_from():
    _state, _services, owner = setup(sourced())
    commands.cases(owner, messages.Cases(SLUG, "send", 12))
    form = week_form.open_week(owner, SLUG, None)
    assert (form.week.week, form.kpi, form.kpi_from, form.guardrail_from) == (
        2,
        None,
        "source helpdesk",
        "source warehouse",
    )
    assert [(r.step.name, r.cases, r.cases_from, r.rubric_from) for r in form.steps] == [
        ("draft", None, "source warehouse", "source warehouse"),
        ("send", 12, None, None),
    ]


def test_the_form_of_a_member_is_refused():
    _state, _services, member = setup(user=MEMBER)
    with pytest.raises(Refusal) as raised:
        week_form.open_week(member, SLUG, None)
    assert raised.value.key == "owner_or_curator_only"


def test_the_forms_review_asks_and_rubric_by_design():
    steps = [{"name": "draft", "mode": "collaborative", "rubric": "none"}, {"name": "send", "mode": "ai-led"}]
    _state, _services, owner = setup(fakes.a_playbook(steps=steps))
    form = week_form.open_week(owner, SLUG, None)
    assert [r.no_rubric for r in form.steps] == [True, False]


def test_a_number_a_value_event_carries_is_shown_from_it_not_asked():
    events = [{"name": "reply_accepted", "step": "draft", "counts": "cases"}]
    _state, _services, owner = setup(fakes.a_playbook(value_events=events))
    form = week_form.open_week(owner, SLUG, None)
    assert [(r.step.name, r.cases, r.cases_from) for r in form.steps] == [
        ("draft", None, "event reply_accepted"),
        ("send", None, None),
        ("refunds", None, None),
    ]


def test_the_form_of_a_week_to_come_is_refused():
    _state, services, owner = setup()
    with pytest.raises(Refusal) as raised:
        week_form.open_week(owner, SLUG, 3)
    assert (raised.value.key, raised.value.usage, raised.value.values["day"]) == (
        "week_in_future",
        "week",
        "2026-03-16",
    )
    assert fakes.store_of(services).units == []


def test_an_unknown_reviewer_is_refused_on_the_picker_and_nothing_is_stored():
    """Moved from tests/handlers/test_week_form_reviewers.py."""
    from slack_api.members import Person

    state = fakes.a_playbook()
    directory = fakes.FakeDirectory(people={"UNOBODY01": Person("UNOBODY01", None, found=False)})
    services = fakes.services(state, directory=directory)
    owner = fakes.caller(services, OWNER)
    draft = state.steps[0]
    changes = Changes(reviews={draft.id: (18, 20)}, reviewers={draft.id: ("UNOBODY01",)}, kpi=(20, False))
    assert refusals(owner, state, changes, services) == {f"by:{draft.id}": "person_unknown"}
    assert fakes.store_of(services).held.names == {}


def test_the_reviewers_picked_are_kept_with_the_review_and_by_name():
    from slack_api.members import Person

    state = fakes.a_playbook()
    people = {"UBEN00001": Person("UBEN00001", None, display_name="ben")}
    services = fakes.services(state, directory=fakes.FakeDirectory(people=people))
    draft = state.steps[0]
    submit(
        fakes.caller(services, OWNER),
        state,
        Changes(reviews={draft.id: (18, 20)}, reviewers={draft.id: ("UBEN00001",)}),
    )
    [row] = fakes.store_of(services).reports.stored("rubric")
    assert (row.values["reviewers"], row.values["reviewed"]) == ("UBEN00001", 20)
    assert fakes.store_of(services).held.names["UBEN00001"][0] == "ben"
