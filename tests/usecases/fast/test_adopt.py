"""Adopting a registry version (usecases/shared/adoption.py) on the fakes: one action, one
unit of work (the playbook, its decisions and messages, its first cycle); refusals write
nothing; the wave, a curator's override past it, and adoptions that lose a race to
another (the wave's last place, the slug, the channel's adoption) are asked again."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

import pytest

from handlers import adopt_offer, grammar_adopt, present_status
from handlers.words import Words
from slack_api.members import Person
from templates.refusals import Refusal
from tests import fakes
from tests.committed import committed
from tests.fakes import CURATOR, MEMBER, NOW, OWNER
from tests.fakes.playbooks import FakePlaybooks
from tests.fakes.registry import FakeRegistry
from tests.usecases.fast.registry_world import (
    CHAMPION,
    CURATORS,
    KIT,
    MONDAY,
    OPS,
    OPS_OWNER,
    SALES,
    SALES_OWNER,
    adopt,
    keys_to,
    published,
    refusal,
    replicated,
    said,
    summaries,
    text,
)
from tests.usecases.fast.slash import publish_over, slash
from usecases import status
from usecases import web as web_view
from usecases.shared import messages, waves
from usecases.shared.adoption import first_cycle
from usecases.shared.requests import AskedPast

SLUG = "support-replies-sales"


def test_an_adoption_is_a_draft_with_its_decisions_and_messages_as_one_change():
    made = published(replication=KIT)
    announcement = adopt(made, champion_id=CHAMPION)
    state = made.state(SLUG)
    version = made.version()
    assert (state.playbook.status, state.playbook.adopted_from_id, state.playbook.adopted_origin_id) == (
        "draft",
        version.id,
        made.origin.playbook.id,
    )
    assert (state.playbook.owner_id, state.playbook.champion_id, state.anchor) == (SALES_OWNER, CHAMPION, None)
    assert [s.name for s in state.steps] == ["draft", "send", "refunds"]
    assert summaries(made.change) == [
        ("adopted", f"{SLUG} adopted from support-replies v1."),
        ("adopted-by", f"Adopted by {SLUG} in {SALES}."),
        ("champion-named", f"{SLUG}: champion {CHAMPION}"),
    ]
    adopted, by = made.change.decisions[:2]
    assert (adopted.playbook_id, by.playbook_id) == (state.playbook.id, made.origin.playbook.id)
    assert adopted.figures["version_id"] == version.id
    assert keys_to(made.change) == [
        (f"adopt:{SLUG}#team", SALES),
        (f"adopt:{SLUG}#curators", CURATORS),
        (f"adopt:{SLUG}#owner", SALES_OWNER),
        (f"adopt:{SLUG}#champion", CHAMPION),
    ]
    assert f"*{SLUG}* now runs in <#{SALES}>" in text(announcement) and "Shadow the origin team" in text(announcement)
    [champion] = [m for m in made.change.messages if m.channel == CHAMPION]
    assert "Your checklist as champion" in text(champion)
    # the request to publish over readiness, its publication, then this one
    assert len(made.store.units) == 3 and made.store.units[-1].commits == 1


def test_a_baseline_of_its_own_is_shown_declared_until_the_baseline_week_measures_it():
    """Issue 81, "Replication on real numbers": a baseline given at adopt is the team's word,
    not a measure. Adopted without a start, its first cycle (`/rollout cycle start`) still
    comes after a baseline week that measures it, and the adoption says so. (Before
    `cycle start` took a baseline week, it said "declared, not measured".)"""
    until = "(declared until the baseline week measures it)"
    said_then = text(adopt(published(), baseline=40))
    assert f"baseline 40 min {until}" in said_then and "declared, not measured" not in said_then
    assert "a baseline week from the Monday given measures the KPI" in said_then
    assert "declared, not measured" not in text(adopt(published(), baseline=42))  # the same as the version's


def test_with_a_start_it_begins_with_a_baseline_week_and_its_first_cycle_the_monday_after():
    """Issue 81, "The baseline week": from that Monday the team reports its KPI as it works
    today; its first cycle starts the Monday after, in the same unit of work. (Before issue
    81 the first cycle started on that Monday.)"""
    made = published()
    said_then = text(adopt(made, starts_on=MONDAY))
    state = made.state(SLUG)
    after = MONDAY + timedelta(days=7)
    assert state.playbook.status == "active" and (state.anchor.baseline_week, state.anchor.starts_on) == (MONDAY, after)
    assert state.cycle_anchor.baseline == MONDAY
    assert made.store.held.decisions[-1]["kind"] == "cycle-started"
    assert made.store.held.decisions[-1]["week_start"] == after
    assert made.store.units[-1].commits == 1
    assert f"The baseline week starts on {MONDAY.isoformat()}" in said_then
    assert f"the first cycle starts on {after.isoformat()}" in said_then
    assert "(declared until the baseline week measures it)" in text(adopt(published(), baseline=40, starts_on=MONDAY))


def test_with_compare_rest_its_first_cycle_starts_at_once_without_a_baseline_week():
    """`compare: rest`: the rest measures the baseline week by week, so no baseline week."""
    assert first_cycle(MONDAY, compared=True) == (MONDAY, None)
    assert first_cycle(MONDAY, compared=False) == (MONDAY + timedelta(days=7), MONDAY)


def test_an_adoption_whose_first_cycle_fails_leaves_nothing(monkeypatch):
    """The fast twin of test_adopt_one_transaction.py (where the database fails the insert)."""
    made = published()
    kept = list(made.changes), list(made.sent())

    def full_disk(*args, **kwargs):
        raise OSError("the disk is full")

    monkeypatch.setattr(FakePlaybooks, "add_cycle", full_disk)
    with pytest.raises(OSError):
        adopt(made, starts_on=MONDAY)
    assert made.state(SLUG) is None and (made.changes, made.sent()) == kept
    monkeypatch.undo()
    adopt(made, starts_on=MONDAY)  # the same action, whole this time
    assert made.state(SLUG).anchor.baseline_week == MONDAY


@pytest.mark.parametrize(
    ("user", "more", "key"),
    [
        (OWNER, {}, "curators_adopt"),
        (CURATOR, {"exception_cap": 0.2}, "adopt_not_allowed"),
        (CURATOR, {"version": 7}, "no_version_number"),
        (CURATOR, {"starts_on": MONDAY.replace(day=17)}, "cycle_not_monday"),
    ],
)
def test_refusals_write_nothing(user, more, key):
    made = published()
    before = list(made.changes)
    assert refusal(lambda: adopt(made, by=user, **more)).key == key
    assert made.state(SLUG) is None and made.changes == before


@pytest.mark.parametrize(
    ("starts_on", "words"),
    [(date(9999, 12, 27), "more than a year ahead"), (date(2026, 3, 2), "is in the past")],
)
def test_a_start_far_ahead_or_in_the_past_is_refused_and_writes_nothing(starts_on, words):
    made = published()
    before = list(made.changes)
    assert words in said(lambda: adopt(made, starts_on=starts_on))
    assert made.state(SLUG) is None and made.changes == before


def test_the_bot_must_be_in_the_channel():
    made = published()
    made.services.directory.absent[SALES] = "not_in_channel"
    assert refusal(lambda: adopt(made)).key == "adopt_bot_not_in_channel"
    assert made.state(SLUG) is None


def test_a_channel_runs_one_adoption_of_an_origin():
    made = published()
    adopt(made)
    assert f"<#{SALES}> already runs support-replies-sales, adopted from support-replies." in said(lambda: adopt(made))


def test_past_the_wave_it_is_refused_with_a_decision_on_the_origin():
    made = published(adoption_wave=1)
    adopt(made)
    replicated(made, SLUG)  # verified (phase 2): the phase lets a wave open, the wave waits for its review
    shown = said(lambda: adopt(made, channel=OPS, name="ops", owner=OPS_OWNER))
    assert "runs in its wave 1 already: support-replies-sales (replicated)" in shown
    assert "wave 2 opens when wave 1's learnings are reviewed (one replicated)" in shown
    assert summaries(made.change) == [
        (
            "wave-refused",
            "support-replies v1: adoption by ops (COPS000001) refused, 1 of 1 running (support-replies-sales)",
        )
    ]
    assert made.change.decisions[0].playbook_id == made.origin.playbook.id and made.change.messages == []
    assert made.state("support-replies-ops") is None


def test_a_curator_adopts_past_the_wave_with_a_reason():
    made = published(adoption_wave=1)
    adopt(made)
    adopt(made, channel=OPS, name="ops", owner=OPS_OWNER, override="the ops desk needs it now")
    assert made.state("support-replies-ops") is not None
    [overridden] = [d for d in made.change.decisions if d.kind == "wave-overridden"]
    assert overridden.figures["override"] == "the ops desk needs it now"
    assert [t["slug"] for t in overridden.figures["running"]] == [SLUG]


def test_a_replicated_and_reviewed_wave_opens_the_next():
    made = published(adoption_wave=1)
    adopt(made)
    replicated(made, SLUG)
    assert "support-replies-sales (replicated)" in said(lambda: adopt(made, channel=OPS, name="ops", owner=OPS_OWNER))
    waves.review(made.store, made.version(), None, OWNER, "read them all", NOW)
    adopt(made, channel=OPS, name="ops", owner=OPS_OWNER)
    assert made.state("support-replies-ops").playbook.adopted_from_id == made.version().id


def test_the_waves_last_place_taken_a_moment_ago_asks_again(monkeypatch):
    """Two adoptions past the check at once: the registry's own count (WaveFull) refuses
    the second, which is asked again and refused by the wave as it stands."""
    made = published(adoption_wave=1)
    adopt(made)
    replicated(made, SLUG)  # verified: its wave, not its phase, waits
    empty = waves.Lineage([], {}, None, 1)
    monkeypatch.setattr(waves, "lineage", first_then(empty, waves.lineage))  # the first look saw no team
    assert refusal(lambda: adopt(made, channel=OPS, name="ops", owner=OPS_OWNER)).key == "adopt_wave"
    assert made.state("support-replies-ops") is None
    assert [d.kind for c in made.changes for d in c.decisions][-1] == "wave-refused"  # asked again: refused


def test_a_slug_taken_a_moment_ago_adopts_under_the_next(monkeypatch):
    made = published()
    other = fakes.a_playbook(SLUG)  # a playbook of its own, in another channel
    made.store.held.put(other)
    monkeypatch.setattr(FakePlaybooks, "slugs", first_then([], FakePlaybooks.slugs))  # read before it was loaded
    adopt(made, override="another team's copy")  # the same playbook, running: a close match (issue 97)
    assert made.state(f"{SLUG}-2").playbook.channel_id == SALES


def test_an_adoption_in_the_channel_a_moment_ago_refuses_this_one(monkeypatch):
    made = published()
    adopt(made)
    replicated(made, SLUG)  # verified: another team may adopt it
    monkeypatch.setattr(FakeRegistry, "adoption_in", first_then(None, FakeRegistry.adoption_in))  # saw none
    assert refusal(lambda: adopt(made, name="sales-again")).key == "adopt_twice"
    assert made.state("support-replies-sales-again") is None


def test_the_adoption_names_where_to_read_the_origins_learnings_beyond_five():
    made = fakes_with_learnings(7)
    shown = text(adopt(made))
    assert "Learning 7" in shown and "Learning 3" in shown and "Learning 2" not in shown
    assert "2 more" in shown and "/rollout history support-replies" in shown


def first_then(first, real):
    """A read that answers `first` once (what it saw a moment before another's write),
    then as `real` does."""
    calls = []

    def read(*args):
        calls.append(args)
        return first if len(calls) == 1 else real(*args)

    return read


def fakes_with_learnings(count):
    from tests.usecases.fast.registry_world import publish, world

    made = world()
    for n in range(1, count + 1):
        committed(made.store).learnings.add(made.origin.playbook.id, 1, f"Learning {n}", OWNER, NOW.replace(minute=n))
    publish(made)
    return made


# ---- the champion an adoption names ----


def test_a_kit_that_requires_a_champion_starts_every_step_human_led_and_asks_the_owner_to_name_one():
    """A trained champion before access (the default, `requires_champion` left out): the
    adopter's steps start human-led, whatever the version's modes, the team is told why,
    and the owner, the champion by default, is asked to name another unless alone."""
    made = published(replication=KIT)
    version_modes = {s.name: s.mode for s in made.origin.steps}
    assert set(version_modes.values()) != {"human-led"}
    adopted = text(adopt(made))
    assert {s.name: s.mode for s in made.state(SLUG).steps} == dict.fromkeys(version_modes, "human-led")
    assert "Every step stays human-led until the champion's training is done." in adopted
    [dm] = [m for m in made.change.messages if m.channel == SALES_OWNER and "You own" in text(m)]
    assert "only if you are the team's only member" in text(dm)
    assert f"`/rollout champion {SLUG} @person`" in text(dm)
    made.services.directory.known["UROLLOUTBOT"] = Person("UROLLOUTBOT", "UTC", is_bot=True)
    not_a_person = said(lambda: adopt(made, champion_id="UROLLOUTBOT"))
    assert "not a person: only a person can be its champion" in not_a_person
    twice = f"adopt support-replies <#{SALES}|sales> champion <@{CHAMPION}> champion <@UCHAMPION2>"
    assert "Say `champion @person` once." in said(lambda: grammar_adopt.adopt(Words(twice)))  # as Slack's words parse


def test_a_version_that_turns_the_champion_off_adopts_at_its_modes_and_asks_nothing():
    made = published(replication={**KIT, "requires_champion": False})
    assert made.origin.playbook.definition["replication"]["requires_champion"] is False
    adopted = text(adopt(made, champion_id=CHAMPION))
    assert {s.name: s.mode for s in made.state(SLUG).steps} == {s.name: s.mode for s in made.origin.steps}
    assert "stays human-led" not in adopted
    assert not any("only if you are the team's only member" in text(m) for m in made.change.messages)


def test_without_a_champion_named_the_new_owner_is_the_champion_and_the_reply_and_status_say_so():
    """Every adopting team has a champion: a kit adopts with none named, and the new owner
    is the champion, gets the checklist, and status shows it."""
    made = published(replication=KIT)
    assert "requires_champion" not in made.origin.playbook.definition["replication"]  # unset: required
    adopted = text(adopt(made))
    assert f"Owner: <@{SALES_OWNER}>. Champion: <@{SALES_OWNER}> (the owner, as none was named)." in adopted
    assert made.state(SLUG).playbook.champion_id == SALES_OWNER
    assert [d.summary for d in made.change.decisions if d.kind == "champion-named"] == [
        f"{SLUG}: champion {SALES_OWNER}"
    ]
    [dm] = [m for m in made.change.messages if m.channel == SALES_OWNER and "Your checklist as champion" in text(m)]
    assert dm.payload["text"].endswith("0 of 2 done")  # the kit's training and its check
    shown = present_status.status(status.status(made.caller(SALES_OWNER), messages.Status(SLUG)))
    assert f"Champion <@{SALES_OWNER}>: checklist 0 of 2 done" in json.dumps(shown, ensure_ascii=False)


@pytest.mark.parametrize(
    ("learned", "web", "pointer"),
    [
        (8, False, "\n…and 3 more: `/rollout history support-replies`"),
        (8, True, "\n…and 3 more: https://rollout.example.com/web/playbooks/support-replies"),
        (12, False, "\n…and 7 more: `/rollout history support-replies` lists the origin's newest 10."),
        (5, False, None),
    ],
    ids=["history", "web-view", "more-than-history-lists", "five-need-no-pointer"],
)
def test_an_adoption_shows_the_origins_five_newest_learnings_and_where_to_read_the_rest(learned, web, pointer):
    """Issue 39, item 12: the adoption message in the team channel and the new owner's DM
    list the origin's newest 5 learnings, newest first, and point at a place that really
    lists the rest: the origin's page of the web view when there is one, else its history."""
    origin = fakes.a_playbook()
    more = {"web_url": "https://rollout.example.com"} if web else {}
    services = fakes.services(origin, members=(MEMBER, OWNER, SALES_OWNER), **more)
    store = fakes.store_of(services)
    store.held.settings["curators_channel"] = CURATORS
    for n in range(1, learned + 1):
        services.clock.advance(minutes=1)
        assert "Added to *support-replies*" in slash(services, f"learn support-replies Learning {n}")
    assert "support-replies v1" in publish_over(services, "publish support-replies override sharing it early")
    directory = services.directory
    directory.members[SALES] = frozenset([SALES_OWNER])
    assert "*support-replies-sales* now runs in" in slash(
        services, f"adopt support-replies <#{SALES}|sales> owner <@{SALES_OWNER}>", CURATOR
    )
    newest = "".join(f"\n• _cycle 1:_ Learning {n}" for n in range(learned, learned - 5, -1))
    for channel in (SALES, SALES_OWNER):
        [adopted] = [m for m in store.held.sent(channel) if " adopted from " in m.payload["text"]]
        [section] = [
            b["text"]["text"]
            for b in adopted.payload["blocks"]
            if b["type"] == "section" and b["text"]["text"].startswith("*What support-replies learned*")
        ]
        assert section == "*What support-replies learned* (newest first):" + newest + (pointer or "")
    # The pointer tells the truth: what it names lists the learnings the message left out.
    if web:
        page = web_view.playbook_page(services, web_view.Viewer(SALES_OWNER), "support-replies")
        assert sorted(int(x.text.split()[-1]) for x in page.learnings) == list(range(1, learned + 1))
    elif pointer:
        history = slash(services, "history support-replies", SALES_OWNER, SALES)
        listed = sorted(int(n) for n in re.findall(r"Learning (\d+)\b", history))
        assert listed == list(range(max(1, learned - 9), learned + 1))  # 12: the newest 10, as the pointer says


def test_adopting_past_the_wave_with_a_reason_is_another_curators_decision():
    """Issue 109, item 5: `adopt … override <reason>` passed a full wave (a team's load, a
    close match) by the asker alone. Now it is a request on the curators' card with the
    reason; the asker may not approve it, another curator does, and the same adopt runs."""
    from usecases import commands
    from usecases import requests as adopt_requests

    made = published(adoption_wave=1)
    adopt(made)
    replicated(made, SLUG)  # verified: past its wave, not its phase
    cmd = messages.Adopt("support-replies", None, OPS, "ops", OPS_OWNER, override="the ops desk needs it")
    reply = commands.adopt(made.caller(CURATOR), cmd)
    assert isinstance(reply, AskedPast) and reply.past == ["its wave"]
    said = json.dumps(adopt_offer.reply(reply))
    assert "is a second person's decision" in said and "its wave" in said
    assert made.state("support-replies-ops") is None
    version = made.version()
    asked = made.store.registry.pending_request(version.id, OPS)
    card = json.dumps([m.payload for m in made.sent(CURATORS) if m.key == asked.card_key][-1])
    assert "asks to adopt it past its wave" in card and "the ops desk needs it" in card
    with pytest.raises(Refusal) as own:
        adopt_requests.approve(made.caller(CURATOR), str(asked.id))
    assert own.value.key == "request_own_override" and made.state("support-replies-ops") is None
    made.store.held.curators.add("UCURATOR02")
    adopt_requests.approve(made.caller("UCURATOR02"), str(asked.id))
    ops = made.state("support-replies-ops")
    assert ops is not None and ops.playbook.owner_id == OPS_OWNER
    [overridden] = [d for d in made.change.decisions if d.kind == "wave-overridden"]
    assert overridden.figures["override"] == "the ops desk needs it"
