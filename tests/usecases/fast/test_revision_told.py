"""Issue 69, item 6 on the fakes: changes are told. A revision applied with a stall's
*Refine* or `rollout playbook load` is posted to the team channel (through the outbox):
what changed, from which week, who and why; nothing when nothing changed."""

from __future__ import annotations

import json

import yaml

from cadence.definition_load import parse_playbook
from tests import fakes
from tests.fakes import CHANNEL, OWNER
from tests.usecases.fast.form_world import a_playbook, open_edit, submit, world
from tests.usecases.fast.test_bar_loaded import SUPPORT_REPLIES
from usecases import operator
from usecases import playbook_form as forms


def told(services) -> list[str]:
    """The revisions the team channel was told of, as its messages' JSON."""
    sent = [json.dumps(m.payload, ensure_ascii=False) for m in fakes.store_of(services).held.sent(CHANNEL)]
    return [m for m in sent if "was revised" in m]


def _load(services, name, *definitions):
    files = [(name, [parse_playbook(d) for d in definitions])]
    done = operator.load(services.store, files, "UTC", services.clock())
    return [outcome for loaded in done for outcome in loaded.outcomes]


def test_an_unchanged_form_tells_nothing():
    services = world(a_playbook())
    form = open_edit(services)
    assert submit(services, form, form.values, OWNER)["response_action"] == "update"
    assert told(services) == []


def test_refine_is_told_with_the_stall_it_answers():
    state = a_playbook()
    services = world(state)
    form = forms.edit_form(fakes.caller(services, OWNER), "", focus="refine", stall=(state.playbook.id, 1))
    reply = submit(services, form, {**form.values, "rubric": "95%"}, OWNER)
    assert reply["response_action"] == "update", reply
    [post] = told(services)
    assert "rubric threshold 90% → 95%" in post
    assert "*Why:* Refine, answering the stall of cycle 1" in post


def test_a_changed_file_is_told_naming_it_and_load_of_an_export_tells_nothing():
    services = world()
    [created] = _load(services, "/srv/playbooks/support.yaml", SUPPORT_REPLIES)
    assert created.action == "created"
    assert told(services) == []  # a first load makes the playbook: no revision

    [updated] = _load(services, "/srv/playbooks/support.yaml", {**SUPPORT_REPLIES, "exception_cap": 0.05})
    assert updated.action == "updated"
    [post] = told(services)
    assert "exception cap 10% → 5%" in post and "by the operator at the server" in post
    assert "loaded from the file support.yaml" in post and "/srv" not in post
    assert "from the week of *2026-11-16*" in post  # no cycle yet: the week of today

    exported = yaml.safe_load(operator.export_yaml(services.store, ["support-replies"]))
    [again] = _load(services, "support.yaml", exported)
    assert again.action == "unchanged"
    assert len(told(services)) == 1  # load ∘ export changes nothing and tells nothing


def test_a_load_that_changes_what_the_form_does_not_show_says_what_part():
    services = world(a_playbook())
    # a later promotion tightens the bar, so it applies now (a higher min_cases that a week over
    # the cap would not reach waits: demotion cannot be switched off, test_bar_sort.py)
    _load(services, "support.yaml", {**SUPPORT_REPLIES, "promote_after_weeks": 3})
    [post] = told(services)
    assert "rules changed" in post and "(cycle 1, week 1)" in post
