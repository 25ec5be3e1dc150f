"""The owner's week in one form as Slack sends it (handlers/week_form.py's listeners, on the
fakes: tests/usecases/fast/listeners.py): each refusal on its field, in plain text, and
nothing of the form stored; two submissions racing; a number a value event carries shown,
not asked; a field per rubric dimension; each step's reviewers picker; the Friday DM's
button; a step removed since the form opened. The form through signed requests (opened
filled in, recorded, undone) is tests/handlers/test_week_form.py's."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from cadence.definition_load import parse_playbook
from slack_api.members import Person
from tests import fakes
from tests.fakes import CHANNEL, MEMBER, OWNER, FakeDirectory
from tests.fakes.playbooks import rewritten
from tests.usecases.fast.listeners import Listeners
from tests.usecases.fast.ticking import Ticking

WEDNESDAY = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)  # week 1 of cycle 1, from Monday 16 November


def world(**more):
    state = fakes.a_playbook(cycle_started=date(2026, 11, 16), org_timezone="UTC", **more)
    return Listeners(fakes.services(state, now=WEDNESDAY, curators=()))


def open_form(slack, text="week support-replies", user=OWNER):
    assert slack.rollout(text, user).body == {}  # a form opened: no reply
    view = slack.client.opened_views[-1]
    assert view["callback_id"] == "week_form"
    return view


def fields(view):
    """Each input of the form: its block id, label and the words it opens with."""
    return {
        b["block_id"]: (b["label"]["text"], b["element"].get("initial_value", ""))
        for b in view["blocks"]
        if b["type"] == "input"
    }


def submit(slack, view, changed, user=OWNER):
    """The form sent back with every field as it opened, but those in `changed`."""
    values = {block: initial for block, (_, initial) in fields(view).items()}
    values.update(changed)
    return slack.submit(view, {block: {"type": "plain_text_input", "value": v} for block, v in values.items()}, user)


def store_of(slack):
    return fakes.store_of(slack.services)


def ids(slack):
    return {s.name: s.id for s in store_of(slack).playbooks.state("support-replies").steps}


def stored(slack):
    """What the reports hold, withdrawn or not, and how many units of work committed."""
    store = store_of(slack)
    return [(r.kind, r.id, r.withdrawn) for r in store.held.reports.rows], store.commits()


def latest(slack, kind, column, step_id=None):
    return [
        r.values[column]
        for r in store_of(slack).reports.stored(kind)
        if step_id is None or r.values.get("step_id") == step_id
    ]


@pytest.mark.parametrize(
    ("changed", "field", "phrase"),
    [
        ({"cases:draft": "1.5"}, "cases:draft", "whole number"),
        ({"cases:draft": "-3"}, "cases:draft", "can't be negative"),
        ({"reviewed:draft": "20", "passed:draft": "21"}, "passed:draft", "21 passed is more than the 20 reviewed"),
        ({"reviewed:draft": "0", "passed:draft": "0"}, "reviewed:draft", "No case reviewed"),
        ({"reviewed:draft": "50", "passed:draft": "40"}, "reviewed:draft", "50 reviewed is more than step draft's 40"),
        ({"cases:draft": "10", "reviewed:draft": "12", "passed:draft": "12"}, "reviewed:draft", "12 reviewed is more"),
        ({"reviewed:draft": "20"}, "passed:draft", "Give both"),
        ({"kpi": "14,5"}, "kpi", "uses a comma"),
        ({"guardrail": "lots"}, "guardrail", "is not a number"),
    ],
)
def test_a_refusal_names_its_field_and_nothing_of_the_form_is_stored(changed, field, phrase):
    slack = world()
    step = ids(slack)
    slack.rollout("cases support-replies draft 40", OWNER)
    view = open_form(slack)
    named = {k.replace("draft", str(step["draft"])): v for k, v in changed.items()}
    named[f"cases:{step['send']}"] = "20"  # a good field beside the bad one: not stored either
    before = stored(slack)
    reply = submit(slack, view, named)
    assert reply.body["response_action"] == "errors"
    errors = reply.body["errors"]
    assert phrase in errors[field.replace("draft", str(step["draft"]))], errors
    assert stored(slack) == before


def test_a_fields_error_is_plain_text_as_typed():
    """Issue 66, item 19: Slack shows a field's error as plain text: the words quoted as
    typed, no `&lt;`, no mrkdwn."""
    slack = world()
    reply = submit(slack, open_form(slack), {"guardrail": "<reason> & *more*"})
    error = reply.body["errors"]["guardrail"]
    assert error.startswith("“<reason> & *more*” is not a number"), error
    assert "&lt;" not in error and "&amp;" not in error


def test_two_submissions_racing_the_later_wins_each_field_and_nothing_counts_twice():
    slack = world()
    step = ids(slack)
    first, second = open_form(slack), open_form(slack)
    assert submit(slack, first, {f"cases:{step['draft']}": "30", "kpi": "20"}).body["response_action"] == "update"
    assert submit(slack, second, {f"cases:{step['draft']}": "35"}).body["response_action"] == "update"
    assert latest(slack, "cases", "cases", step["draft"]) == [30, 35]  # two reports, the later counts
    assert latest(slack, "kpi", "value") == [20.0]  # the second left the KPI as it found it
    status = json.dumps(slack.rollout("status support-replies", OWNER).body, ensure_ascii=False)
    assert "35 cases" in status and "30 cases" not in status


def test_a_number_a_value_event_carries_is_shown_not_asked():
    slack = world(value_events=[{"name": "reply_accepted", "step": "draft", "counts": "cases"}])
    view = open_form(slack)
    assert f"cases:{ids(slack)['draft']}" not in fields(view)
    assert "*draft* (collaborative): no case count yet, from event reply_accepted" in json.dumps(view["blocks"])


# ---- rubric dimensions (docs/playbooks.md, "Rubric dimensions") ----

DIMENSIONS = {"dimensions": ["tone", "accuracy", "policy"]}


def dimensioned():
    """support-replies with tone, accuracy and policy; refunds reviewed on accuracy alone."""
    steps = [dict(s) for s in fakes.definition()["steps"]]
    steps[2]["rubric"] = {"dimensions": ["accuracy"]}
    return world(steps=steps, rubric=DIMENSIONS)


def reviews(slack):
    return [
        (r.values["score"], r.values["reviewed"], r.values["dimensions"])
        for r in store_of(slack).reports.stored("rubric")
    ]


def test_a_field_per_dimension_records_the_review_by_dimension():
    slack = dimensioned()
    step = ids(slack)
    shown = fields(open_form(slack))
    draft = {
        block: label
        for block, (label, _) in shown.items()
        if block.endswith(f":{step['draft']}") or f":{step['draft']}:" in block
    }
    assert draft == {
        f"cases:{step['draft']}": "draft (collaborative): cases this week",
        f"reviewed:{step['draft']}": "draft: cases reviewed",
        f"dim:{step['draft']}:tone": "draft: of those, passed on tone",
        f"dim:{step['draft']}:accuracy": "draft: of those, passed on accuracy",
        f"dim:{step['draft']}:policy": "draft: of those, passed on policy",
        f"by:{step['draft']}": "draft: reviewed by",
    }
    assert f"dim:{step['refunds']}:accuracy" in shown and f"passed:{step['refunds']}" not in shown
    typed = {f"cases:{step['draft']}": "40", f"reviewed:{step['draft']}": "20"}
    typed |= {f"dim:{step['draft']}:{d}": n for d, n in (("tone", "19"), ("accuracy", "18"), ("policy", "20"))}
    reply = submit(slack, open_form(slack), typed)
    assert reply.body["response_action"] == "update", reply.body
    assert "accuracy 18/20 = 90%, lowest of 3" in str(reply.body["view"])
    assert reviews(slack) == [(0.9, 20, "tone:19 accuracy:18 policy:20")]
    again = fields(open_form(slack))  # opens filled in with the review that counts
    assert again[f"dim:{step['draft']}:accuracy"][1] == "18" and again[f"reviewed:{step['draft']}"][1] == "20"


def test_a_review_by_dimension_left_half_or_over_is_refused_on_its_field():
    slack = dimensioned()
    step = ids(slack)["draft"]
    before = stored(slack)
    half = submit(slack, open_form(slack), {f"reviewed:{step}": "20", f"dim:{step}:tone": "19"})
    assert half.body["response_action"] == "errors"
    assert set(half.body["errors"]) == {f"dim:{step}:accuracy", f"dim:{step}:policy"}
    assert "passed on each dimension" in half.body["errors"][f"dim:{step}:policy"]
    typed = {
        f"reviewed:{step}": "20",
        f"dim:{step}:tone": "19",
        f"dim:{step}:accuracy": "21",
        f"dim:{step}:policy": "x",
    }
    bad = submit(slack, open_form(slack), typed)
    assert set(bad.body["errors"]) == {f"dim:{step}:policy"}
    typed[f"dim:{step}:policy"] = "20"
    over = submit(slack, open_form(slack), typed)
    assert over.body["errors"] == {f"dim:{step}:accuracy": over.body["errors"][f"dim:{step}:accuracy"]}
    assert "21" in over.body["errors"][f"dim:{step}:accuracy"]
    assert stored(slack) == before


# ---- who reviewed (docs/playbooks.md, "Value", heroics) ----

BEN, IDA = "UBEN00001", "UIDA00001"


def test_each_step_has_a_picker_starting_with_the_submitter_and_it_names_the_reviewers():
    people = {
        user: Person(user, "Europe/Berlin", real_name=name)
        for user, name in ((BEN, "Ben Reviewer"), (IDA, "Ida Reviewer"))
    }
    state = fakes.a_playbook(cycle_started=date(2026, 11, 16), org_timezone="UTC")
    directory = FakeDirectory({CHANNEL: [OWNER, MEMBER]}, people)
    slack = Listeners(fakes.services(state, now=WEDNESDAY, curators=(), directory=directory))
    step = ids(slack)
    view = open_form(slack)
    pickers = {b["block_id"]: b["element"] for b in view["blocks"] if b.get("block_id", "").startswith("by:")}
    assert set(pickers) == {f"by:{step['draft']}", f"by:{step['send']}", f"by:{step['refunds']}"}
    assert pickers[f"by:{step['draft']}"]["type"] == "multi_users_select"
    assert pickers[f"by:{step['draft']}"]["initial_users"] == [OWNER]
    typed = {f"reviewed:{step['draft']}": "20", f"passed:{step['draft']}": "18"}
    typed |= {f"reviewed:{step['send']}": "10", f"passed:{step['send']}": "9"}
    values = {block: {"type": "plain_text_input", "value": v} for block, (_, v) in fields(view).items()}
    values |= {block: {"type": "plain_text_input", "value": v} for block, v in typed.items()}
    for block, users in {f"by:{step['draft']}": [BEN, IDA], f"by:{step['send']}": [OWNER]}.items():
        values[block] = {"type": "multi_users_select", "selected_users": users}
    reply = slack.submit(view, values, OWNER)
    assert reply.body["response_action"] == "update", reply.body
    rows = store_of(slack).reports.stored("rubric")
    assert [(r.values["reviewed"], r.values["reviewers"], r.values["reported_by"]) for r in rows] == [
        (20, f"{BEN} {IDA}", OWNER),
        (10, OWNER, OWNER),
    ]
    assert store_of(slack).people.names([BEN, IDA]) == {BEN: "Ben Reviewer", IDA: "Ida Reviewer"}  # the pages name them


def test_the_friday_dm_has_a_button_that_opens_the_form_for_its_week():
    slack = world()
    Ticking(slack.services).run(datetime(2026, 11, 20, 15, 30, tzinfo=UTC))  # Friday 16:30 Berlin: the owner's DM
    held = store_of(slack).held
    dm = next(m.payload for m in held.outbox if m.channel == OWNER and "numbers missing" in m.payload["text"])
    button = next(b for b in dm["blocks"] if b["type"] == "actions")["elements"][0]
    assert button["text"]["text"] == "Report this week"
    slack.click(OWNER, "week_form_open", button["value"], "D" + OWNER[1:], "1700000000.000300")
    view = slack.client.opened_views[-1]
    assert view["callback_id"] == "week_form"
    assert "week 1 of cycle 1" in json.dumps(view["blocks"])


def test_a_number_for_a_step_removed_since_the_form_opened_is_refused_on_its_field():
    """Issue 66, item 16: the form opened, then `send` was taken out of the definition: its
    number is refused on its field, saying when (the playbook's time, Europe/Berlin), and
    nothing of the form is stored."""
    slack = world()
    step = ids(slack)
    view = open_form(slack)
    store = store_of(slack)
    state = store.playbooks.state("support-replies")
    raw = dict(state.playbook.definition)
    raw["steps"] = [s for s in raw["steps"] if s["name"] != "send"]
    redefined, _ = rewritten(state, parse_playbook(raw), "UTC", "test", datetime(2026, 11, 18, 10, 2, tzinfo=UTC))
    store.held.put(redefined)
    before = stored(slack)
    reply = submit(slack, view, {f"cases:{step['send']}": "20", f"cases:{step['draft']}": "30", "kpi": "13"})
    assert reply.body["response_action"] == "errors", reply.body
    error = reply.body["errors"][f"cases:{step['send']}"]
    assert error.startswith("send was removed at 11:02; open the form again."), error
    assert stored(slack) == before
