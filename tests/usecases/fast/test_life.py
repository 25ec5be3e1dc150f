"""A playbook's life on the fakes (usecases/shared/life.py through usecases/commands.py):
who may pause, retire, resume, hand over and start a cycle, what each refuses, and what
each decides and tells, as data; a pause across a DST change closing its last week at local
noon; a retired playbook still readable; the replies as Slack shows them. The clock's side
through Slack (no nudge while paused, an archived channel) is tests/usecases/test_life.py's."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from cadence.decisions import DecisionKind
from handlers import present_status, replies
from slack_api.members import Person
from templates.refusals import slack
from tests import fakes
from tests.committed import committed
from tests.fakes import CHANNEL, CURATOR, MEMBER, NOW, OWNER, FakeDirectory
from tests.usecases.fast.ticking import Ticking
from usecases import commands, status
from usecases.shared import life, messages
from usecases.shared.caller import Refusal

SLUG = "support-replies"
WEEK = date(2026, 3, 9)  # NOW's week: week 2 of cycle 1, begun on Monday 2 March
NEXT_MONDAY = date(2026, 3, 16)


def world(*states, now=NOW, **more):
    services = fakes.services(*(states or (fakes.a_playbook(),)), now=now, **more)
    return services, fakes.store_of(services)


def held(store):
    return store.playbooks.state(SLUG)


def changes(store):
    return store.held.governance.changes


def refused(services, command, cmd, user=OWNER) -> Refusal:
    """The refusal, after checking that nothing was committed."""
    store = fakes.store_of(services)
    before, commits, told = held(store), store.commits(), list(changes(store))
    with pytest.raises(Refusal) as raised:
        command(fakes.caller(services, user), cmd)
    assert store.commits() == commits and changes(store) == told and held(store) == before
    return raised.value


def paused(now=NOW):
    """A playbook paused in NOW's week, with its services and store."""
    services, store = world(now=now)
    commands.pause(fakes.caller(services, OWNER), messages.Pause(SLUG, "team offsite"))
    store.held.governance.changes.clear()
    return services, store


# ---- pause ----


@pytest.mark.parametrize("user", [OWNER, CURATOR])
def test_a_pause_ends_the_run_after_this_week_and_is_recorded(user):
    services, store = world()
    _state, ended = commands.pause(fakes.caller(services, user), messages.Pause(SLUG, "team offsite"))
    assert (ended.status, ended.last_week.cycle, ended.last_week.week, ended.last_week.week_start) == (
        "paused",
        1,
        2,
        WEEK,
    )
    playbook = held(store).playbook
    assert (playbook.status, playbook.status_reason, playbook.status_since) == ("paused", "team offsite", NOW)
    assert held(store).anchor.ends_after == WEEK
    [change] = changes(store)
    [decision] = change.decisions
    assert (decision.kind, decision.actor, decision.week_start, decision.rule) == (
        DecisionKind.PAUSED,
        user,
        WEEK,
        None,
    )
    assert decision.figures == {"reason": "team offsite", "ends_after": "2026-03-09"}
    assert decision.summary == "support-replies paused (was active): team offsite"
    assert change.messages == [] and store.commits() == 1


def test_only_the_owner_or_a_curator_pauses():
    services, _ = world()
    refusal = refused(services, commands.pause, messages.Pause(SLUG, "x"), MEMBER)
    assert (refusal.key, refusal.usage, refusal.values["slug"]) == ("owner_or_curator_only", "pause", SLUG)


def test_a_paused_playbook_is_not_paused_again():
    services, _ = paused()
    refusal = refused(services, commands.pause, messages.Pause(SLUG, "again"))
    assert (refusal.key, refusal.values["since"]) == ("already_paused", "2026-03-11")


def test_a_playbook_whose_first_cycle_was_never_started_has_nothing_to_pause():
    services, _ = world(fakes.a_playbook(cycle_started=None))
    assert refused(services, commands.pause, messages.Pause(SLUG, "x")).key == "not_running"


def test_a_first_cycle_not_begun_has_nothing_to_pause_yet():
    services, _ = world(fakes.a_playbook(cycle_started=NEXT_MONDAY))
    refusal = refused(services, commands.pause, messages.Pause(SLUG, "x"))
    assert (refusal.key, refusal.values["day"]) == ("not_begun", "2026-03-16")


def test_a_retired_playbook_is_neither_paused_nor_resumed_nor_started():
    services, store = world()
    commands.pause(fakes.caller(services, OWNER), messages.Pause(SLUG, "replaced by triage", retire=True))
    store.held.governance.changes.clear()
    for command, cmd, usage in (
        (commands.pause, messages.Pause(SLUG, "x"), "pause"),
        (commands.pause, messages.Pause(SLUG, "x", retire=True), "retire"),
        (commands.resume, messages.Resume(SLUG, None), "resume"),
        (commands.cycle_start, messages.CycleStart(SLUG, None), "cycle"),
    ):
        refusal = refused(services, command, cmd)
        assert (refusal.key, refusal.usage) == ("retired", usage)
        assert refusal.values == {"slug": SLUG, "since": "2026-03-11", "reason": "replaced by triage"}


# ---- retire ----


def test_retiring_a_running_playbook_ends_its_run_after_this_week():
    services, store = world()
    _, ended = commands.pause(fakes.caller(services, OWNER), messages.Pause(SLUG, "done", retire=True))
    assert (ended.status, ended.last_week.week_start) == ("retired", WEEK)
    assert held(store).playbook.status == "retired" and held(store).anchor.ends_after == WEEK
    [decision] = changes(store)[0].decisions
    assert (decision.kind, decision.week_start, decision.figures["ends_after"]) == (
        DecisionKind.RETIRED,
        WEEK,
        "2026-03-09",
    )


def test_retiring_a_paused_playbook_keeps_the_end_its_pause_set():
    services, store = paused(now=NOW)
    services.clock.advance(days=14)
    _, ended = commands.pause(fakes.caller(services, OWNER), messages.Pause(SLUG, "for good", retire=True))
    assert ended.status == "retired" and ended.last_week is None
    assert held(store).anchor.ends_after == WEEK  # the pause's
    [decision] = changes(store)[0].decisions
    assert decision.summary == "support-replies retired (was paused): for good"
    assert decision.figures["ends_after"] is None


def test_retiring_before_the_first_cycle_begins_ends_the_run_before_it():
    services, store = world(fakes.a_playbook(cycle_started=NEXT_MONDAY))
    _, ended = commands.pause(fakes.caller(services, CURATOR), messages.Pause(SLUG, "never mind", retire=True))
    assert ended.last_week is None
    assert held(store).anchor.ends_after == date(2026, 3, 9)  # the week before its first: none will run


def test_a_draft_never_started_is_retired_without_a_run_to_end():
    """A playbook loaded and never started (a draft) is dropped by retiring it: it was
    refused as "changed a moment ago", which nothing had."""
    services, store = world(fakes.a_playbook(cycle_started=None, status="draft"))
    _, ended = commands.pause(fakes.caller(services, OWNER), messages.Pause(SLUG, "not for us", retire=True))
    assert (ended.status, ended.last_week) == ("retired", None)
    assert (held(store).playbook.status, held(store).playbook.status_reason) == ("retired", "not for us")
    assert [d.kind for d in changes(store)[-1].decisions] == [DecisionKind.RETIRED]
    assert refused(services, commands.pause, messages.Pause(SLUG, "x")).key == "retired"


def test_a_draft_is_not_paused():
    services, _ = world(fakes.a_playbook(cycle_started=None, status="draft"))
    assert refused(services, commands.pause, messages.Pause(SLUG, "x")).key == "not_running"


def test_only_the_owner_or_a_curator_retires():
    services, _ = world()
    refusal = refused(services, commands.pause, messages.Pause(SLUG, "x", retire=True), MEMBER)
    assert (refusal.key, refusal.usage) == ("owner_or_curator_only", "retire")


# ---- resume ----


def test_a_resume_starts_the_next_cycle_on_the_monday_after_its_last_week():
    services, store = paused()
    started = commands.resume(fakes.caller(services, OWNER), messages.Resume(SLUG, None))
    assert (started.cycle, started.starts_on) == (2, NEXT_MONDAY)
    state = held(store)
    assert (state.playbook.status, state.playbook.status_reason) == ("active", None)
    assert (state.anchor.number, state.anchor.starts_on, state.previous.ends_after) == (2, NEXT_MONDAY, WEEK)
    [decision] = changes(store)[0].decisions
    assert (decision.kind, decision.week_start, decision.figures) == (DecisionKind.RESUMED, NEXT_MONDAY, {"cycle": 2})
    assert decision.summary == "support-replies resumed: cycle 2 starts on 2026-03-16."


def test_a_resume_on_a_given_monday_and_a_curators():
    services, store = paused()
    started = commands.resume(fakes.caller(services, CURATOR), messages.Resume(SLUG, date(2026, 4, 6)))
    assert (started.cycle, started.starts_on) == (2, date(2026, 4, 6))
    assert held(store).cycle_anchor.before.ends_after == WEEK


def test_a_resume_weeks_later_defaults_to_the_next_monday():
    services, _ = paused()
    services.clock.at = datetime(2026, 4, 1, 10, 0, tzinfo=UTC)  # a Wednesday
    started = commands.resume(fakes.caller(services, OWNER), messages.Resume(SLUG, None))
    assert started.starts_on == date(2026, 4, 6)


@pytest.mark.parametrize(
    ("day", "key", "values"),
    [
        (WEEK, "resume_too_early", {"day": "2026-03-09", "earliest": "2026-03-16"}),
        (date(2026, 3, 17), "cycle_not_monday", {"day": "2026-03-17", "weekday": "Tuesday"}),
        (date(2027, 3, 15), "start_too_far", {"day": "2027-03-15", "latest": "2027-03-08"}),
        (date(9999, 12, 27), "start_too_far", {"day": "9999-12-27", "latest": "2027-03-08"}),
    ],
)
def test_a_resume_is_refused_too_early_on_another_day_or_too_far_ahead(day, key, values):
    services, store = paused()
    refusal = refused(services, commands.resume, messages.Resume(SLUG, day))
    assert (refusal.key, refusal.usage, refusal.values) == (key, "resume", values)
    assert held(store).playbook.status == "paused"


def test_only_a_paused_playbook_resumes():
    services, _ = world()
    assert refused(services, commands.resume, messages.Resume(SLUG, None)).key == "not_paused"


def test_only_the_owner_or_a_curator_resumes():
    services, _ = paused()
    refusal = refused(services, commands.resume, messages.Resume(SLUG, None), MEMBER)
    assert (refusal.key, refusal.usage) == ("owner_or_curator_only", "resume")


def test_a_resume_someone_made_a_moment_ago_is_a_race():
    _services, store = paused()
    state = held(store)
    life.resume(store, state, None, OWNER, NOW)  # someone else, a moment ago
    store.held.governance.changes.clear()
    with pytest.raises(Refusal) as raised:
        life.resume(store, state, None, OWNER, NOW)  # from what this one read before
    assert raised.value.key == "life_race" and changes(store) == []


# ---- hand over ----


def test_handing_over_tells_the_new_owner_by_dm_and_is_recorded():
    services, store = world()
    _state, before = commands.hand_over(fakes.caller(services, OWNER), messages.HandOver(SLUG, MEMBER))
    assert before == OWNER and held(store).playbook.owner_id == MEMBER
    [change] = changes(store)
    [decision] = change.decisions
    assert (decision.kind, decision.actor, decision.figures) == (
        DecisionKind.OWNER_CHANGED,
        OWNER,
        {"from": OWNER, "to": MEMBER},
    )
    assert decision.summary == f"support-replies: owner {OWNER} → {MEMBER}"
    [dm] = change.messages
    assert (dm.channel, dm.method, dm.payload["text"]) == (MEMBER, "chat.postMessage", "You now own support-replies")
    assert "the mode map" in json.dumps(dm.payload["blocks"], ensure_ascii=False)
    assert dm.key.endswith(MEMBER)
    said = json.dumps(
        replies.hand_over(fakes.caller(services, OWNER), messages.HandOver(SLUG, MEMBER), (held(store), before))
    )
    assert f"<@{MEMBER}> now owns *support-replies* (before: <@{OWNER}>)" in said
    cmd = messages.History(SLUG)
    history = json.dumps(
        replies.history(fakes.caller(services, OWNER), cmd, status.history(fakes.caller(services), cmd)),
        ensure_ascii=False,
    )
    # People by name: Slack shows a mention as the name (PRODUCT: people appear by name).
    assert f"support-replies: owner <@{OWNER}> → <@{MEMBER}>" in history


def test_a_curator_hands_over_and_the_old_owner_may_no_longer():
    services, store = world()
    commands.hand_over(fakes.caller(services, CURATOR), messages.HandOver(SLUG, MEMBER))
    assert held(store).playbook.owner_id == MEMBER
    refusal = refused(services, commands.hand_over, messages.HandOver(SLUG, OWNER), OWNER)
    assert (refusal.key, refusal.usage) == ("owner_or_curator_only", "owner")


def test_they_already_own_it():
    services, _ = world()
    assert refused(services, commands.hand_over, messages.HandOver(SLUG, OWNER)).key == "already_owner"


@pytest.mark.parametrize(
    ("person", "key"),
    [
        (Person("UNEWOWNER1", "UTC", found=False), "person_unknown"),
        (Person("UNEWOWNER1", "UTC", deleted=True), "person_deactivated"),
        (Person("UNEWOWNER1", "UTC", is_bot=True), "person_not_human"),
    ],
)
def test_only_an_active_person_can_own_a_playbook(person, key):
    state = fakes.a_playbook()
    directory = FakeDirectory({state.playbook.channel_id: (OWNER,)}, people={"UNEWOWNER1": person})
    services, _ = world(state, directory=directory)
    refusal = refused(services, commands.hand_over, messages.HandOver(SLUG, "UNEWOWNER1"))
    assert (refusal.key, refusal.usage) == (key, "owner")


def test_who_may_hand_over_is_checked_before_slack_is_asked():
    state = fakes.a_playbook()
    directory = FakeDirectory({state.playbook.channel_id: (OWNER, MEMBER)})
    services, _ = world(state, directory=directory)
    assert refused(services, commands.hand_over, messages.HandOver(SLUG, "UNEWOWNER1"), MEMBER).key == (
        "owner_or_curator_only"
    )
    assert ("person", "UNEWOWNER1") not in directory.asked


# ---- cycle start ----


def draft(**more):
    return world(fakes.a_playbook(cycle_started=None, **more))


def test_the_first_cycle_starts_next_monday_by_default():
    services, store = draft()
    started = commands.cycle_start(fakes.caller(services, OWNER), messages.CycleStart(SLUG, None))
    assert (started.cycle, started.starts_on, started.moved_from) == (1, NEXT_MONDAY, None)
    assert held(store).playbook.status == "active" and held(store).anchor.starts_on == NEXT_MONDAY
    [decision] = changes(store)[0].decisions
    assert (decision.kind, decision.week_start, decision.figures) == (
        DecisionKind.CYCLE_STARTED,
        NEXT_MONDAY,
        {"cycle": 1},
    )


def test_the_first_cycle_may_start_this_weeks_monday_or_a_year_ahead_at_most():
    for day in (WEEK, date(2027, 3, 8)):
        services, _store = draft()
        assert commands.cycle_start(fakes.caller(services, OWNER), messages.CycleStart(SLUG, day)).starts_on == day


@pytest.mark.parametrize(
    ("day", "key", "values"),
    [
        (date(2026, 3, 2), "cycle_over", {"day": "2026-03-02", "monday": "2026-03-09"}),
        (date(2026, 3, 18), "cycle_not_monday", {"day": "2026-03-18", "weekday": "Wednesday"}),
        (date(2027, 3, 15), "start_too_far", {"day": "2027-03-15", "latest": "2027-03-08"}),
        (date(2062, 11, 27), "start_too_far", {"day": "2062-11-27", "latest": "2027-03-08"}),
        (date(9999, 12, 27), "start_too_far", {"day": "9999-12-27", "latest": "2027-03-08"}),
    ],
)
def test_a_first_cycle_in_the_past_on_another_day_or_too_far_ahead_is_refused(day, key, values):
    services, store = draft()
    refusal = refused(services, commands.cycle_start, messages.CycleStart(SLUG, day))
    assert (refusal.key, refusal.usage, refusal.values) == (key, "cycle", values)
    assert held(store).anchor is None


def test_this_weeks_monday_is_the_playbooks_own():
    """In Tokyo it is already Thursday 12 March when Berlin's NOW is Wednesday evening:
    still that week, and its Monday is 9 March; a Monday before is in the past."""
    tokyo_late = datetime(2026, 3, 11, 16, 0, tzinfo=UTC)  # Thursday 01:00 in Tokyo
    services, _ = world(fakes.a_playbook(cycle_started=None, timezone="Asia/Tokyo"), now=tokyo_late)
    refusal = refused(services, commands.cycle_start, messages.CycleStart(SLUG, date(2026, 3, 2)))
    assert (refusal.key, refusal.values["monday"]) == ("cycle_over", "2026-03-09")
    services.clock.at = datetime(2026, 3, 15, 16, 0, tzinfo=UTC)  # Monday 16 March, 01:00 in Tokyo
    refusal = refused(services, commands.cycle_start, messages.CycleStart(SLUG, WEEK))
    assert (refusal.key, refusal.values["monday"]) == ("cycle_over", "2026-03-16")


def test_a_start_not_begun_can_be_moved_and_the_move_is_recorded():
    services, store = world(fakes.a_playbook(cycle_started=date(2026, 6, 1)))
    refusal = refused(services, commands.cycle_start, messages.CycleStart(SLUG, None))
    assert (refusal.key, refusal.values) == ("cycle_already_set", {"cycle": 1, "slug": SLUG, "day": "2026-06-01"})
    assert refused(services, commands.cycle_start, messages.CycleStart(SLUG, date(2026, 6, 1))).key == (
        "cycle_already_set"
    )
    started = commands.cycle_start(fakes.caller(services, OWNER), messages.CycleStart(SLUG, NEXT_MONDAY))
    assert (started.cycle, started.starts_on, started.moved_from) == (1, NEXT_MONDAY, date(2026, 6, 1))
    assert held(store).anchor.starts_on == NEXT_MONDAY and held(store).anchor.number == 1
    [decision] = changes(store)[0].decisions
    assert (decision.kind, decision.week_start, decision.figures) == (
        DecisionKind.CYCLE_STARTED,
        NEXT_MONDAY,
        {"cycle": 1, "moved_from": "2026-06-01"},
    )


def test_a_start_moved_by_someone_a_moment_ago_is_a_race():
    _services, store = world(fakes.a_playbook(cycle_started=date(2026, 6, 1)))
    state = held(store)
    life.start_cycle(store, state, NEXT_MONDAY, OWNER, NOW)
    store.held.governance.changes.clear()
    with pytest.raises(Refusal) as raised:
        life.start_cycle(store, state, date(2026, 3, 23), OWNER, NOW)
    assert raised.value.key == "cycle_race" and changes(store) == []
    assert held(store).anchor.starts_on == NEXT_MONDAY


def test_a_cycle_that_has_begun_runs_on():
    services, _ = world()
    refusal = refused(services, commands.cycle_start, messages.CycleStart(SLUG, NEXT_MONDAY))
    assert (refusal.key, refusal.values) == ("cycle_running", {"slug": SLUG, "week": 2, "cycle": 1})


def test_a_paused_playbook_is_resumed_not_started():
    services, _ = paused()
    refusal = refused(services, commands.cycle_start, messages.CycleStart(SLUG, NEXT_MONDAY))
    assert (refusal.key, refusal.values) == ("use_resume", {"slug": SLUG})


def test_a_resumed_start_not_begun_can_be_moved_but_not_into_the_last_run():
    services, store = paused()
    commands.resume(fakes.caller(services, OWNER), messages.Resume(SLUG, date(2026, 6, 1)))
    store.held.governance.changes.clear()
    refusal = refused(services, commands.cycle_start, messages.CycleStart(SLUG, WEEK))
    assert (refusal.key, refusal.values) == ("resume_too_early", {"day": "2026-03-09", "earliest": "2026-03-16"})
    assert refused(services, commands.cycle_start, messages.CycleStart(SLUG, date(2026, 3, 2))).key == "cycle_over"
    started = commands.cycle_start(fakes.caller(services, OWNER), messages.CycleStart(SLUG, date(2026, 3, 23)))
    assert (started.cycle, started.starts_on, started.moved_from) == (2, date(2026, 3, 23), date(2026, 6, 1))
    assert held(store).anchor.starts_on == date(2026, 3, 23)


def test_only_the_owner_or_a_curator_starts_a_cycle():
    services, _ = draft()
    refusal = refused(services, commands.cycle_start, messages.CycleStart(SLUG, NEXT_MONDAY), MEMBER)
    assert (refusal.key, refusal.usage) == ("owner_or_curator_only", "cycle")


# ---- a channel lost ----


def test_a_lost_channel_pauses_its_playbooks_and_tells_the_owner_and_the_curators():
    _services, store = world(fakes.a_playbook(), fakes.a_playbook("other", cycle_started=None))
    committed(store).org.set_setting("curators_channel", "CCURATORS1", OWNER, NOW)
    channel = held(store).playbook.channel_id
    assert life.channel_lost(store, channel, "is_archived", NOW) == [SLUG]
    playbook = held(store).playbook
    assert (playbook.status, playbook.status_reason) == ("paused", "Slack says is_archived for the team channel")
    assert store.playbooks.state("other").playbook.status == "draft"  # not running: nothing to pause
    [change] = changes(store)
    [decision] = change.decisions
    assert (decision.kind, decision.rule, decision.actor) == (DecisionKind.PAUSED, "slack", "rule:slack")
    assert [m.channel for m in change.messages] == [OWNER, "CCURATORS1"]
    owner = json.dumps(change.messages[0].payload["blocks"], ensure_ascii=False)
    assert "Slack says *is_archived*" in owner and "/rollout resume support-replies" in owner
    assert life.channel_lost(store, channel, "is_archived", NOW) == []  # reported again: nothing
    assert len(changes(store)) == 1


# ---- as the owner reads it ----


def test_a_pause_across_a_dst_change_closes_its_last_week_at_local_noon():
    state = fakes.a_playbook(cycle_started=date(2026, 10, 12))
    services, store = world(state, now=datetime(2026, 10, 21, 10, 0, tzinfo=UTC), org_timezone="UTC")  # summer time
    owner, cmd = fakes.caller(services, OWNER), messages.Pause(SLUG, "autumn break")
    reply = json.dumps(replies.pause(owner, cmd, commands.pause(owner, cmd)), ensure_ascii=False)
    assert "still closes on Mon 26 Oct 12:00 Europe/Berlin" in reply  # after the clocks went back: 11:00 UTC
    clock = Ticking(services)
    clock.run(datetime(2026, 10, 26, 10, 59, tzinfo=UTC))
    assert "support-replies: week 2 of cycle 1 closed" not in clock.texts(CHANNEL)
    clock.run(datetime(2026, 10, 26, 11, 0, tzinfo=UTC))
    assert "support-replies: week 2 of cycle 1 closed" in clock.texts(CHANNEL)
    services.clock.at = datetime(2026, 10, 28, 10, 0, tzinfo=UTC)
    owner, resume = fakes.caller(services, OWNER), messages.Resume(SLUG, None)  # asking now
    assert "Cycle 2" in json.dumps(replies.resume(owner, resume, commands.resume(owner, resume)))
    assert held(store).anchor.starts_on == date(2026, 11, 2)  # next Monday


def test_retiring_is_final_but_readable():
    services, store = world(
        fakes.a_playbook(cycle_started=date(2026, 11, 16)), now=datetime(2026, 11, 18, 10, tzinfo=UTC)
    )
    owner = fakes.caller(services, OWNER)
    cmd = messages.Pause(SLUG, "replaced by the new triage flow", retire=True)
    assert "*support-replies* is retired" in json.dumps(replies.pause(owner, cmd, commands.pause(owner, cmd)))

    def said(command, cmd, user=MEMBER):
        return str(slack(refused(services, command, cmd, user)))

    kpi = said(commands.kpi, messages.Kpi(SLUG, 20))
    assert "support-replies was retired on 2026-11-18: “replaced by the new triage flow”" in kpi
    assert "retired" in said(commands.cycle_start, messages.CycleStart(SLUG, None), OWNER)
    assert "was retired on 2026-11-18" in said(commands.resume, messages.Resume(SLUG, None), OWNER)
    shown = status.status(fakes.caller(services, MEMBER), messages.Status(SLUG))
    assert "Support reply drafting" in json.dumps(present_status.status(shown), ensure_ascii=False)  # still readable
    assert store.reports.stored("kpi") == []
