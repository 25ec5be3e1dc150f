"""Issue 69, item 1 (its last sentence; usecases/bar_loaded.py) on the fakes: `rollout
playbook load` stays the operator's path. A tightening in a file applies at once; a loaded
loosening replaces an open request and an earlier file's; load of an export changes
nothing; a playbook before its first cycle takes the whole file; a file whose tightening
does not fit the bar in force is refused whole."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime

import yaml

from cadence.definition_load import parse_playbook
from tests import fakes
from tests.fakes import CHANNEL, OWNER
from tests.fakes.playbooks import clone, definition
from tests.usecases.fast.form_world import world
from tests.usecases.fast.test_bar_requests import CURATORS, bar_world, cards, kinds, loosen, requests_of
from usecases import bar_requests, operator

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
    assert requests_of(services) == [("approved", "file:support.yaml", "file:support.yaml")]


def test_a_loaded_loosening_replaces_an_open_request_and_an_earlier_files():
    services = bar_world()
    loosen(services, by=OWNER, cap="12%")
    load(services, LOOSER)
    load(services, {**LOOSER, "exception_cap": 0.2})  # the file changed again
    assert requests_of(services) == [
        ("replaced", OWNER, None),
        ("replaced", "file:support.yaml", "file:support.yaml"),
        ("approved", "file:support.yaml", "file:support.yaml"),
    ]
    assert "Replaced by a later request" in json.dumps(cards(services)[0]["blocks"])
    held = fakes.store_of(services).held
    state = held.states["support-replies"]
    held.put(replace(state, playbook=clone(state.playbook, closed_through=date(2026, 12, 7))))  # cycle 2 is open
    bar_requests.apply_due(services.store, "UTC", datetime(2026, 12, 14, 13, tzinfo=UTC))
    assert cap(services) == 0.2
    assert requests_of(services)[-1][0] == "applied"


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
