"""Issue 69, item 1 and issue 109, item 3 (usecases/bar_loaded.py) on the fakes: `rollout
playbook load` stays the operator's path, but a file is no second person. A tightening in
a file applies at once; a loaded loosening (a mode moved up, a pin taken away,
`calibration: none` where no set was) is a request a curator decides on its card; it
replaces an open request and an earlier file's; load of an export changes nothing; a
playbook before its first cycle takes the whole file; a file whose tightening does not fit
the bar in force is refused whole."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime

import yaml

from cadence.change import Change, NewVerdict
from cadence.definition_load import parse_playbook
from cadence.verdicts import PASS
from tests import fakes
from tests.committed import committed
from tests.fakes import CHANNEL, CURATOR, OWNER
from tests.fakes.playbooks import clone, definition
from tests.usecases.fast.form_world import world
from tests.usecases.fast.slash import slash
from tests.usecases.fast.test_bar_requests import (
    CURATOR2,
    CURATORS,
    bar_world,
    buttons,
    cards,
    kinds,
    loosen,
    requests_of,
)
from usecases import bar_approval, bar_requests, operator

FILE = "/srv/playbooks/support.yaml"
SUPPORT_REPLIES = definition()
LOOSER = {**SUPPORT_REPLIES, "exception_cap": 0.15, "title": "Support replies, December"}
WHY = "December's <refund> tickets are noisier"


def load(services, raw, name=FILE, why=WHY):
    [done] = operator.load(services.store, [(name, [parse_playbook(raw)])], "UTC", services.clock(), why)
    return done


def cap(services):
    return fakes.store_of(services).playbooks.state("support-replies").playbook.exception_cap


def sent(services, channel):
    return [json.dumps(m.payload, ensure_ascii=False) for m in fakes.store_of(services).held.sent(channel)]


def test_a_tightening_in_a_file_applies_at_once_and_tells_the_curators_nothing():
    services = bar_world()
    done = load(services, {**SUPPORT_REPLIES, "exception_cap": 0.05})
    assert done.waiting == [] and cap(services) == 0.05
    assert sent(services, CURATORS) == [] and requests_of(services) == []


def test_load_of_an_export_changes_nothing_while_a_loosening_waits():
    services = bar_world()
    load(services, LOOSER)
    exported = yaml.safe_load(operator.export_yaml(services.store, ["support-replies"]))
    assert exported["exception_cap"] == 0.1  # today's bar
    posted, rows = len(sent(services, CURATORS)) + len(sent(services, CHANNEL)), len(kinds(services, "bar-approved"))
    done = load(services, exported, name="export.yaml")
    assert [o.action for o in done.outcomes] == ["unchanged"] and done.waiting == []
    assert len(sent(services, CURATORS)) + len(sent(services, CHANNEL)) == posted
    assert len(kinds(services, "bar-approved")) == rows
    assert requests_of(services) == [("open", "file:support.yaml", None)]


def test_a_loaded_loosening_replaces_an_open_request_and_an_earlier_files():
    services = bar_world()
    loosen(services, by=OWNER, cap="12%")
    load(services, LOOSER)
    load(services, {**LOOSER, "exception_cap": 0.2})  # the file changed again
    assert requests_of(services) == [
        ("replaced", OWNER, None),
        ("replaced", "file:support.yaml", None),
        ("open", "file:support.yaml", None),
    ]
    assert "Replaced by a later request" in json.dumps(cards(services)[0]["blocks"])
    held = fakes.store_of(services).held
    [card] = [c for c in cards(services) if "bar_approve" in json.dumps(c)]
    bar_approval.approve(fakes.caller(services, CURATOR, CURATORS), buttons(card)["bar_approve"])  # a person decides
    state = held.states["support-replies"]
    held.put(replace(state, playbook=clone(state.playbook, closed_through=date(2026, 12, 7))))  # cycle 2 is open
    bar_requests.apply_due(services.store, "UTC", datetime(2026, 12, 14, 13, tzinfo=UTC))
    assert cap(services) == 0.2
    assert requests_of(services)[-1] == ("applied", "file:support.yaml", CURATOR)


def test_a_file_approves_nothing_itself_a_mode_up_an_unpin_or_calibration_none_wait_for_a_curator():
    """Issue 109: a file setting draft ai-led with no calibration set, unpinning refunds,
    moving a human-led step to collaborative or adding `calibration: none` to a step with no
    set applied from the next cycle as approved by the file, or at once. Each is now a
    request on the curators' card, and nothing of it moves a step until a curator approves."""
    services = bar_world()
    steps = [
        {"name": "draft", "mode": "ai-led"},
        {"name": "send", "mode": "ai-led", "calibration": "none", "reason": "we trust it"},
        {"name": "refunds", "mode": "human-led"},
    ]
    done = load(services, {**SUPPORT_REPLIES, "steps": steps})
    [waits] = done.waiting
    assert "step draft collaborative → ai-led" in waits.changes
    assert "step refunds pinned → unpinned" in waits.changes
    assert any("send calibration: none declared where it had no set" in c for c in waits.changes)
    state = fakes.store_of(services).playbooks.state("support-replies")
    assert {s.name: (s.mode, s.pinned) for s in state.steps} == {
        "draft": ("collaborative", False),
        "send": ("ai-led", False),
        "refunds": ("human-led", True),
    }
    assert requests_of(services) == [("open", "file:support.yaml", None)]
    card = json.dumps(cards(services)[-1]["blocks"])
    assert "bar_approve" in card and "The operator loaded the file `support.yaml`" in card


def test_a_human_led_step_set_collaborative_in_a_file_is_asked_as_the_command_asks_it():
    services = bar_world()
    steps = [
        {**s, "mode": "human-led", "pinned": False} if s["name"] == "draft" else s for s in SUPPORT_REPLIES["steps"]
    ]
    load(services, {**SUPPORT_REPLIES, "steps": steps})  # down: at once
    state = fakes.store_of(services).playbooks.state("support-replies")
    assert state.step("draft").mode == "human-led"
    done = load(services, SUPPORT_REPLIES)  # back up: as `/rollout mode` would ask it
    assert [w.changes for w in done.waiting] == [["step draft human-led → collaborative"]]
    assert fakes.store_of(services).playbooks.state("support-replies").step("draft").mode == "human-led"


def test_without_a_curators_channel_the_team_channel_is_told_the_file_name_escaped():
    services = world(fakes.a_playbook(cycle_started=date(2026, 11, 16), org_timezone="UTC"))
    done = load(services, LOOSER, name="/srv/<!channel> & co.yaml")
    assert done.waiting and cap(services) == 0.1
    [post] = [p for p in sent(services, CHANNEL) if "loaded from" in json.loads(p)["text"]]
    assert "The operator loaded the file `&lt;!channel&gt; &amp; co.yaml`" in post and "<!channel>" not in post


def test_before_its_first_cycle_a_playbook_takes_the_whole_file_at_once():
    services = world()
    load(services, SUPPORT_REPLIES)  # created by the load: no revision, no request
    done = load(services, LOOSER)  # no cycle begun: no week is judged by the bar yet
    assert done.waiting == [] and cap(services) == 0.15 and requests_of(services) == []


def test_a_guardrail_whose_min_is_lowered_and_a_max_added_waits_whole():
    """The lower min waits for the next cycle, and the new max with it: a guardrail is
    judged whole (cadence/bar_sort.py), so what applies now never puts a max below the
    min in force until then (once refused whole as invalid; issue 93)."""
    services = bar_world()
    crossed = {**LOOSER, "guardrail": {"name": "CSAT", "min": 4.0, "max": 4.5}}
    done = load(services, crossed)
    [waits] = done.waiting
    assert "guardrail CSAT min 4.6 → 4" in waits.changes and "guardrail CSAT max none → 4.5" in waits.changes
    state = fakes.store_of(services).playbooks.state("support-replies")
    assert state.playbook.title == "Support replies, December" and cap(services) == 0.1
    assert (state.spec.guardrail.min, state.spec.guardrail.max) == (4.6, None)


def _passes(services, name, *weeks):
    """PASS weeks of `name` closed (the rules' streak a move up reads)."""
    state = fakes.store_of(services).playbooks.state("support-replies")
    step = state.step(name)
    verdicts = [NewVerdict(state.playbook.id, step.id, w, step.mode, PASS, 40, 0, 0.95) for w in weeks]
    committed(fakes.store_of(services)).governance.apply(Change(verdicts=verdicts), services.clock())


def _approved_ai_led(services):
    """A file asks draft at ai-led with a calibration set (run 38/40, messy cases declared);
    a curator approves it at the click, its gates open then."""
    steps = [
        {**s, "mode": "ai-led", "calibration": {"cases": 40, "messy": 10}} if s["name"] == "draft" else s
        for s in SUPPORT_REPLIES["steps"]
    ]
    load(services, {**SUPPORT_REPLIES, "steps": steps})  # the set tightens at once; ai-led waits for a curator
    assert "38/40" in slash(services, "calibrate support-replies draft 38/40", OWNER)
    [card] = [c for c in cards(services) if "bar_approve" in json.dumps(c)]
    bar_approval.approve(fakes.caller(services, CURATOR, CURATORS), buttons(card)["bar_approve"])
    assert requests_of(services) == [("approved", "file:support.yaml", CURATOR)]
    _passes(services, "draft", date(2026, 11, 23), date(2026, 11, 30))
    held = fakes.store_of(services).held
    state = held.states["support-replies"]
    held.put(replace(state, playbook=clone(state.playbook, closed_through=date(2026, 12, 7))))  # cycle 2 is open


def test_the_clock_reads_the_gates_when_an_approved_request_would_take_effect():
    """Issue 109: a request asking draft at ai-led, approved at 38/40 calibration; the run
    then dropped to 10/40; at the next cycle's first tick draft became ai-led. Now the move
    waits, the card and the owner are told which gate, the approval stands, and it applies
    at the first tick its gates are open."""
    services = bar_world()
    _approved_ai_led(services)
    assert "10/40" in slash(services, "calibrate support-replies draft 10/40", OWNER)  # the run dropped
    held = fakes.store_of(services).held
    at = datetime(2026, 12, 14, 13, tzinfo=UTC)
    assert bar_requests.apply_due(services.store, "UTC", at) == 0
    assert fakes.store_of(services).playbooks.state("support-replies").step("draft").mode == "collaborative"
    assert requests_of(services) == [("approved", "file:support.yaml", CURATOR)]  # the approval stands
    [told] = [
        json.dumps(m.payload, ensure_ascii=False)
        for m in held.sent(OWNER)
        if "waits for its gates" in m.payload["text"]
    ]
    assert "draft (collaborative → ai-led)" in told and "calibration" in told
    shown = json.dumps(cards(services)[-1]["blocks"])
    assert "does not pass its gates" in shown and "bar_decline" in shown and "bar_approve" not in shown
    assert bar_requests.apply_due(services.store, "UTC", at) == 0
    assert len([m for m in held.sent(OWNER) if "waits for its gates" in m.payload["text"]]) == 1  # told once
    assert "39/40" in slash(services, "calibrate support-replies draft 39/40", OWNER)
    assert bar_requests.apply_due(services.store, "UTC", at) == 1
    assert fakes.store_of(services).playbooks.state("support-replies").step("draft").mode == "ai-led"
    assert requests_of(services) == [("applied", "file:support.yaml", CURATOR)]


def test_a_curator_declines_an_approved_request_its_gates_keep_waiting():
    services = bar_world(curators=(CURATOR, CURATOR2))
    _approved_ai_led(services)
    assert "10/40" in slash(services, "calibrate support-replies draft 10/40", OWNER)
    assert bar_requests.apply_due(services.store, "UTC", datetime(2026, 12, 14, 13, tzinfo=UTC)) == 0
    value = buttons(cards(services)[-1])["bar_decline"]
    bar_approval.decline(fakes.caller(services, CURATOR2, CURATORS), value, "not before it earns it")
    assert requests_of(services)[-1] == ("declined", "file:support.yaml", CURATOR2)
    assert "39/40" in slash(services, "calibrate support-replies draft 39/40", OWNER)
    assert bar_requests.apply_due(services.store, "UTC", datetime(2026, 12, 14, 14, tzinfo=UTC)) == 0
    assert fakes.store_of(services).playbooks.state("support-replies").step("draft").mode == "collaborative"
