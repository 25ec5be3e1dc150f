"""The week form's "minutes spent reviewing" (net value, issue 83): kept with the review
it came with, which wins over reviewed × review_minutes for its week; alone, the review
that counts again with them; refused on its field without a review or above a week's
minutes; a closed week's form refused whole, as any."""

from __future__ import annotations

import pytest

from tests import fakes
from tests.usecases.fast.test_week_form import WEEK_2, refusals, setup, submit
from usecases import week_form
from usecases.shared.caller import Refusal
from usecases.week_form import Changes

VALUE = {"event": "reply_accepted", "minutes_saved": 6, "review_minutes": 4}


def valued(**more):
    return fakes.a_playbook(value=VALUE, **more)


def test_minutes_come_with_their_review_and_the_form_shows_them():
    state, services, owner = setup(valued())
    draft = state.steps[0]
    recorded = submit(owner, state, Changes(reviews={draft.id: (18, 20)}, minutes={draft.id: 95}))
    assert recorded.lines == [("draft", "18 of 20 reviewed passed (90%)")]
    (row,) = fakes.store_of(services).reports.stored()
    assert row.kind == "rubric" and row.values["review_minutes"] == 95 and row.values["reviewed"] == 20
    form = week_form.open_week(owner, state.playbook.slug, None)
    assert form.timed and form.steps[0].minutes == 95


def test_minutes_alone_record_the_review_that_counts_again_with_them():
    state, services, owner = setup(valued())
    draft = state.steps[0]
    submit(owner, state, Changes(reviews={draft.id: (18, 20)}))
    recorded = submit(owner, state, Changes(minutes={draft.id: 120}))
    assert recorded.lines == [("draft", "120 min spent reviewing")]
    first, again = fakes.store_of(services).reports.stored()
    assert again.values["review_minutes"] == 120 and first.values["review_minutes"] is None
    assert (again.values["score"], again.values["reviewed"]) == (first.values["score"], first.values["reviewed"])
    # a review changed later keeps the minutes typed before unless they change too
    submit(owner, state, Changes(reviews={draft.id: (19, 20)}))
    assert fakes.store_of(services).reports.stored()[-1].values["review_minutes"] == 120


def test_minutes_without_a_review_or_above_a_week_are_refused_on_their_field():
    state, services, owner = setup(valued())
    draft, send = state.steps[0], state.steps[1]
    changes = Changes(reviews={send.id: (5, 5)}, minutes={draft.id: 30, send.id: 7 * 1440 + 1})
    assert refusals(owner, state, changes, services) == {
        f"minutes:{draft.id}": "form_minutes_no_review",
        f"minutes:{send.id}": "form_minutes_over",
    }


def test_minutes_for_a_closed_week_follow_the_closed_week_rules():
    state, services, owner = setup(valued(closed_through=WEEK_2))
    with pytest.raises(Refusal) as raised:
        submit(owner, state, Changes(reviews={state.steps[0].id: (18, 20)}, minutes={state.steps[0].id: 30}))
    assert raised.value.key == "week_closed"
    assert fakes.store_of(services).reports.stored() == []


def test_a_playbook_without_a_value_measure_is_not_asked_minutes():
    state, _services, owner = setup()
    assert not week_form.open_week(owner, state.playbook.slug, None).timed
