"""Champions on the fakes (usecases/shared/champions.py through usecases/commands.py): who
names one and whom, the checklist DM the new champion gets with the marks so far, and the
checklist's buttons, which only the champion marks, once a state; the reply naming one. The
DM as Slack shows it, the App Home, status and the web view are tests/usecases/
test_champions.py's, end to end; the champion an adoption names, fast/test_adopt.py's."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from cadence import keys
from cadence.decisions import DecisionKind
from cadence.promotion_gates import Gate
from handlers import replies
from slack_api.members import Person
from templates.refusals import slack
from tests import fakes
from tests.fakes import CURATOR, MEMBER, NOW, OUTSIDER, OWNER, FakeDirectory
from usecases import champions as usecase_champions
from usecases import commands
from usecases.shared import champions, messages, promotion_gates
from usecases.shared.caller import Refusal

SLUG = "support-replies"
CHAMPION, SECOND = "UCHAMPION1", "UCHAMPION2"
KIT = {
    "runbook": "https://wiki.example.com/support-replies",
    "training": ["https://wiki.example.com/ai-drafting-101", "Shadow the origin team for one week"],
    "checks": ["Draft 10 sample tickets and review them before week 1"],
}
DM = ("DCHAMPION1", "1700000000.000100")


def world(champion=None, kit=KIT, **more):
    state = fakes.a_playbook(replication=kit, **more) if kit else fakes.a_playbook(**more)
    if champion is not None:
        state.playbook.champion_id = champion
    services = fakes.services(state)
    return services, fakes.store_of(services)


def playbook(store):
    return store.playbooks.state(SLUG).playbook


def name(services, champion=CHAMPION, by=OWNER):
    return commands.champion(fakes.caller(services, by), messages.NameChampion(SLUG, champion))


def refused(services, champion, by=OWNER) -> Refusal:
    store = fakes.store_of(services)
    before, told = playbook(store), list(store.held.governance.changes)
    with pytest.raises(Refusal) as raised:
        name(services, champion, by)
    assert playbook(store) == before and store.held.governance.changes == told
    return raised.value


def mark(store, index, done=True, by=CHAMPION, at=NOW, dm=DM):
    return champions.mark(store, SLUG, index, done, by, at, dm)


# ---- naming a champion ----


@pytest.mark.parametrize("by", [OWNER, CURATOR])
def test_the_owner_or_a_curator_names_a_champion_who_gets_the_checklist_by_dm(by):
    services, store = world()
    state, named = name(services, by=by)
    assert named.before is None and [i.text for i in named.checklist] == [*KIT["training"], *KIT["checks"]]
    assert [(i.index, i.kind, i.done) for i in named.checklist] == [
        (0, "training", False),
        (1, "training", False),
        (2, "check", False),
    ]
    assert playbook(store).champion_id == CHAMPION
    [change] = store.held.governance.changes
    [decision] = change.decisions
    assert (decision.kind, decision.actor, decision.summary, decision.figures) == (
        DecisionKind.CHAMPION_NAMED,
        by,
        f"support-replies: champion {CHAMPION}",
        {"from": None, "to": CHAMPION},
    )
    [dm] = change.messages
    assert (dm.channel, dm.method) == (CHAMPION, "chat.postMessage")
    assert dm.key == keys.to_audience(keys.champion(state.playbook.id, NOW.isoformat()), CHAMPION)
    assert dm.payload["text"] == "Your checklist as champion of support-replies: 0 of 3 done"
    body = json.dumps(dm.payload["blocks"], ensure_ascii=False)
    assert "_Training:_ https://wiki.example.com/ai-drafting-101" in body and "_Check:_ Draft 10 sample" in body


def test_a_new_champion_takes_over_the_marks_so_far():
    services, store = world(champion=CHAMPION)
    assert mark(store, 1)
    done = name(services, SECOND)
    _, named = done
    assert named.before == CHAMPION and [i.done for i in named.checklist] == [False, True, False]
    said = json.dumps(replies.champion(fakes.caller(services), messages.NameChampion(SLUG, SECOND), done))
    assert f"<@{SECOND}> is now the champion of *support-replies* (before: <@{CHAMPION}>)" in said
    assert "1 of 3 done so far" in said
    assert named.checklist[1].by == CHAMPION and named.checklist[1].on == NOW.date().isoformat()
    [change] = store.held.governance.changes
    assert change.decisions[0].summary == f"support-replies: champion {CHAMPION} → {SECOND}"
    assert change.decisions[0].figures == {"from": CHAMPION, "to": SECOND}
    assert change.messages[0].payload["text"].endswith("1 of 3 done")
    with pytest.raises(Refusal) as raised:
        mark(store, 0, by=CHAMPION)
    assert raised.value.key == "checklist_champion_only" and raised.value.values["champion"].ident == SECOND


def test_a_playbook_without_a_kit_names_a_champion_without_a_dm():
    services, store = world(kit=None)
    _, named = name(services)
    assert named.checklist == [] and playbook(store).champion_id == CHAMPION
    [change] = store.held.governance.changes
    assert change.messages == [] and change.decisions[0].kind == DecisionKind.CHAMPION_NAMED


def test_only_the_owner_or_a_curator_names_one():
    services, _ = world()
    for someone in (MEMBER, OUTSIDER):
        refusal = refused(services, SECOND, someone)
        assert (refusal.key, refusal.usage) == ("owner_or_curator_only", "champion")


def test_they_are_the_champion_already():
    services, _ = world(champion=CHAMPION)
    refusal = refused(services, CHAMPION)
    assert (refusal.key, refusal.values) == ("already_champion", {"slug": SLUG})


@pytest.mark.parametrize(
    ("person", "key"),
    [
        (Person(SECOND, "UTC", found=False), "person_unknown"),
        (Person(SECOND, "UTC", deleted=True), "person_deactivated"),
        (Person(SECOND, "UTC", is_bot=True), "person_not_human"),
        (Person(SECOND, "UTC", is_app_user=True), "person_not_human"),
    ],
)
def test_only_an_active_person_is_a_champion(person, key):
    state = fakes.a_playbook(replication=KIT)
    services = fakes.services(state, directory=FakeDirectory(people={SECOND: person}))
    refusal = refused(services, SECOND)
    assert (refusal.key, refusal.usage, refusal.values["role"]) == (key, "champion", "its champion")


def test_a_champion_named_by_someone_else_a_moment_ago_is_a_race():
    _, store = world()
    state = store.playbooks.state(SLUG)
    champions.name(store, state, CHAMPION, OWNER, NOW)
    with pytest.raises(Refusal) as raised:
        champions.name(store, state, SECOND, CURATOR, NOW)  # from what it read before
    assert raised.value.key == "life_race" and playbook(store).champion_id == CHAMPION
    assert len(store.held.governance.changes) == 1


# ---- the checklist's buttons ----


def test_the_champion_marks_an_item_done_and_the_dm_is_redrawn():
    _, store = world(champion=CHAMPION)
    assert mark(store, 0) is True
    [kept] = store.held.marks
    assert (kept.kind, kept.item, kept.done, kept.marked_by, kept.marked_at) == (
        "training",
        KIT["training"][0],
        True,
        CHAMPION,
        NOW,
    )
    [redrawn] = store.held.outbox
    assert (redrawn.method, redrawn.channel, redrawn.payload["ts"]) == ("chat.update", DM[0], DM[1])
    assert redrawn.payload["text"] == "Your checklist as champion of support-replies: 1 of 3 done"
    assert f"done by <@{CHAMPION}> on {NOW.date().isoformat()}" in json.dumps(redrawn.payload["blocks"])
    [item] = [i for i in champions.checklist_of(store, store.playbooks.state(SLUG)) if i.done]
    assert (item.index, item.by, item.value) == (0, CHAMPION, keys.checklist_button(SLUG, 0, False))


def test_a_second_click_of_the_same_button_marks_nothing_more():
    _, store = world(champion=CHAMPION)
    assert mark(store, 2) is True
    assert mark(store, 2, at=NOW + timedelta(seconds=1)) is False
    assert len(store.held.marks) == 1 and len(store.held.outbox) == 1


def test_undo_keeps_each_mark_and_the_latest_counts():
    _, store = world(champion=CHAMPION)
    assert mark(store, 0) and mark(store, 1) and mark(store, 0, done=False, at=NOW + timedelta(hours=1))
    assert [(m.item, m.done) for m in store.held.marks] == [
        (KIT["training"][0], True),
        (KIT["training"][1], True),
        (KIT["training"][0], False),
    ]
    checklist = champions.checklist_of(store, store.playbooks.state(SLUG))
    assert champions.summary(checklist)["done"] == 1 and champions.summary(checklist)["total"] == 3
    assert checklist[0].value == keys.checklist_button(SLUG, 0, True)  # marks it done again
    assert not mark(store, 2, done=False)  # never done: nothing to undo


def test_a_mark_clicked_outside_a_dm_redraws_nothing():
    _, store = world(champion=CHAMPION)
    assert mark(store, 0, dm=None) and store.held.outbox == []


@pytest.mark.parametrize(("champion", "named"), [(CHAMPION, CHAMPION), (None, "no one yet")])
def test_only_the_champion_marks_the_checklist(champion, named):
    _, store = world(champion=champion)
    for someone in (OWNER, CURATOR, SECOND):
        with pytest.raises(Refusal) as raised:
            mark(store, 0, by=someone)
        assert raised.value.key == "checklist_champion_only"
        said = raised.value.values["champion"]
        assert (said.ident if champion else said) == named
    assert store.held.marks == [] and store.held.outbox == []


def test_an_item_no_longer_on_the_checklist_and_a_playbook_gone():
    _, store = world(champion=CHAMPION)
    with pytest.raises(Refusal) as raised:
        mark(store, 3)
    assert (raised.value.key, raised.value.values) == ("checklist_item_gone", {"slug": SLUG})
    with pytest.raises(Refusal) as raised:
        champions.mark(store, "gone", 0, True, CHAMPION, NOW, DM)
    assert raised.value.key == "playbook_gone"
    assert store.held.marks == []


# ---- a champion before autonomy ----


def adopted(store):
    """The playbook as an adopter's (its version's id): the gate reads only adopters."""
    playbook(store).adopted_from_id = 1
    return store.playbooks.state(SLUG)


def test_an_adopters_steps_wait_for_the_champions_training_until_all_is_done_in_any_cycle():
    _, store = world(champion=CHAMPION)
    assert champions.training_waits(store, [store.playbooks.state(SLUG)]) == set()  # its own: no wait
    state = adopted(store)
    assert champions.required(state) and champions.training_waits(store, [state]) == {state.playbook.id}
    for index in (0, 1):
        mark(store, index)
    assert champions.training_waits(store, [state]) == {state.playbook.id}
    mark(store, 2)
    assert champions.training_waits(store, [state]) == set()


def test_a_kit_that_turns_the_champion_off_waits_for_nothing():
    _, store = world(champion=CHAMPION, kit={**KIT, "requires_champion": False})
    state = adopted(store)
    assert not champions.required(state) and champions.training_waits(store, [state]) == set()
    assert not champions.waits_on_training(state.spec.replication)


def test_no_champion_no_wait():
    _, store = world()
    assert champions.training_waits(store, [adopted(store)]) == set()


def test_the_owner_as_champion_marks_only_as_the_teams_only_member():
    """A trained champion before access: in a team of more people the owner is asked to
    name another (the refusal names how), and nothing is marked; alone, they mark."""
    services, store = world(champion=OWNER)
    services.directory.members[fakes.CHANNEL] = frozenset([OWNER, MEMBER])
    with pytest.raises(Refusal) as raised:
        usecase_champions.mark(fakes.caller(services, OWNER), SLUG, 0, True, DM)
    assert (raised.value.key, raised.value.values) == ("checklist_owner_not_alone", {"slug": SLUG})
    words = str(slack(raised.value))  # as Slack shows it
    assert "name one of them its champion with `/rollout champion support-replies @person`" in words
    assert store.held.marks == []
    services.directory.members[fakes.CHANNEL] = frozenset([OWNER])
    usecase_champions.mark(fakes.caller(services, OWNER), SLUG, 0, True, DM)
    assert [m.marked_by for m in store.held.marks] == [OWNER]


def test_past_the_first_cycle_a_move_up_still_reads_the_training_until_it_is_done():
    """The gate a `/rollout mode` approval, a proposal's click and the clock's application
    read (usecases/shared/promotion_gates.py): in cycle 3 as in cycle 1."""
    _, store = world(champion=CHAMPION, cycle_started=date(2026, 1, 5))
    state = adopted(store)
    assert promotion_gates.current_cycle(state, NOW) == 3
    gates = promotion_gates.shut_now(store, state, "draft", "collaborative", NOW)
    assert Gate("training", {"done": 0, "total": 3}) in gates
    for index in range(3):
        mark(store, index)
    state = store.playbooks.state(SLUG)
    assert "training" not in [g.key for g in promotion_gates.shut_now(store, state, "draft", "collaborative", NOW)]
