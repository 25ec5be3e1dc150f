"""Issue 69, item 1 (its last sentence): `rollout playbook load` stays the operator's path.
A loosened bar loaded at the server applies from the next cycle, approved by the file: a
decision row, one message to the curators channel naming the file, the clock applies it.
A tightening applies at once; reloading the same file, or loading an export, changes nothing."""

import json
from datetime import UTC, datetime

from cadence.definition_load import parse_playbook
from templates.refusals import plain
from tests.conftest import CHANNEL, SUPPORT_REPLIES
from tests.handlers.test_bar_requests import body, buttons, cards, kinds, requests_of
from tests.usecases.test_governance import CURATOR, CURATORS, click
from usecases import operator

FILE = "/srv/playbooks/support.yaml"
LOOSER = {**SUPPORT_REPLIES, "exception_cap": 0.15, "title": "Support replies, December"}


WHY = "December's <refund> tickets are noisier"


def load(store, clock, definition, name=FILE, why=WHY):
    [done] = operator.load(store, [(name, [parse_playbook(definition)])], "UTC", clock(), why)
    return done


def curators_posts(slack):
    return [json.dumps(m, ensure_ascii=False) for m in slack.posted(CURATORS)]


def cap(store):
    return store.playbooks.state("support-replies").playbook.exception_cap


def test_a_loosened_cap_waits_for_a_curator_on_a_card_naming_the_file_then_for_the_next_cycle(
    bot, slack, store, engine, world
):
    refused = load(store, world.clock, LOOSER, why=None)  # a loosening loaded without --why: nothing stored
    said = plain(refused.refused)
    assert refused.outcomes == [] and '--why "…"' in said and "exception cap 10% → 15%" in said
    assert requests_of(engine) == [] and store.playbooks.state("support-replies").playbook.title != LOOSER["title"]
    done = load(store, world.clock, LOOSER)
    assert [o.action for o in done.outcomes] == ["updated"]
    [waits] = done.waiting
    assert (waits.slug, waits.effective, waits.changes) == (
        "support-replies",
        "week 1 of cycle 2 (14 Dec)",
        ["exception cap 10% → 15%"],
    )
    state = store.playbooks.state("support-replies")
    assert state.playbook.title == "Support replies, December" and cap(store) == 0.1  # the rest at once
    assert requests_of(engine) == [("open", "file:support.yaml", None)]  # a file is no second person
    [row] = kinds(engine, "bar-requested")
    assert row.startswith("Bar change asked for support-replies, waiting for a curator: exception cap 10% → 15%")
    assert f"Loaded from the file support.yaml at the server. Why: {WHY}" in row
    world.dispatcher.drain(max_wait=0)
    [post] = curators_posts(slack)
    assert "The operator loaded the file `support.yaml` at the server" in post and "/srv" not in post
    assert "• exception cap 10% → 15%" in post
    assert "*Why:* December's &lt;refund&gt; tickets are noisier" in post
    assert "bar_approve" in post and "bar_decline" in post  # a curator decides
    [revised] = [json.dumps(m, ensure_ascii=False) for m in slack.posted(CHANNEL) if "was revised" in json.dumps(m)]
    assert "title" in revised and "exception cap" not in revised  # the team is told what applied now

    again = load(store, world.clock, LOOSER)  # the same file while its change waits
    assert [o.action for o in again.outcomes] == ["unchanged"] and again.waiting == []
    world.dispatcher.drain(max_wait=0)
    assert len(curators_posts(slack)) == 1 and len(kinds(engine, "bar-requested")) == 1
    assert len(requests_of(engine)) == 1

    [card] = cards(slack)
    click(bot, "bar_approve", buttons(card)["bar_approve"], CURATOR, CURATORS, card["ts"])
    assert requests_of(engine) == [("approved", "file:support.yaml", CURATOR)]
    world.run(datetime(2026, 12, 8, 13, tzinfo=UTC))  # cycle 1's last week still open
    assert cap(store) == 0.1
    world.run(datetime(2026, 12, 14, 13, tzinfo=UTC))  # cycle 2 is open: the clock applies it
    assert cap(store) == 0.15
    assert requests_of(engine) == [("applied", "file:support.yaml", CURATOR)]
    [told] = [m for m in slack.posted(CHANNEL) if "bar change applied" in m["text"]]
    assert "as the file `support.yaml` loaded at the server" in body(told) and f"approved by <@{CURATOR}>" in body(told)
    [card] = [c for c in cards(slack) if "loaded from support.yaml" in c["text"]]
    assert "Applied." in body(card)
    assert [o.action for o in load(store, world.clock, LOOSER).outcomes] == ["unchanged"]  # the file is the bar now
