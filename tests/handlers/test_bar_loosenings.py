"""Issue 80, item 1 end to end: each loosening of PRODUCT's list ("The bar covers the mode
map and the evidence") waits as a bar change request, and its opposite applies at once;
the asker's own approval click is refused with the reason. The steps field's changes
through `/rollout edit` as Slack sends it (a signed view_submission, the card's signed
block_actions click); the kit's and the evidence's through `rollout playbook load --why`
(usecases/operator.py, the command's use case); on SQLite and PostgreSQL. The
classification itself is tests/cadence/test_bar_structure.py's."""

import json

import pytest

from cadence import bar
from cadence.definition import parse_playbook
from templates.refusals import plain
from tests.cadence.test_bar_structure import CHECKED, SOURCES, steps
from tests.committed import loaded
from tests.conftest import CHANNEL, SUPPORT_REPLIES
from tests.handlers import test_bar_loaded
from tests.handlers.test_bar_loaded import load
from tests.handlers.test_bar_requests import buttons, cards, ephemeral, requests_of
from tests.handlers.test_playbook_form import open_edit, shown, submit
from tests.usecases.test_governance import CURATOR, CURATORS, click

world = test_bar_loaded.world  # the fixture: support-replies in cycle 1, two curators and their channel
STEPS_NOW = "draft: collaborative\nsend: ai-led\nrefunds: human-led pinned"


def definition(**changes):
    return parse_playbook({**SUPPORT_REPLIES, **changes})


def as_loaded(store, clock, **changes):
    """support-replies as it stands before the change (written as the fixture wrote it)."""
    loaded(store, [definition(**changes)], "UTC", actor="test", at=clock())


def now(store):
    return store.playbooks.state("support-replies").playbook.definition


@pytest.mark.parametrize(
    ("steps_field", "words", "in_force"),
    [
        (
            "draft: collaborative\nsend: ai-led\nrefunds: human-led",
            "step refunds pinned → unpinned",
            {"refunds": ("human-led", True)},
        ),
        (
            STEPS_NOW + "\nverify: ai-led",
            "new step verify at ai-led (runs collaborative until approved)",
            {"verify": ("collaborative", False)},
        ),
        (  # removed and added back under another name, at ai-led: unmistakably a request
            "draft: collaborative\nsend-v2: ai-led\nrefunds: human-led pinned",
            "new step send-v2 at ai-led (runs collaborative until approved)",
            {"send-v2": ("collaborative", False)},
        ),
    ],
    ids=["unpin", "new-step-ai-led", "removed-and-added-at-ai-led"],
)
def test_a_loosening_of_the_steps_field_waits_and_the_askers_own_click_is_refused(
    bot, slack, store, engine, world, steps_field, words, in_force
):
    view = open_edit(bot, slack, user=CURATOR)
    assert shown(view)["steps"] == STEPS_NOW
    reply = submit(bot, view, {**shown(view), "steps": steps_field, "why": "Trust <earned> on refunds"}, CURATOR)
    assert reply.body["response_action"] == "update", reply.body
    assert requests_of(engine) == [("open", CURATOR, None)]
    held = {s["name"]: (s["mode"], bool(s.get("pinned"))) for s in now(store)["steps"]}
    assert {name: held[name] for name in in_force} == in_force  # the rest applied, the loosening waits
    world.dispatcher.drain(max_wait=0)
    [card] = cards(slack)
    said = json.dumps(card["blocks"], ensure_ascii=False)
    assert f"• {words}" in said and "Trust &lt;earned&gt; on refunds" in said
    click(bot, "bar_approve", buttons(card)["bar_approve"], CURATOR, CURATORS, card["ts"])
    assert "the asker never decides their own" in ephemeral(slack)
    assert requests_of(engine) == [("open", CURATOR, None)]
    status = bot.command("status support-replies", user=CURATOR).text
    assert "waiting for a curator:" in status and f"• {words}" in status


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
def test_the_opposite_in_the_steps_field_applies_at_once(bot, slack, store, engine, world, before, steps_field, check):
    as_loaded(store, world.clock, **before)
    view = open_edit(bot, slack, user=CURATOR)
    reply = submit(bot, view, {**shown(view), "steps": steps_field}, CURATOR)  # no Why needed
    assert reply.body["response_action"] == "update", reply.body
    assert requests_of(engine) == [] and check(now(store))
    world.dispatcher.drain(max_wait=0)
    assert cards(slack) == [] and any("was revised" in json.dumps(m) for m in slack.posted(CHANNEL))


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
    "requires-champion-cleared": ({"replication": {"requires_champion": True}}, {}),
    "handoff-removed": ({"handoff": {"sla_hours": 24}}, {}),
    "handoff-sla-raised": ({"handoff": {"sla_hours": 24}}, {"handoff": {"sla_hours": 48}}),
    "handoff-resolve-raised": (
        {"handoff": {"sla_hours": 24, "resolve_hours": 72}},
        {"handoff": {"sla_hours": 24, "resolve_hours": 96}},
    ),
}


@pytest.mark.parametrize("case", list(EVIDENCE))
def test_a_loosening_loaded_at_the_server_needs_why_and_waits_and_its_opposite_applies_at_once(
    store, engine, world, monkeypatch, case
):
    monkeypatch.setenv("WAREHOUSE_URL", "sqlite://")
    tight, loose = EVIDENCE[case]
    as_loaded(store, world.clock, **tight)
    held = now(store)
    refused = load(store, world.clock, {**SUPPORT_REPLIES, **loose}, why=None)  # without --why: nothing stored
    assert refused.outcomes == [] and '--why "…"' in plain(refused.refused)
    assert now(store) == held and requests_of(engine) == []
    done = load(store, world.clock, {**SUPPORT_REPLIES, **loose})
    [waits] = done.waiting
    assert waits.effective == "week 1 of cycle 2 (14 Dec)" and waits.changes
    assert requests_of(engine) == [("approved", "file:support.yaml", "file:support.yaml")]
    assert bar.waiting(held, now(store)) == []  # nothing looser in force: it waits for the next cycle

    if case == "input-renamed":
        return
    as_loaded(store, world.clock, **loose)  # the opposite, from the looser bar
    done = load(store, world.clock, {**SUPPORT_REPLIES, **tight}, why=None)
    assert [o.action for o in done.outcomes] == ["updated"] and done.waiting == []
    assert now(store) == definition(**tight).canonical()
    assert len(requests_of(engine)) == 1  # no second request
