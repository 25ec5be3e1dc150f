"""Holding the line (issue 69, item 1; usecases/bar_requests.py) on the fakes: a change to
the bar made in `/rollout edit` that tightens it applies at once; any other waits for a
curator as a bar change request (its *Why* required), the rest of the submission applied.
Decline tells the asker; a curator other than the asker decides (with a single curator, an
admin); a later request replaces the open one; a retired or handed-over playbook's request
is void."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from storage.store import CURATORS_CHANNEL
from templates.refusals import Refusal, slack
from tests import fakes
from tests.fakes import ADMIN, CHANNEL, CURATOR, OWNER
from tests.fakes.playbooks import clone
from tests.usecases.fast.form_world import a_playbook, decisions, open_edit, submit, world
from usecases import bar_approval, bar_requests, commands
from usecases import playbook_form as forms
from usecases.shared import messages

CURATOR2 = "UCURATOR02"
CURATORS = "CCURATORS1"
WHY = "Refund tickets are noisier in December"


def bar_world(curators=(CURATOR,), members=(fakes.MEMBER, OWNER)):
    """support-replies in cycle 1 (from Monday 16 Nov), its curators and their channel."""
    services = world(a_playbook(), curators=curators, members=members)
    fakes.store_of(services).held.settings[CURATORS_CHANNEL] = CURATORS
    return services


def loosen(services, by=OWNER, cap="15%", why=WHY, **more):
    form = open_edit(services, user=by)
    return submit(services, form, {**form.values, "cap": cap, "why": why, **more}, by)


def requests_of(services):
    held = fakes.store_of(services).held
    return [(r.state, r.asked_by, r.decided_by) for r in sorted(held.bar_requests.values(), key=lambda r: r.id)]


def kinds(services, *wanted):
    return [d["summary"] for d in decisions(services) if d["kind"] in wanted]


def cards(services):
    """Each request's card as it stands: its post, or the last update of it."""
    sent = fakes.store_of(services).held.sent(CURATORS)
    posted = [m for m in sent if m.method == "chat.postMessage" and "a change to the bar" in m.payload["text"]]
    return [[m for m in sent if m.key == c.key or m.payload.get("ts_of") == c.key][-1].payload for c in posted]


def buttons(card):
    return {e["action_id"]: e["value"] for b in card["blocks"] if b["type"] == "actions" for e in b["elements"]}


def body(message):
    return json.dumps(message["blocks"], ensure_ascii=False)


def said(call):
    with pytest.raises(Refusal) as refused:
        call()
    return str(slack(refused.value))


def playbook(services):
    return fakes.store_of(services).playbooks.state("support-replies").playbook


def test_a_tightening_applies_at_once_and_asks_no_one():
    services = bar_world()
    form = open_edit(services)
    reply = submit(services, form, {**form.values, "cap": "5%", "target": "12"}, OWNER)
    assert reply["response_action"] == "update", reply
    assert playbook(services).exception_cap == 0.05
    assert requests_of(services) == [] and cards(services) == []


def test_a_loosening_without_why_is_refused_on_its_field_and_nothing_is_stored():
    services = bar_world()
    reply = loosen(services, why="", title="Support replies, renamed")
    assert "say why (exception cap 10% → 15%)" in reply["errors"]["why"]
    assert (playbook(services).exception_cap, playbook(services).title) == (0.1, "Support reply drafting")
    assert decisions(services) == [] and requests_of(services) == []


def test_a_loosening_asks_the_curators_with_the_rest_applied_and_its_card():
    services = bar_world(curators=(CURATOR, CURATOR2))
    reply = loosen(services, by=CURATOR, title="Support <b> & replies")
    assert reply["response_action"] == "update", reply
    notice = json.dumps(reply["view"], ensure_ascii=False)
    assert "a curator decides on them" in notice and "exception cap 10% → 15%" in notice
    assert playbook(services).title == "Support <b> & replies" and playbook(services).exception_cap == 0.1
    assert requests_of(services) == [("open", CURATOR, None)]
    [card] = cards(services)
    assert f"<@{CURATOR}> asks to change the bar of *support-replies*" in body(card)
    assert "• exception cap 10% → 15%" in body(card) and f"*Why:* {WHY}" in body(card)
    assert "Support &lt;b&gt; &amp; replies" in body(card)  # the title escaped
    assert "draft: no closed week yet" in body(card)
    assert set(buttons(card)) == {"bar_approve", "bar_decline"}

    value = buttons(card)["bar_approve"]
    refused = said(lambda: bar_approval.approve(fakes.caller(services, OWNER, CURATORS), value))  # not a curator
    assert "Only a curator other than the asker (with a single curator, an admin) approves" in refused
    refused = said(lambda: bar_approval.approve(fakes.caller(services, CURATOR, CURATORS), value))
    assert "You asked for this change to the bar, and the asker never decides their own" in refused
    assert requests_of(services) == [("open", CURATOR, None)]

    bar_approval.approve(fakes.caller(services, CURATOR2, CURATORS), value)
    assert requests_of(services) == [("approved", CURATOR, CURATOR2)]
    [card] = cards(services)
    assert f"Approved by <@{CURATOR2}>: applies from 14 Dec 2026" in body(card) and buttons(card) == {}
    [told] = [
        m.payload for m in fakes.store_of(services).held.sent(CHANNEL) if "bar change approved" in m.payload["text"]
    ]
    assert "from week 1 of cycle 2 (14 Dec)" in body(told)
    assert len(kinds(services, "bar-approved")) == 1
    again = said(lambda: bar_approval.approve(fakes.caller(services, CURATOR2, CURATORS), value))
    assert "is approved already" in again
    assert playbook(services).exception_cap == 0.1  # not before its cycle


def test_an_approved_request_whose_playbook_was_retired_before_it_applies_is_void():
    services = bar_world()
    loosen(services)
    [card] = cards(services)
    bar_approval.approve(fakes.caller(services, CURATOR, CURATORS), buttons(card)["bar_approve"])
    assert requests_of(services) == [("approved", OWNER, CURATOR)]
    commands.pause(fakes.caller(services, OWNER), messages.Pause("support-replies", "the pilot ended", retire=True))
    bar_requests.apply_due(services.store, "UTC", datetime(2026, 12, 14, 13, tzinfo=UTC))
    assert requests_of(services) == [("void", OWNER, CURATOR)]
    assert playbook(services).exception_cap == 0.1
    [card] = cards(services)
    assert "Void: the playbook was retired" in body(card)


def test_an_approved_request_applies_once_its_first_week_is_open():
    """The clock's part (apply_due): not while cycle 1's last week is still to close; once
    week 4 of cycle 1 has closed, a revision naming who asked and who approved."""
    services = bar_world()
    loosen(services)
    [card] = cards(services)
    bar_approval.approve(fakes.caller(services, CURATOR, CURATORS), buttons(card)["bar_approve"])
    held = fakes.store_of(services).held

    def closed_through(week):
        state = held.states["support-replies"]
        held.put(replace(state, playbook=clone(state.playbook, closed_through=week)))

    closed_through(date(2026, 11, 30))
    assert bar_requests.apply_due(services.store, "UTC", datetime(2026, 12, 8, 13, tzinfo=UTC)) == 0
    assert playbook(services).exception_cap == 0.1
    closed_through(date(2026, 12, 7))
    assert bar_requests.apply_due(services.store, "UTC", datetime(2026, 12, 14, 13, tzinfo=UTC)) == 1
    assert playbook(services).exception_cap == 0.15
    assert requests_of(services) == [("applied", OWNER, CURATOR)]
    [applied] = kinds(services, "playbook-changed")[-1:]
    assert "bar change applied from 14 Dec 2026: exception cap 10% → 15%" in applied
    [told] = [m.payload for m in held.sent(CHANNEL) if "bar change applied" in m.payload["text"]]
    assert f"changed from 14 Dec 2026: asked by <@{OWNER}>, approved by <@{CURATOR}>" in body(told)
    assert WHY in body(told)
    assert bar_requests.apply_due(services.store, "UTC", datetime(2026, 12, 21, 13, tzinfo=UTC)) == 0  # once


def test_decline_with_a_reason_which_the_asker_gets_and_nothing_changes():
    services = bar_world()
    loosen(services)
    [card] = cards(services)
    value = buttons(card)["bar_decline"]
    asked = bar_approval.decline_form(fakes.caller(services, CURATOR, CURATORS), value)
    assert asked.slug == "support-replies"
    reason = "Hold the line: fix the rubric first"
    bar_approval.decline(fakes.caller(services, CURATOR, CURATORS), value, reason)
    held = fakes.store_of(services).held
    [dm] = [m.payload for m in held.sent(OWNER) if "bar change declined" in m.payload["text"]]
    assert f"<@{CURATOR}> declined your request to change the bar of *support-replies*: “{reason}”" in body(dm)
    [card] = cards(services)
    assert f"Declined by <@{CURATOR}>" in body(card) and buttons(card) == {}
    assert requests_of(services) == [("declined", OWNER, CURATOR)]
    assert playbook(services).exception_cap == 0.1


def test_a_lone_curators_own_request_is_decided_by_an_admin_and_never_by_the_asker():
    services = bar_world()
    loosen(services, by=CURATOR)
    [card] = cards(services)
    assert f"<@{CURATOR}> is the workspace's only curator, so an admin (`ROLLOUT_ADMINS`) other than" in body(card)
    value = buttons(card)["bar_approve"]
    assert "the asker never decides their own" in said(
        lambda: bar_approval.approve(fakes.caller(services, CURATOR, CURATORS), value)
    )
    assert requests_of(services) == [("open", CURATOR, None)]
    bar_approval.approve(fakes.caller(services, ADMIN, CURATORS), value)
    assert requests_of(services) == [("approved", CURATOR, ADMIN)]


def test_a_later_request_replaces_the_open_one_and_its_card_says_so():
    services = bar_world()
    loosen(services, cap="15%")
    loosen(services, cap="20%", why="Even noisier")
    assert requests_of(services) == [("replaced", OWNER, None), ("open", OWNER, None)]
    first, second = cards(services)
    assert "Replaced by a later request" in body(first) and buttons(first) == {}
    assert "exception cap 10% → 20%" in body(second) and set(buttons(second)) == {"bar_approve", "bar_decline"}


def test_a_request_whose_playbook_was_retired_is_void_and_its_buttons_do_nothing():
    services = bar_world()
    loosen(services)
    [card] = cards(services)
    commands.pause(fakes.caller(services, OWNER), messages.Pause("support-replies", "the pilot ended", retire=True))
    bar_approval.approve(fakes.caller(services, CURATOR, CURATORS), buttons(card)["bar_approve"])
    assert requests_of(services) == [("void", OWNER, None)]
    [card] = cards(services)
    assert "Void: the playbook was retired" in body(card) and buttons(card) == {}
    assert kinds(services, "bar-approved") == []


def test_a_stale_form_stores_neither_the_revision_nor_the_request():
    services = bar_world()
    first, second = open_edit(services), open_edit(services)
    assert submit(services, first, {**first.values, "target": "12"}, OWNER)["response_action"] == "update"
    reply = submit(services, second, {**second.values, "cap": "15%", "why": "noisy"}, OWNER)
    assert "open the form again" in reply["errors"]["title"]
    assert requests_of(services) == []


def test_a_stale_form_is_refused_as_changed_before_it_is_asked_why():
    """Issue 78, item 1: a curator tightens the cap after the owner opened the form; the
    owner's older form, only its title changed, is refused as changed since it opened,
    with or without a Why, and never asked to justify the curator's change as its own."""
    services = bar_world()
    owners = open_edit(services)
    curators = open_edit(services, user=CURATOR)
    assert submit(services, curators, {**curators.values, "cap": "9%"}, CURATOR)["response_action"] == "update"
    changed = kinds(services, "playbook-changed")
    for why in ("", "a clearer title"):
        reply = submit(services, owners, {**owners.values, "title": "Support replies", "why": why}, OWNER)
        assert set(reply["errors"]) == {"title"}, reply
        assert "open the form again" in reply["errors"]["title"] and CURATOR in reply["errors"]["title"]
    assert kinds(services, "playbook-changed") == changed and requests_of(services) == []
    assert (playbook(services).title, playbook(services).exception_cap) == ("Support reply drafting", 0.09)


def test_a_request_whose_playbook_was_handed_over_is_void():
    services = bar_world(members=(OWNER, "UNEWOWNER1"))
    loosen(services)
    [card] = cards(services)
    commands.hand_over(fakes.caller(services, OWNER), messages.HandOver("support-replies", "UNEWOWNER1"))
    assert playbook(services).owner_id == "UNEWOWNER1"
    bar_approval.decline(fakes.caller(services, CURATOR, CURATORS), buttons(card)["bar_decline"], "no")
    assert requests_of(services) == [("void", OWNER, None)]
    [card] = cards(services)
    assert "Void: the playbook was handed over to another owner" in body(card)
    assert not [m for m in fakes.store_of(services).held.sent(OWNER) if "bar change declined" in m.payload["text"]]


def test_a_stalls_rescope_that_moves_the_baseline_asks_the_curators_and_names_the_stall():
    services = bar_world()
    state = fakes.store_of(services).playbooks.state("support-replies")
    form = forms.edit_form(fakes.caller(services, OWNER), "", focus="rescope", stall=(state.playbook.id, 1))
    values = form.values
    reply = submit(services, form, {**values, "baseline": "50", "target": "12"}, OWNER)
    assert "say why (baseline 42 → 50 min)" in reply["errors"]["why"]
    reply = submit(services, form, {**values, "baseline": "50", "target": "12", "why": "We measured it again"}, OWNER)
    assert reply["response_action"] == "update", reply
    assert (playbook(services).kpi_baseline, playbook(services).kpi_target) == (42, 12)  # the target tightened at once
    assert requests_of(services) == [("open", OWNER, None)]
    [stall] = kinds(services, "stall-rescope")
    assert "target 15 → 12 min" in stall and "baseline 42 → 50 min" in stall


def test_without_a_curators_channel_a_loosening_is_refused_on_why():
    services = bar_world()
    fakes.store_of(services).held.settings[CURATORS_CHANNEL] = ""
    reply = loosen(services)
    assert "no curators channel is set" in reply["errors"]["why"]
    assert requests_of(services) == [] and playbook(services).exception_cap == 0.1
