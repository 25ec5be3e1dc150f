"""Issue 80, item 1 on the fakes: each loosening of PRODUCT's list ("The bar covers the mode
map and the evidence") waits as a bar change request, and its opposite applies at once: the
steps field's opposite through `/rollout edit`'s form, the kit's and the evidence's through
`rollout playbook load --why` (usecases/operator.py). The classification itself is
tests/cadence/test_bar_structure.py's; the steps field's loosenings, signed:
tests/handlers/test_bar_loosenings.py."""

from __future__ import annotations

import json

import pytest

from cadence import bar_sort
from cadence.definition_load import parse_playbook
from templates.refusals import plain
from tests import fakes
from tests.cadence.test_bar_structure import CHECKED, SOURCES, steps
from tests.committed import loaded
from tests.fakes import CHANNEL, CURATOR
from tests.usecases.fast.form_world import open_edit, submit
from tests.usecases.fast.test_bar_loaded import SUPPORT_REPLIES, load
from tests.usecases.fast.test_bar_requests import bar_world, cards, requests_of

STEPS_NOW = "draft: collaborative\nsend: ai-led\nrefunds: human-led pinned"


def definition(**changes):
    return parse_playbook({**SUPPORT_REPLIES, **changes})


def as_loaded(services, **changes):
    """support-replies as it stands before the change."""
    loaded(services.store, [definition(**changes)], "UTC", actor="test", at=services.clock())


def now(services):
    return fakes.store_of(services).playbooks.state("support-replies").playbook.definition


@pytest.mark.parametrize(
    ("before", "steps_field", "check"),
    [
        (
            {"steps": steps(refunds={"pinned": False})},
            STEPS_NOW,
            lambda d: d["steps"][2].get("pinned") is True,
        ),
        ({}, STEPS_NOW + "\nverify: collaborative", lambda d: d["steps"][3]["mode"] == "collaborative"),
    ],
    ids=["pin", "new-step-collaborative"],
)
def test_the_opposite_in_the_steps_field_applies_at_once(before, steps_field, check):
    services = bar_world()
    as_loaded(services, **before)
    form = open_edit(services, user=CURATOR)
    reply = submit(services, form, {**form.values, "steps": steps_field}, CURATOR)  # no Why needed
    assert reply["response_action"] == "update", reply
    assert requests_of(services) == [] and check(now(services))
    sent = fakes.store_of(services).held.sent(CHANNEL)
    assert cards(services) == [] and any("was revised" in json.dumps(m.payload) for m in sent)


# (tight, loose): the first → the second loosens, the second → the first tightens (None: a
# rename, which is a removal both ways)
EVIDENCE = {
    "rubric-none": ({}, {"steps": steps(draft={"rubric": "none"})}),
    "calibration-removed": ({"calibration": {"cases": 40}}, {}),
    "calibration-lowered": ({"calibration": {"cases": 40}}, {"calibration": {"cases": 20}}),
    "dimensions-removed": ({"rubric": {"dimensions": ["tone", "accuracy"]}}, {"rubric": {"dimensions": ["tone"]}}),
    "check-dropped": (
        {"inputs": [CHECKED], "sources": SOURCES},
        {"inputs": [{**CHECKED, "check": None}], "sources": SOURCES},
    ),
    "input-renamed": (
        {"inputs": [CHECKED], "sources": SOURCES},
        {"inputs": [{**CHECKED, "name": "tickets"}], "sources": SOURCES},
    ),
    "check-min-lowered": (
        {"inputs": [CHECKED], "sources": SOURCES},
        {"inputs": [{**CHECKED, "check": {**CHECKED["check"], "min": 0.9}}], "sources": SOURCES},
    ),
    "may-change-widened": (
        {"replication": {"may_change": ["target"]}},
        {"replication": {"may_change": ["target", "baseline"]}},
    ),
    "requires-champion-cleared": ({}, {"replication": {"requires_champion": False}}),  # unset: required
    "handoff-removed": ({"handoff": {"sla_hours": 24}}, {}),
    "handoff-sla-raised": ({"handoff": {"sla_hours": 24}}, {"handoff": {"sla_hours": 48}}),
    "handoff-resolve-raised": (
        {"handoff": {"sla_hours": 24, "resolve_hours": 72}},
        {"handoff": {"sla_hours": 24, "resolve_hours": 96}},
    ),
}


@pytest.mark.parametrize("case", list(EVIDENCE))
def test_a_loosening_loaded_at_the_server_needs_why_and_waits_and_its_opposite_applies_at_once(monkeypatch, case):
    monkeypatch.setenv("WAREHOUSE_URL", "sqlite://")
    services = bar_world()
    tight, loose = EVIDENCE[case]
    as_loaded(services, **tight)
    held = now(services)
    refused = load(services, {**SUPPORT_REPLIES, **loose}, why=None)  # without --why: nothing stored
    assert refused.outcomes == [] and '--why "…"' in plain(refused.refused)
    assert now(services) == held and requests_of(services) == []
    done = load(services, {**SUPPORT_REPLIES, **loose})
    [waits] = done.waiting
    assert waits.effective == "week 1 of cycle 2 (14 Dec)" and waits.changes
    assert requests_of(services) == [("open", "file:support.yaml", None)]  # a file is no second person
    assert bar_sort.sort(held, now(services)).waiting == []  # nothing looser in force: it waits for a curator

    if case == "input-renamed":
        return
    as_loaded(services, **loose)  # the opposite, from the looser bar
    done = load(services, {**SUPPORT_REPLIES, **tight}, why=None)
    assert [o.action for o in done.outcomes] == ["updated"] and done.waiting == []
    assert now(services) == definition(**tight).canonical()
    assert len(requests_of(services)) == 1  # no second request
