"""Issue 69, item 1 (its last sentence): `rollout playbook load` stays the operator's path.
A loosened bar loaded at the server applies from the next cycle, approved by the file: a
decision row, one message to the curators channel naming the file, the clock applies it.
A tightening applies at once; reloading the same file, or loading an export, changes nothing."""

import json
from datetime import UTC, datetime

import pytest
import yaml
from sqlmodel import Session, select

from cadence.definition import parse_playbook
from storage.models.governance import BarRequest
from templates.refusals import plain
from tests.conftest import ADMIN, CHANNEL, OWNER, SUPPORT_REPLIES, Engine
from tests.handlers.test_bar_requests import CURATOR2, body, cards, kinds, loosen, requests_of
from tests.usecases.test_governance import CURATOR, CURATORS
from usecases import operator

FILE = "/srv/playbooks/support.yaml"
LOOSER = {**SUPPORT_REPLIES, "exception_cap": 0.15, "title": "Support replies, December"}


@pytest.fixture
def world(bot, slack, store, engine, clock, playbook):
    """support-replies in cycle 1 (from Monday 16 Nov), two curators and their channel (as
    tests/handlers/test_bar_requests.py has them)."""
    slack.add_channel(CURATORS, [CURATOR, CURATOR2, ADMIN])
    for user in (OWNER, CURATOR, CURATOR2):
        slack.add_user(user, tz="Europe/Berlin")
    bot.command(f"curator add <@{CURATOR}>", user=ADMIN)
    bot.command(f"curators-channel <#{CURATORS}|curators>", user=ADMIN)
    return Engine(engine, slack, clock)


WHY = "December's <refund> tickets are noisier"


def load(store, clock, definition, name=FILE, why=WHY):
    [done] = operator.load(store, [(name, [parse_playbook(definition)])], "UTC", clock(), why)
    return done


def curators_posts(slack):
    return [json.dumps(m, ensure_ascii=False) for m in slack.posted(CURATORS)]


def cap(store):
    return store.playbooks.state("support-replies").playbook.exception_cap


def test_a_loosened_cap_waits_for_the_next_cycle_and_the_curators_are_told_naming_the_file(
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
    assert requests_of(engine) == [("approved", "file:support.yaml", "file:support.yaml")]
    [row] = kinds(engine, "bar-approved")
    assert row.startswith("Bar change for support-replies approved, from week 1 of cycle 2 (14 Dec)")
    assert "exception cap 10% → 15%" in row and f"Loaded from the file support.yaml at the server. Why: {WHY}" in row
    world.dispatcher.drain(max_wait=0)
    [post] = curators_posts(slack)
    assert "The operator loaded the file `support.yaml` at the server" in post and "/srv" not in post
    assert "• exception cap 10% → 15%" in post and "week 1 of cycle 2 (14 Dec)" in post
    assert "*Why:* December's &lt;refund&gt; tickets are noisier" in post
    assert "bar_approve" not in post  # decided already: no buttons
    [revised] = [json.dumps(m, ensure_ascii=False) for m in slack.posted(CHANNEL) if "was revised" in json.dumps(m)]
    assert "title" in revised and "exception cap" not in revised  # the team is told what applied now

    again = load(store, world.clock, LOOSER)  # the same file while its change waits
    assert [o.action for o in again.outcomes] == ["unchanged"] and again.waiting == []
    world.dispatcher.drain(max_wait=0)
    assert len(curators_posts(slack)) == 1 and len(kinds(engine, "bar-approved")) == 1
    assert len(requests_of(engine)) == 1

    world.run(datetime(2026, 12, 8, 13, tzinfo=UTC))  # cycle 1's last week still open
    assert cap(store) == 0.1
    world.run(datetime(2026, 12, 14, 13, tzinfo=UTC))  # cycle 2 is open: the clock applies it
    assert cap(store) == 0.15
    assert requests_of(engine) == [("applied", "file:support.yaml", "file:support.yaml")]
    [told] = [m for m in slack.posted(CHANNEL) if "bar change applied" in m["text"]]
    assert "as the file `support.yaml` loaded at the server" in body(told)
    [card] = [c for c in cards(slack) if "loaded from support.yaml" in c["text"]]
    assert "Applied." in body(card)
    assert [o.action for o in load(store, world.clock, LOOSER).outcomes] == ["unchanged"]  # the file is the bar now


def test_a_tightening_in_a_file_applies_at_once_and_tells_the_curators_nothing(bot, slack, store, engine, world):
    done = load(store, world.clock, {**SUPPORT_REPLIES, "exception_cap": 0.05})
    assert done.waiting == [] and cap(store) == 0.05
    world.dispatcher.drain(max_wait=0)
    assert curators_posts(slack) == [] and requests_of(engine) == []


def test_load_of_an_export_changes_nothing_while_a_loosening_waits(bot, slack, store, engine, world):
    load(store, world.clock, LOOSER)
    exported = yaml.safe_load(operator.export_yaml(store, ["support-replies"]))
    assert exported["exception_cap"] == 0.1  # today's bar
    world.dispatcher.drain(max_wait=0)
    posted, rows = len(slack.posted(CURATORS)) + len(slack.posted(CHANNEL)), len(kinds(engine, "bar-approved"))
    done = load(store, world.clock, exported, name="export.yaml")
    assert [o.action for o in done.outcomes] == ["unchanged"] and done.waiting == []
    world.dispatcher.drain(max_wait=0)
    assert len(slack.posted(CURATORS)) + len(slack.posted(CHANNEL)) == posted
    assert len(kinds(engine, "bar-approved")) == rows
    assert requests_of(engine) == [("approved", "file:support.yaml", "file:support.yaml")]


def test_a_loaded_loosening_replaces_an_open_request_and_an_earlier_files(bot, slack, store, engine, world):
    loosen(bot, slack, by=OWNER, cap="12%")
    load(store, world.clock, LOOSER)
    load(store, world.clock, {**LOOSER, "exception_cap": 0.2})  # the file changed again
    assert requests_of(engine) == [
        ("replaced", OWNER, None),
        ("replaced", "file:support.yaml", "file:support.yaml"),
        ("approved", "file:support.yaml", "file:support.yaml"),
    ]
    world.dispatcher.drain(max_wait=0)
    assert "Replaced by a later request" in json.dumps(cards(slack)[0]["blocks"])
    world.run(datetime(2026, 12, 14, 13, tzinfo=UTC))
    assert cap(store) == 0.2
    with Session(engine) as s:
        assert [r.state for r in s.exec(select(BarRequest).order_by(BarRequest.id))][-1] == "applied"


def test_without_a_curators_channel_the_team_channel_is_told_the_file_name_escaped(
    bot, slack, store, engine, clock, playbook
):
    """No `world` here: the workspace has no curators channel."""
    done = load(store, clock, LOOSER, name="/srv/<!channel> & co.yaml")
    assert done.waiting and cap(store) == 0.1
    from tests.handlers.test_forms import deliver

    deliver(engine, slack, clock)
    [post] = [json.dumps(m, ensure_ascii=False) for m in slack.posted(CHANNEL) if "loaded from" in m["text"]]
    assert "The operator loaded the file `&lt;!channel&gt; &amp; co.yaml`" in post and "<!channel>" not in post


def test_before_its_first_cycle_a_playbook_takes_the_whole_file_at_once(store, engine, clock):
    load(store, clock, SUPPORT_REPLIES)  # created by the load: no revision, no request
    done = load(store, clock, LOOSER)  # no cycle begun: no week is judged by the bar yet
    assert done.waiting == [] and cap(store) == 0.15 and requests_of(engine) == []


def test_a_file_whose_tightening_does_not_fit_the_bar_in_force_until_its_loosening_applies_is_refused_whole(
    bot, slack, store, engine, world
):
    """The lower min waits for the next cycle; the new max would apply now, below the min in
    force until then. The file is refused, naming both, and nothing of it is stored."""
    crossed = {**LOOSER, "guardrail": {"name": "CSAT", "min": 4.0, "max": 4.5}}
    done = load(store, world.clock, crossed)
    assert done.outcomes == [] and done.refused is not None
    text = plain(done.refused)
    assert "support-replies: guardrail: 'min' is above 'max' in what would apply now" in text
    assert "guardrail CSAT min 4.6 → 4" in text and "in two steps" in text
    state = store.playbooks.state("support-replies")
    assert state.playbook.title == "Support reply drafting" and cap(store) == 0.1  # not even the title
    assert requests_of(engine) == [] and kinds(engine, "bar-approved") == []
